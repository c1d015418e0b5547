-- Purpose: the summed counts for one filter, by month, district, DA and offence type.
-- Grain: one row per recorded month x district x DA x offence type (from offence_summary).
-- Parameters: $start_month, $end_month (DATE, first of month, inclusive);
--   $districts (VARCHAR[]), $offence_types (VARCHAR[]).
-- DA / non-DA is not filtered here: measures such as the DA share need both, and the split is
-- applied in Polars (stalking_profile.filters.apply_domestic).

SELECT *
FROM offence_summary
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type);
