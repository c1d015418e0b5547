-- Purpose: outcome_follow_up.sql for a filter that selects every district, read from the
-- force_follow_up summaries (the same rows, without a scan of every offence): for every offence
-- type, the rows as stored; for some, summed over the chosen types.
-- Grain: one row per month recorded x DA x has an outcome x days (to the outcome, or of
--   follow-up while open) x followed up 90+ days x followed up 180+ days.
-- Parameters: $start_month, $end_month (DATE), $offence_types (VARCHAR[]),
--   $every_offence_type (BOOLEAN: the types are all there are). The caller has checked that
--   the filter's districts hold every district with offences.

SELECT *
FROM force_follow_up
WHERE $every_offence_type
  AND recorded_month BETWEEN $start_month AND $end_month

UNION ALL BY NAME

SELECT * EXCLUDE (offence_type, offences), sum(offences)::BIGINT AS offences
FROM force_follow_up_by_type
WHERE NOT $every_offence_type
  AND recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($offence_types, offence_type)
GROUP BY ALL;
