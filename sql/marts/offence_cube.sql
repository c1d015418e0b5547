-- Purpose: offence counts pre-aggregated over every dimension the profile's measures filter
-- or split by, so that a filter change reads thousands of rows, not millions.
-- Grain: one row per recorded month x district x DA x offence type x latest outcome x flags.
-- Inputs: offence_fact. Parameters: none.

CREATE OR REPLACE TABLE offence_cube AS
SELECT
    recorded_month,
    district_code,
    is_domestic,
    offence_type,
    outcome_key,
    outcome_code,
    arrest_made,
    dash_completed,
    dash_risk,
    sash_completed,
    is_cyber,
    count(*)::BIGINT AS offences
FROM offence_fact
GROUP BY ALL
ORDER BY recorded_month, district_code;
