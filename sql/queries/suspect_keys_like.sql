-- Purpose: the stored suspect keys that match a key typed in any case (a "did you mean" for
-- the suspect history, whose keys match exactly). Record level: only for roles that may see
-- records.
-- Grain: one row per stored suspect key, at most five.
-- Parameters: $suspect_id (VARCHAR).

SELECT DISTINCT suspect_id
FROM offence
WHERE lower(suspect_id) = lower(trim($suspect_id))
ORDER BY suspect_id
LIMIT 5;
