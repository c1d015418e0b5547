-- Purpose: the offences a dip sample is drawn from, with what its summaries compare
-- (record level: OFFICIAL-SENSITIVE for a force's own data).
-- Grain: one row per offence matching the filter, by crime reference.
-- Parameters: $start_month, $end_month (DATE); $districts, $offence_types (VARCHAR[]);
--   $domestic (BOOLEAN[]).

SELECT f.crime_ref, f.recorded_date, f.district_code, f.is_domestic, f.offence_type,
       f.dash_completed, f.sash_completed, f.arrest_made, f.outcome_key, f.outcome_code
FROM offence_fact AS f
WHERE f.recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, f.district_code)
  AND list_contains($offence_types, f.offence_type)
  AND list_contains($domestic, f.is_domestic)
ORDER BY f.crime_ref
