"""Changes allowing for overdispersion (issue 12, fault 6): the quasi-Poisson test of the
period comparison against statsmodels, its fallback to the exact Poisson test, and the demo's
comparison table, whose months vary more than Poisson allows."""

from __future__ import annotations

from datetime import date

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
