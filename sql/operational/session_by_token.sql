-- Purpose: a session and its user, to check it is still valid.  Parameters: :token_hash.
SELECT s.token_hash, s.username, s.started_at, s.last_seen, s.ended_at,
       u.display_name, u.role, u.districts, u.disabled
FROM app_session AS s
JOIN app_user AS u ON u.username = s.username
WHERE s.token_hash = :token_hash
