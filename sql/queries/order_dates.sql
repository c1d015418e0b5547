-- Purpose: stored civil orders' dates, to check breaches against (a breach needs an order that
-- was made, and cannot come before it; one dated on or after the order ended is noted, as no
-- table counts it: measures/orders.ended, less the extract date).
-- Grain: one row per order. Parameters: none.

SELECT
    order_id,
    least(interim_date, granted_date) AS made_date,
    least(
        discharged_date,
        expiry_date,
        CASE WHEN granted_date IS NULL THEN refused_date END
    ) AS ended_date
FROM civil_order;
