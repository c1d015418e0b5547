-- Purpose: the stored tables of the data contract (stalking_profile/contract.py describes
-- every column; tests/test_contract.py checks this DDL against it).
-- No foreign keys: DuckDB's would block the upserts of later imports; the relationships
-- (offence -> district, ward, outcome -> offence, outcome_type) are checked by validation
-- and by the contract tests instead.

CREATE TABLE IF NOT EXISTS dataset (
    loaded_at     TIMESTAMP PRIMARY KEY,
    extract_date  DATE NOT NULL,
    source        VARCHAR NOT NULL,
    is_synthetic  BOOLEAN NOT NULL,
    force_name    VARCHAR NOT NULL,
    notes         VARCHAR
);

CREATE TABLE IF NOT EXISTS district (
    district_code VARCHAR PRIMARY KEY,
    district_name VARCHAR NOT NULL,
    force_name    VARCHAR NOT NULL,
    population    INTEGER,
    ons_code      VARCHAR
);

CREATE TABLE IF NOT EXISTS ward (
    ward_code     VARCHAR PRIMARY KEY,
    ward_name     VARCHAR NOT NULL,
    district_code VARCHAR NOT NULL,
    population    INTEGER,
    geometry      VARCHAR
);

CREATE TABLE IF NOT EXISTS outcome_type (
    outcome_key     VARCHAR PRIMARY KEY,
    outcome_code    VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    official_name   VARCHAR NOT NULL,
    outcome_group   VARCHAR NOT NULL,
    group_short     VARCHAR NOT NULL,
    group_confirmed BOOLEAN NOT NULL,
    sort_order      INTEGER NOT NULL,
    counts_in_outcome_1_8 BOOLEAN NOT NULL

);

CREATE TABLE IF NOT EXISTS offence (
    crime_ref         VARCHAR PRIMARY KEY,
    recorded_date     DATE NOT NULL,
    committed_date    DATE,
    offence_type      VARCHAR NOT NULL,
    ho_offence_code   VARCHAR,
    district_code     VARCHAR NOT NULL,
    ward_code         VARCHAR,
    is_domestic       BOOLEAN NOT NULL,
    is_cyber          BOOLEAN NOT NULL,
    dash_completed    BOOLEAN NOT NULL,
    dash_risk         VARCHAR,
    sash_completed    BOOLEAN NOT NULL,
    arrest_made       BOOLEAN NOT NULL,
    stalking_screen_negative BOOLEAN,

    victim_id         VARCHAR,
    suspect_id        VARCHAR,
    victim_age        INTEGER,
    victim_sex        VARCHAR,
    victim_ethnicity  VARCHAR,
    suspect_age       INTEGER,
    suspect_sex       VARCHAR,
    suspect_ethnicity VARCHAR
);

CREATE TABLE IF NOT EXISTS outcome (
    crime_ref    VARCHAR NOT NULL,
    outcome_key  VARCHAR NOT NULL,
    outcome_date DATE NOT NULL,
    PRIMARY KEY (crime_ref, outcome_date, outcome_key)
);

CREATE TABLE IF NOT EXISTS comparison_count (
    layer        VARCHAR NOT NULL,
    ward_code    VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end   DATE NOT NULL,
    offences     INTEGER NOT NULL,
    source       VARCHAR,
    PRIMARY KEY (layer, ward_code, period_start)
);

CREATE TABLE IF NOT EXISTS import_log (
    import_id     VARCHAR PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    file_hash     VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    imported_at   TIMESTAMP NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    rows_inserted INTEGER NOT NULL,
    rows_updated  INTEGER NOT NULL,
    status        VARCHAR NOT NULL,
    message       VARCHAR
);

CREATE TABLE IF NOT EXISTS quarantine (
    import_id   VARCHAR NOT NULL,
    row_number  INTEGER NOT NULL,
    column_name VARCHAR NOT NULL,
    value       VARCHAR,
    reason      VARCHAR NOT NULL,
    raw_row     VARCHAR,
    PRIMARY KEY (import_id, row_number, column_name)
);

CREATE TABLE IF NOT EXISTS context_crime (
    context_id            VARCHAR PRIMARY KEY,
    month                 DATE NOT NULL,
    crime_type            VARCHAR NOT NULL,
    ward_code             VARCHAR,
    lsoa_code             VARCHAR,
    last_outcome_category VARCHAR,
    outcome_group         VARCHAR,
    source_file           VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS civil_order (
    order_id        VARCHAR PRIMARY KEY,
    order_type      VARCHAR NOT NULL,
    subject_id      VARCHAR,
    protected_id    VARCHAR,
    crime_ref       VARCHAR,
    applied_date    DATE NOT NULL,
    interim_date    DATE,
    granted_date    DATE,
    refused_date    DATE,
    expiry_date     DATE,
    discharged_date DATE,
    status          VARCHAR NOT NULL,
    district_code   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS breach (
    breach_id   VARCHAR PRIMARY KEY,
    order_id    VARCHAR NOT NULL,
    breach_date DATE NOT NULL,
    crime_ref   VARCHAR,
    outcome_key VARCHAR
);

-- No primary key: a row with no contact_date records an agreement with no contact yet, and an
-- import replaces the whole log of each offence it names (sql/writes/replace_contacts.sql).
-- Validation refuses a repeated (crime_ref, contact_date) within a file.
CREATE TABLE IF NOT EXISTS victim_contact (
    crime_ref            VARCHAR NOT NULL,
    agreed_interval_days INTEGER NOT NULL,
    contact_date         DATE
);

CREATE TABLE IF NOT EXISTS population (
    district_code VARCHAR NOT NULL,
    sex           VARCHAR NOT NULL,
    age_band      VARCHAR NOT NULL,
    population    INTEGER NOT NULL,
    year          INTEGER,
    source        VARCHAR,
    PRIMARY KEY (district_code, sex, age_band)
);

-- The latest load: the one row every "as at the extract date" figure reads.
CREATE OR REPLACE VIEW current_dataset AS
SELECT * FROM dataset ORDER BY loaded_at DESC LIMIT 1;
