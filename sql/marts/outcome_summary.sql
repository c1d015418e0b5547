-- Purpose: offences by latest outcome (as at the extract date), for outcome tables and groups.
-- Grain: one row per recorded month x district x DA x offence type x outcome key (null = open).
-- Inputs: offence_fact. Parameters: none.

CREATE OR REPLACE TABLE outcome_summary AS
SELECT recorded_month, district_code, is_domestic, offence_type, outcome_key, outcome_code,
       count(*)::BIGINT AS offences
FROM offence_fact
GROUP BY ALL
ORDER BY recorded_month, district_code;
