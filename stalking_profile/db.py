"""The gateway to DuckDB: the only module that imports duckdb.

Every query is a named `.sql` file under `sql/`, run with bound parameters and returned as a
Polars frame. A `Gateway` wraps one connection and takes a fresh cursor per call, because
Streamlit serves each session from its own thread and a DuckDB connection is not thread-safe.
Inside `transaction()` every statement of that thread runs on the one cursor that began it:
a DuckDB cursor is its own connection, so a transaction cannot span cursors. `start` runs a
page's independent reads side by side, each on its own cursor; a read-only gateway keeps the
answers of the queries that describe the store (`STORE_FACTS`), which cannot change under it.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from stalking_profile import contract
from stalking_profile.access import Access, Permission
from stalking_profile.config import SQL_DIR

# Named queries that return records (one row per offence or per refused row): refused unless
# the gateway's access may see records (analysts), whatever page or caller asks.
RECORD_LEVEL_QUERIES = frozenset(
    {"quality_records", "quarantine", "offences_by_ref", "sample_population"}
    | {"suspect_history", "suspect_keys_like", "prioritisation_offences", "subject_breaches"}
)

# Named queries without parameters that describe the store itself. A read-only gateway reads a
# published file that never changes (an import publishes a new file), so it runs each of these
# once and keeps the answer: a page asks several of them several times.
STORE_FACTS = frozenset(
    {
        "stored_tables",
        "offence_districts",
        "outcome_types",
        "districts",
        "dataset_info",
        "marts_built",
    }
)

T = TypeVar("T")
# Answers `Gateway.remembered` keeps per read-only connection. Publication mode works out
# about 60 for a filter whose pages are all opened (each DA choice's pages, their shared
# protection, the maps' previous period): 3 MB on the demo, 14 MB at a million offences. 256
# keep about four filters', so going back to a period does not wait for it again.
MEMO_SIZE = 256
_MEMO_LOCK = threading.Lock()
# The answers being worked out now, by memo and key: another session asking for one waits for
# it rather than working it out beside it on the same cores (`Gateway.remembered`).
_BEING_WORKED_OUT: dict[tuple[int, Hashable], tuple[threading.Event, int]] = {}

# Reads started with `Gateway.start` run here, each on its own cursor.
_READERS = threading.local()
_POOL = ThreadPoolExecutor(
    max_workers=4,
    thread_name_prefix="stalking-profile-read",
    initializer=lambda: setattr(_READERS, "in_pool", True),
)


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
    """One DuckDB connection; every read and write of the package goes through it.

    A gateway carries the access context of whoever reads through it (`scoped`): record-level
    queries are refused for roles that may not see records, and panels built on it are
    suppressed for publication when its access requires that. A gateway without one
    (`access` None) belongs to a trusted process: the command line, an import, a test.
    """

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        path: Path | None = None,
        access: Access | None = None,
        facts: dict[str, pl.DataFrame] | None = None,
        memo: OrderedDict[Hashable, Any] | None = None,
        memo_size: int = MEMO_SIZE,
    ):
        self._connection = connection
        self.path = path
        self.access = access
        self._local = threading.local()  # this thread's transaction cursor, if one is open
        # The STORE_FACTS answers read so far, on a read-only connection (None: read each time).
        self._facts = facts
        # What `remembered` worked out, on a read-only connection (None: worked out each time).
        self._memo = memo if memo is not None else (None if facts is None else OrderedDict())
        self._memo_size = memo_size

    def scoped(self, access: Access) -> Gateway:
        """The same connection, read on behalf of `access`."""
        return Gateway(
            self._connection, self.path, access, self._facts, self._memo, self._memo_size
        )

    def remembered(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()`, worked out once for `key` on a read-only connection (its data cannot
        change under it; the last `memo_size` answers are kept) and each time on a writable one.
        `key` must name everything the answer depends on, the access's rule included. Asked
        for again while it is being worked out (two sessions opening pages that share their
        protection), it is worked out once: the second waits for the first's answer."""
        memo = self._memo
        if memo is None:
            return build()
        flight = (id(memo), key)
        while True:
            with _MEMO_LOCK:
                if key in memo:
                    memo.move_to_end(key)
                    return memo[key]
                working = _BEING_WORKED_OUT.get(flight)
                if working is None:
                    done = threading.Event()
                    _BEING_WORKED_OUT[flight] = (done, threading.get_ident())
                    break
                inside_its_own = working[1] == threading.get_ident()
            if inside_its_own:  # asked for inside its own working out: worked out here
                return build()
            # the answer is in the memo once set, unless it failed or was let go already:
            # then this session works it out
            working[0].wait()
        try:
            answer = build()
            with _MEMO_LOCK:
                memo[key] = answer
                while len(memo) > self._memo_size:
                    memo.popitem(last=False)
            return answer
        finally:
            with _MEMO_LOCK:
                del _BEING_WORKED_OUT[flight]
            done.set()

    @property
    def memo_id(self) -> int | None:
        """Which memo `remembered` keeps answers in (shared by a connection's scoped gateways;
        None where answers are not kept). Another memo may take the same id once this one is
        let go: compare ids only while holding both gateways."""
        return None if self._memo is None else id(self._memo)

    @property
    def remembers(self) -> bool:
        """Whether `remembered` keeps its answers (a read-only connection)."""
        return self._memo is not None

    def knows(self, key: Hashable) -> bool:
        """Whether `remembered` holds an answer for `key` now (without working it out)."""
        memo = self._memo
        if memo is None:
            return False
        with _MEMO_LOCK:
            return key in memo

    def require(self, permission: Permission) -> None:
        """Refuse (AccessDenied) unless this gateway's access may do `permission`."""
        if self.access is not None:
            self.access.require(permission)

    @property
    def publication(self) -> bool:
        """Whether what is read through this gateway must be suppressed for publication."""
        return self.access is not None and self.access.publication

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The open transaction's cursor on this thread, or a fresh one closed afterwards."""
        active = getattr(self._local, "cursor", None)
        if active is not None:
            yield active
            return
        cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def query(
        self, name: str, frames: Mapping[str, pl.DataFrame] | None = None, **params: Any
    ) -> pl.DataFrame:
        """Run the named query in `sql/queries/` with bound parameters (and frames registered
        under the names the query reads); return a Polars frame. A record-level query needs
        an access that may see records."""
        if name in RECORD_LEVEL_QUERIES:
            self.require(Permission.RECORDS)
        if self._facts is None or name not in STORE_FACTS or params or frames:
            return self.sql(load_sql("queries/" + name), params, frames)
        known = self._facts.get(name)
        if known is None:
            known = self._facts[name] = self.sql(load_sql("queries/" + name))
        return known

    def start(self, read: Callable[[], T]) -> Future[T]:
        """Start `read` (queries through this gateway, and what is worked out from them) beside
        the caller's other reads; its result, or its error, comes from the future. DuckDB runs
        reads on separate cursors side by side and lets go of Python while it does, so reads
        started together take about as long as the longest. Inside a transaction, or inside a
        read already started, `read` runs at once (it must see the transaction's writes, and a
        read waiting for the pool must not hold one of its threads)."""
        if getattr(self._local, "cursor", None) is None and not getattr(_READERS, "in_pool", False):
            return _POOL.submit(read)
        done: Future[T] = Future()
        try:
            done.set_result(read())
        except Exception as error:  # handed to whoever asks for the result, as the pool does
            done.set_exception(error)
        return done

    def sql(
        self,
        text: str,
        params: Mapping[str, Any] | None = None,
        frames: Mapping[str, pl.DataFrame] | None = None,
    ) -> pl.DataFrame:
        """Run SQL text from a named file (never from user input) and return a Polars frame."""
        with self._cursor() as cursor:
            try:
                for frame_name, frame in (frames or {}).items():
                    cursor.register(frame_name, frame.to_arrow())
                relation = cursor.sql(text, params=dict(params or {}))
                return relation.pl() if relation is not None else pl.DataFrame()
            except duckdb.Error as error:
                raise DatabaseError(str(error)) from error
            finally:
                for frame_name in frames or {}:
                    cursor.unregister(frame_name)

    def run_script(self, name: str) -> None:
        """Execute every statement of `sql/<name>.sql` (DDL and marts)."""
        with self._cursor() as cursor:
            try:
                cursor.execute(load_sql(name))
            except duckdb.Error as error:
                raise DatabaseError(f"{name}.sql: {error}") from error

    def insert(self, table_name: str, frame: pl.DataFrame) -> int:
        """Append `frame` to a contract table, matching columns by name; returns rows added."""
        table = contract.table(table_name)
        unknown = set(frame.columns) - set(table.column_names)
        if unknown:
            raise DatabaseError(f"{table.name} has no columns {sorted(unknown)}")
        # The table name comes from the contract's fixed list (contract.table raised otherwise).
        statement = "INSERT INTO " + table.name + " BY NAME SELECT * FROM incoming_frame"
        with self._cursor() as cursor:
            try:
                cursor.register("incoming_frame", frame.to_arrow())
                cursor.execute(statement)
            except duckdb.Error as error:
                raise DatabaseError(f"inserting into {table.name}: {error}") from error
            finally:
                cursor.unregister("incoming_frame")
        return frame.height

    def insert_parquet(self, table_name: str, path: Path) -> None:
        """Append a Parquet file to a contract table, streamed by DuckDB (the rows never pass
        through Python), matching columns by name."""
        table = contract.table(table_name)
        # The table name comes from the contract's fixed list (contract.table raised otherwise).
        statement = "INSERT INTO " + table.name + " BY NAME SELECT * FROM read_parquet($path)"
        with self._cursor() as cursor:
            try:
                cursor.execute(statement, {"path": str(path)})
            except duckdb.Error as error:
                raise DatabaseError(f"inserting {path} into {table.name}: {error}") from error

    def write(self, name: str, **frames: pl.DataFrame) -> None:
        """Run the write script `sql/writes/<name>.sql` with each frame registered under its
        keyword name (e.g. incoming_wards=...); call inside `transaction()` for atomicity."""
        with self._cursor() as cursor:
            try:
                for frame_name, frame in frames.items():
                    cursor.register(frame_name, frame.to_arrow())
                cursor.execute(load_sql("writes/" + name))
            except duckdb.Error as error:
                raise DatabaseError(f"{name}.sql: {error}") from error
            finally:
                for frame_name in frames:
                    cursor.unregister(frame_name)

    def table_columns(self, table_name: str) -> pl.DataFrame:
        """Column names, types and nullability of a stored table, from the catalogue."""
        return self.query("table_columns", table_name=table_name)

    @contextmanager
    def transaction(self) -> Iterator[Gateway]:
        """All writes inside the block land together or not at all: every statement this
        thread runs inside it goes through the one cursor that began it (nested blocks join
        the open transaction)."""
        if getattr(self._local, "cursor", None) is not None:
            yield self
            return
        cursor = self._connection.cursor()
        cursor.execute("BEGIN TRANSACTION")
        self._local.cursor = cursor
        try:
            yield self
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        else:
            cursor.execute("COMMIT")
        finally:
            self._local.cursor = None
            cursor.close()

    def close(self) -> None:
        self._connection.close()


