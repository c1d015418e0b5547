-- Purpose: end every open session of a user (disabled, role changed, password reset).
-- Parameters: :username, :now.
UPDATE app_session SET ended_at = :now WHERE username = :username AND ended_at IS NULL
