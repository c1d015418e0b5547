-- Purpose: outcome_days.sql for a filter that selects every district, read from the
-- force_outcome_days summaries: days from recording to the latest outcome as a histogram, for
-- median times by outcome group (open offences and outcomes outside the framework not counted).
-- Summed on the group's sort order, then named (summing on the names took 3-4 times longer).
-- Grain: one row per outcome group x DA x days to outcome.
-- Parameters: $start_month, $end_month (DATE), $offence_types (VARCHAR[]),
--   $every_offence_type (BOOLEAN: the types are all there are). The caller has checked that
--   the filter's districts hold every district with offences.

WITH histogram AS (
    SELECT group_order, is_domestic, days_to_outcome, sum(offences)::BIGINT AS offences
    FROM force_outcome_days
    WHERE $every_offence_type
      AND recorded_month BETWEEN $start_month AND $end_month
    GROUP BY ALL

    UNION ALL

    SELECT group_order, is_domestic, days_to_outcome, sum(offences)::BIGINT AS offences
    FROM force_outcome_days_by_type
    WHERE NOT $every_offence_type
      AND recorded_month BETWEEN $start_month AND $end_month
      AND list_contains($offence_types, offence_type)
    GROUP BY ALL
),

group_names AS (  -- each group's short name is the group's (outcome_type)
    SELECT min(sort_order) AS group_order, outcome_group, any_value(group_short) AS group_short
    FROM outcome_type
    GROUP BY outcome_group
)

SELECT
    group_names.outcome_group,
    group_names.group_short,
    histogram.is_domestic,
    histogram.days_to_outcome,
    histogram.offences
FROM histogram
JOIN group_names USING (group_order);
