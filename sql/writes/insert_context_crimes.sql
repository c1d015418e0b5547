-- Purpose: add police.uk context crimes from the registered frame `incoming_context`; a crime
-- already held is left as it is, so re-importing a file changes nothing.
-- Grain: one row per crime. Parameters: none.

INSERT INTO context_crime BY NAME SELECT * FROM incoming_context
ON CONFLICT (context_id) DO NOTHING;
