-- Purpose: breaches of the orders applied for by the filter's districts, with the Home Office
-- outcome group of the breach offence.
-- Grain: one row per breach.
-- Parameters: $districts (VARCHAR[]).

SELECT
    breach.breach_id,
    breach.order_id,
    breach.breach_date,
    breach.crime_ref,
    breach.outcome_key,
    outcome_type.outcome_group
FROM breach
JOIN civil_order USING (order_id)
LEFT JOIN outcome_type USING (outcome_key)
WHERE list_contains($districts, civil_order.district_code)
ORDER BY breach.breach_date, breach.breach_id;
