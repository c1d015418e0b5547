-- Purpose: remove the stored outcomes a newer extract corrects, before its own are appended.
-- The registered frame `stated_outcomes` (crime_ref, first_date) holds each offence whose
-- outcome the extract states and the earliest outcome date it gives: every stored outcome of
-- that offence dated on or after it is superseded (a same-date correction, or a later outcome
-- the extract no longer has); a null first_date says the offence is open as at the extract,
-- so all its stored outcomes go (a reopened case). Earlier outcomes stay as history, and so
-- does a stored row the extract repeats (`incoming_outcomes`: crime_ref, outcome_key,
-- outcome_date), so that only real corrections are counted as superseded.
-- Grain: deletes rows of outcome (one per offence x date x outcome). Parameters: none.

DELETE FROM outcome
USING stated_outcomes
WHERE outcome.crime_ref = stated_outcomes.crime_ref
    AND (stated_outcomes.first_date IS NULL OR outcome.outcome_date >= stated_outcomes.first_date)
    AND NOT EXISTS (
        SELECT 1 FROM incoming_outcomes AS incoming
        WHERE incoming.crime_ref = outcome.crime_ref
            AND incoming.outcome_key = outcome.outcome_key
            AND incoming.outcome_date = outcome.outcome_date
    );
