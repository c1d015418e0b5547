-- Purpose: the offences behind times to outcome, summed over districts, so the Outcomes page for
-- the whole force reads a summary instead of every offence (at 10 million offences the two
-- scans of offence_fact took 0.8 s). Read only when a filter selects every district that has
-- offences (queries.outcome_follow_up and queries.outcome_days); the same counts as
-- outcome_follow_up.sql and outcome_days.sql over offence_fact (tests/test_marts.py).
-- Grain: one row per recorded month x DA x offence type x outcome group (null: open, or an
--   outcome not in the framework) x days to outcome (null: open) x days (to the outcome, or of
--   follow-up while open; at least 0) x followed up 90+ days x followed up 180+ days.
-- Inputs: offence_fact, outcome_type, current_dataset. Parameters: none.
-- Follow-up runs from the recorded date to the extract date; an open offence is censored there.

CREATE OR REPLACE TABLE outcome_time_force AS
SELECT
    f.recorded_month,
    f.is_domestic,
    f.offence_type,
    outcome_type.outcome_group,
    outcome_type.group_short,
    f.outcome_key IS NOT NULL AS has_outcome,
    f.days_to_outcome,
    greatest(coalesce(f.days_to_outcome, date_diff('day', f.recorded_date, d.extract_date)), 0)
        AS days,
    date_diff('day', f.recorded_date, d.extract_date) >= 90 AS followed_90,
    date_diff('day', f.recorded_date, d.extract_date) >= 180 AS followed_180,
    count(*)::BIGINT AS offences
FROM offence_fact AS f
LEFT JOIN outcome_type USING (outcome_key)
CROSS JOIN current_dataset AS d
GROUP BY ALL
ORDER BY recorded_month;
