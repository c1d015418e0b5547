-- Purpose: every answer recorded for one dip sample.  Parameters: :sample_id.
SELECT crime_ref, question_key, answer, note, recommendation, updated_at, updated_by
FROM review_answer
WHERE sample_id = :sample_id
ORDER BY crime_ref, question_key
