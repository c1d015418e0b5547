-- Purpose: the population rows already stored, so an import can say which rows are new.
-- Grain: one row per district x sex x age band. Parameters: none.

SELECT district_code, sex, age_band FROM population;
