-- Purpose: the counts every headline, trend, risk and scorecard measure sums, pre-aggregated so
-- that a filter change reads a few thousand rows whatever the number of offences.
-- Grain: one row per recorded month x district x DA x offence type.
-- Inputs: offence_fact, outcome_type. Parameters: none.
-- Each count column counts offences recorded in that month meeting the condition; outcomes are
-- each offence's latest as at the extract date (see offence_fact).

CREATE OR REPLACE TABLE offence_summary AS
SELECT
    f.recorded_month,
    f.district_code,
    f.is_domestic,
    f.offence_type,
    count(*)::BIGINT AS offences,
    count(*) FILTER (WHERE f.arrest_made)::BIGINT AS arrest_made,
    count(*) FILTER (WHERE f.dash_completed)::BIGINT AS dash_completed,
    count(*) FILTER (WHERE f.sash_completed)::BIGINT AS sash_completed,
    count(*) FILTER (WHERE f.is_cyber)::BIGINT AS is_cyber,
    count(*) FILTER (WHERE f.dash_risk = 'standard')::BIGINT AS dash_standard,
    count(*) FILTER (WHERE f.dash_risk = 'medium')::BIGINT AS dash_medium,
    count(*) FILTER (WHERE f.dash_risk = 'high')::BIGINT AS dash_high,
    count(*) FILTER (WHERE t.counts_in_outcome_1_8)::BIGINT AS outcome_1_8,
    count(*) FILTER (WHERE f.outcome_code = '15')::BIGINT AS outcome_15,
    count(*) FILTER (WHERE f.outcome_code = '16')::BIGINT AS outcome_16,
    count(*) FILTER (WHERE f.outcome_code = '18')::BIGINT AS outcome_18,
    count(*) FILTER (WHERE f.outcome_key IS NULL)::BIGINT AS outcome_open
FROM offence_fact AS f
LEFT JOIN outcome_type AS t USING (outcome_key)
GROUP BY ALL
ORDER BY f.recorded_month, f.district_code;
