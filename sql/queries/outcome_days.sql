-- Purpose: median days from recording to the latest outcome, by outcome group, for DA, non-DA
-- and both together. Counts offences recorded in the period that have an outcome as at the
-- extract date (open offences have no time to outcome and are not counted).
-- Grain: one row per outcome group x (DA, non-DA, all).
-- Parameters: $start_month, $end_month (DATE), $districts (VARCHAR[]), $offence_types (VARCHAR[]).

SELECT
    outcome_type.outcome_group,
    any_value(outcome_type.group_short) AS group_short,
    CASE
        WHEN grouping(offence_fact.is_domestic) = 1 THEN 'all'
        WHEN offence_fact.is_domestic THEN 'domestic'
        ELSE 'non_domestic'
    END AS category,
    quantile_disc(offence_fact.days_to_outcome, 0.5) AS median_days,
    count(*)::BIGINT AS offences_with_outcome
FROM offence_fact
JOIN outcome_type USING (outcome_key)
WHERE offence_fact.recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, offence_fact.district_code)
  AND list_contains($offence_types, offence_fact.offence_type)
GROUP BY GROUPING SETS ((outcome_type.outcome_group, offence_fact.is_domestic), (outcome_type.outcome_group));
