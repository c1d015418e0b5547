-- Purpose: every recommendation with each of its dated updates (the tracker).
-- Grain: one row per recommendation and update date (recommendations without one included).
SELECT r.number, r.theme, r.text, r.owner, r.due_date, u.update_date, u.status, u.progress,
       u.recorded_at, u.recorded_by
FROM recommendation AS r
LEFT JOIN recommendation_update AS u ON u.number = r.number
ORDER BY r.number, u.update_date
