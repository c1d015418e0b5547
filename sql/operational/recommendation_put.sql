-- Purpose: add or change a recommendation.
-- Parameters: :number, :theme, :text, :owner, :due_date.
INSERT INTO recommendation (number, theme, text, owner, due_date)
VALUES (:number, :theme, :text, :owner, :due_date)
ON CONFLICT (number) DO UPDATE
SET theme = excluded.theme, text = excluded.text, owner = excluded.owner,
    due_date = excluded.due_date
