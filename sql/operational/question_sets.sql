-- Purpose: every question set, by name.
SELECT set_key, name, source, questions, updated_at, updated_by FROM question_set ORDER BY name
