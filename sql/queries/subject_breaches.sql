-- Purpose: every breach with the person the breached order restricts, for the breaches a
-- suspect's prioritisation score counts (record level): those dated while the order was in
-- force, from the day it was first made (interim or full) to the day before it ended
-- (discharged, expired, or refused after an interim order), as the Civil orders page counts
-- them (measures.orders.breaches_in_force). A breach dated after its order ended counted here
-- and nowhere else.
-- Grain: one row per breach. Parameters: $window_start, $window_end (DATE, inclusive).

SELECT civil_order.subject_id, breach.breach_date
FROM breach
JOIN civil_order USING (order_id)
WHERE civil_order.subject_id IS NOT NULL
  AND breach.breach_date BETWEEN $window_start AND $window_end
  AND breach.breach_date >= LEAST(civil_order.interim_date, civil_order.granted_date)
  AND (
      LEAST(
          civil_order.discharged_date,
          civil_order.expiry_date,
          CASE WHEN civil_order.granted_date IS NULL THEN civil_order.refused_date END
      ) IS NULL
      OR breach.breach_date < LEAST(
          civil_order.discharged_date,
          civil_order.expiry_date,
          CASE WHEN civil_order.granted_date IS NULL THEN civil_order.refused_date END
      )
  );
