-- Purpose: the suspects named in the most offences of the filter, with their victims and
-- orders, to choose whose history to read (record level: pseudonymous keys).
-- Grain: one row per suspect, most offences first (at most $max_rows).
-- Parameters: $start_month, $end_month (DATE), $districts (VARCHAR[]), $offence_types
--   (VARCHAR[]), $domestic (BOOLEAN[]), $max_rows (INTEGER).

WITH named AS (
    SELECT suspect_id, count(*) AS offences, count(DISTINCT victim_id) AS victims
    FROM offence_fact
    WHERE suspect_id IS NOT NULL
      AND recorded_month BETWEEN $start_month AND $end_month
      AND list_contains($districts, district_code)
      AND list_contains($offence_types, offence_type)
      AND list_contains($domestic, is_domestic)
    GROUP BY suspect_id
)

SELECT
    named.suspect_id,
    named.offences,
    named.victims,
    (SELECT count(*) FROM civil_order WHERE civil_order.subject_id = named.suspect_id) AS orders
FROM named
ORDER BY named.offences DESC, named.victims DESC, named.suspect_id
LIMIT $max_rows;
