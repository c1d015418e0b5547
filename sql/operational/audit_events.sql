-- Purpose: the audit trail for administrators, newest first.
-- Grain: one row per event.  Parameters: :since (ISO time), :max_rows.
SELECT event_id, at, username, role, action, detail, filter, outcome
FROM audit_event
WHERE at >= :since
ORDER BY event_id DESC
LIMIT :max_rows
