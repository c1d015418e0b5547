-- Purpose: withdraw a reviewer's answer to one question for one case (set back to not
-- answered; the audit trail keeps that it was withdrawn, and by whom).
-- Parameters: :sample_id, :crime_ref, :question_key.
DELETE FROM review_answer
WHERE sample_id = :sample_id AND crime_ref = :crime_ref AND question_key = :question_key
