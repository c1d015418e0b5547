-- Purpose: add or replace comparison-layer ward counts from the registered frame
-- `incoming_comparison`.
-- Grain: one row per layer x ward x period. Parameters: none.

INSERT INTO comparison_count BY NAME SELECT * FROM incoming_comparison
ON CONFLICT (layer, ward_code, period_start) DO UPDATE SET
    period_end = excluded.period_end,
    offences = excluded.offences,
    source = excluded.source;
