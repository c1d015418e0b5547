-- Purpose: the civil orders applied for by the filter's districts whose offence (crime_ref)
-- is of the filter's offence types and DA choice, and the orders linked to no stored offence
-- (kept whatever the filter, and marked), every date of each, for the order measures
-- (stalking_profile/measures/orders.py), which choose the period.
-- Grain: one row per order.
-- Parameters: $districts (VARCHAR[]), $offence_types (VARCHAR[]), $domestic (BOOLEAN[]).

SELECT
    civil_order.*,
    offence.crime_ref IS NULL AS unlinked
FROM civil_order
LEFT JOIN offence ON offence.crime_ref = civil_order.crime_ref
WHERE list_contains($districts, civil_order.district_code)
  AND (
      offence.crime_ref IS NULL
      OR (list_contains($offence_types, offence.offence_type)
          AND list_contains($domestic, offence.is_domestic))
  )
ORDER BY civil_order.applied_date, civil_order.order_id;
