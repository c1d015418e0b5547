-- Purpose: how long each offence has been followed up and when it got its outcome, for outcome
-- rates within 90 and 180 days and Kaplan-Meier times to outcome that count open offences.
-- Grain: one row per month recorded x DA x has an outcome x days (to the outcome, or of
--   follow-up while open) x followed up 90+ days x followed up 180+ days.
-- Parameters: $start_month, $end_month (DATE), $districts (VARCHAR[]), $offence_types (VARCHAR[]).
-- Follow-up runs from the recorded date to the extract date; an open offence is censored there.

SELECT
    f.recorded_month,
    f.is_domestic,
    f.outcome_key IS NOT NULL AS has_outcome,
    greatest(coalesce(f.days_to_outcome, date_diff('day', f.recorded_date, d.extract_date)), 0)
        AS days,
    date_diff('day', f.recorded_date, d.extract_date) >= 90 AS followed_90,
    date_diff('day', f.recorded_date, d.extract_date) >= 180 AS followed_180,
    count(*)::BIGINT AS offences
FROM offence_fact AS f
CROSS JOIN current_dataset AS d
WHERE f.recorded_month BETWEEN $start_month AND $end_month
  AND list_contains($districts, f.district_code)
  AND list_contains($offence_types, f.offence_type)
GROUP BY ALL;
