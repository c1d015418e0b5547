-- Purpose: the fingerprint of the marts' SQL that built this database's marts (store.py).
-- Grain: one row (none where marts_built exists but is empty). Parameters: none.

SELECT fingerprint FROM marts_built;
