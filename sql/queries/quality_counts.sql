-- Purpose: offence counts split by every data-quality condition, for a filter.
-- Grain: as quality_summary, without the month. Offences are counted by recorded date.
-- Parameters: $start_month, $end_month (DATE); $districts, $offence_types (VARCHAR[]).

SELECT district_code, is_domestic, offence_type, dash_completed, sash_completed, is_cyber,
       stalking_screen_negative, older_than_90_days, is_open, ward_status, da_party_under_16,
       sum(offences)::BIGINT AS offences
FROM quality_summary
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type)
GROUP BY ALL;
