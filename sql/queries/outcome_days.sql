-- Purpose: days from recording to the latest outcome as a histogram, for median times by
-- outcome group. Counts offences recorded in the period that have an outcome as at the
-- extract date (open offences have no time to outcome and are not counted). A histogram keeps
-- the median exact while the result stays small (groups x DA x distinct day counts).
-- Grain: one row per outcome group x DA x days to outcome.
-- Parameters: $start_month, $end_month (DATE), $districts (VARCHAR[]), $offence_types (VARCHAR[]).

SELECT
    outcome_type.outcome_group,
    outcome_type.group_short,
    offence_fact.is_domestic,
    offence_fact.days_to_outcome,
    count(*)::BIGINT AS offences
FROM offence_fact
JOIN outcome_type USING (outcome_key)
WHERE offence_fact.recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, offence_fact.district_code)
  AND list_contains($offence_types, offence_fact.offence_type)
GROUP BY ALL;
