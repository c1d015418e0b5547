-- Purpose: residents by sex and age band summed over the selected districts, with how many of
-- them the population covers and where the figures came from (a band is only a denominator
-- when every selected district has it).
-- Grain: one row per sex x age band. Parameters: $districts (VARCHAR[]).

SELECT
    sex,
    age_band,
    sum(population) AS population,
    count(DISTINCT district_code) AS districts,
    string_agg(DISTINCT source, '; ') AS source,
    max(year) AS year
FROM population
WHERE list_contains($districts, district_code)
GROUP BY sex, age_band
ORDER BY sex, age_band;
