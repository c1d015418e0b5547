-- Purpose: disable (1) or re-enable (0) a user.  Parameters: :username, :disabled, :now.
UPDATE app_user SET disabled = :disabled, updated_at = :now WHERE username = :username
