"""Property test of the validator: for any mixture of good and bad rows, rows accepted plus
rows refused equal rows read, and every accepted row satisfies the contract."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stalking_profile import contract
from stalking_profile.importing.readers import ROW_NUMBER
from stalking_profile.importing.validate import Reference, validate

REFERENCE = Reference(
    districts=frozenset({"BD", "CD"}),
    wards=frozenset(),
    offence_recorded=pl.DataFrame(schema={"crime_ref": pl.String, "recorded_date": pl.Date}),
    today=date(2022, 1, 31),
)
dates = st.one_of(
    st.dates(date(1985, 1, 1), date(2030, 1, 1)).map(date.isoformat),
    st.dates(date(1985, 1, 1), date(2030, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["", "31/02/2021", "yesterday", "2021-13-01"]),
)
row = st.fixed_dictionaries(
    {
        "crime_ref": st.one_of(
            st.sampled_from(["R1", "R2", "R3", ""]), st.text("ABC123-/", min_size=1, max_size=6)
        ),
        "recorded_date": dates,
        "committed_date": dates,
        "offence_type": st.sampled_from(["stalking", "Harassment", "STALKING", "burglary", ""]),
        "district_code": st.sampled_from(["BD", "CD", "ZZ", ""]),
        "is_domestic": st.sampled_from(["Y", "N", "yes", "maybe", ""]),
        "is_cyber": st.sampled_from(["true", "false", "1", "x"]),
        "dash_completed": st.sampled_from(["Y", "N"]),
        "sash_completed": st.sampled_from(["Y", "N", "?"]),
        "arrest_made": st.sampled_from(["N", "Y"]),
        "victim_age": st.one_of(st.integers(-5, 130).map(str), st.sampled_from(["", "twenty"])),
        "dash_risk": st.sampled_from(["standard", "High", "extreme", ""]),
        "victim_sex": st.sampled_from(["F", "male", "unknown", "robot", ""]),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=40))
def test_accepted_plus_refused_equals_read(rows: list[dict[str, str]]) -> None:
    frame = pl.DataFrame(rows).with_columns(
        pl.int_range(2, len(rows) + 2, dtype=pl.Int64).alias(ROW_NUMBER)
    )
    result = validate(frame, "offences", REFERENCE)
    assert result.accepted.height + result.rows_rejected == result.rows_read == len(rows)

    refused = set(result.rejects["row_number"].to_list())
    assert refused.isdisjoint(result.accepted[ROW_NUMBER].to_list())
    accepted = result.accepted
    for column in contract.OFFENCE.columns:
        if column.name not in accepted.columns:
            continue
        values = accepted[column.name]
        if not column.nullable:
            assert values.null_count() == 0, column.name
        if column.allowed:
            assert set(values.drop_nulls().to_list()) <= set(column.allowed), column.name
    assert accepted["crime_ref"].is_unique().all()
    assert (accepted["recorded_date"] <= REFERENCE.today).all()
    assert (accepted["recorded_date"] >= date(1990, 1, 1)).all()
    committed = accepted.filter(pl.col("committed_date").is_not_null())
    assert (committed["committed_date"] <= committed["recorded_date"]).all()
    ages = accepted["victim_age"].drop_nulls()
    assert ((ages >= 0) & (ages <= 110)).all()
    assert set(accepted["district_code"].to_list()) <= {"BD", "CD"}
