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
    sort_order      INTEGER NOT NULL
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
