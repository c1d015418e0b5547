-- Purpose: a new login session (the token's SHA-256, never the token).
-- Parameters: :token_hash, :username, :now.
INSERT INTO app_session (token_hash, username, started_at, last_seen)
VALUES (:token_hash, :username, :now, :now)
