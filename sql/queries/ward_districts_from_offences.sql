-- Purpose: for each ward code used by offences, the district most of its offences belong to,
-- and how many offences use it (to place newly loaded wards in a district). A ward whose
-- offences split evenly between districts goes to the lowest district code.
-- Grain: one row per ward code used by offences, in ward code order. Parameters: none.

WITH per_district AS (
    SELECT ward_code, district_code, count(*) AS offences
    FROM offence
    WHERE ward_code IS NOT NULL
    GROUP BY ward_code, district_code
)
SELECT
    ward_code,
    first(district_code ORDER BY offences DESC, district_code) AS district_code,
    sum(offences)::BIGINT AS offences
FROM per_district
GROUP BY ward_code
ORDER BY ward_code;
