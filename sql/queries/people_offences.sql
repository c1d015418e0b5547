-- Purpose: the filter's offences with their victim's and suspect's age, sex and ethnicity, for
-- the Victims and suspects page (aggregated there; never shown row by row).
-- Grain: one row per offence.
-- Parameters: $start_month, $end_month (DATE), $districts (VARCHAR[]), $offence_types (VARCHAR[]).

SELECT
    is_domestic,
    victim_age,
    victim_sex,
    victim_ethnicity,
    suspect_id,
    suspect_age,
    suspect_sex,
    suspect_ethnicity
FROM offence_fact
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type);
