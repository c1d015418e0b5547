-- Purpose: outcome_days.sql for a filter that selects every district, read from the
-- outcome_time_force summary: days from recording to the latest outcome as a histogram, for
-- median times by outcome group (open offences and outcomes outside the framework not counted).
-- Grain: one row per outcome group x DA x days to outcome.
-- Parameters: $start_month, $end_month (DATE), $offence_types (VARCHAR[]). The caller has
--   checked that the filter's districts hold every district with offences.

SELECT
    outcome_group,
    group_short,
    is_domestic,
    days_to_outcome,
    sum(offences)::BIGINT AS offences
FROM outcome_time_force
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($offence_types, offence_type)
  AND outcome_group IS NOT NULL
GROUP BY ALL;
