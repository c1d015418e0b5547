-- Purpose: an earlier successful import of the same file (same SHA-256), if any.
-- Grain: at most one row. Parameters: $file_hash (VARCHAR).

SELECT import_id, file_name, kind, imported_at, rows_read, rows_accepted, rows_rejected
FROM import_log
WHERE file_hash = $file_hash AND status = 'loaded'
ORDER BY imported_at DESC
LIMIT 1;
