-- Purpose: offence counts split by every data-quality condition, pre-aggregated for speed.
-- Grain: one row per recorded month x district x DA x offence type x DASH x SASH x cyber x
--   screen answer x open-after-90-days x ward status (known, unknown, missing) x DA with a
--   party under 16.
-- Inputs: offence_fact, ward, current_dataset. Parameters: none. "90 days" is counted to the extract date.
-- da_party_under_16: DA-flagged with a victim or suspect aged under 16 at recording (an unknown
--   age is not counted): domestic abuse is between people aged 16 or over (Domestic Abuse Act
--   2021, s.1).

CREATE OR REPLACE TABLE quality_summary AS
WITH as_at AS (SELECT extract_date FROM current_dataset)
SELECT
    f.recorded_month,
    f.district_code,
    f.is_domestic,
    f.offence_type,
    f.dash_completed,
    f.sash_completed,
    f.is_cyber,
    f.stalking_screen_negative,
    date_diff('day', f.recorded_date, as_at.extract_date) >= 90 AS older_than_90_days,
    f.outcome_key IS NULL AS is_open,
    -- unknown: no boundary loaded for the ward in the offence's district (a code not loaded, a
    -- ward loaded without its boundary, or another district's ward), as its map reads it
    CASE
        WHEN f.ward_code IS NULL THEN 'missing'
        WHEN ward.geometry IS NULL OR ward.district_code <> f.district_code THEN 'unknown'
        ELSE 'known'
    END AS ward_status,
    coalesce(f.is_domestic AND (f.victim_age < 16 OR f.suspect_age < 16), false) AS da_party_under_16,
    count(*)::BIGINT AS offences
FROM offence_fact AS f
CROSS JOIN as_at
LEFT JOIN ward ON ward.ward_code = f.ward_code
GROUP BY ALL
ORDER BY f.recorded_month, f.district_code;
