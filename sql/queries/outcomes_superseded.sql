-- Purpose: the stored outcomes a newer extract corrects, which its import removes before
-- appending its own (sql/writes/supersede_outcomes.sql) and the check counts beforehand.
-- The registered frame `stated_outcomes` (crime_ref, first_date) holds each offence whose
-- outcome the extract states and the earliest outcome date it gives: every stored outcome of
-- that offence dated on or after it is superseded (a same-date correction, or a later outcome
-- the extract no longer has); a null first_date says the offence is open as at the extract,
-- so all its stored outcomes go (a reopened case: `reopened`). Earlier outcomes stay as
-- history, and so does a stored row the extract repeats (`incoming_outcomes`: crime_ref,
-- outcome_key, outcome_date), so that only real corrections are counted.
-- Grain: one row per stored outcome superseded. Parameters: none.

SELECT
    outcome.crime_ref,
    outcome.outcome_key,
    outcome.outcome_date,
    stated.first_date IS NULL AS reopened
FROM outcome
INNER JOIN stated_outcomes AS stated ON outcome.crime_ref = stated.crime_ref
WHERE
    (stated.first_date IS NULL OR outcome.outcome_date >= stated.first_date)
    AND NOT EXISTS (
        SELECT 1 FROM incoming_outcomes AS incoming
        WHERE incoming.crime_ref = outcome.crime_ref
            AND incoming.outcome_key = outcome.outcome_key
            AND incoming.outcome_date = outcome.outcome_date
    );
