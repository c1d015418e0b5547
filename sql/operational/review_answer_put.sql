-- Purpose: record (or change) a reviewer's answer to one question for one case.
-- Parameters: :sample_id, :crime_ref, :question_key, :answer, :note, :recommendation, :now,
--   :username.
INSERT INTO review_answer (sample_id, crime_ref, question_key, answer, note, recommendation,
                           updated_at, updated_by)
VALUES (:sample_id, :crime_ref, :question_key, :answer, :note, :recommendation, :now, :username)
ON CONFLICT (sample_id, crime_ref, question_key) DO UPDATE
SET answer = excluded.answer, note = excluded.note, recommendation = excluded.recommendation,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by
