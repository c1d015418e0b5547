-- Purpose: add or update wards from the registered frame `incoming_wards` (ward_code,
-- ward_name, district_code, population, geometry). An existing ward keeps its population and
-- boundary when the new row has none.

-- Grain: one row per ward. Parameters: none (the frame is registered by the gateway).

INSERT INTO ward (ward_code, ward_name, district_code, population, geometry)
SELECT ward_code, ward_name, district_code, population, geometry
FROM incoming_wards
ON CONFLICT (ward_code) DO UPDATE SET
    ward_name = excluded.ward_name,
    district_code = excluded.district_code,
    population = COALESCE(excluded.population, ward.population),
    geometry = COALESCE(excluded.geometry, ward.geometry);
