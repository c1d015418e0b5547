-- Purpose: add or replace breaches of civil orders from the registered frame
-- `incoming_breaches` (a later import gives a breach's outcome once known).
-- Grain: one row per breach. Parameters: none.

INSERT OR REPLACE INTO breach BY NAME SELECT * FROM incoming_breaches;
