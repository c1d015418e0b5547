-- Purpose: the latest load's description (extract date, source, whether synthetic).
-- Grain: at most one row (none before the first load). Parameters: none.

SELECT extract_date, source, is_synthetic, force_name, loaded_at FROM current_dataset;
