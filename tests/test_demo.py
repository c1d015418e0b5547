"""The demonstration force: deterministic, synthetic, plausible."""

from __future__ import annotations

import polars as pl

from stalking_profile.db import Gateway
from stalking_profile.demo import calibration
from stalking_profile.demo.generator import generate


def test_generation_is_deterministic() -> None:
    first, second = generate(), generate()
    assert first.offence.equals(second.offence)
    assert first.outcome.equals(second.outcome)


def test_every_record_is_marked_synthetic(demo_gateway: Gateway) -> None:
    dataset = demo_gateway.sql("SELECT is_synthetic, force_name FROM dataset")
    assert dataset["is_synthetic"].all()
    assert "synthetic" in dataset["force_name"].item()
    prefixes = demo_gateway.sql(
        "SELECT count(*) FILTER (WHERE crime_ref NOT LIKE 'SYN-%') AS refs, "
        "count(*) FILTER (WHERE victim_id NOT LIKE 'SYN-V-%') AS victims, "
        "count(*) FILTER (WHERE suspect_id NOT LIKE 'SYN-S-%') AS suspects FROM offence"
    ).row(0)
    assert prefixes == (0, 0, 0)


def test_real_ward_geography_with_population(demo_gateway: Gateway) -> None:
    wards = demo_gateway.sql(
        "SELECT district_code, count(*) AS wards, sum(population) AS people FROM ward GROUP BY ALL ORDER BY 1"
    )
    assert wards["wards"].to_list() == [30, 17, 23, 33, 21]
    # mid-2019 LSOA populations summed per district (../shared/data/SOURCES.md)
    assert wards["people"].to_list() == [539776, 211455, 439787, 793139, 348312]
    districts = demo_gateway.sql("SELECT population FROM district ORDER BY district_code")
    assert districts["population"].to_list() == wards["people"].to_list()


def test_largest_age_band_is_20_to_29(demo_gateway: Gateway) -> None:
    for column in ("victim_age", "suspect_age"):
        bands = demo_gateway.sql(
            f"SELECT floor({column} / 10) * 10 AS band, count(*) AS n FROM offence "
            f"WHERE offence_type = 'stalking' AND {column} IS NOT NULL GROUP BY 1 ORDER BY n DESC LIMIT 1"
        )
        assert bands["band"].item() == 20, column


def test_harassment_volumes_and_rule_change(demo_gateway: Gateway) -> None:
    yearly = demo_gateway.sql(
        "SELECT offence_type, is_domestic, count(*) AS n FROM offence "
        "WHERE recorded_date BETWEEN DATE '2019-04-01' AND DATE '2020-03-31' GROUP BY ALL"
    )
    harassment = yearly.filter(pl.col("offence_type") == "harassment")["n"].sum()
    assert 25_000 < harassment < 35_000  # West Yorkshire recorded ~30,000 S&H offences in 2018
    da_harassment = demo_gateway.sql(
        "SELECT date_trunc('month', recorded_date) AS m, count(*) AS n FROM offence "
        "WHERE offence_type = 'harassment' AND is_domestic AND recorded_date BETWEEN DATE '2020-01-01' AND DATE '2020-06-30' GROUP BY 1 ORDER BY 1"
    )["n"].to_list()
    assert sum(da_harassment[3:]) < 0.7 * sum(
        da_harassment[:3]
    )  # April 2020: ex-partner conduct moves to stalking


def test_segment_totals_are_solved_from_the_published_windows() -> None:
    totals = calibration.segment_totals()
    both = [d + n for d, n in zip(totals[True], totals[False], strict=True)]
    assert both[1] + both[2] == 1311
    assert both[2] + both[3] == 3286
    assert both[3] + both[4] + both[5] == 4818
    assert both[4] + both[5] + both[6] == 6129
    assert both[5] + both[6] + both[7] == 6620


def test_integer_splits_keep_their_totals() -> None:
    import numpy as np

    assert calibration.largest_remainder(np.array([1, 1, 1]), 10).tolist() == [4, 3, 3]
    matrix = calibration.split_rows(np.array([5, 7, 0]), [4, 8])
    assert matrix.sum(axis=1).tolist() == [5, 7, 0]
    assert matrix.sum(axis=0).tolist() == [4, 8]
