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


def test_no_da_offence_has_a_victim_or_suspect_under_16(demo_gateway: Gateway) -> None:
    """Domestic abuse is between people aged 16 or over (Domestic Abuse Act 2021, s.1):
    helper 90 found 250 DA offences of the demo's year with a victim aged 12-15. Non-DA
    offences keep their young victims and suspects."""
    under_16 = demo_gateway.sql(
        "SELECT is_domestic, count(*) FILTER (WHERE victim_age < 16) AS victims, "
        "count(*) FILTER (WHERE suspect_age < 16) AS suspects FROM offence GROUP BY ALL "
        "ORDER BY is_domestic"
    )
    assert under_16.rows() == [(False, *under_16.row(0)[1:]), (True, 0, 0)]
    assert min(under_16.row(0)[1:]) > 100  # non-DA


def test_harassment_volumes_and_rule_change(demo_gateway: Gateway) -> None:
    yearly = demo_gateway.sql(
        "SELECT offence_type, is_domestic, count(*) AS n FROM offence "
        "WHERE recorded_date BETWEEN DATE '2019-04-01' AND DATE '2020-03-31' GROUP BY ALL"
    )
    harassment = yearly.filter(pl.col("offence_type") == "harassment")["n"].sum()
    assert 25_000 < harassment < 35_000  # West Yorkshire recorded ~30,000 S&H offences in 2018
    # April-June, year on year (months of one season: the demo's months swing by season)
    da_harassment = demo_gateway.sql(
        "SELECT year(recorded_date) AS y, count(*) AS n FROM offence "
        "WHERE offence_type = 'harassment' AND is_domestic AND month(recorded_date) IN (4, 5, 6) "
        "AND year(recorded_date) IN (2019, 2020) GROUP BY 1 ORDER BY 1"
    )["n"].to_list()
    assert (
        da_harassment[1] < 0.7 * da_harassment[0]
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


# Issue 12, "a demo force that behaves like real data": before, every district's DA arrest
# rate was 20.98-21.02% and DASH completion 89.96-90.03%; months were smoother than Poisson
# (phi 0.29); Calderdale's non-DA series never reached 0 in 46 months; the top hotspot of every
# layer was Calder, a rural Pennine ward.

YEAR_TO_SEP_2021 = "recorded_date BETWEEN DATE '2020-10-01' AND DATE '2021-09-30'"


def test_districts_differ_in_their_flag_rates_while_the_force_keeps_its_own(
    demo_gateway: Gateway,
) -> None:
    rates = demo_gateway.sql(
        "SELECT district_code, avg(arrest_made::INT) AS arrest, avg(dash_completed::INT) AS dash "
        f"FROM offence WHERE offence_type = 'stalking' AND is_domestic AND {YEAR_TO_SEP_2021} "
        "GROUP BY 1"
    )
    assert rates["arrest"].max() - rates["arrest"].min() > 0.04
    assert rates["dash"].max() - rates["dash"].min() > 0.02
    force = demo_gateway.sql(
        "SELECT avg(arrest_made::INT) AS arrest FROM offence "
        f"WHERE offence_type = 'stalking' AND is_domestic AND {YEAR_TO_SEP_2021}"
    )
    assert round(force["arrest"].item(), 2) == 0.21  # the published force rate still holds


def _stalking_months(gateway: Gateway) -> pl.DataFrame:
    """Stalking offences per district x DA x month index (0 = April 2018), zeros included."""
    counts = gateway.sql(
        "SELECT district_code, is_domestic, "
        "date_diff('month', DATE '2018-04-01', recorded_date)::INT AS month, count(*) AS n "
        "FROM offence WHERE offence_type = 'stalking' GROUP BY ALL"
    )
    grid = (
        pl.DataFrame({"district_code": list(calibration.DISTRICT_CODES)})
        .join(pl.DataFrame({"is_domestic": [True, False]}), how="cross")
        .join(pl.DataFrame({"month": list(range(46))}, schema={"month": pl.Int32}), how="cross")
    )
    segment = [
        next(i for i, (a, b) in enumerate(calibration.SEGMENTS) if a <= m < b) for m in range(46)
    ]
    return grid.join(counts, on=["district_code", "is_domestic", "month"], how="left").with_columns(
        pl.col("n").fill_null(0),
        segment=pl.col("month").replace_strict(list(range(46)), segment),
    )


def test_months_vary_more_than_poisson_and_small_series_have_empty_months(
    demo_gateway: Gateway,
) -> None:
    """Pearson dispersion of each district x DA's months around its calibrated segment's mean
    (segments of 4 months or more), pooled: 1 is Poisson; real monthly crime counts give 2-3."""
    months = _stalking_months(demo_gateway)
    cells = (
        months.group_by("district_code", "is_domestic", "segment")
        .agg(
            x2=((pl.col("n") - pl.col("n").mean()) ** 2 / pl.col("n").mean()).sum(),
            df=pl.len() - 1,
        )
        .filter(pl.col("df") >= 3)
    )
    assert cells["x2"].sum() / cells["df"].sum() > 1.5
    calderdale = months.filter((pl.col("district_code") == "CD") & ~pl.col("is_domestic"))
    assert (calderdale["n"] == 0).sum() >= 1


def test_hotspots_are_in_dense_urban_wards(demo_gateway: Gateway) -> None:
    """Rates per resident rise with population density, as the profile found its hotspots in
    dense urban areas: the top ten wards for DA stalking are all denser than the median ward."""
    from stalking_profile.demo.generator import ward_density

    wards = demo_gateway.sql("SELECT ward_code, population, geometry FROM ward ORDER BY ward_code")
    wards = wards.with_columns(density=pl.Series(ward_density(wards)))
    counts = demo_gateway.sql(
        "SELECT ward_code, count(*) AS n FROM offence "
        f"WHERE offence_type = 'stalking' AND is_domestic AND {YEAR_TO_SEP_2021} GROUP BY 1"
    )
    rates = wards.join(counts, on="ward_code").with_columns(rate=pl.col("n") / pl.col("population"))
    top = rates.sort("rate", descending=True).head(10)
    assert top["density"].min() > rates["density"].median()
    assert rates.select(pl.corr("rate", "density", method="spearman")).item() > 0.5
