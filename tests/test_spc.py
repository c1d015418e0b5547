"""Each Making Data Count rule fires on a series built to trip it, and none on a stable one."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from stalking_profile.filters import add_months
from stalking_profile.measures import spc

MONTHS = [add_months(date(2019, 1, 1), i) for i in range(24)]
STABLE = [10, 12, 11, 9, 10, 12, 10, 11, 9, 10, 12, 11, 10, 9, 11, 10, 12, 10, 9, 11, 10, 12, 9, 11]


def _chart(values, run_length=6, breaks=()):
    return spc.xmr(MONTHS[: len(values)], values, breaks, run_length)


def test_stable_series_has_no_special_cause() -> None:
    chart = _chart(STABLE)
    assert not chart["special_cause"].any()
    assert spc.variation(chart) == "common cause"


def test_limits_are_mean_plus_minus_2_66_mr_bar() -> None:
    values = [10, 14, 12, 16, 13] * 2 + [10, 14, 12]  # 13 points: the fewest for limits
    chart = spc.xmr(MONTHS[:13], values)
    ranges = [4, 2, 4, 3, 3] * 2 + [4, 2]
    mean, mr_bar = 166 / 13, sum(ranges) / 12
    assert chart["mean"][0] == pytest.approx(mean)
    assert chart["upper_limit"][0] == pytest.approx(mean + 2.66 * mr_bar)
    assert chart["lower_limit"][0] == pytest.approx(mean - 2.66 * mr_bar)
    assert chart["upper_two_sigma"][0] == pytest.approx(mean + 2 / 3 * 2.66 * mr_bar)
    assert chart["moving_range"].to_list() == [None, *ranges]
    assert chart["trial_limits"].to_list() == [False] * 13


def test_under_13_points_is_a_run_chart_with_no_limits_or_rules() -> None:
    """Three months (April to June 2018, where the demo's data start): the chart said "too few
    points for process limits" while the table beside it gave limits, rules and "trial limits:
    yes". Now the table holds what the chart draws: the series and its mean."""
    chart = spc.xmr(MONTHS[:12], [10, 14, 12, 16, 13, 30, 10, 14, 12, 16, 13, 10])
    assert chart["mean"].to_list() == [pytest.approx(170 / 12)] * 12
    assert chart["moving_range"][1] == 4
    for column in ("upper_limit", "lower_limit", "upper_two_sigma", "lower_two_sigma"):
        assert chart[column].null_count() == 12, column
    for column in ("beyond_limits", "shift", "trend", "two_of_three", "special_cause"):
        assert chart[column].null_count() == 12, column
    assert chart["side"].null_count() == chart["trial_limits"].null_count() == 12
    assert spc.variation(chart) == "too few points"


def test_point_beyond_limit() -> None:
    values = [*STABLE[:15], 30, *STABLE[16:]]
    chart = _chart(values)
    assert chart["beyond_limits"].to_list().index(True) == 15
    assert chart["beyond_limits"].sum() == 1
    assert chart["side"][15] == "high"


def test_shift_of_six_fires_and_five_does_not() -> None:
    base = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9]
    six_high = [*base[:6], 12, 12, 12, 12, 12, 12, *base[12:]]
    assert _chart(six_high)["shift"].sum() == 6
    five_high = [*base[:6], 12, 12, 12, 12, 12, *base[11:]]
    assert _chart(five_high)["shift"].sum() == 0
    # with the older run length of 7, six points are not enough
    assert _chart(six_high, run_length=7)["shift"].sum() == 0


def test_point_on_the_mean_breaks_a_shift() -> None:
    values = [9, 11] * 3 + [11, 11, 11, 10, 11, 11, 11] + [9, 9, 9, 10, 9, 9, 9] + [9, 11] * 2
    chart = _chart(values)
    assert chart["mean"][0] == pytest.approx(10.0)
    assert not chart["shift"].any()  # each run of seven is cut in two by a point on the mean


def test_trend_of_six_points() -> None:
    values = [10, 11, 9, 10, 11, 9, 8, 9, 10, 11, 12, 13, 10, 11, 9, 10]
    chart = _chart(values)
    assert chart["trend"].to_list()[6:12] == [True] * 6
    assert chart["trend"].sum() == 6
    falling = [10, 11, 9, 10, 15, 14, 13, 12, 11, 10, 11, 9, 10, 11, 9, 10]
    assert _chart(falling)["trend"].sum() == 6
    assert spc.trend_points(np.array([1.0, 2, 3, 3, 4, 5, 6]), 6).sum() == 0  # a tie breaks it


def test_two_of_three_beyond_two_sigma() -> None:
    values = [10, 10.5] * 8 + [11.8, 10.6, 11.8] + [10, 10.5]
    chart = spc.xmr(MONTHS[: len(values)], values)
    assert chart["upper_two_sigma"][0] < 11.8 < chart["upper_limit"][0]
    flagged = [i for i, f in enumerate(chart["two_of_three"].to_list()) if f]
    assert flagged == [16, 18]  # only the points beyond two sigma are flagged
    assert not chart["beyond_limits"].any()
    assert chart["special_cause"].sum() == 2
    one_of_three = [10, 10.5] * 8 + [11.8, 10.6, 10.6] + [10, 10.5]
    assert not spc.xmr(MONTHS[: len(one_of_three)], one_of_three)["two_of_three"].any()


