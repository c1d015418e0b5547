-- Purpose: the stored civil orders whose ids are in the registered frame `incoming_ids` (one
-- column, order_id), to keep their values in the columns a file of orders does not have.
-- Grain: one row per order. Parameters: none (the frame is registered by the gateway).

SELECT civil_order.*
FROM civil_order
JOIN incoming_ids USING (order_id);
