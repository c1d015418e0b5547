"""Each mart's grain (sql/marts/grains.toml): unique keys, values never null, accepted values
and totals that add up to the offences - on the demo force and on an imported extract."""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl
import pytest

from stalking_profile.config import SQL_DIR
from stalking_profile.db import Gateway, connect
from stalking_profile.store import MARTS

GRAINS = tomllib.loads((SQL_DIR / "marts" / "grains.toml").read_text(encoding="utf-8"))


def test_every_mart_states_its_grain() -> None:
    assert sorted(GRAINS) == sorted(name.removeprefix("marts/") for name in MARTS)


@pytest.fixture(params=["demo", "extract"])
def store(request: pytest.FixtureRequest, demo_db_path: Path, extract_db_path: Path) -> Gateway:
    gateway = connect(demo_db_path if request.param == "demo" else extract_db_path)
    yield gateway
    gateway.close()


def _table(gateway: Gateway, name: str) -> pl.DataFrame:
    statements = {mart: "SELECT * FROM " + mart for mart in GRAINS}  # fixed names, never input
    return gateway.sql(statements[name])


@pytest.mark.parametrize("mart", sorted(GRAINS))
def test_mart_grain(store: Gateway, mart: str) -> None:
    grain = GRAINS[mart]
    table = _table(store, mart)
    assert table.height > 0
    assert not table.select(grain["unique"]).is_duplicated().any(), f"{mart}: grain not unique"
    for column in grain["not_null"]:
        assert table[column].null_count() == 0, f"{mart}.{column} has nulls"
    for column, allowed in grain.get("accepted", {}).items():
        values = set(table[column].drop_nulls().unique().to_list())
        assert values <= set(allowed), f"{mart}.{column}: {values - set(allowed)}"
    if grain.get("total"):
        assert table["offences"].sum() == _table(store, "offence_fact").height
