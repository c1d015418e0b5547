-- Purpose: clear the failure count after a successful login (and store a re-hashed password
-- when the hashing parameters have changed).  Parameters: :username, :password_hash, :now.
UPDATE app_user
SET failed_logins = 0, locked_until = NULL, password_hash = :password_hash, updated_at = :now
WHERE username = :username
