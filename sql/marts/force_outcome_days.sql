-- Purpose: days from recording to the latest outcome, summed over districts, so the Outcomes
-- page for the whole force reads a summary instead of every offence (queries.outcome_days, for
-- a filter that selects every district; the same rows as outcome_days.sql, tests/test_marts.py).
-- Two tables: force_outcome_days_by_type, and force_outcome_days over every offence type (read
-- when the filter holds every type: six rows in ten to sum). The outcome group is kept as its
-- first sort order, an integer: the query sums on it and names the groups afterwards (summing
-- on the names took 3-4 times longer).
-- Grain: force_outcome_days_by_type, one row per recorded month x offence type x DA x outcome
--   group x days to outcome, for offences whose latest outcome is in the framework (open ones
--   have no time to outcome yet); force_outcome_days, the same without offence type.
-- Inputs: offence_fact, outcome_type. Parameters: none.

DROP TABLE IF EXISTS outcome_time_force;  -- the one summary these and force_follow_up replace

CREATE OR REPLACE TABLE force_outcome_days_by_type AS
WITH outcome_group_order AS (
    SELECT outcome_key, min(sort_order) OVER (PARTITION BY outcome_group) AS group_order
    FROM outcome_type
)
SELECT
    f.recorded_month,
    f.offence_type,
    f.is_domestic,
    g.group_order,
    f.days_to_outcome,
    count(*)::BIGINT AS offences
FROM offence_fact AS f
JOIN outcome_group_order AS g USING (outcome_key)
GROUP BY ALL
ORDER BY recorded_month;

CREATE OR REPLACE TABLE force_outcome_days AS
SELECT * EXCLUDE (offence_type, offences), sum(offences)::BIGINT AS offences
FROM force_outcome_days_by_type
GROUP BY ALL
ORDER BY recorded_month;
