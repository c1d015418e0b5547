-- Purpose: the civil orders applied for by the filter's districts, every date of each, for
-- the order measures (stalking_profile/measures/orders.py), which choose the period.
-- Grain: one row per order.
-- Parameters: $districts (VARCHAR[]).

SELECT *
FROM civil_order
WHERE list_contains($districts, district_code)
ORDER BY applied_date, order_id;
