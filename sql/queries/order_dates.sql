-- Purpose: stored civil orders' dates, to check breaches against (a breach needs an order that
-- was made, and cannot come before it).
-- Grain: one row per order. Parameters: none.

SELECT
    order_id,
    least(interim_date, granted_date) AS made_date
FROM civil_order;
