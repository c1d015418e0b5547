-- Purpose: offence counts per ward and month for maps, hotspots and emerging hotspots.
-- Grain: one row per ward x recorded month x DA x offence type (offences without a known ward
-- are kept with a null ward_code so that maps can say how many are missing).
-- Inputs: offence_fact. Parameters: none.

CREATE OR REPLACE TABLE ward_month_cube AS
SELECT
    ward_code,
    district_code,
    recorded_month,
    is_domestic,
    offence_type,
    count(*)::BIGINT AS offences
FROM offence_fact
GROUP BY ALL
ORDER BY ward_code, recorded_month;
