"""The operational store and what the application writes to it: accounts, sessions, the audit
trail and settings."""

from stalking_profile.operational.store import (
    OperationalError,
    OperationalStore,
    PostgresStore,
    SQLiteStore,
    open_store,
)

__all__ = ["OperationalError", "OperationalStore", "PostgresStore", "SQLiteStore", "open_store"]
