-- Purpose: what the database holds: the latest load and the span of recorded dates.
-- Grain: one row. Parameters: none.

SELECT
    current_dataset.extract_date,
    current_dataset.source,
    current_dataset.is_synthetic,
    current_dataset.force_name,
    current_dataset.loaded_at,
    (SELECT min(recorded_month) FROM offence_summary) AS first_month,
    (SELECT max(recorded_month) FROM offence_summary) AS last_month,
    (SELECT sum(offences)::BIGINT FROM offence_summary) AS offences
FROM current_dataset;
