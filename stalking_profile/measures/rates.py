"""Rates with honest uncertainty: Wilson score intervals and a two-proportion test."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.stats import hypergeom

from stalking_profile.config import SMALL_DENOMINATOR
from stalking_profile.rounding import percent_text

Z_95 = 1.959963984540054


def wilson_interval(numerator: int, denominator: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for numerator/denominator (95% by default).

    Preferred to the normal approximation because it stays inside [0, 1] and behaves for small
    counts and rates near 0 or 1. A zero denominator has no interval (NaN, NaN).

    >>> [round(x, 4) for x in wilson_interval(154, 5669)]
    [0.0232, 0.0317]
    """
    if denominator <= 0:
        return (math.nan, math.nan)
    one = pl.DataFrame({"numerator": [numerator], "denominator": [denominator]})
    row = with_rate_columns(one, z=z).row(0, named=True)
    return (row["lower"], row["upper"])


def median_and_quartiles(values: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The median, lower and upper quartile of `values` (nulls left out), each by linear
    interpolation between the ordered values (Hyndman and Fan's type 7, R's and numpy's default),
    so the median is the 50% point of the same method and a quartile lies between the values
    either side of its place: of 19, 32 and 180 days, 25.5, 32 and 106."""
    return (
        values.quantile(0.5, "linear"),
        values.quantile(0.25, "linear"),
        values.quantile(0.75, "linear"),
    )


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled z-test that x1/n1 and x2/n2 are equal (NaN if undefined).

    >>> round(two_proportion_p_value(21, 100, 14, 100), 3)
    0.193
    """
    if n1 <= 0 or n2 <= 0:
        return math.nan
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0 if x1 / n1 == x2 / n2 else 0.0
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class Rate:
    """A proportion with its 95% Wilson interval; `value` is None when the denominator is 0."""

    numerator: int
    denominator: int
    small_denominator: int = SMALL_DENOMINATOR

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator > 0 else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.numerator, self.denominator)

    @property
    def is_small(self) -> bool:
        """True when the denominator is below the small-number threshold."""
        return self.denominator < self.small_denominator

    def text(self, decimals: int = 1) -> str:
        """E.g. '2.7% (154 / 5,669)', or 'no data' for a zero denominator."""
        if self.value is None:
            return "no data"
        return f"{percent_text(self.value, decimals)} ({self.numerator:,} / {self.denominator:,})"


def with_rate_columns(
    frame: pl.DataFrame,
    numerator: str = "numerator",
    denominator: str = "denominator",
    small_denominator: int = SMALL_DENOMINATOR,
    z: float = Z_95,
) -> pl.DataFrame:
    """Add rate, lower, upper (the Wilson score interval, 95% by default) and is_small to a
    frame of numerators and denominators, vectorised; a zero denominator gives nulls ("no
    data"), never an error. The one implementation of the interval (wilson_interval uses it)."""
    x, n = pl.col(numerator).cast(pl.Float64), pl.col(denominator).cast(pl.Float64)
    p = x / n
    centre = p + z * z / (2 * n)
    spread = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt()
    scale = 1 + z * z / n
    has_data = pl.col(denominator) > 0
    return frame.with_columns(
        pl.when(has_data).then(p).otherwise(None).alias("rate"),
        pl.when(~has_data)
        .then(None)
        .when(x == 0)
        .then(0.0)  # exactly 0, not a rounding error above it
        .otherwise(((centre - spread) / scale).clip(0, 1))
        .alias("lower"),
        pl.when(~has_data)
        .then(None)
        .when(x == n)
        .then(1.0)
        .otherwise(((centre + spread) / scale).clip(0, 1))
        .alias("upper"),
        (pl.col(denominator) < small_denominator).alias("is_small"),
    )


def mid_p_exact(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided mid-p value of Fisher's exact test that x1/n1 and x2/n2 share one proportion
    (conditioning on x1 + x2): the probability of tables less likely than the one observed,
    plus half of those exactly as likely. For small counts, where the z-test misleads.

    >>> round(mid_p_exact(3, 10, 9, 12), 3)  # Fisher's 0.084 less half the observed table's 0.041
    0.063
    """
    if n1 <= 0 or n2 <= 0:
        return math.nan
    total = x1 + x2
    low, high = max(0, total - n2), min(total, n1)
    support = np.arange(low, high + 1)
    probabilities = hypergeom.pmf(support, n1 + n2, n1, total)
    observed = hypergeom.pmf(x1, n1 + n2, n1, total)
    tolerance = observed * 1e-7
    less = probabilities[probabilities < observed - tolerance].sum()
    same = probabilities[np.abs(probabilities - observed) <= tolerance].sum()
    return float(min(1.0, less + 0.5 * same))


def proportion_difference_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, str]:
    """The p-value that x1/n1 and x2/n2 are equal, and the test used: the mid-p exact test
    when an expected count is under 5 (small numbers), else the two-proportion z-test."""
    if n1 <= 0 or n2 <= 0:
        return (math.nan, "")
    pooled = (x1 + x2) / (n1 + n2)
    expected = min(n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled))
    if expected < 5:
        return (mid_p_exact(x1, n1, x2, n2), "mid-p exact")
    return (two_proportion_p_value(x1, n1, x2, n2), "z-test")


def newcombe_interval(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """95% interval for the difference x1/n1 - x2/n2 (Newcombe's hybrid score method, from the
    two Wilson intervals); (nan, nan) when either denominator is 0.

    >>> [round(v, 4) for v in newcombe_interval(56, 70, 48, 80)]  # Newcombe (1998), method 10
    [0.0524, 0.3339]
    """
    return newcombe_intervals([(x1, n1, x2, n2)])[0]


def newcombe_intervals(
    counts: list[tuple[int, int, int, int]],
) -> list[tuple[float, float]]:
    """newcombe_interval for many (x1, n1, x2, n2) at once: the Wilson intervals of a whole
    table in one vectorised call (one per pair took a millisecond: 0.55 s for the Risk page's
    200 comparisons at 10 million offences)."""
    if not counts:
        return []
    frame = pl.DataFrame(counts, schema=["x1", "n1", "x2", "n2"], orient="row")
    first = with_rate_columns(frame, "x1", "n1").select("lower", "upper").rows()
    second = with_rate_columns(frame, "x2", "n2").select("lower", "upper").rows()
    intervals = []
    for (x1, n1, x2, n2), (l1, u1), (l2, u2) in zip(counts, first, second, strict=True):
        if n1 <= 0 or n2 <= 0:
            intervals.append((math.nan, math.nan))
            continue
        p1, p2 = x1 / n1, x2 / n2
        difference = p1 - p2
        intervals.append(
            (
                difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
                difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
            )
        )
    return intervals


def fdr_q_values(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) for one table's tests: a test is a
    discovery at false discovery rate alpha when its q-value is at most alpha. NaN stays NaN.

    >>> fdr_q_values(np.array([0.01, 0.04, 0.03, np.nan])).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.size, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    if tested.size == 0:
        return q
    order = tested[np.argsort(p[tested])]
    ranked = p[order] * tested.size / np.arange(1, tested.size + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    return q


FALSE_DISCOVERY_RATE = 0.05  # a test is a discovery ("significant") where its q-value is below


def with_false_discovery_rate(table: pl.DataFrame) -> pl.DataFrame:
    """`table` with `q_value` (Benjamini-Hochberg over the table's p-values: its rows with a
    `p_value`; a row without one is not a test) and `significant` (q below
    FALSE_DISCOVERY_RATE; null where there is no test)."""
    p_values = table["p_value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    return table.with_columns(
        pl.Series("q_value", fdr_q_values(p_values), dtype=pl.Float64).fill_nan(None)
    ).with_columns((pl.col("q_value") < FALSE_DISCOVERY_RATE).alias("significant"))
