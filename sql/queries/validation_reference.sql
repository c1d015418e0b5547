-- Purpose: the codes validation checks against: known districts and wards.
-- Grain: one row per code. Parameters: none.

SELECT 'district' AS kind, district_code AS code FROM district
UNION ALL
SELECT 'ward' AS kind, ward_code AS code FROM ward;
