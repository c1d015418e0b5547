-- Purpose: every district that has at least one offence (whether a filter covers the force).
-- Grain: one row per district code. Parameters: none.

SELECT DISTINCT district_code FROM offence_summary;
