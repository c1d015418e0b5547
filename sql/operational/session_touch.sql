-- Purpose: record activity on a session.  Parameters: :token_hash, :now.
UPDATE app_session SET last_seen = :now WHERE token_hash = :token_hash AND ended_at IS NULL
