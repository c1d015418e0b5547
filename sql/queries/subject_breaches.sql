-- Purpose: every breach with the person the breached order restricts, for the breaches a
-- suspect's prioritisation score counts (record level).
-- Grain: one row per breach. Parameters: $window_start, $window_end (DATE, inclusive).

SELECT civil_order.subject_id, breach.breach_date
FROM breach
JOIN civil_order USING (order_id)
WHERE civil_order.subject_id IS NOT NULL
  AND breach.breach_date BETWEEN $window_start AND $window_end;
