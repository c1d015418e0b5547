-- Purpose: set an application setting.  Parameters: :key, :value, :now, :username.
INSERT INTO app_setting (key, value, updated_at, updated_by)
VALUES (:key, :value, :now, :username)
ON CONFLICT (key) DO UPDATE
SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
