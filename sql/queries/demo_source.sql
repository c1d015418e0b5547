-- Purpose: which code built a database: the latest load's source and whether it is synthetic.
-- Reads the dataset table itself, not the current_dataset view, so that it also answers for a
-- file built before the view existed (such a demo file is then rebuilt).
-- Grain: at most one row. Parameters: none.

SELECT source, is_synthetic FROM dataset ORDER BY loaded_at DESC LIMIT 1;
