-- Purpose: the last successful import of the same file (same SHA-256), if any.
-- Grain: at most one row. Parameters: $file_hash (VARCHAR).

SELECT import_id, file_name, kind, imported_at, rows_read, rows_accepted, rows_rejected
FROM import_log
WHERE file_hash = $file_hash AND status = 'loaded'
-- The latest; in one second (imported_at is to the second), the one with the fewest rows
-- refused: importing the file again reads only the rows refused before, so never more.
ORDER BY imported_at DESC, rows_rejected
LIMIT 1;
