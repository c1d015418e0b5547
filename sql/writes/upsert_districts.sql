-- Purpose: add or update districts from the registered frame `incoming_districts`.
-- Grain: one row per district. Parameters: none.

INSERT INTO district BY NAME SELECT * FROM incoming_districts
ON CONFLICT (district_code) DO UPDATE SET
    district_name = excluded.district_name,
    force_name = excluded.force_name,
    population = COALESCE(excluded.population, district.population),
    ons_code = COALESCE(excluded.ons_code, district.ons_code);
