-- Purpose: for each ward code used by offences, the district most of its offences belong to,
-- and how many offences use it (to place newly loaded wards in a district).
-- Grain: one row per ward code used by offences. Parameters: none.

SELECT ward_code, mode(district_code) AS district_code, count(*) AS offences
FROM offence
WHERE ward_code IS NOT NULL
GROUP BY ward_code;
