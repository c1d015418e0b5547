-- Purpose: one comparison layer's ward counts for one period.
-- Grain: one row per ward. Parameters: $layer (VARCHAR), $period_start (DATE).

SELECT ward_code, offences
FROM comparison_count
WHERE layer = $layer AND period_start = $period_start;
