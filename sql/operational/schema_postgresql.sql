-- Purpose: the operational store's PostgreSQL-only part (several dashboard replicas): the
-- append-only audit trail (identity column, trigger function). Shared: schema_tables.sql.
-- Timestamps are ISO 8601 text in UTC, written by the application (the same in both dialects).

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

-- TRUNCATE fires no row trigger: it emptied the trail (helper 74)
DROP TRIGGER IF EXISTS audit_event_is_never_truncated ON audit_event;
CREATE TRIGGER audit_event_is_never_truncated
BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();
