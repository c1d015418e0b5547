-- Purpose: add or replace civil orders from the registered frame `incoming_orders`: a later
-- import of an order (varied, renewed, discharged) replaces the stored row.
-- Grain: one row per order. Parameters: none.

INSERT OR REPLACE INTO civil_order BY NAME SELECT * FROM incoming_orders;
