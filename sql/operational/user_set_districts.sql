-- Purpose: limit a user to some districts ('' for every district).
-- Parameters: :username, :districts (comma-separated codes), :now.
UPDATE app_user SET districts = :districts, updated_at = :now WHERE username = :username
