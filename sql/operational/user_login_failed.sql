-- Purpose: count a failed login and lock the account once the limit is reached.
-- Parameters: :username, :limit, :locked_until (ISO time the lock ends), :now.
UPDATE app_user
SET failed_logins = failed_logins + 1,
    locked_until = CASE WHEN failed_logins + 1 >= :limit THEN :locked_until ELSE locked_until END,
    updated_at = :now
WHERE username = :username
