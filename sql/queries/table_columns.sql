-- Purpose: a stored table's columns from the catalogue (for the contract tests and checks).
-- Grain: one row per column, in table order. Parameters: $table_name (VARCHAR).

SELECT column_name, data_type, is_nullable
FROM information_schema.columns
WHERE table_name = $table_name
ORDER BY ordinal_position;
