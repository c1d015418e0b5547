-- Purpose: offences per ward and month for a filter's districts and offence types, for maps.
-- Grain: one row per ward x recorded month x DA x offence type.
-- Parameters: $start_month, $end_month (DATE, inclusive); $districts (VARCHAR[]);
--   $offence_types (VARCHAR[]). DA / non-DA is applied by the measures.

SELECT ward_code, district_code, recorded_month, is_domestic, offence_type, offences
FROM ward_month_cube
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type);
