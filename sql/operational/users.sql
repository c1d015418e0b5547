-- Purpose: every user account, without password hashes, for administrators.
-- Grain: one row per user, by user name.
SELECT username, display_name, role, districts, disabled, failed_logins, locked_until,
       created_at, updated_at
FROM app_user
ORDER BY username
