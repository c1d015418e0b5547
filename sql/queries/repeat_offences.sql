-- Purpose: the offences of the filter's districts and offence types with their pseudonymous
-- victim and suspect keys, for repeat victims and suspects. The period is the filter's with a
-- lookback before it (set by the caller), so repeats within 12 months and serial perpetrators
-- over 3 years can be counted for the first months of the period too.
-- Grain: one row per offence.
-- Parameters: $start_month, $end_month (DATE), $districts (VARCHAR[]), $offence_types (VARCHAR[]).

SELECT
    recorded_date,
    recorded_month,
    is_domestic,
    district_code,
    victim_id,
    suspect_id
FROM offence_fact
WHERE recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type);
