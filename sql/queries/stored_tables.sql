-- Purpose: the tables a database holds, so pages built on tables added after it was created
-- can say so instead of failing.
-- Grain: one row per table. Parameters: none.

SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'main';
