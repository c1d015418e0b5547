-- Purpose: one user account by user name (for login and administration).
-- Parameters: :username.
SELECT username, display_name, role, districts, password_hash, disabled, failed_logins,
       locked_until, created_at, updated_at
FROM app_user
WHERE username = :username
