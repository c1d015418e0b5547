-- Purpose: the stored offences whose crime references are in the registered frame
-- `incoming_refs` (one column, crime_ref), to tell new rows from changed and unchanged ones.
-- Grain: one row per offence. Parameters: none (the frame is registered by the gateway).

SELECT offence.*
FROM offence
JOIN incoming_refs USING (crime_ref);
