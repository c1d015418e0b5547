-- Purpose: the comparison layers loaded, with the period each covers.
-- Grain: one row per layer and period. Parameters: none.

SELECT layer, period_start, period_end, sum(offences)::BIGINT AS offences, count(*) AS wards,
       any_value(source) AS source
FROM comparison_count
GROUP BY layer, period_start, period_end
ORDER BY layer, period_start;