def missing_database(path: Path) -> str:
    """What to say where no database is at `path`: the two ways to make one."""
    return (
        f"no database at {path}: build the synthetic demo with `python -m stalking_profile demo "
        f"--db {path}`, or start your force's own by importing its districts "
        f"(`python -m stalking_profile import districts.csv --db {path}`; templates in "
        "data/templates/)"
    )


def connect(
    path: Path | str, read_only: bool = True, create: bool = False, memo_size: int = MEMO_SIZE
) -> Gateway:
    """Open the DuckDB file at `path`; read-only unless writing is asked for. A missing file is
    an error unless `create` (a new, empty database). `memo_size`: how many answers
    `Gateway.remembered` keeps on a read-only connection."""
    path = Path(path)
    if not create and not path.is_file():
        raise DatabaseError(missing_database(path))
    try:
        if read_only:
            connection = _open_published(path)
        else:
            connection = duckdb.connect(str(path), read_only=False)
    except duckdb.Error as error:
        raise DatabaseError(f"cannot open {path}: {error}") from error
    return Gateway(connection, path, facts={} if read_only else None, memo_size=memo_size)


def _open_published(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the version of `path` published now.

    DuckDB keeps one database instance per path in a process and hands it to every later
    `connect` of that path (duckdb/duckdb#15912): after an import publishes a new file under the
    same name, a new connection would still read the old one. So the file is opened through a
    hard link with a name of its own, removed at once (the connection keeps the file open).
    Where no link can be made (a read-only or foreign file system), the path is opened as is.
    """
    link = path.with_name(f".{path.name}.reader-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    try:
        os.link(path, link)
    except OSError:
        return duckdb.connect(str(path), read_only=True)
    try:
        return duckdb.connect(str(link), read_only=True)
    finally:
        link.unlink(missing_ok=True)
