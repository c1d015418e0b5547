-- Purpose: the records behind one data-quality indicator, for an analyst to check
-- (record-level: OFFICIAL-SENSITIVE for a force's own data).
-- Grain: one row per offence, newest first, at most $max_rows; records_matching is how many
--   offences match in all (the same on every row).
-- Parameters: $indicator (one of the fixed keys below), $start_month, $end_month (DATE);
--   $districts, $offence_types (VARCHAR[]); $domestic (BOOLEAN[]); $max_rows (INTEGER).

WITH as_at AS (SELECT extract_date FROM current_dataset)
SELECT f.crime_ref, f.recorded_date, f.district_code, f.ward_code, f.offence_type, f.is_domestic,
       f.dash_completed, f.dash_risk, f.sash_completed, f.is_cyber, f.stalking_screen_negative,
       f.victim_age, f.suspect_age, f.outcome_key, f.outcome_date,
       count(*) OVER () AS records_matching
FROM offence_fact AS f
CROSS JOIN as_at
LEFT JOIN ward ON ward.ward_code = f.ward_code
WHERE f.recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, f.district_code)
  AND list_contains($offence_types, f.offence_type)
  AND list_contains($domestic, f.is_domestic)
  AND CASE $indicator
        WHEN 'da_stalking_without_dash' THEN f.offence_type = 'stalking' AND f.is_domestic AND NOT f.dash_completed
        WHEN 'non_da_stalking_without_dash' THEN f.offence_type = 'stalking' AND NOT f.is_domestic AND NOT f.dash_completed
        WHEN 'stalking_without_sash' THEN f.offence_type = 'stalking' AND NOT f.sash_completed
        WHEN 'open_after_90_days' THEN f.outcome_key IS NULL AND date_diff('day', f.recorded_date, as_at.extract_date) >= 90
        WHEN 'missing_ward' THEN f.ward_code IS NULL
        WHEN 'unknown_ward' THEN f.ward_code IS NOT NULL
            AND (ward.geometry IS NULL OR ward.district_code <> f.district_code)
        WHEN 'contradictory_screen' THEN f.offence_type = 'stalking' AND f.stalking_screen_negative
        WHEN 'da_party_under_16' THEN f.is_domestic AND (f.victim_age < 16 OR f.suspect_age < 16)
        ELSE false
      END
ORDER BY f.recorded_date DESC, f.crime_ref
LIMIT $max_rows;
