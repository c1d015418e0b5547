"""Changes allowing for overdispersion (issue 12, fault 6): the quasi-Poisson test of the
period comparison against statsmodels, its fallback to the exact Poisson test, and the demo's
comparison table, whose months vary more than Poisson allows."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from stalking_profile.measures import volumes

CURRENT = [30, 45, 20, 50, 25, 40]  # January to June 2021
PREVIOUS = [20, 35, 15, 30, 22, 28]  # July to December 2020
CURRENT_MONTHS = [date(2021, m, 1) for m in range(1, 7)]
PREVIOUS_MONTHS = [date(2020, m, 1) for m in range(7, 13)]
DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _frame(counts: list[int], months: list[date]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "recorded_month": months,
            "district_code": "A",
            "is_domestic": True,
            "offence_type": "stalking",
            "offences": counts,
        }
    )


def _table(current: list[int], previous: list[int]) -> dict:
    table = volumes.district_period_table(
        _frame(current, CURRENT_MONTHS),
        _frame(previous, PREVIOUS_MONTHS),
        ["A"],
        None,
        (181, 184),
        (CURRENT_MONTHS, PREVIOUS_MONTHS),
    )
    return table.filter((pl.col("district_code") == "A") & (pl.col("category") == "all")).row(
        0, named=True
    )


def test_the_quasi_poisson_change_matches_statsmodels():
    """Reference: statsmodels GLM, Poisson family with a log(days) offset, scale = Pearson
    X^2 / df and t tests (use_t); tolerance 1e-9 relative."""
    row = _table(CURRENT, PREVIOUS)
    y = np.array(CURRENT + PREVIOUS)
    period = sm.add_constant(np.r_[np.ones(6), np.zeros(6)])
    fit = sm.GLM(y, period, family=sm.families.Poisson(), offset=np.log(DAYS)).fit(
        scale="X2", use_t=True
    )
    assert row["dispersion"] == pytest.approx(fit.scale, rel=1e-9)
    assert row["p_value"] == pytest.approx(fit.pvalues[1], rel=1e-9)
    low, high = (np.exp(fit.conf_int()[1]) - 1) * 100
    assert (row["change_lower"], row["change_upper"]) == (
        pytest.approx(low, rel=1e-9),
        pytest.approx(high, rel=1e-9),
    )
    # the exact Poisson test would have called this +40% far beyond chance
    assert volumes.poisson_change_p_value(210, 150, 181 / 365) < 0.01 < row["p_value"]


def test_counts_no_more_variable_than_poisson_keep_the_exact_test():
    steady = [30, 31, 29, 30, 30, 31]
    row = _table(steady, [25, 24, 26, 25, 25, 24])
    assert row["dispersion"] is None
    assert row["p_value"] == pytest.approx(volumes.poisson_change_p_value(181, 149, 181 / 365))


def test_the_demo_comparison_allows_for_its_overdispersion(demo_gateway):
    """The force's stalking, Feb 2021 to Jan 2022 against the year before: the months vary
    more than Poisson allows, so the interval is wider than the exact Poisson one."""
    from stalking_profile import panels
    from stalking_profile.filters import ProfileFilter

    districts = ("BD", "CD", "KD", "LD", "WD")
    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), districts, "all", ("stalking",))
    table = panels.trends_comparison(demo_gateway, flt).table
    force = table.filter((pl.col("district_code") == "Force") & (pl.col("category") == "all"))
    row = force.row(0, named=True)
    assert row["dispersion"] > 1.5
    exact_low, exact_high = volumes.change_interval(
        np.array([row["current"]]), np.array([row["previous"]]), 365 / 730
    )
    assert row["change_upper"] - row["change_lower"] > exact_high[0] - exact_low[0]


def _pair_model_scale(counts: list[int], months: list[date]) -> float:
    """Reference: statsmodels GLM, Poisson with one rate per pair of adjacent months (a dummy
    each) and a log(days) offset; its Pearson X^2 / df is phi from month-to-month changes."""
    y, days, dummies = [], [], []
    for k in range(len(counts) - 1):
        for i in (k, k + 1):
            y.append(counts[i])
            days.append((volumes.add_months(months[i], 1) - months[i]).days)
            dummies.append(np.eye(len(counts) - 1)[k])
    fit = sm.GLM(
        np.array(y), np.array(dummies), family=sm.families.Poisson(), offset=np.log(days)
    ).fit(scale="X2")
    return float(fit.scale)


def test_a_months_borrowed_overdispersion_matches_statsmodels():
    """A month against a month leaves no month to estimate phi from; it is borrowed from the
    12 month-to-month changes before (pair_dispersion), which is the Pearson X^2 / df of a
    Poisson model with one rate per pair of months: checked against statsmodels, 1e-9."""
    months = [volumes.add_months(date(2020, 8, 1), k) for k in range(13)]
    counts = [40, 52, 38, 61, 45, 47, 70, 41, 55, 50, 66, 39, 58]
    pairs = volumes.borrowed_pairs(([date(2021, 9, 1)], [date(2021, 8, 1)]), date(2018, 4, 1))
    assert pairs == list(pairwise(months))
    phi = volumes.pair_dispersion(_frame(counts, months), pairs, ["A"], None)
    row = phi.filter(pl.col("district_code") == "A", pl.col("category") == "all").row(0, named=True)
    assert row["pairs"] == 12 and row["months"] == 14  # 12 degrees of freedom
    assert row["dispersion"] == pytest.approx(_pair_model_scale(counts, months), rel=1e-9)
    # Poisson counts give about 1, counts varying three times as much about 3 (a rate per day
    # of 6.5, so a month's mean is 6.5 x its days)
    rng = np.random.default_rng(5)
    many = [volumes.add_months(date(1990, 1, 1), k) for k in range(2401)]
    days = np.array([(volumes.add_months(m, 1) - m).days for m in many])
    every = list(pairwise(many))
    poisson = volumes.pair_dispersion(_frame(list(rng.poisson(6.5 * days)), many), every, ["A"])
    wider = rng.negative_binomial(3.25 * days, 1 / 3)  # variance 3 x the mean
    over = volumes.pair_dispersion(_frame(list(wider), many), every, ["A"])
    assert poisson.filter(district_code="A", category="all")["dispersion"].item() == (
        pytest.approx(1.0, abs=0.1)
    )
    assert over.filter(district_code="A", category="all")["dispersion"].item() == (
        pytest.approx(3.0, abs=0.3)
    )


def test_a_month_on_month_change_allows_for_the_months_before_it(demo_gateway):
    """Helper 53: of the force's 20 month-on-month changes from June 2020 to January 2022, the
    exact Poisson test starred 10, where the demo's months vary several times as much as
    Poisson allows (July 2021: -28.7%, p < 0.001). A month now borrows phi from the 12
    month-to-month changes before it: phi and the p-value are worked out here from the
    offence table, statsmodels and Student's t."""
    from scipy.stats import t as student

    from stalking_profile import panels
    from stalking_profile.filters import ProfileFilter

    districts = ("BD", "CD", "KD", "LD", "WD")
    monthly = demo_gateway.sql(
        "SELECT date_trunc('month', recorded_date)::DATE AS month, count(*) AS n FROM offence "
        "WHERE offence_type = 'stalking' AND recorded_date BETWEEN $a AND $b GROUP BY 1 ORDER BY 1",
        {"a": date(2020, 6, 1), "b": date(2021, 7, 31)},
    )
    counts, months = monthly["n"].to_list(), monthly["month"].to_list()
    phi = _pair_model_scale(counts[:-1], months[:-1])  # Jun 2020 to Jun 2021: 12 changes
    july, june = counts[-1], counts[-2]
    b = np.log(july / june * 30 / 31)  # per day: July 31 days, June 30
    p = 2 * student.sf(abs(b) / np.sqrt(phi * (1 / july + 1 / june)), 12)
    flt = ProfileFilter(date(2021, 7, 1), date(2021, 7, 1), districts)
    change = panels.overview(demo_gateway, flt, 30, 6).headline.filter(indicator="change")
    row = change.row(0, named=True)
    assert row["p_value"] == pytest.approx(p, rel=1e-9)
    assert (
        f"the 12 month-to-month changes up to Jun 2021 vary {phi:.2f} times" in (row["definition"])
    )
    assert volumes.poisson_change_p_value(july, june, 31 / 61) < 0.001 < 0.05 < p
    for month in (date(2020, 7, 1), date(2020, 12, 1), date(2021, 2, 1), date(2021, 7, 1)):
        one = ProfileFilter(month, month, districts)
        table = panels.trends_comparison(demo_gateway, one).table
        force = table.filter(district_code="Force", category="all").row(0, named=True)
        assert force["borrowed_pairs"] in (11, 12) and not force["significant"], month
    # the data's first months have too few changes before them: the exact test, said so
    first = ProfileFilter(date(2018, 6, 1), date(2018, 6, 1), districts)
    early = panels.overview(demo_gateway, first, 30, 6).headline.filter(indicator="change")
    assert "exact conditional binomial test" in early["definition"].item()


