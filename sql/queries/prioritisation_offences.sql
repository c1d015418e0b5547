-- Purpose: the offences with an identified suspect in the prioritisation window, for the
-- RFGV score (record level: pseudonymous suspect and victim keys).
-- Grain: one row per offence.
-- Parameters: $window_start, $window_end (DATE, inclusive), $districts (VARCHAR[]),
--   $offence_types (VARCHAR[]), $domestic (BOOLEAN[]).

SELECT suspect_id, recorded_date, victim_id, dash_risk, ho_offence_code
FROM offence_fact
WHERE suspect_id IS NOT NULL
  AND recorded_date BETWEEN $window_start AND $window_end
  AND list_contains($districts, district_code)
  AND list_contains($offence_types, offence_type)
  AND list_contains($domestic, is_domestic)
ORDER BY suspect_id, recorded_date;
