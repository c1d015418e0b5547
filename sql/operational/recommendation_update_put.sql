-- Purpose: add or change the dated update of a recommendation (status as stated, progress).
-- Parameters: :number, :update_date, :status, :progress, :now, :username.
INSERT INTO recommendation_update (number, update_date, status, progress, recorded_at,
                                   recorded_by)
VALUES (:number, :update_date, :status, :progress, :now, :username)
ON CONFLICT (number, update_date) DO UPDATE
SET status = excluded.status, progress = excluded.progress, recorded_at = excluded.recorded_at,
    recorded_by = excluded.recorded_by
