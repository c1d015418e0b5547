-- Purpose: offences per ward for a filter, summed over its months (for maps and Gi*).
-- Grain: one row per ward x DA. Parameters: $start_month, $end_month (DATE);
--   $districts, $offence_types (VARCHAR[]).

SELECT ward_code, district_code, is_domestic, sum(offences)::BIGINT AS offences
FROM ward_month_cube
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type)
GROUP BY ALL;
