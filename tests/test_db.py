"""The DuckDB gateway (db.py): named SQL only, bound parameters, and transactions that land
together or not at all."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from stalking_profile.access import Access
from stalking_profile.db import DatabaseError, Gateway, connect
from stalking_profile.store import create_schema

DISTRICT = pl.DataFrame({"district_code": ["A"], "district_name": ["Ay"], "force_name": ["Test"]})


@pytest.fixture
def store(tmp_path: Path) -> Gateway:
    gateway = connect(tmp_path / "store.duckdb", read_only=False, create=True)
    create_schema(gateway)
    yield gateway
    gateway.close()


def _districts(gateway: Gateway) -> int:
    return gateway.query("districts").height


def test_a_failed_transaction_leaves_nothing_behind(store: Gateway) -> None:
    """Every statement inside the block runs on the cursor that began it, so a failure undoes
    all of them (with a cursor per statement they committed one by one)."""
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("district", DISTRICT)
        assert _districts(store) == 1  # visible inside the transaction
        raise RuntimeError("killed half-way")
    assert _districts(store) == 0


def test_a_transaction_commits_everything(store: Gateway) -> None:
    with store.transaction():
        store.insert("district", DISTRICT)
        store.insert("district", DISTRICT.with_columns(district_code=pl.lit("B")))
    assert _districts(store) == 2


def test_other_threads_do_not_see_an_open_transaction(store: Gateway) -> None:
    seen: list[int] = []
    with store.transaction():
        store.insert("district", DISTRICT)
        reader = threading.Thread(target=lambda: seen.append(_districts(store)))
        reader.start()
        reader.join()
    assert seen == [0]
    assert _districts(store) == 1


def test_parameters_are_bound_not_spliced(store: Gateway) -> None:
    store.insert("district", DISTRICT)
    hostile = "A' OR '1'='1"
    assert store.query("table_columns", table_name=hostile).height == 0
    assert store.query("table_columns", table_name="district").height >= 3


def test_unknown_tables_and_files_are_refused(store: Gateway, tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no SQL file"):
        store.query("no_such_query")
    with pytest.raises(DatabaseError, match="no database at"):
        connect(tmp_path / "missing.duckdb")
    with pytest.raises(KeyError):
        store.insert("not_a_table", DISTRICT)


def test_a_read_only_store_reads_its_own_description_once(store: Gateway, tmp_path: Path) -> None:
    """A read-only gateway keeps the answers of the store-describing queries (a published file
    never changes); a writable one reads them again, so it sees what was written."""
    store.insert("district", DISTRICT)
    store.close()
    reader = connect(tmp_path / "store.duckdb", read_only=True)
    first = reader.query("districts")
    assert first.height == 1
    assert reader.query("districts") is first
    assert reader.scoped(Access.for_role("ana", "analyst")).query("districts") is first
    reader.close()

    writer = connect(tmp_path / "store.duckdb", read_only=False)
    assert writer.query("districts").height == 1
    writer.insert("district", DISTRICT.with_columns(district_code=pl.lit("B")))
    assert writer.query("districts").height == 2
    writer.close()


def test_a_read_only_store_remembers_what_was_worked_out_from_it(
    store: Gateway, tmp_path: Path
) -> None:
    """`remembered` works an answer out once per key on a read-only gateway (shared by its
    scoped ones, the last MEMO_SIZE kept) and each time on a writable one."""
    from stalking_profile.db import MEMO_SIZE

    built: list[str] = []

    def build(key: str):
        return lambda: built.append(key) or len(built)

    assert store.remembered("a", build("a")) == 1
    assert store.remembered("a", build("a")) == 2  # writable: worked out again
    store.close()
    reader = connect(tmp_path / "store.duckdb", read_only=True)
    built.clear()
    first = reader.remembered("a", build("a"))
    assert reader.scoped(Access.for_role("ana", "analyst")).remembered("a", build("a")) == first
    for n in range(MEMO_SIZE):
        reader.remembered(n, build(str(n)))
    assert built == ["a", *map(str, range(MEMO_SIZE))]
    reader.remembered("a", build("a"))  # the oldest was let go
    assert built[-1] == "a" and len(built) == MEMO_SIZE + 2
    reader.close()
    small = connect(tmp_path / "store.duckdb", read_only=True, memo_size=2)
    scoped = small.scoped(Access.for_role("ana", "analyst"))
    built.clear()
    for key in ("x", "y", "x", "z", "x", "y"):
        scoped.remembered(key, build(key))
    assert built == ["x", "y", "z", "y"]  # two kept, the scoped gateway's too: y let go for z
    small.close()


def test_an_answer_asked_for_while_it_is_worked_out_is_worked_out_once(
    store: Gateway, tmp_path: Path
) -> None:
    """Two sessions opening pages that share their protection at the same moment: the second
    waits for the first's answer rather than working it out beside it. An answer whose
    working out fails is worked out by the one waiting; one asked for inside its own working
    out is worked out there (not waited for)."""
    store.close()
    reader = connect(tmp_path / "store.duckdb", read_only=True)
    started, release, built = threading.Event(), threading.Event(), []

    def slow() -> str:
        built.append("shared")
        started.set()
        release.wait(timeout=30)
        return "answer"

    answers: list[str] = []
    first = threading.Thread(target=lambda: answers.append(reader.remembered("k", slow)))
    first.start()
    assert started.wait(timeout=30)
    second = threading.Thread(
        target=lambda: answers.append(
            reader.scoped(Access.for_role("ana", "analyst")).remembered("k", slow)
        )
    )
    second.start()
    assert _waiting(second)  # for the first's answer (or, were it working it out, in `slow`)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert answers == ["answer", "answer"] and built == ["shared"]

    def failing() -> str:
        started.set()
        release.wait(timeout=30)
        raise ValueError("no answer")

    started.clear()
    release.clear()
    failures: list[Exception] = []

    def ask_failing() -> None:
        try:
            reader.remembered("f", failing)
        except ValueError as error:
            failures.append(error)

    first = threading.Thread(target=ask_failing)
    first.start()
    assert started.wait(timeout=30)
    later: list[str] = []
    second = threading.Thread(target=lambda: later.append(reader.remembered("f", lambda: "ok")))
    second.start()
    assert _waiting(second)  # for the first's answer: its own would be at once
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert len(failures) == 1 and later == ["ok"]

    def inside_its_own() -> str:  # and, inside that, for another answer
        inner = lambda: reader.remembered("s", lambda: "inner")  # noqa: E731
        return reader.remembered("r", lambda: reader.remembered("r", inner))

    found: list[str] = []
    asking = threading.Thread(target=lambda: found.append(inside_its_own()))
    asking.start()
    asking.join(timeout=30)
    assert not asking.is_alive() and found == ["inner"]
    reader.close()


def _waiting(thread: threading.Thread, timeout: float = 30) -> bool:
    """Whether `thread` comes to wait on an event within `timeout` seconds (its stack, polled
    until then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and thread.is_alive():
        frame = sys._current_frames().get(thread.ident or -1)
        while frame is not None:
            if frame.f_code.co_name == "wait" and frame.f_code.co_filename == threading.__file__:
                return True
            frame = frame.f_back
        time.sleep(0.01)
    return False


def test_started_reads_run_beside_the_caller_and_hand_back_their_errors(store: Gateway) -> None:
    """`start` runs a read on a reader thread; its error is raised where the result is asked
    for; inside a transaction it runs at once on the caller's cursor and sees its writes."""
    caller = threading.current_thread().name
    assert store.start(lambda: threading.current_thread().name).result() != caller
    failed = store.start(lambda: store.query("no_such_query"))
    with pytest.raises(DatabaseError, match="no SQL file"):
        failed.result()
    with store.transaction():
        store.insert("district", DISTRICT)
        inside = store.start(lambda: (threading.current_thread().name, _districts(store)))
        assert inside.result() == (caller, 1)
    assert store.start(lambda: store.start(lambda: _districts(store)).result()).result() == 1
