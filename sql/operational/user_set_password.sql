-- Purpose: set a user's password hash and clear any lock-out.
-- Parameters: :username, :password_hash, :now.
UPDATE app_user
SET password_hash = :password_hash, failed_logins = 0, locked_until = NULL, updated_at = :now
WHERE username = :username
