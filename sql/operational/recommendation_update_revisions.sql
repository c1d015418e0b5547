-- Purpose: the earlier versions of recommendations' dated updates that later changes replaced.
-- Grain: one row per recommendation, update date and earlier version.
SELECT number, update_date, revision, status, progress, recorded_at, recorded_by, replaced_at,
       replaced_by
FROM recommendation_update_revision
ORDER BY number, update_date, revision
