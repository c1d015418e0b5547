-- Purpose: the breaches already stored, so an import can say which rows are new.
-- Grain: one row per breach. Parameters: none.

SELECT breach_id FROM breach;
