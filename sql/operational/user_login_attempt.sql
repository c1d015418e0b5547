-- Purpose: claim one password check for an account before it is made, so that sign-ins sent
-- at once cannot check more passwords than the limit allows: the attempt counts as failed
-- until it succeeds (user_login_succeeded clears the count), the account locks once the limit
-- is reached, and the count starts again where an earlier lock has ended. No row is changed
-- (the check is refused) while the account is locked or disabled.
-- Parameters: :username, :limit, :at (ISO time now, as locked_until is written),
-- :locked_until (ISO time a lock made now ends), :now.
UPDATE app_user
SET failed_logins = CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END,
    locked_until = CASE
        WHEN (CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END) >= :limit
        THEN :locked_until
    END,
    updated_at = :now
WHERE username = :username
  AND disabled = 0
  AND (locked_until IS NULL OR locked_until <= :at)
