-- Purpose: the operational store's SQLite-only part (WAL mode is set on connection): the
-- append-only audit trail. The shared tables are in schema_tables.sql.
-- Timestamps are ISO 8601 text in UTC, written by the application (the same in both dialects).

CREATE TABLE IF NOT EXISTS audit_event (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    username TEXT,
    role TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    filter TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT 'ok'
);

CREATE TRIGGER IF NOT EXISTS audit_event_is_append_only_update
BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TRIGGER IF NOT EXISTS audit_event_is_append_only_delete
BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
