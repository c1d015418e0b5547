-- Purpose: change a user's role.  Parameters: :username, :role, :now.
UPDATE app_user SET role = :role, updated_at = :now WHERE username = :username
