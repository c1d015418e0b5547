-- Purpose: the operational store's tables in PostgreSQL (for several dashboard replicas):
-- the same tables as schema_sqlite.sql, with an identity column and a trigger function.
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
    event_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    username TEXT,
    role TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    filter TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT 'ok'
);

CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;

DROP TRIGGER IF EXISTS audit_event_is_append_only ON audit_event;
CREATE TRIGGER audit_event_is_append_only
BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();

CREATE TABLE IF NOT EXISTS app_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);
