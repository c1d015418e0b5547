"""Each mart's grain (sql/marts/grains.toml): unique keys, values never null, accepted values
and totals that add up to the offences - on the demo force and on an imported extract."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import polars as pl
import pytest

from stalking_profile.config import SQL_DIR
from stalking_profile.db import Gateway, connect
from stalking_profile.store import MARTS

GRAINS = tomllib.loads((SQL_DIR / "marts" / "grains.toml").read_text(encoding="utf-8"))


def test_every_mart_states_its_grain() -> None:
    """Every table the mart scripts create, and nothing else, has its grain stated."""
    created = [
        table
        for name in MARTS
        for table in re.findall(
            r"^CREATE OR REPLACE TABLE (\w+)", (SQL_DIR / f"{name}.sql").read_text(), re.MULTILINE
        )
    ]
    assert len(created) > len(MARTS)  # two scripts create two tables each
    assert sorted(GRAINS) == sorted(created)


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


@pytest.mark.parametrize("types", [("stalking",), ("stalking", "harassment")])
@pytest.mark.parametrize("query", ["outcome_follow_up", "outcome_days"])
def test_the_whole_force_summary_gives_the_rows_every_offence_gives(
    store: Gateway, query: str, types: tuple[str, ...]
) -> None:
    """The whole-force summaries (read for a filter that selects every district) give exactly the
    rows the query over every offence gives, whole range and the last twelve months (where
    follow-up is incomplete)."""
    from stalking_profile import queries
    from stalking_profile.contract import OFFENCE_TYPES
    from stalking_profile.filters import ProfileFilter, add_months

    info = queries.dataset_info(store)
    districts = tuple(store.query("offence_districts")["district_code"].to_list())
    for start in (info.first_month, add_months(info.last_month, -11)):
        flt = ProfileFilter(start, info.last_month, districts, "all", types)
        every_offence = store.query(query, **flt.sql_params())
        through = (
            queries.outcome_follow_up if query == "outcome_follow_up" else queries.outcome_days
        )
        params = flt.sql_params()
        del params["districts"]
        every_type = set(types) == set(OFFENCE_TYPES)
        summary = store.query(
            queries.WHOLE_FORCE_QUERIES[query], **params, every_offence_type=every_type
        )
        if every_type:  # the types' test skipped gives the rows it gives
            tested = store.query(
                queries.WHOLE_FORCE_QUERIES[query], **params, every_offence_type=False
            )
            assert tested.sort(tested.columns).equals(summary.sort(summary.columns))
        assert every_offence.height > 0
        assert summary.sort(summary.columns).equals(every_offence.sort(every_offence.columns))
        routed = through(store, flt)
        assert routed.sort(routed.columns).equals(summary.sort(summary.columns))
        one_fewer = flt.with_districts(districts[1:]) if len(districts) > 1 else None
        if one_fewer is not None:  # not the whole force: read from every offence
            fewer = through(store, one_fewer)
            direct = store.query(query, **one_fewer.sql_params())
            assert fewer.sort(fewer.columns).equals(direct.sort(direct.columns))
            assert fewer["offences"].sum() < summary["offences"].sum()
