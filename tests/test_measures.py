"""Measures against a hand-made database whose every figure is worked out below."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest
from scipy.stats import binomtest

from stalking_profile import measures, queries
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter, apply_domestic
from stalking_profile.measures.volumes import poisson_change_p_values

Q1_2021 = ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ("A", "B", "C"))


def _figures(gateway: Gateway, flt: ProfileFilter) -> dict[str, dict]:
    frame = measures.headline_indicators(
        queries.offence_counts(gateway, flt),
        queries.offence_counts(gateway, flt.previous()),
        flt.domestic,
    )
    return {row["indicator"]: row for row in frame.iter_rows(named=True)}


def test_latest_outcome_as_at_extract_date(tiny_gateway: Gateway) -> None:
    fact = tiny_gateway.sql("SELECT crime_ref, outcome_key FROM offence_fact ORDER BY crime_ref")
    latest = dict(fact.iter_rows())
    assert latest == {
        "T1": "1-charged",  # 16 then charged: the later one counts
        "T2": "16",
        "T3": None,  # its only outcome is dated after the extract date
        "T4": "5",
        "T5": None,
        "T6": "3-caution",
        "T7": "8",
        "T8": "16",  # two outcomes on one day: the higher key, deterministically
    }


def test_headline_figures_by_hand(tiny_gateway: Gateway) -> None:
    figures = _figures(tiny_gateway, Q1_2021)
    # stalking recorded Jan-Mar 2021: T1, T2, T3, T4, T5, T8 (T7 is harassment, T6 is December)
    assert figures["offences"]["numerator"] == 6
    # previous equal period Oct-Dec 2020: T6 only -> +500%
    assert figures["change"]["denominator"] == 1
    assert figures["change"]["value"] == pytest.approx(5.0)
    expected = {
        "domestic_share": (4, 6),  # T1 T2 T5 T8
        "arrest_rate": (2, 6),  # T1 T4
        "outcome_1_8_rate": (1, 6),  # T1 charged; T4's outcome 5 (died) does not count
        "outcome_16_rate": (2, 6),  # T2 T8
        "dash_completion_rate": (4, 6),  # T1 T2 T5 T8
        "cyber_flag_rate": (2, 6),  # T2 T4
    }
    for key, (numerator, denominator) in expected.items():
        assert (figures[key]["numerator"], figures[key]["denominator"]) == (
            numerator,
            denominator,
        ), key
        assert figures[key]["value"] == pytest.approx(numerator / denominator)
        assert figures[key]["lower"] < figures[key]["value"] < figures[key]["upper"]
        assert figures[key]["is_small"]  # six offences is a small denominator


def test_da_and_non_da_counts_follow_the_total(tiny_gateway: Gateway) -> None:
    figures = _figures(tiny_gateway, Q1_2021)
    assert figures["da_offences"]["numerator"] == 4  # T1 T2 T5 T8
    assert figures["non_da_offences"]["numerator"] == 2  # T3 T4


def test_non_domestic_filter_shows_no_da_share(tiny_gateway: Gateway) -> None:
    """A share of DA within non-DA offences means nothing (it showed 93.5% for Calderdale
    non-DA): under a DA or non-DA filter there is no DA share or DA / non-DA count."""
    flt = ProfileFilter(
        date(2021, 1, 1), date(2021, 3, 1), ("A", "B", "C"), domestic="non_domestic"
    )
    figures = _figures(tiny_gateway, flt)
    assert figures["offences"]["numerator"] == 2  # T3 T4
    assert (figures["arrest_rate"]["numerator"], figures["arrest_rate"]["denominator"]) == (1, 2)
    assert figures["outcome_1_8_rate"]["numerator"] == 0
    assert not {"domestic_share", "da_offences", "non_da_offences"} & set(figures)


def test_empty_period_gives_no_data_not_a_crash(tiny_gateway: Gateway) -> None:
    flt = ProfileFilter(date(2019, 1, 1), date(2019, 12, 1), ("A", "B", "C"))
    figures = _figures(tiny_gateway, flt)
    assert figures["offences"]["numerator"] == 0
    assert figures["change"]["value"] is None
    for key in ("arrest_rate", "outcome_1_8_rate", "dash_completion_rate"):
        assert figures[key]["denominator"] == 0
        assert figures[key]["value"] is None
        assert figures[key]["lower"] is None
    assert measures.Rate(0, 0).text() == "no data"


def test_outcome_table_by_hand(tiny_gateway: Gateway) -> None:
    counts = queries.outcome_counts(tiny_gateway, Q1_2021)
    table = measures.outcome_table(counts, queries.outcome_types(tiny_gateway), ["A", "B", "C"])
    rows = {
        row["outcome_key"]: (row["A"], row["B"], row["C"], row["Force"])
        for row in table.iter_rows(named=True)
    }
    assert rows == {
        "1-charged": (1, 0, 0, 1),
        "5": (0, 1, 0, 1),
        "16": (2, 0, 0, 2),
        "(blank)": (1, 1, 0, 2),
        "Totals": (4, 2, 0, 6),
    }
    assert table["outcome_key"].to_list() == ["1-charged", "5", "16", "(blank)", "Totals"]


def test_district_with_no_offences_counts_zero(tiny_gateway: Gateway) -> None:
    counts = queries.offence_counts(tiny_gateway, Q1_2021)
    table = measures.district_category_counts(counts, ["A", "B", "C"])
    c = table.filter(pl.col("district_code") == "C")
    assert c["offences"].to_list() == [0, 0, 0]
    force = {
        row["category"]: row["offences"]
        for row in table.filter(pl.col("district_code") == "Force").iter_rows(named=True)
    }
    assert force == {"all": 6, "domestic": 4, "non_domestic": 2}


def test_period_table_change_with_zero_previous(tiny_gateway: Gateway) -> None:
    table = measures.district_period_table(
        queries.offence_counts(tiny_gateway, Q1_2021),
        queries.offence_counts(tiny_gateway, Q1_2021.previous()),
        ["A", "B", "C"],
    )
    a_all = table.filter((pl.col("district_code") == "A") & (pl.col("category") == "all")).row(
        0, named=True
    )
    assert (a_all["current"], a_all["previous"], a_all["change_pct"]) == (4, 0, None)
    c_all = table.filter((pl.col("district_code") == "C") & (pl.col("category") == "all")).row(
        0, named=True
    )
    assert math.isnan(c_all["p_value"])  # 0 vs 0: no test possible


def test_domestic_split(tiny_gateway: Gateway) -> None:
    counts = queries.offence_counts(tiny_gateway, Q1_2021)
    assert measures.offence_total(apply_domestic(counts, "domestic")) == 4
    assert measures.offence_total(apply_domestic(counts, "non_domestic")) == 2
    assert measures.offence_total(apply_domestic(counts, "all")) == 6


def test_rolling_12m_by_hand() -> None:
    months = pl.date_range(date(2020, 1, 1), date(2021, 3, 1), interval="1mo", eager=True)
    monthly = pl.DataFrame({"recorded_month": months, "offences": list(range(1, 16))})
    rolled = measures.rolling_12m(monthly)
    assert rolled["rolling_12m_total"].to_list()[:11] == [None] * 11
    assert rolled["rolling_12m_total"].to_list()[11:] == [
        sum(range(1, 13)),
        sum(range(2, 14)),
        sum(range(3, 15)),
        sum(range(4, 16)),
    ]
    assert rolled["rolling_12m_average"][11] == pytest.approx(78 / 12)


def test_rolling_series_is_null_until_12_months_of_data(tiny_gateway: Gateway) -> None:
    flt = ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ("A", "B", "C"))
    first = queries.dataset_info(tiny_gateway).first_month
    series = measures.rolling_12m_series(
        queries.offence_counts(tiny_gateway, flt, lookback_months=11), flt, first
    )
    assert series["offences"].to_list() == [2, 3, 1]
    assert series["rolling_12m_total"].to_list() == [None, None, None]


def test_a_month_with_no_offence_is_not_taken_for_the_start_of_the_data(
    demo_gateway: Gateway,
) -> None:
    """A helper agent's trial: a meeting pack for Calderdale non-DA, December 2019, gave no
    12-month average, as the series took the filter's first month with an offence (none in
    January 2019) for the start of the data. Its 12 months held 25 offences."""
    flt = ProfileFilter(date(2019, 12, 1), date(2019, 12, 1), ("CD",), "non_domestic")
    counts = queries.offence_counts(demo_gateway, flt, lookback_months=11)
    assert counts.filter(recorded_month=date(2019, 1, 1), is_domestic=False).is_empty()
    series = measures.rolling_12m_series(
        counts.filter(~pl.col("is_domestic")), flt, queries.dataset_info(demo_gateway).first_month
    )
    held = counts.filter(~pl.col("is_domestic"))["offences"].sum()
    assert series["rolling_12m_total"].to_list() == [held] and held == 25


def test_wilson_interval_reference_values() -> None:
    # Worked example (Newcombe 1998, method 3): 81 of 263 -> 0.2553 to 0.3662
    lower, upper = measures.wilson_interval(81, 263)
    assert (round(lower, 4), round(upper, 4)) == (0.2553, 0.3662)
    # and agrees with SciPy's independent implementation
    reference = binomtest(154, 5669).proportion_ci(method="wilson")
    assert measures.wilson_interval(154, 5669) == pytest.approx(
        (reference.low, reference.high), rel=1e-9
    )
    assert measures.wilson_interval(0, 10)[0] == 0.0
    assert all(math.isnan(x) for x in measures.wilson_interval(0, 0))


def test_poisson_change_test() -> None:
    assert measures.poisson_change_p_value(10, 10) == pytest.approx(1.0)
    assert measures.poisson_change_p_value(2946, 5669 - 2946 * 0) < 1e-100
    assert 0.5 < measures.poisson_change_p_value(37, 33) < 0.8
    assert math.isnan(measures.poisson_change_p_value(0, 0))


def test_two_proportion_test() -> None:
    assert measures.two_proportion_p_value(21, 100, 14, 100) == pytest.approx(
        0.1927, abs=0.0001
    )  # z = 1.303
    assert measures.two_proportion_p_value(1190, 5669, 64, 460) < 0.001
    assert math.isnan(measures.two_proportion_p_value(1, 0, 1, 2))


def test_vectorised_change_test_equals_scipy_binomtest() -> None:
    import numpy as np
    from scipy.stats import binomtest

    rng = np.random.default_rng(4)
    current, previous = rng.integers(0, 300, 200), rng.integers(0, 300, 200)
    fast = poisson_change_p_values(current, previous)
    for c, p, value in zip(current, previous, fast, strict=True):
        if c + p:
            assert value == pytest.approx(
                binomtest(int(c), int(c + p), 0.5).pvalue, rel=1e-9, abs=1e-15
            )
