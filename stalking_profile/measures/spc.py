"""Statistical process control: XmR (individuals) charts with NHS England's Making Data Count
rules, so that a month-on-month change is read against the process's own variation.

Calculation only (frame in, frame out); drawing is in `charts.py`. Rules and constants follow
`shared/reference/spc_rules.csv` (NHS England MDC SQL v2.6):

- limits: mean +/- 2.66 x mean moving range, per partition (limits may be recalculated from
  break points such as the April 2020 counting-rule change);
- a point beyond a limit;
- a shift: `run_length` or more consecutive points on one side of the mean (a point on the
  mean breaks the run);
- a trend: `run_length` or more consecutive points each higher (or each lower) than the one
  before, counted across partitions;
- two of three: two or three of three consecutive points beyond the two-sigma line
  (mean +/- 2/3 x 2.66 x MR-bar) on one side, all three on that side of the mean; points
  beyond the process limit count too (v2.6).

NHS England's tools moved the shift and trend length from 7 to 6 in January 2024; the run
length is a setting (`Settings.spc_run_length`) and the chart says which is in use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

LIMIT_CONSTANT = 2.66
MINIMUM_POINTS = 13  # fewer points: a run chart, not an SPC chart (MDC SQL v2.6)
MINIMUM_PARTITION = 12  # fewer points in a partition: "trial" limits
LIMIT_COLUMNS = ("upper_limit", "lower_limit", "upper_two_sigma", "lower_two_sigma")
Direction = Literal["up", "down", "neither"]


def _run_lengths(labels: np.ndarray) -> np.ndarray:
    """For each element, the length of the run of equal consecutive labels it belongs to."""
    if labels.size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    lengths = np.diff(np.r_[starts, labels.size])
    return np.repeat(lengths, lengths)


def shift_points(
    values: np.ndarray, mean: np.ndarray, partition: np.ndarray, run_length: int
) -> np.ndarray:
    """True for points in a run of `run_length`+ points on one side of the mean (per partition)."""
    side = np.sign(values - mean)
    labels = side * 1_000_000 + partition  # a new partition starts a new run
    return (side != 0) & (_run_lengths(labels) >= run_length)


def trend_points(values: np.ndarray, run_length: int, direction: int = 0) -> np.ndarray:
    """True for points in a run of `run_length`+ points each higher (or each lower) than the
    previous one; equal values break a trend. `direction` 1 keeps rising runs only, -1 falling
    runs only, 0 both."""
    flags = np.zeros(values.size, dtype=bool)
    if values.size < 2:
        return flags
    steps = np.sign(np.diff(values))
    lengths = _run_lengths(steps)
    wanted = (steps != 0) if direction == 0 else (steps == direction)
    in_trend = wanted & (lengths >= run_length - 1)
    flags[1:] |= in_trend  # each step flags the point it arrives at ...
    flags[:-1] |= in_trend  # ... and the point it leaves
    return flags


def two_of_three_points(
    values: np.ndarray,
    mean: np.ndarray,
    upper2: np.ndarray,
    lower2: np.ndarray,
    partition: np.ndarray | None = None,
    side: int = 0,
) -> np.ndarray:
    """True for points beyond a two-sigma line where 2 or 3 of 3 consecutive points are beyond
    it on the same side and all three lie on that side of the mean - the three within one
    limits partition (a recalculation starts afresh). `side` 1 above only, -1 below, 0 both."""
    flags = np.zeros(values.size, dtype=bool)
    if values.size < 3:
        return flags
    part = np.zeros(values.size, dtype=np.int64) if partition is None else partition
    windows_of_part = sliding_window_view(part, 3)
    one_partition = windows_of_part.min(axis=1) == windows_of_part.max(axis=1)
    sides = []
    if side >= 0:
        sides.append((values > upper2, values > mean))
    if side <= 0:
        sides.append((values < lower2, values < mean))
    for beyond, same_side in sides:
        windows = sliding_window_view(beyond, 3)
        on_side = sliding_window_view(same_side, 3)
        hit = (windows.sum(axis=1) >= 2) & on_side.all(axis=1) & one_partition
        for offset in range(3):
            flags[offset : offset + hit.size] |= hit & windows[:, offset]
    return flags


def rule_sides(
    values: np.ndarray,
    mean: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
    upper2: np.ndarray,
    lower2: np.ndarray,
    partition: np.ndarray,
    run_length: int,
) -> np.ndarray:
    """Each point's special-cause side, 'high', 'low' or '', by the direction of the rule that
    fired, in NHSRplotthedots' order of precedence: a point beyond a limit, then a trend
    (rising is high, even below the mean), then two of three near a limit, then a shift."""
    above_mean = values > mean
    below_mean = values < mean
    shift = shift_points(values, mean, partition, run_length)
    ordered = [
        (values > upper, values < lower),
        (trend_points(values, run_length, 1), trend_points(values, run_length, -1)),
        (
            two_of_three_points(values, mean, upper2, lower2, partition, 1),
            two_of_three_points(values, mean, upper2, lower2, partition, -1),
        ),
        (shift & above_mean, shift & below_mean),
    ]
    sides = np.full(values.size, "", dtype=object)
    for high, low in reversed(ordered):  # higher precedence written last, so it wins
        sides = np.where(high, "high", np.where(low, "low", sides))
    return sides


def xmr(
    months: Sequence[date],
    values: Sequence[float],
    breaks: Sequence[date] = (),
    run_length: int = 6,
) -> pl.DataFrame:
    """An XmR chart of a monthly series: one row per month with its partition's mean and
    limits, the moving range and a flag per special-cause rule.

    `breaks` are months from which the limits are recalculated (each starts a partition).
    Columns: month, value, partition, mean, moving_range, upper_limit, lower_limit,
    upper_two_sigma, lower_two_sigma, beyond_limits, shift, trend, two_of_three,
    special_cause, side ("high", "low" or null: the direction of the rule that fired, not the
    side of the mean), trial_limits.

    A partition of one month has no limits (null), having no moving range.
    Under MINIMUM_POINTS months it is a run chart, as spc_figure draws it and `variation`
    reads it: the series and its mean only, so the limits, the rules' flags and trial_limits
    are null (a table beside the chart gave limits the chart said there were too few points
    for).
    """
    month_list = list(months)
    x = np.asarray(values, dtype=float)
    partition = np.zeros(x.size, dtype=np.int64)
    for brk in sorted(breaks):
        partition += np.array([m >= brk for m in month_list], dtype=np.int64)
    mean = np.zeros(x.size)
    mr_bar = np.zeros(x.size)
    moving_range = np.full(x.size, np.nan)
    for p in np.unique(partition):
        idx = np.flatnonzero(partition == p)
        mean[idx] = x[idx].mean()
        ranges = np.abs(np.diff(x[idx]))
        moving_range[idx[1:]] = ranges
        # a partition of one month has no moving range: no limits (they were the value itself,
        # zero wide, and the month could never be special cause: helper 81)
        mr_bar[idx] = ranges.mean() if ranges.size else np.nan
    upper, lower = mean + LIMIT_CONSTANT * mr_bar, mean - LIMIT_CONSTANT * mr_bar
    upper2 = mean + 2 / 3 * LIMIT_CONSTANT * mr_bar
    lower2 = mean - 2 / 3 * LIMIT_CONSTANT * mr_bar
    beyond = (x > upper) | (x < lower)
    shift = shift_points(x, mean, partition, run_length)
    trend = trend_points(x, run_length)
    two_of_three = two_of_three_points(x, mean, upper2, lower2, partition)
    special = beyond | shift | trend | two_of_three
    sides = rule_sides(x, mean, upper, lower, upper2, lower2, partition, run_length)
    partition_sizes = np.bincount(partition)[partition]
    chart = pl.DataFrame(
        {
            "month": month_list,
            "value": x,
            "partition": partition,
            "mean": mean,
            "moving_range": moving_range,
            "upper_limit": upper,
            "lower_limit": lower,
            "upper_two_sigma": upper2,
            "lower_two_sigma": lower2,
            "beyond_limits": beyond,
            "shift": shift,
            "trend": trend,
            "two_of_three": two_of_three,
            "special_cause": special,
            "side": sides.astype(str),
            "trial_limits": partition_sizes < MINIMUM_PARTITION,
        },
        schema_overrides={"month": pl.Date},
    ).with_columns(
        pl.col("moving_range", *LIMIT_COLUMNS).fill_nan(None),
        pl.when(pl.col("side") == "").then(None).otherwise(pl.col("side")).alias("side"),
    )
    if x.size >= MINIMUM_POINTS:
        return chart
    return chart.with_columns(pl.lit(None, dtype).alias(name) for name, dtype in _LIMITS.items())


# What a run chart (under MINIMUM_POINTS) leaves out: its limits, their rules and whether
# they are trial limits.
_LIMITS = {
    **dict.fromkeys(LIMIT_COLUMNS, pl.Float64),
    **dict.fromkeys(
        ("beyond_limits", "shift", "trend", "two_of_three", "special_cause"), pl.Boolean
    ),
    "side": pl.String,
    "trial_limits": pl.Boolean,
}


def with_count_floor(chart: pl.DataFrame) -> pl.DataFrame:
    """An XmR chart of counts as shown: lower limits (process and two-sigma) below 0 at 0, as
    the charts draw them and the scorecard states them (a count is never negative; the Trends
    table and a pack's chart had given -2.6 beside the scorecard's 0.0). The rules are worked
    out on the limits unclipped, which no count can cross anyway.

    >>> with_count_floor(pl.DataFrame({"lower_limit": [-2.6, 1.5, None]}))["lower_limit"].to_list()
    [0.0, 1.5, None]
    """
    lower = [name for name in ("lower_limit", "lower_two_sigma") if name in chart.columns]
    return chart.with_columns(pl.col(lower).clip(lower_bound=0.0))


def variation(chart: pl.DataFrame, improvement: Direction = "neither") -> str:
    """The Making Data Count variation of the latest point: 'common cause', 'special cause -
    improving', 'special cause - concerning', or 'special cause - high/low' when neither
    direction is better; 'too few points' under the minimum for an SPC chart, or where the
    latest month alone is in its partition (limits recalculated from it: no moving range)."""
    if chart.height < MINIMUM_POINTS:
        return "too few points"
    latest = chart.row(-1, named=True)
    if not latest["special_cause"]:  # a trend runs across partitions: it may flag it still
        return "too few points" if latest["upper_limit"] is None else "common cause"
    if improvement == "neither":
        return f"special cause - {latest['side']}"
    good = (latest["side"] == "high") == (improvement == "up")
    return "special cause - improving" if good else "special cause - concerning"
