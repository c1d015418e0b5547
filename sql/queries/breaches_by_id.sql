-- Purpose: the stored breaches whose ids are in the registered frame `incoming_ids` (one
-- column, breach_id), to keep their values in the columns a file of breaches does not have.
-- Grain: one row per breach. Parameters: none (the frame is registered by the gateway).

SELECT breach.*
FROM breach
JOIN incoming_ids USING (breach_id);
