-- Purpose: remove the stored outcomes a newer extract corrects (the registered frame
-- `superseded_outcomes`: crime_ref, outcome_key, outcome_date, as
-- sql/queries/outcomes_superseded.sql finds them), before its own are appended.
-- Grain: deletes rows of outcome (one per offence x date x outcome). Parameters: none.

DELETE FROM outcome
USING superseded_outcomes AS superseded
WHERE outcome.crime_ref = superseded.crime_ref
    AND outcome.outcome_key = superseded.outcome_key
    AND outcome.outcome_date = superseded.outcome_date;
