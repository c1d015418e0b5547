-- Purpose: offence counts for one filter, split by every dimension the measures use.
-- Grain: one row per recorded month x district x DA x offence type x latest outcome x flags.
-- Parameters: $start_month, $end_month (DATE, first of month, inclusive);
--   $districts (VARCHAR[]), $offence_types (VARCHAR[]).
-- DA / non-DA is not filtered here: measures such as the DA share need both, and the split is
-- applied in Polars (stalking_profile.filters.apply_domestic).

SELECT
    recorded_month,
    district_code,
    is_domestic,
    offence_type,
    outcome_key,
    outcome_code,
    arrest_made,
    dash_completed,
    dash_risk,
    sash_completed,
    is_cyber,
    offences
FROM offence_cube
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type);
