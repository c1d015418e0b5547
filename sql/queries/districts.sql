-- Purpose: the force's districts for filters and tables.
-- Grain: one row per district. Parameters: none.

SELECT district_code, district_name, force_name, population, ons_code
FROM district
ORDER BY district_code;
