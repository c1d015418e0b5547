-- Purpose: each offence with its outcome as at the extract date, ready for measures.
-- Grain: one row per offence (crime_ref).
-- Inputs: offence, outcome, outcome_type, dataset. Parameters: none.
-- The outcome of an offence is its latest outcome dated on or before the latest load's
-- extract date (ties on one date: the outcome type latest in the Home Office list, its
-- sort_order, 16 over 8 and over 1-charged, so the result is deterministic; as text, '8' had
-- been over '16');
-- an offence with none is open (outcome_key null).

CREATE OR REPLACE TABLE offence_fact AS
WITH as_at AS (SELECT extract_date FROM current_dataset),

outcomes_to_date AS (
    SELECT outcome.crime_ref, outcome.outcome_key, outcome.outcome_date
    FROM outcome, as_at
    WHERE outcome.outcome_date <= as_at.extract_date
),

latest_outcome AS (
    SELECT crime_ref, outcome_key, outcome_date
    FROM outcomes_to_date
    LEFT JOIN outcome_type USING (outcome_key)
    QUALIFY row_number() OVER (
        PARTITION BY crime_ref
        ORDER BY outcome_date DESC, outcome_type.sort_order DESC NULLS LAST, outcome_key DESC
    ) = 1
)

SELECT
    offence.*,
    date_trunc('month', offence.recorded_date)::DATE AS recorded_month,
    latest_outcome.outcome_key,
    outcome_type.outcome_code,
    latest_outcome.outcome_date,
    date_diff('day', offence.recorded_date, latest_outcome.outcome_date) AS days_to_outcome
FROM offence
LEFT JOIN latest_outcome USING (crime_ref)
LEFT JOIN outcome_type USING (outcome_key)
ORDER BY recorded_month, offence.district_code;  -- so filters on period and district skip blocks

