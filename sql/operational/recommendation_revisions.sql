-- Purpose: the earlier wording, owner and due date of recommendations that later changes
-- replaced.
-- Grain: one row per recommendation and earlier version.
SELECT number, revision, theme, text, owner, due_date, replaced_at, replaced_by
FROM recommendation_revision
ORDER BY number, revision
