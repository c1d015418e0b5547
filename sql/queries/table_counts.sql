-- Purpose: rows in the tables an import checks before and after writing (outcome history,
-- the outcome framework), so a load can report what it added.
-- Grain: one row. Parameters: none.

SELECT
    (SELECT count(*) FROM outcome) AS outcomes,
    (SELECT count(*) FROM outcome_type) AS outcome_types;
