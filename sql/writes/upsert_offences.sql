-- Purpose: add new offences and update changed ones from the registered frame
-- `incoming_offences` (all offence columns); a newer extract replaces the stored values.
-- Grain: one row per offence. Parameters: none.

INSERT INTO offence BY NAME SELECT * FROM incoming_offences
ON CONFLICT (crime_ref) DO UPDATE SET
    recorded_date = excluded.recorded_date,
    committed_date = excluded.committed_date,
    offence_type = excluded.offence_type,
    ho_offence_code = excluded.ho_offence_code,
    district_code = excluded.district_code,
    ward_code = excluded.ward_code,
    is_domestic = excluded.is_domestic,
    is_cyber = excluded.is_cyber,
    dash_completed = excluded.dash_completed,
    dash_risk = excluded.dash_risk,
    sash_completed = excluded.sash_completed,
    arrest_made = excluded.arrest_made,
    stalking_screen_negative = excluded.stalking_screen_negative,
    victim_id = excluded.victim_id,
    suspect_id = excluded.suspect_id,
    victim_age = excluded.victim_age,
    victim_sex = excluded.victim_sex,
    victim_ethnicity = excluded.victim_ethnicity,
    suspect_age = excluded.suspect_age,
    suspect_sex = excluded.suspect_sex,
    suspect_ethnicity = excluded.suspect_ethnicity;
