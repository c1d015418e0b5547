-- Purpose: keep the dated update of a recommendation that a change is about to replace (only
-- where the status or progress differs), as its next earlier version.
-- Parameters: :number, :update_date, :status, :progress, :now, :username.
INSERT INTO recommendation_update_revision (number, update_date, revision, status, progress,
                                            recorded_at, recorded_by, replaced_at, replaced_by)
SELECT u.number, u.update_date,
       (SELECT COUNT(*) FROM recommendation_update_revision AS r
        WHERE r.number = u.number AND r.update_date = u.update_date) + 1,
       u.status, u.progress, u.recorded_at, u.recorded_by, :now, :username
FROM recommendation_update AS u
WHERE u.number = :number AND u.update_date = :update_date
  AND (u.status <> :status OR u.progress <> :progress)
