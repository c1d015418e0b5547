-- Purpose: one application setting.  Parameters: :key.
SELECT key, value, updated_at, updated_by FROM app_setting WHERE key = :key
