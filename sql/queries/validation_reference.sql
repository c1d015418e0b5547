-- Purpose: the codes validation checks against: known districts and wards (each ward with its
--   district and whether its boundary is loaded).
-- Grain: one row per code. Parameters: none.

SELECT 'district' AS kind, district_code AS code, district_code, true AS has_boundary
FROM district
UNION ALL
SELECT 'ward' AS kind, ward_code AS code, district_code, geometry IS NOT NULL AS has_boundary
FROM ward;
