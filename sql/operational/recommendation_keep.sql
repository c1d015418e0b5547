-- Purpose: keep a recommendation's wording, owner and due date that a change is about to
-- replace (only where one of them differs), as its next earlier version.
-- Parameters: :number, :theme, :text, :owner, :due_date, :now, :username.
INSERT INTO recommendation_revision (number, revision, theme, text, owner, due_date,
                                     replaced_at, replaced_by)
SELECT r.number,
       (SELECT COUNT(*) FROM recommendation_revision AS k WHERE k.number = r.number) + 1,
       r.theme, r.text, r.owner, r.due_date, :now, :username
FROM recommendation AS r
WHERE r.number = :number
  AND (r.theme <> :theme OR r.text <> :text OR r.owner <> :owner
       OR COALESCE(r.due_date, '') <> COALESCE(:due_date, ''))
