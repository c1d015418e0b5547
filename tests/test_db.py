"""The DuckDB gateway (db.py): named SQL only, bound parameters, and transactions that land
together or not at all."""

from __future__ import annotations

import threading
from pathlib import Path

import polars as pl
import pytest

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
