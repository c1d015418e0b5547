-- Purpose: what the database holds: the latest load and the span of recorded dates.
-- Grain: one row. Parameters: none.

SELECT
    dataset.extract_date,
    dataset.source,
    dataset.is_synthetic,
    dataset.force_name,
    dataset.loaded_at,
    (SELECT min(recorded_month) FROM offence_summary) AS first_month,
    (SELECT max(recorded_month) FROM offence_summary) AS last_month,
    (SELECT sum(offences)::BIGINT FROM offence_summary) AS offences
FROM dataset
ORDER BY dataset.loaded_at DESC
LIMIT 1;
