"""The gateway to DuckDB: the only module that imports duckdb.

Every query is a named `.sql` file under `sql/`, run with bound parameters and returned as a
Polars frame. A `Gateway` wraps one connection and takes a fresh cursor per call, because
Streamlit serves each session from its own thread and a DuckDB connection is not thread-safe.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from stalking_profile import contract
from stalking_profile.config import SQL_DIR


class DatabaseError(RuntimeError):
    """A database could not be opened or a named query failed; the message says which."""


@cache
def load_sql(name: str) -> str:
    """The text of `sql/<name>.sql`; `name` may contain one folder, e.g. `queries/districts`."""
    path = (SQL_DIR / f"{name}.sql").resolve()
    if SQL_DIR.resolve() not in path.parents or not path.is_file():
        raise DatabaseError(f"no SQL file named {name!r} under {SQL_DIR}")
    return path.read_text(encoding="utf-8")


class Gateway:
    """One DuckDB connection; every read and write of the package goes through it."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | None = None):
        self._connection = connection
        self.path = path

    def query(
        self, name: str, frames: Mapping[str, pl.DataFrame] | None = None, **params: Any
    ) -> pl.DataFrame:
        """Run the named query in `sql/queries/` with bound parameters (and frames registered
        under the names the query reads); return a Polars frame."""
        return self.sql(load_sql("queries/" + name), params, frames)

    def sql(
        self,
        text: str,
        params: Mapping[str, Any] | None = None,
        frames: Mapping[str, pl.DataFrame] | None = None,
    ) -> pl.DataFrame:
        """Run SQL text from a named file (never from user input) and return a Polars frame."""
        cursor = self._connection.cursor()
        try:
            for frame_name, frame in (frames or {}).items():
                cursor.register(frame_name, frame.to_arrow())
            relation = cursor.sql(text, params=dict(params or {}))

            return relation.pl() if relation is not None else pl.DataFrame()
        except duckdb.Error as error:
            raise DatabaseError(str(error)) from error
        finally:
            cursor.close()

    def run_script(self, name: str) -> None:
        """Execute every statement of `sql/<name>.sql` (DDL and marts)."""
        cursor = self._connection.cursor()
        try:
            cursor.execute(load_sql(name))
        except duckdb.Error as error:
            raise DatabaseError(f"{name}.sql: {error}") from error
        finally:
            cursor.close()

    def insert(self, table_name: str, frame: pl.DataFrame) -> int:
        """Append `frame` to a contract table, matching columns by name; returns rows added."""
        table = contract.table(table_name)
        unknown = set(frame.columns) - set(table.column_names)
        if unknown:
            raise DatabaseError(f"{table.name} has no columns {sorted(unknown)}")
        cursor = self._connection.cursor()
        try:
            cursor.register("incoming_frame", frame.to_arrow())
            # The table name comes from the contract's fixed list (contract.table raised otherwise).
            statement = "INSERT INTO " + table.name + " BY NAME SELECT * FROM incoming_frame"
            cursor.execute(statement)
            cursor.unregister("incoming_frame")
        except duckdb.Error as error:
            raise DatabaseError(f"inserting into {table.name}: {error}") from error
        finally:
            cursor.close()
        return frame.height

    def insert_parquet(self, table_name: str, path: Path) -> None:
        """Append a Parquet file to a contract table, streamed by DuckDB (the rows never pass
        through Python), matching columns by name."""
        table = contract.table(table_name)
        # The table name comes from the contract's fixed list (contract.table raised otherwise).
        statement = "INSERT INTO " + table.name + " BY NAME SELECT * FROM read_parquet($path)"
        cursor = self._connection.cursor()
        try:
            cursor.execute(statement, {"path": str(path)})
        except duckdb.Error as error:
            raise DatabaseError(f"inserting {path} into {table.name}: {error}") from error
        finally:
            cursor.close()

    def write(self, name: str, **frames: pl.DataFrame) -> None:
        """Run the write script `sql/writes/<name>.sql` with each frame registered under its
        keyword name (e.g. incoming_wards=...); call inside `transaction()` for atomicity."""
        cursor = self._connection.cursor()
        try:
            for frame_name, frame in frames.items():
                cursor.register(frame_name, frame.to_arrow())
            cursor.execute(load_sql("writes/" + name))
        except duckdb.Error as error:
            raise DatabaseError(f"{name}.sql: {error}") from error
        finally:
            cursor.close()

    def table_columns(self, table_name: str) -> pl.DataFrame:
        """Column names, types and nullability of a stored table, from the catalogue."""
        return self.sql(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = $table_name ORDER BY ordinal_position",
            {"table_name": table_name},
        )

    @contextmanager
    def transaction(self) -> Iterator[Gateway]:
        """All writes inside the block land together or not at all."""
        self._connection.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def close(self) -> None:
        self._connection.close()


def connect(path: Path | str, read_only: bool = True, create: bool = False) -> Gateway:
    """Open the DuckDB file at `path`; read-only unless writing is asked for. A missing file is
    an error unless `create` (a new, empty database)."""
    path = Path(path)
    if not create and not path.is_file():
        raise DatabaseError(
            f"no database at {path}: build it with `python -m stalking_profile demo`"
        )
    try:
        connection = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as error:
        raise DatabaseError(f"cannot open {path}: {error}") from error
    return Gateway(connection, path)
