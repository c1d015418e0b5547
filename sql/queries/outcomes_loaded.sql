-- Purpose: whether the database holds any outcome at all (an extract imported without its
-- outcome columns, and no outcome histories, leaves every offence open: its outcome rates
-- would read 0%, not unknown).
-- Grain: one row. Parameters: none.

SELECT EXISTS (SELECT 1 FROM outcome) AS outcomes_loaded;
