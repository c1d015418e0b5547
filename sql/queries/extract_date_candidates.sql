-- Purpose: what an import without a stated extract date falls back on: the latest recorded or
-- outcome date in the store, the latest extract date already recorded, and the force's name.
-- Grain: one row. Parameters: none.

SELECT
    greatest((SELECT max(recorded_date) FROM offence), (SELECT max(outcome_date) FROM outcome))
        AS latest_date,
    (SELECT max(extract_date) FROM dataset) AS stored_extract_date,
    (SELECT any_value(force_name) FROM district) AS force_name;
