-- Purpose: add or replace resident population by district, sex and age band from the
-- registered frame `incoming_population` (a newer estimate replaces an older one).
-- Grain: one row per district x sex x age band. Parameters: none.

INSERT OR REPLACE INTO population BY NAME SELECT * FROM incoming_population;
