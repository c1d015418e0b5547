-- Purpose: offences by latest outcome for one filter, summed over months.
-- Grain: one row per district x DA x outcome key (null = open).
-- Parameters: $start_month, $end_month (DATE); $districts, $offence_types (VARCHAR[]).

SELECT
    district_code,
    is_domestic,
    outcome_key,
    any_value(outcome_code) AS outcome_code,  -- the key's code (offence_fact takes it from
    sum(offences)::BIGINT AS offences         -- outcome_type): one text key fewer to sum on
FROM outcome_summary
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type)
GROUP BY district_code, is_domestic, outcome_key;
