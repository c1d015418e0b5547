-- Purpose: the operational store's tables that are the same in SQLite and PostgreSQL (run
-- after the dialect's own schema file): accounts, sessions, settings, the scrutiny loop.
-- Timestamps are ISO 8601 text in UTC, written by the application.

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

CREATE TABLE IF NOT EXISTS app_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);

-- The scrutiny loop: question sets, dip samples, their cases and review answers, and the
-- recommendations tracker (dated updates). Every change is also in audit_event.
CREATE TABLE IF NOT EXISTS question_set (
    set_key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    questions TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS dip_sample (
    sample_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    set_key TEXT NOT NULL,
    filter_text TEXT NOT NULL,
    filter_json TEXT NOT NULL,
    seed INTEGER NOT NULL,
    per_stratum INTEGER NOT NULL,
    population INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS dip_sample_case (
    sample_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    crime_ref TEXT NOT NULL,
    district_code TEXT NOT NULL,
    is_domestic INTEGER NOT NULL,
    PRIMARY KEY (sample_id, crime_ref)
);

CREATE TABLE IF NOT EXISTS review_answer (
    sample_id TEXT NOT NULL,
    crime_ref TEXT NOT NULL,
    question_key TEXT NOT NULL,
    answer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recommendation INTEGER,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (sample_id, crime_ref, question_key)
);

CREATE TABLE IF NOT EXISTS recommendation (
    number INTEGER PRIMARY KEY,
    theme TEXT NOT NULL,
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_date TEXT
);

CREATE TABLE IF NOT EXISTS recommendation_update (
    number INTEGER NOT NULL,
    update_date TEXT NOT NULL,
    status TEXT NOT NULL,
    progress TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (number, update_date)
);

-- Versions a change replaced, kept (nothing recorded is lost): a dated update changed again,
-- and a recommendation reworded, re-owned or given another due date. `revision` counts each
-- key's earlier versions from 1; `replaced_at`/`replaced_by` say who replaced it and when.
CREATE TABLE IF NOT EXISTS recommendation_update_revision (
    number INTEGER NOT NULL,
    update_date TEXT NOT NULL,
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    progress TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    replaced_by TEXT NOT NULL,
    PRIMARY KEY (number, update_date, revision)
);

CREATE TABLE IF NOT EXISTS recommendation_revision (
    number INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    theme TEXT NOT NULL,
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_date TEXT,
    replaced_at TEXT NOT NULL,
    replaced_by TEXT NOT NULL,
    PRIMARY KEY (number, revision)
);
