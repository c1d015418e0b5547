-- Purpose: the operational store's tables in SQLite (WAL mode is set on connection):
-- the application's own small writes, from several processes at once.
-- Timestamps are ISO 8601 text in UTC, written by the application (the same in both dialects).

CREATE TABLE IF NOT EXISTS app_user (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('commissioner', 'strategic', 'analyst', 'administrator')),
    districts TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS app_session (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    started_at TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    ended_at TEXT
);

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

CREATE TABLE IF NOT EXISTS app_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);
