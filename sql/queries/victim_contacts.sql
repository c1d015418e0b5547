-- Purpose: the filter's offences with their Victim Contact Agreement and every contact made,
-- and the day contact could stop (the outcome's date, or the extract date if open), whether
-- an outcome is recorded, and the extract date (a final update not yet due is no miss).
-- Grain: one row per contact; an offence with an agreement but no contact, or with no
-- agreement, once (agreed_interval_days null when there is no agreement).
-- Parameters: $start_month, $end_month (DATE), $districts (VARCHAR[]), $offence_types (VARCHAR[]).

SELECT
    offence_fact.crime_ref,
    offence_fact.recorded_date,
    offence_fact.recorded_month,
    offence_fact.district_code,
    offence_fact.is_domestic,
    CASE
        WHEN offence_fact.outcome_key IS NULL THEN current_dataset.extract_date
        ELSE offence_fact.outcome_date
    END AS end_date,
    offence_fact.outcome_key IS NOT NULL AS has_outcome,
    current_dataset.extract_date,
    victim_contact.agreed_interval_days,
    victim_contact.contact_date
FROM offence_fact
CROSS JOIN current_dataset
LEFT JOIN victim_contact USING (crime_ref)
WHERE offence_fact.recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, offence_fact.district_code)
  AND list_contains($offence_types, offence_fact.offence_type)
ORDER BY offence_fact.crime_ref, victim_contact.contact_date;