def test_break_point_recalculates_limits() -> None:
    values = [
        10,
        11,
        9,
        10,
        11,
        9,
        10,
        11,
        9,
        10,
        11,
        9,
        40,
        42,
        41,
        39,
        40,
        42,
        41,
        39,
        40,
        42,
        41,
        39,
    ]
    whole = _chart(values)
    split = _chart(values, breaks=[MONTHS[12]])
    assert whole["special_cause"].any()
    assert split["partition"].to_list() == [0] * 12 + [1] * 12
    assert split["mean"][0] == pytest.approx(10.0) and split["mean"][12] == pytest.approx(40.5)
    assert not split["beyond_limits"].any()
    assert not split["shift"].any()


def test_a_month_alone_in_its_partition_has_no_limits() -> None:
    """Helper 81: with limits recalculated from the latest month (April 2020 chosen as the
    end), its partition of one point has no moving range; its limits were the value itself,
    zero wide, and 40 after fifteen months of 10 read "common cause"."""
    chart = _chart([10] * 15 + [40], breaks=[MONTHS[15]])
    latest = chart.row(-1, named=True)
    assert latest["mean"] == 40.0
    assert [latest[c] for c in spc.LIMIT_COLUMNS] == [None] * 4
    assert not latest["beyond_limits"]
    assert spc.variation(chart) == "too few points"
    assert chart["upper_limit"][0] == pytest.approx(10.0)  # the partition before keeps its own
    two = _chart([10] * 15 + [40, 41], breaks=[MONTHS[15]])  # two points: trial limits
    assert two["upper_limit"][-1] is not None and two["trial_limits"][-1]
    # helper 82: a trend runs across partitions, so the month alone may be special cause
    rising = _chart([10, 12] * 5 + [10, 11, 12, 13, 14, 40], breaks=[MONTHS[15]])
    assert rising["trend"][-1] and rising["upper_limit"][-1] is None
    assert spc.variation(rising) == "special cause - high"


def test_variation_wording() -> None:
    chart = _chart([*STABLE[:15], 30])
    assert spc.variation(chart, "up") == "special cause - improving"
    assert spc.variation(chart, "down") == "special cause - concerning"
    assert spc.variation(chart) == "special cause - high"
    assert spc.variation(_chart(STABLE[:5])) == "too few points"


def test_a_rising_trend_below_the_mean_is_labelled_higher() -> None:
    """Issue 12, fault 3: a point is labelled by the direction of the rule that fired (a
    rising trend is 'high' even below the mean), not by its side of the mean."""
    values = [20, 40, 20, 40, 20, 40, 20, 40, 20, 40, 21, 22, 23, 24, 25, 26]
    chart = _chart(values)
    rising = chart.slice(10, 6)
    assert rising["trend"].all() and rising["shift"].all()  # rising, and six below the mean
    assert (rising["value"] < rising["mean"]).all()
    assert (rising["value"] > rising["lower_limit"]).all()  # inside the limits
    assert rising["side"].to_list() == ["high"] * 6  # the trend outranks the shift


def test_a_point_beyond_a_limit_outranks_a_shift() -> None:
    """Precedence (NHSRplotthedots): outside limits > trend > 2 of 3 > shift."""
    values = [*STABLE[:12], 8, 8, 8, 8, 8, 8, 30]  # a run below the mean, then a high outlier
    chart = _chart(values)
    assert chart["beyond_limits"][-1] and chart["side"][-1] == "high"
    assert chart["side"].to_list()[12:18] == ["low"] * 6


def test_two_of_three_never_spans_a_recalculation() -> None:
    """Two points near the upper limit either side of a break are not two of three."""
    before = STABLE[:12]
    after = [10, 12, 11, 9, 10, 12, 10, 11, 9, 10, 12, 11]
    values = [*before[:-1], 14.5, 14.5, *after[1:]]
    breaks = [MONTHS[12]]
    split = _chart(values, breaks=breaks)
    assert not split["two_of_three"].slice(10, 4).any()
    joined = spc.two_of_three_points(
        np.array([10.0, 14.5, 14.5]), np.full(3, 9.0), np.full(3, 13.0), np.full(3, 5.0)
    )
    assert joined.tolist() == [False, True, True]  # the same points within one partition fire


def test_too_few_points_draw_no_limits_and_no_special_causes() -> None:
    """Fewer than 13 points: a run chart (series and mean), not an SPC chart."""
    from stalking_profile import charts

    chart = _chart([3, 4, 3, 3, 2, 9, 3, 3, 3, 3])
    figure = charts.spc_figure(chart, "Offences", 6)
    names = {trace.name for trace in figure.data}
    assert "Process limits" not in names
    assert not {"Special cause: higher", "Special cause: lower"} & names
    assert "Too few points" in figure.layout.title.text
    assert spc.variation(chart) == "too few points"
