-- Purpose: the stored wards' names by district, to turn ward names in an extract into codes.
-- Grain: one row per ward. Parameters: none.

SELECT ward_code, ward_name, district_code FROM ward;
