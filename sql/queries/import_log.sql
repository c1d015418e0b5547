-- Purpose: the import log, newest first.
-- Grain: one row per import. Parameters: none.

SELECT * FROM import_log ORDER BY imported_at DESC;
