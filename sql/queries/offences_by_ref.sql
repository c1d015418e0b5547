-- Purpose: the stored offences whose crime references are in the registered list, to tell new
-- rows from changed and unchanged ones on re-import.
-- Grain: one row per offence. Parameters: $crime_refs (VARCHAR[]).

SELECT * FROM offence WHERE list_contains($crime_refs, crime_ref);
