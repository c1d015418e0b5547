-- Purpose: append one event to the audit trail (append-only: no statement updates or deletes).
-- Parameters: :at, :username, :role, :action, :detail, :filter, :outcome.
INSERT INTO audit_event (at, username, role, action, detail, filter, outcome)
VALUES (:at, :username, :role, :action, :detail, :filter, :outcome)
