-- Purpose: add or replace a question set (its questions as JSON).
-- Parameters: :set_key, :name, :source, :questions, :now, :username.
INSERT INTO question_set (set_key, name, source, questions, updated_at, updated_by)
VALUES (:set_key, :name, :source, :questions, :now, :username)
ON CONFLICT (set_key) DO UPDATE
SET name = excluded.name, source = excluded.source, questions = excluded.questions,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by
