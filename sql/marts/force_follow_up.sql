-- Purpose: the follow-up of every offence, summed over districts, so the Outcomes page for the
-- whole force reads a summary instead of every offence (queries.outcome_follow_up, for a filter
-- that selects every district; the same rows as outcome_follow_up.sql, tests/test_marts.py).
-- Two tables: force_follow_up_by_type, and force_follow_up over every offence type at the
-- query's own grain (read when the filter holds every type: no sums left to do; 16 ms to 7 ms
-- at 10 million offences).
-- Grain: force_follow_up_by_type, one row per recorded month x offence type x DA x has an
--   outcome x days (to the outcome, or of follow-up while open; at least 0) x followed up 90+
--   days x followed up 180+ days; force_follow_up, the same without offence type.
-- Inputs: offence_fact, current_dataset. Parameters: none.
-- Follow-up runs from the recorded date to the extract date; an open offence is censored there.

CREATE OR REPLACE TABLE force_follow_up_by_type AS
SELECT
    f.recorded_month,
    f.offence_type,
    f.is_domestic,
    f.outcome_key IS NOT NULL AS has_outcome,
    greatest(coalesce(f.days_to_outcome, date_diff('day', f.recorded_date, d.extract_date)), 0)
        AS days,
    date_diff('day', f.recorded_date, d.extract_date) >= 90 AS followed_90,
    date_diff('day', f.recorded_date, d.extract_date) >= 180 AS followed_180,
    count(*)::BIGINT AS offences
FROM offence_fact AS f
CROSS JOIN current_dataset AS d
GROUP BY ALL
ORDER BY recorded_month;

CREATE OR REPLACE TABLE force_follow_up AS
SELECT * EXCLUDE (offence_type, offences), sum(offences)::BIGINT AS offences
FROM force_follow_up_by_type
GROUP BY ALL
ORDER BY recorded_month;
