-- Purpose: outcome_follow_up.sql for a filter that selects every district, read from the
-- outcome_time_force summary (the same rows, without a scan of every offence).
-- Grain: one row per month recorded x DA x has an outcome x days (to the outcome, or of
--   follow-up while open) x followed up 90+ days x followed up 180+ days.
-- Parameters: $start_month, $end_month (DATE), $offence_types (VARCHAR[]). The caller has
--   checked that the filter's districts hold every district with offences.

SELECT
    recorded_month,
    is_domestic,
    has_outcome,
    days,
    followed_90,
    followed_180,
    sum(offences)::BIGINT AS offences
FROM outcome_time_force
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($offence_types, offence_type)
GROUP BY ALL;
