-- Purpose: end a session (logout or expiry).  Parameters: :token_hash, :now.
UPDATE app_session SET ended_at = :now WHERE token_hash = :token_hash AND ended_at IS NULL
