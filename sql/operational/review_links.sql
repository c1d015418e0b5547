-- Purpose: every dip-sample answer linked to a recommendation, with its sample's name (the
-- Recommendations page lists a recommendation's linked findings).
-- Grain: one row per sample, case and question whose answer carries a link.
-- Parameters: none.
SELECT a.recommendation, s.sample_id, s.name AS sample_name, a.crime_ref, a.question_key,
       a.answer, a.note
FROM review_answer AS a
JOIN dip_sample AS s ON s.sample_id = a.sample_id
WHERE a.recommendation IS NOT NULL
ORDER BY a.recommendation, s.created_at, s.sample_id, a.crime_ref, a.question_key
