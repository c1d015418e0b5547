-- Purpose: records failing validation over time: each import's rows read and refused.
-- Grain: one row per import. Parameters: none.

SELECT imported_at, file_name, kind, rows_read, rows_accepted, rows_rejected
FROM import_log
WHERE status = 'loaded'
ORDER BY imported_at;
