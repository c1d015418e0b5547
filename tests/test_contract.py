"""The data contract: the stored schema matches it, and the demo data honours it."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from stalking_profile import contract
from stalking_profile.db import Gateway
from stalking_profile.demo.generator import DemoData

REFERENCE_CODES = {str(n) for n in range(1, 23)} | {"1A", "2A", "3A"}


@pytest.mark.parametrize("table", contract.TABLES, ids=lambda t: t.name)
def test_stored_table_matches_contract(demo_gateway: Gateway, table: contract.Table) -> None:
    stored = demo_gateway.table_columns(table.name)
    assert stored["column_name"].to_list() == list(table.column_names)
    for row in stored.iter_rows(named=True):
        column = table.column(row["column_name"])
        assert row["data_type"] == column.dtype, column.name
        assert (row["is_nullable"] == "YES") == column.nullable, column.name


@pytest.mark.parametrize("table", contract.TABLES, ids=lambda t: t.name)
def test_primary_key_is_unique_and_not_null(demo_gateway: Gateway, table: contract.Table) -> None:
    statement = f"SELECT {', '.join(table.primary_key)} FROM {table.name}"  # contract identifiers
    frame = demo_gateway.sql(statement)
    demo_tables = {field.name for field in dataclasses.fields(DemoData)}
    assert frame.height > 0 or table.name not in demo_tables  # import tables start empty

    required = [name for name in table.primary_key if not table.column(name).nullable]
    assert frame.select(required).null_count().sum_horizontal().item() == 0
    assert frame.is_duplicated().sum() == 0


@pytest.mark.parametrize(
    ("table", "column"),
    [(t, c) for t in contract.TABLES for c in t.columns if c.allowed],
    ids=lambda x: getattr(x, "name", ""),
)
def test_coded_columns_hold_allowed_codes(demo_gateway: Gateway, table, column) -> None:
    statement = f"SELECT DISTINCT {column.name} AS v FROM {table.name}"  # contract identifiers
    values = demo_gateway.sql(statement)["v"]
    assert set(values.drop_nulls().to_list()) <= set(column.allowed)


def test_outcome_framework_is_complete() -> None:
    rows = contract.outcome_type_rows()
    codes = {row["outcome_code"] for row in rows}
    assert codes == REFERENCE_CODES
    keys = [row["outcome_key"] for row in rows]
    assert len(keys) == len(set(keys))
    # every code has a plain row whose key is the code itself
    assert set(keys) >= REFERENCE_CODES
    # the sub-variants the published profile lists as separate rows
    assert {
        "1-charged",
        "1-summonsed",
        "1A-charged",
        "1A-summonsed",
        "3-caution",
        "3-conditional",
        "3A-caution",
        "3A-conditional",
        "15-cps",
        "15-police",
    } <= set(keys)


def test_outcome_groups_follow_the_reference(shared_dir) -> None:
    reference = pl.read_csv(
        shared_dir / "reference" / "home_office_outcome_types.csv", infer_schema=False
    )
    ours = {row["outcome_key"]: row for row in contract.outcome_type_rows()}
    for row in reference.filter(pl.col("outcome_code") != "0").iter_rows(named=True):
        if row["outcome_group"]:
            assert ours[row["outcome_code"]]["outcome_group"] == row["outcome_group"], row[
                "outcome_code"
            ]
            assert ours[row["outcome_code"]]["official_name"] == row["official_name"]


def test_relationships_hold_in_demo(demo_gateway: Gateway) -> None:
    orphans = demo_gateway.sql(
        """
        SELECT
          (SELECT count(*) FROM offence WHERE district_code NOT IN (SELECT district_code FROM district)) AS bad_district,
          (SELECT count(*) FROM offence o JOIN ward w USING (ward_code) WHERE o.district_code <> w.district_code) AS ward_elsewhere,
          (SELECT count(*) FROM offence WHERE ward_code IS NOT NULL AND ward_code NOT IN (SELECT ward_code FROM ward)) AS bad_ward,
          (SELECT count(*) FROM outcome WHERE crime_ref NOT IN (SELECT crime_ref FROM offence)) AS orphan_outcome,
          (SELECT count(*) FROM outcome WHERE outcome_key NOT IN (SELECT outcome_key FROM outcome_type)) AS bad_key,
          (SELECT count(*) FROM outcome JOIN offence USING (crime_ref) WHERE outcome_date < recorded_date) AS outcome_before_recording,
          (SELECT count(*) FROM offence WHERE committed_date > recorded_date) AS committed_after_recorded,
          (SELECT count(*) FROM offence WHERE (offence_type = 'stalking') <> (ho_offence_code = '8Q')) AS code_type_mismatch,
          (SELECT count(*) FROM offence WHERE dash_completed <> (dash_risk IS NOT NULL)) AS dash_mismatch,
          (SELECT count(*) FROM offence WHERE victim_age NOT BETWEEN 0 AND 110 OR suspect_age NOT BETWEEN 0 AND 110) AS bad_age
        """
    ).row(0, named=True)
    assert all(value == 0 for value in orphans.values()), orphans


def test_data_dictionary_documents_every_column() -> None:
    text = contract.data_dictionary_markdown()
    for table in contract.TABLES:
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text


def test_unknown_table_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown table 'offences'; known: dataset"):
        contract.table("offences")


def test_parquet_files_stream_into_contract_tables(tmp_path, demo_gateway: Gateway) -> None:
    from stalking_profile.db import connect
    from stalking_profile.store import create_schema

    offences = demo_gateway.sql("SELECT * FROM offence ORDER BY crime_ref LIMIT 500")
    offences.write_parquet(tmp_path / "offence.parquet")
    gateway = connect(tmp_path / "copy.duckdb", read_only=False, create=True)
    create_schema(gateway)
    gateway.insert_parquet("offence", tmp_path / "offence.parquet")
    assert gateway.sql("SELECT * FROM offence ORDER BY crime_ref").equals(offences)
    with pytest.raises(KeyError, match="unknown table"):
        gateway.insert_parquet("offences; DROP TABLE offence", tmp_path / "offence.parquet")
    gateway.close()
