-- Purpose: the quarantined rows of one import (or all if $import_id is null), to fix and re-import.
-- Grain: one row per refused row and column. Parameters: $import_id (VARCHAR or NULL).

SELECT q.import_id, l.file_name, q.row_number, q.column_name, q.value, q.reason, q.raw_row
FROM quarantine AS q
JOIN import_log AS l USING (import_id)
WHERE $import_id IS NULL OR q.import_id = $import_id
ORDER BY l.imported_at DESC, q.row_number, q.column_name;
