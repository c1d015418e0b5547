-- Purpose: write everything committed into the database file itself (no WAL left beside it),
-- so that the file can be published by a rename. Grain: none. Parameters: none.

CHECKPOINT;
