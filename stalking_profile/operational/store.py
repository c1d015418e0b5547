"""The operational store: the application's own small writes (users, sessions, the audit
trail, settings; later review answers and tracker updates), from several processes at once.

One small interface, two implementations: SQLite in WAL mode (the default: the standard
library, a file beside the analytical store) and PostgreSQL (when several dashboard replicas
share one store). Every statement is a named file under `sql/operational/` with `:name`
parameters, bound by the driver, never formatted into the text.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import polars as pl

from stalking_profile.config import SQL_DIR

OPERATIONAL_SQL = SQL_DIR / "operational"
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
Row = dict[str, Any]


class OperationalError(RuntimeError):
    """The operational store could not be opened or a statement failed; the message says which."""


@cache
def statement(name: str) -> str:
    """The text of `sql/operational/<name>.sql` (a fixed name from the package, never input)."""
    path = (OPERATIONAL_SQL / f"{name}.sql").resolve()
    if OPERATIONAL_SQL.resolve() not in path.parents or not path.is_file():
        raise OperationalError(f"no operational statement named {name!r}")
    lines = path.read_text(encoding="utf-8").splitlines()
    # Comments go before parameters are translated (a `:name` in a comment is not one).
    return "\n".join(line for line in lines if not line.lstrip().startswith("--"))


class Transaction:
    """Statements run on one connection, committed together when the block ends."""

    def __init__(self, cursor: Any, translate: Any):
        self._cursor = cursor
        self._translate = translate

    def execute(self, name: str, /, **params: Any) -> int:
        """Run a named statement; return the number of rows it changed."""
        self._cursor.execute(self._translate(statement(name)), params)
        return int(self._cursor.rowcount or 0)

    def fetch(self, name: str, /, **params: Any) -> list[Row]:
        """Run a named query; return its rows as dictionaries."""
        self._cursor.execute(self._translate(statement(name)), params)
        columns = [column[0] for column in self._cursor.description or ()]
        return [dict(zip(columns, row, strict=True)) for row in self._cursor.fetchall()]

    def fetch_one(self, name: str, /, **params: Any) -> Row | None:
        rows = self.fetch(name, **params)
        return rows[0] if rows else None


class OperationalStore(ABC):
    """Where the application writes. `transaction()` for several statements that land
    together; `execute`, `fetch` and `fetch_one` for one."""

    dialect: str
    location: str

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Statements inside the block commit together, or none do."""

    @abstractmethod
    def create_schema(self) -> None:
        """Create the tables (idempotent; safe when several processes start at once)."""

    def execute(self, name: str, /, **params: Any) -> int:
        with self.transaction() as transaction:
            return transaction.execute(name, **params)

    def fetch(self, name: str, /, **params: Any) -> list[Row]:
        with self.transaction() as transaction:
            return transaction.fetch(name, **params)

    def fetch_one(self, name: str, /, **params: Any) -> Row | None:
        with self.transaction() as transaction:
            return transaction.fetch_one(name, **params)

    def frame(self, name: str, schema: dict, /, **params: Any) -> pl.DataFrame:
        """Run a named query; return its rows as a Polars frame of the given schema (typed
        even when there are no rows)."""
        return pl.DataFrame(self.fetch(name, **params), schema=schema, orient="row")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"


class SQLiteStore(OperationalStore):
    """SQLite in WAL mode: readers never wait for the writer; writers in several processes
    queue on the database lock (waiting up to `busy_seconds`)."""

    dialect = "sqlite"

    def __init__(self, path: Path | str, busy_seconds: float = 15.0):
        self.path = Path(path)
        self.location = str(self.path)
        self._busy_seconds = busy_seconds
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if not self.path.parent.is_dir():
                raise OperationalError(f"no directory {self.path.parent} for the operational store")
            try:
                new = not self.path.exists()
                connection = sqlite3.connect(
                    self.path, timeout=self._busy_seconds, isolation_level=None
                )
                if new:  # accounts and the audit trail: a new store is its owner's alone, made
                    # so before anything is written (SQLite gives its -wal and -shm files the
                    # database file's permissions). Not by opening the file: closing any
                    # descriptor of it drops every lock the process's connections hold on it
                    os.chmod(self.path, 0o600)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute("PRAGMA foreign_keys=ON")
            except sqlite3.Error as error:
                raise OperationalError(
                    f"cannot open the operational store {self.path}: {error}"
                ) from error
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        connection = self._connection()
        cursor = connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            yield Transaction(cursor, lambda text: text)
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise OperationalError(f"operational store {self.path}: {error}") from error
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        else:
            connection.execute("COMMIT")
        finally:
            cursor.close()

    def create_schema(self) -> None:
        try:
            connection = self._connection()
            connection.executescript(statement("schema_sqlite"))
            connection.executescript(statement("schema_tables"))
        except sqlite3.Error as error:
            raise OperationalError(f"operational store {self.path}: {error}") from error


def _postgres_parameters(text: str) -> str:
    """`:name` to psycopg's `%(name)s`, literal `%` escaped."""
    return _PARAMETER.sub(r"%(\1)s", text.replace("%", "%%"))


class PostgresStore(OperationalStore):
    """PostgreSQL, for several dashboard processes sharing one store (psycopg 3)."""

    dialect = "postgresql"

    def __init__(self, url: str):
        self.url = url
        parsed = urlparse(url)
        self.location = f"postgresql://{parsed.hostname or 'localhost'}{parsed.path}"
        self._local = threading.local()

    def _connection(self) -> Any:
        import psycopg

        connection = getattr(self._local, "connection", None)
        if connection is None or connection.closed:
            try:
                connection = psycopg.connect(self.url, connect_timeout=10)
            except psycopg.Error as error:
                raise OperationalError(
                    f"cannot open the operational store {self.location}: {error}"
                ) from error
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        import psycopg

        connection = self._connection()
        try:
            with connection.transaction(), connection.cursor() as cursor:
                yield Transaction(cursor, _postgres_parameters)
        except psycopg.Error as error:
            raise OperationalError(f"operational store {self.location}: {error}") from error

    def create_schema(self) -> None:
        import psycopg

        connection = self._connection()
        try:
            with connection.transaction(), connection.cursor() as cursor:
                # One process at a time creates the tables (concurrent CREATE IF NOT EXISTS
                # can collide in PostgreSQL's catalogue).
                cursor.execute("SELECT pg_advisory_xact_lock(8501)")
                cursor.execute(statement("schema_postgresql"))
                cursor.execute(statement("schema_tables"))
        except psycopg.Error as error:
            raise OperationalError(f"operational store {self.location}: {error}") from error


def open_store(url: str) -> OperationalStore:
    """The store a URL names (`sqlite:///path/to/file.sqlite`, or `postgresql://user@host/db`),
    its tables created if missing."""
    store: OperationalStore
    if url.startswith("sqlite:///"):
        store = SQLiteStore(unquote(url.removeprefix("sqlite:///")))
        if not url.startswith("sqlite:////") and not Path(store.path).is_absolute():
            store = SQLiteStore(Path.cwd() / store.path)
    elif url.startswith(("postgresql://", "postgres://")):
        store = PostgresStore(url)
    else:
        raise OperationalError(
            f"unrecognised operational store {url!r}: use sqlite:///path or postgresql://..."
        )
    store.create_schema()
    return store
