-- Purpose: add a user account (the password hash is argon2id, never the password).
-- Parameters: :username, :display_name, :role, :districts, :password_hash, :now.
INSERT INTO app_user (username, display_name, role, districts, password_hash, created_at, updated_at)
VALUES (:username, :display_name, :role, :districts, :password_hash, :now, :now)
