"""Publishing new versions of the store (snapshots.py): imports run beside a reading
dashboard, one at a time, and a kill or a full disk at any phase changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest

from stalking_profile.db import DatabaseError, Gateway, connect
from stalking_profile.importing.load import import_file
from stalking_profile.snapshots import WriteBusy, writing
from tests.conftest import run_cli
from tests.test_import import TEMPLATES, offences

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("offence", "outcome", "dataset", "import_log", "quarantine")
MARTS = ("offence_fact", "offence_summary", "outcome_summary", "ward_month_cube", "quality_summary")


def state(path: Path) -> dict[str, int]:
    """Rows of every base table and offences counted by every mart (fixed names only)."""
    gateway = connect(path)
    try:
        rows = {t: gateway.sql("SELECT count(*) AS n FROM " + t)["n"].item() for t in TABLES}
        for mart in MARTS:
            column = "1" if mart == "offence_fact" else "offences"
            statement = "SELECT coalesce(sum(" + column + "), 0)::BIGINT AS n FROM " + mart
            rows[mart] = gateway.sql(statement)["n"].item()
        return rows
    finally:
        gateway.close()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A force store with districts and 100 offences, published."""
    path = tmp_path / "force.duckdb"
    first = tmp_path / "first.csv"
    offences(100).write_csv(first)
    with writing(path, create=True) as gateway:
        import_file(gateway, TEMPLATES / "districts.csv")
        import_file(gateway, first)
    return path


def test_an_import_publishes_while_a_reader_holds_the_old_version(
    store: Path, tmp_path: Path
) -> None:
    """Issue 13, fault 3: with the dashboard holding the file, a command-line import died on
    the lock. Now it runs; the open reader keeps its version, a new one sees the new data."""
    reader = connect(store)  # the dashboard's read-only connection
    before = reader.sql("SELECT count(*) AS n FROM offence")["n"].item()
    extract = tmp_path / "more.csv"
    offences(50, start=500).write_csv(extract)
    done = run_cli("import", extract, "--db", store, "--quiet")
    assert done.returncode == 0, done.stderr
    assert reader.sql("SELECT count(*) AS n FROM offence")["n"].item() == before == 100
    reader.close()
    assert state(store)["offence"] == 150
    assert not list(tmp_path.glob("force.duckdb.next-*"))


@contextmanager
def write_running(store: Path) -> Iterator[None]:
    """A write to `store` held open (in another thread) for the block."""
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writing(store):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()


def test_a_second_write_waits_or_is_refused(store: Path) -> None:
    with (
        write_running(store),
        pytest.raises(WriteBusy, match="another import"),
        writing(store, wait_seconds=0.5),
    ):
        pass
    with writing(store, wait_seconds=5) as gateway:  # free again
        assert isinstance(gateway, Gateway)


def test_a_killed_writes_copy_is_removed_when_no_write_runs(store: Path) -> None:
    """A killed import left its whole copy of the records (and its WAL) beside the store
    until the next import; the dashboard now removes them when it starts, unless a write is
    running (whose copy is not left over)."""
    from stalking_profile.snapshots import remove_leftovers

    left = [store.with_name(store.name + n) for n in (".next-99999", ".next-99999.wal")]
    with write_running(store):
        for path in left:  # as a killed write leaves them (each write removes them first)
            path.write_bytes(b"records")
        assert remove_leftovers(store) == 0 and all(path.exists() for path in left)
    assert remove_leftovers(store) == 2 and not any(path.exists() for path in left)
    assert remove_leftovers(store.with_name("absent.duckdb")) == 0


def test_an_error_inside_leaves_the_store_and_no_copy(store: Path) -> None:
    before = state(store)
    with pytest.raises(RuntimeError), writing(store) as gateway:
        gateway.sql("DELETE FROM offence")
        raise RuntimeError("stopped")
    assert state(store) == before
    assert not list(store.parent.glob("force.duckdb.next-*"))


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from stalking_profile.importing.load import import_file
    from stalking_profile.snapshots import writing

    store, extract, phase = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

    def kill_at(message, *_):
        if phase in message:
            os.kill(os.getpid(), signal.SIGKILL)

    with writing(store, progress=kill_at) as gateway:
        import_file(gateway, extract, progress=lambda fraction, message: kill_at(message))
    """
)
PHASES = ("copying the store", "reading", "validating", "writing", "refreshing", "publishing")


@pytest.fixture
def after(store: Path, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """The extract every fault test imports, and the store's state after a clean import of it."""
    extract = tmp_path / "extract.csv"
    offences(2_000, start=1_000).write_csv(extract)
    clean = tmp_path / "clean.duckdb"
    clean.write_bytes(store.read_bytes())
    with writing(clean) as gateway:
        import_file(gateway, extract)
    return extract, state(clean)


@pytest.mark.parametrize("phase", PHASES)
def test_kill_at_each_phase_leaves_before_or_after(
    store: Path, after: tuple[Path, dict[str, int]], phase: str
) -> None:
    """Issue 13, fault 2: a kill -9 while the marts refreshed left offences committed with no
    import-log row. Now the published store is exactly as before at every phase."""
    extract, after_state = after
    before = state(store)
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(store), str(extract), phase],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -9, done.stderr  # killed where asked
    now = state(store)
    assert now in (before, after_state)
    assert now == before  # every phase listed is before the rename
    with writing(store) as gateway:  # the next write clears the dead copy, then publishes
        import_file(gateway, extract)
    assert state(store) == after_state
    assert not list(store.parent.glob("force.duckdb.next-*"))


FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from stalking_profile.db import DatabaseError
    from stalking_profile.snapshots import writing

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk: writes fail, not the process
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        with writing(Path(sys.argv[1])) as gateway:
            pass
    except DatabaseError as error:
        print(error)
        sys.exit(2)
    """
)


def test_a_full_disk_leaves_the_store_unchanged(store: Path) -> None:
    before = state(store)
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(store), str(store.stat().st_size // 2)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "could not write the new version of force.duckdb" in done.stdout
    assert state(store) == before
    assert not list(store.parent.glob("force.duckdb.next-*"))


def test_a_directory_or_missing_store_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="not a database file"), writing(tmp_path):
        pass
    with pytest.raises(DatabaseError, match="no database at"), writing(tmp_path / "none.duckdb"):
        pass


def _file_of_kind(kind: str, folder: Path) -> Path:
    """An extract of each kind and format the importer takes, each changing the store."""
    extract = offences(300, start=5_000)
    if kind == "offences.parquet":
        path = folder / "extract.parquet"
        extract.write_parquet(path)
    elif kind == "offences.xlsx":
        path = folder / "extract.xlsx"
        extract.write_excel(path)
    elif kind == "outcomes.csv":
        path = folder / "outcomes.csv"
        refs = offences(100)["crime_ref"].head(40)
        pl.DataFrame(
            {"crime_ref": refs, "outcome_key": ["16"] * 40, "outcome_date": ["2022-01-20"] * 40}
        ).write_csv(path)
    else:  # districts.csv: a new district
        path = folder / "districts.csv"
        path.write_text(
            (TEMPLATES / "districts.csv").read_text() + "ZD,Zedtown,Example Police,1000,\n"
        )
    return path


@pytest.mark.parametrize("phase", ["writing", "refreshing"])
@pytest.mark.parametrize(
    "kind", ["offences.parquet", "offences.xlsx", "outcomes.csv", "districts.csv"]
)
def test_kill_while_writing_each_file_kind_leaves_the_store_as_before(
    store: Path, tmp_path: Path, kind: str, phase: str
) -> None:
    """The fault-injection matrix for every kind of file: a kill -9 while its rows are written
    or the marts refreshed leaves the published store exactly as before; the same import then
    lands whole."""
    extract = _file_of_kind(kind, tmp_path)
    before = state(store)
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(store), str(extract), phase],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -9, done.stderr
    assert state(store) == before
    with writing(store) as gateway:
        import_file(gateway, extract)
    after_state = state(store)
    assert after_state != before
    assert after_state["import_log"] == before["import_log"] + 1


def test_the_stores_files_are_their_owners_alone_and_an_import_keeps_their_mode(
    store: Path, tmp_path: Path
) -> None:
    """Helper 74: an import published the store as -rw-r--r-- after the force had made it
    -rw-------, and `import` and `users add` on the command line made new databases and
    operational stores (accounts, password hashes, the audit trail) readable by every local
    user. A new store is its owner's alone; an import keeps the store's own mode; the
    command line writes nothing others can read. Under a umask that lets others read, as a
    user's shell has it (helper 75: a umask left by another test made this pass without the
    fix)."""
    os.umask(0o022)  # conftest.umask_as_it_was restores the worker's
    assert store.stat().st_mode & 0o777 == 0o600  # made new (by `writing`)
    store.chmod(0o640)  # the force's choice: a group of analysts may read it
    second = tmp_path / "second.csv"
    offences(5, start=500).write_csv(second)
    copied = []  # the copy's mode as the store's bytes go into it (helper 77: 0644 then)
    real_copy = shutil.copyfileobj

    def watched(source, target, *args):
        copied.append(os.fstat(target.fileno()).st_mode & 0o777)
        return real_copy(source, target, *args)

    shutil.copyfileobj = watched
    try:
        with writing(store) as gateway:
            shutil.copyfileobj = real_copy
            import_file(gateway, second)
            (copy,) = [p for p in tmp_path.glob("force.duckdb.next-*") if p.suffix != ".wal"]
            assert copy.stat().st_mode & 0o777 == 0o640
    finally:
        shutil.copyfileobj = real_copy
    assert copied == [0o640]
    with writing(store) as gateway:
        import_file(gateway, second)
        # the copy the write works on holds every record: as the store is, while it runs
        (copy,) = [p for p in tmp_path.glob("force.duckdb.next-*") if not p.name.endswith(".wal")]
        assert copy.stat().st_mode & 0o777 == 0o640
    assert store.stat().st_mode & 0o777 == 0o640
    made = tmp_path / "made.duckdb"
    with writing(made, create=True) as gateway:
        import_file(gateway, TEMPLATES / "districts.csv")
    assert made.stat().st_mode & 0o777 == 0o600
    from stalking_profile.operational import open_store

    open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")  # as the dashboard opens one
    assert (tmp_path / "ops.sqlite").stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh.duckdb"
    done = run_cli("import", TEMPLATES / "districts.csv", "--db", fresh)
    assert done.returncode == 0, done.stderr
    password = "a long enough password\n"
    done = run_cli("users", "add", "ana", "--role", "analyst", "--db", fresh, stdin=password * 2)
    assert done.returncode == 0, done.stderr
    written = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.glob("fresh.*")}
    assert {"fresh.duckdb", "fresh.operational.sqlite"} <= set(written)
    assert written == dict.fromkeys(written, 0o600)
