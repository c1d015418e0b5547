-- Purpose: the stored wards with population and boundary (GeoJSON text, WGS84).
-- Grain: one row per ward. Parameters: none.

SELECT ward_code, ward_name, district_code, population, geometry
FROM ward
ORDER BY district_code, ward_code;
