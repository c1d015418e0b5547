-- Purpose: stored offences' recorded dates, to check outcome histories against.
-- Grain: one row per offence. Parameters: none.

SELECT crime_ref, recorded_date FROM offence;
