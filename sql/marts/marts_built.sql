-- Purpose: which version of the marts' SQL built them (a fingerprint of their files), so that
--   a database whose marts an older version built is told to rebuild them, not met with a
--   query error on the first page that reads a new column.
-- Grain: one row. Inputs: none. Parameters: $fingerprint (VARCHAR).

CREATE OR REPLACE TABLE marts_built AS
SELECT $fingerprint::VARCHAR AS fingerprint, current_timestamp AS built_at;