def test_too_few_month_to_month_changes_with_offences_leave_the_exact_test() -> None:
    """Helper 54: pairs of months with no offences were dropped after the check for at least
    MIN_BORROWED_PAIRS, so phi could rest on fewer (here 4 of 12 pairs have offences)."""
    months = [volumes.add_months(date(2020, 1, 1), k) for k in range(13)]
    counts = [0] * 9 + [5, 1, 9, 2]
    pairs = list(pairwise(months))
    phi = volumes.pair_dispersion(_frame(counts, months), pairs, ["A"])
    row = phi.filter(district_code="A", category="all").row(0, named=True)
    assert row["pairs"] == 4 < volumes.MIN_BORROWED_PAIRS
    assert row["dispersion"] is None
    more = volumes.pair_dispersion(_frame([0] * 5 + [5, 1, 9, 2, 7, 3, 8, 1], months), pairs, ["A"])
    row = more.filter(district_code="A", category="all").row(0, named=True)
    assert row["pairs"] == 8 and row["dispersion"] > 1


def test_every_months_counts_at_once_are_each_months_on_its_own(demo_gateway):
    """The dispersion's monthly counts, worked out for all months at once, are
    district_category_counts of each month in turn (the reference), in the same order, with
    a month of no offences counting 0 in every row, and a roll-up of some districts."""
    from stalking_profile import queries
    from stalking_profile.filters import ProfileFilter

    flt = ProfileFilter(date(2021, 1, 1), date(2021, 6, 1), ("BD", "CD", "KD"), "all")
    counts = queries.offence_counts(demo_gateway, flt)
    months = [date(2021, 3, 1), date(2021, 1, 1), date(2017, 1, 1), date(2021, 6, 1)]
    codes, areas = ["BD", "CD", "KD"], {"Force": ["BD", "CD", "KD"], "West": ["BD", "CD"]}
    reference = pl.concat(
        volumes.district_category_counts(
            counts.filter(pl.col("recorded_month") == month), codes, areas
        ).select(pl.lit(month).alias("recorded_month"), pl.all())
        for month in months
    )
    at_once = volumes.monthly_district_category_counts(counts, months, codes, areas)
    assert at_once.equals(reference)
    assert at_once.height == 4 * (3 + 2) * 3
    empty = at_once.filter(pl.col("recorded_month") == date(2017, 1, 1))
    assert empty["offences"].to_list() == [0] * 15
    assert at_once.filter(pl.col("recorded_month") == date(2021, 3, 1))["offences"].sum() > 0
