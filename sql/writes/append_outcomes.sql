-- Purpose: append outcome history rows from the registered frame `incoming_outcomes`
-- (crime_ref, outcome_key, outcome_date); a row already held is left as it is.
-- Grain: one row per offence x date x outcome. Parameters: none.

INSERT INTO outcome (crime_ref, outcome_key, outcome_date)
SELECT DISTINCT crime_ref, outcome_key, outcome_date FROM incoming_outcomes
ON CONFLICT DO NOTHING;
