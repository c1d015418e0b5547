"""Volumes: monthly counts, rolling 12-month totals, and the district period comparison."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl
from scipy.stats import beta, binom, t

from stalking_profile.filters import (
    ROLLING_MONTHS,
    ProfileFilter,
    add_months,
    compares_per_day,
    months_between,
    twelve_months_to,
)
from stalking_profile.measures.categories import (
    CATEGORIES,
    FORCE,
    Areas,
    grid,
    with_category,
    with_roll_ups,
)
from stalking_profile.measures.rates import with_false_discovery_rate


def offence_total(counts: pl.DataFrame) -> int:
    """Offences in a count frame: the sum of `offences` (0 for an empty frame)."""
    return int(counts["offences"].sum()) if counts.height else 0


def monthly_counts(counts: pl.DataFrame, first_month, last_month) -> pl.DataFrame:
    """Offences per recorded month from `first_month` to `last_month`, zero-filled.

    Counts offences by the month of their recorded date; months with no offences appear with 0
    so that trends and rolling totals never skip a month.
    """
    months = pl.DataFrame(
        {"recorded_month": months_between(first_month, last_month)},
        schema={"recorded_month": pl.Date},
    )
    per_month = counts.group_by("recorded_month").agg(pl.col("offences").sum())
    return (
        months.join(per_month, on="recorded_month", how="left")
        .with_columns(pl.col("offences").fill_null(0).cast(pl.Int64))
        .sort("recorded_month")
    )


def rolling_12m(monthly: pl.DataFrame) -> pl.DataFrame:
    """Add the rolling 12-month total and the rolling 12-month monthly average.

    `rolling_12m_total` for month m = offences recorded in m and the 11 months before it (what
    the problem profile calls a "12 month rolling average"); `rolling_12m_average` = that
    total / 12, the true average per month. Both are null until 12 months of data exist.
    """
    return monthly.with_columns(
        pl.col("offences").rolling_sum(window_size=ROLLING_MONTHS).alias("rolling_12m_total"),
    ).with_columns((pl.col("rolling_12m_total") / ROLLING_MONTHS).alias("rolling_12m_average"))


def rolling_12m_series(counts: pl.DataFrame, flt: ProfileFilter, data_first: date) -> pl.DataFrame:
    """Monthly offences with rolling 12-month totals for the filter's months.

    `counts` must reach 11 months before the filter's start (fetch with lookback_months=11)
    for the first months' rolling totals to be complete; months without 12 months of data
    behind them (`data_first`: the data's first month) stay null rather than showing a
    partial total, and rolling_12m_complete says which have 12 (publication mode writes the
    others' blanks as no value, not as withheld). A month the filter has no offence in is a 0
    like any other: taking the first month with one as the data's start left a sparse
    filter's totals out (Calderdale non-DA, December 2019: none, where the 12 months held 25).
    """
    first = twelve_months_to(flt.start_month)
    monthly = rolling_12m(monthly_counts(counts, first, flt.end_month))
    complete = pl.col("recorded_month") >= add_months(data_first, ROLLING_MONTHS - 1)
    monthly = monthly.with_columns(
        *(
            pl.when(complete).then(pl.col(name)).otherwise(None).alias(name)
            for name in ("rolling_12m_total", "rolling_12m_average")
        ),
        complete.alias("rolling_12m_complete"),
    )
    return monthly.filter(pl.col("recorded_month") >= flt.start_month)


def district_category_counts(
    counts: pl.DataFrame, district_codes: list[str], areas: Areas | None = None
) -> pl.DataFrame:
    """Offences per district (and roll-up area) x category (all, domestic, non_domestic).

    Counts offences recorded in the period; one row per district_code, then per roll-up area
    (`areas`: name -> its districts; default "Force" = `district_codes`), and category,
    districts with no offences counting 0.
    """
    areas = {FORCE: district_codes} if areas is None else areas
    totals = (
        with_roll_ups(with_category(counts), areas)
        .group_by("district_code", "category")
        .agg(pl.col("offences").sum())
    )
    return (
        grid(district_code=[*district_codes, *areas], category=list(CATEGORIES))
        .join(totals, on=["district_code", "category"], how="left")
        .with_columns(pl.col("offences").fill_null(0).cast(pl.Int64))
    )


def monthly_district_category_counts(
    counts: pl.DataFrame,
    months: Sequence[date],
    district_codes: list[str],
    areas: Areas | None = None,
) -> pl.DataFrame:
    """district_category_counts for each of `months` at once: offences recorded in the month
    per district (and roll-up area) x category, 0 where none; one row per recorded_month,
    district_code and category, month by month in the order given and within a month in
    district_category_counts' order (a month at a time took 3-4 ms a month however few the
    rows: half the Overview's build at 10 million offences)."""
    areas = {FORCE: district_codes} if areas is None else areas
    keys = ["recorded_month", "district_code", "category"]
    months = list(months)
    totals = (
        with_roll_ups(with_category(counts.filter(pl.col("recorded_month").is_in(months))), areas)
        .group_by(keys)
        .agg(pl.col("offences").sum())
    )
    cells = grid(
        recorded_month=months, district_code=[*district_codes, *areas], category=list(CATEGORIES)
    ).with_columns(pl.col("recorded_month").cast(totals.schema["recorded_month"]))
    return cells.join(totals, on=keys, how="left", maintain_order="left").with_columns(
        pl.col("offences").fill_null(0).cast(pl.Int64)
    )


def change_pct(current: str, previous: str, days: tuple[int, int] = (1, 1)) -> pl.Expr:
    """The percentage change from `previous` to `current` (column names): (current - previous)
    / previous x 100, null when previous is 0 (a change from nothing is not a percentage); of
    offences per day where the periods' `days` (current, previous) differ by more than 1%
    (filters.compares_per_day): (current / days[0]) / (previous / days[1]) x 100 - 100."""
    ratio = pl.col(current) / pl.col(previous)
    if compares_per_day(days):
        ratio = ratio * days[1] / days[0]
    return pl.when(pl.col(previous) > 0).then((ratio - 1) * 100).otherwise(None)


def change_interval(
    current: np.ndarray, previous: np.ndarray, share: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Exact 95% interval of the percentage change between two equal-length periods' counts:
    given n = current + previous, current ~ Binomial(n, r / (1 + r)) for the rate ratio r, so
    the Clopper-Pearson interval of current / n gives r's, then (r - 1) x 100; with periods of
    different lengths (`share` = the current period's share of the days) r is per day. NaN
    where the previous count is 0 (an upper bound of infinity) or both are.

    Calderdale non-DA, 37 against 33 (+12.1%): the change could be anything from -31.8% to +85%
    (as scipy's binomtest(37, 70).proportion_ci(method="exact") gives).

    >>> [round(float(v[0]), 1) for v in change_interval(np.array([37]), np.array([33]))]
    [-31.8, 85.0]
    """
    current = np.asarray(current, dtype=float)
    total = current + np.asarray(previous, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(current > 0, beta.ppf(0.025, current, total - current + 1), 0.0)
        high = np.where(current < total, beta.ppf(0.975, current + 1, total - current), 1.0)
        per_day = (1 - share) / share
        ratio_low, ratio_high = low / (1 - low) * per_day, high / (1 - high) * per_day
    undefined = (total == 0) | (current == total)
    return (
        np.where(undefined, np.nan, (ratio_low - 1) * 100),
        np.where(undefined, np.nan, (ratio_high - 1) * 100),
    )


def poisson_change_p_value(current: int, previous: int, share: float = 0.5) -> float:
    """Two-sided exact p-value that two periods' counts share one Poisson rate per day.

    The conditional binomial test: given n = current + previous, current ~ Binomial(n, share)
    under equal rates, where share = the current period's days / both periods' days (1/2 for
    equal lengths). NaN when both are zero.

    >>> round(poisson_change_p_value(37, 33), 2)
    0.72
    """
    return float(poisson_change_p_values(np.array([current]), np.array([previous]), share)[0])


def poisson_change_p_values(
    current: np.ndarray, previous: np.ndarray, share: float = 0.5
) -> np.ndarray:
    """The same test for many pairs at once: the two-sided p-value is
    min(1, 2 x min(P(X <= k), P(X >= k))) (scipy's binomtest gives the same for share 1/2)."""
    current = np.asarray(current, dtype=np.int64)
    total = current + np.asarray(previous, dtype=np.int64)
    lower = binom.cdf(current, total, share)
    upper = binom.sf(current - 1, total, share)
    p_values = np.minimum(1.0, 2 * np.minimum(lower, upper))
    return np.where(total == 0, np.nan, p_values)


# phi by district (or roll-up area) x category, and the months it was worked out from
DISPERSION_SCHEMA = {
    "district_code": pl.String,
    "category": pl.String,
    "months": pl.Int64,
    "dispersion": pl.Float64,
}


def monthly_dispersion(
    current: pl.DataFrame,
    previous: pl.DataFrame,
    months: tuple[list[date], list[date]],
    district_codes: list[str],
    areas: Areas | None = None,
) -> pl.DataFrame:
    """Overdispersion of each district (and roll-up area) x category's monthly counts over
    the two periods compared: the quasi-Poisson dispersion phi = Pearson X^2 / (n - 2) of the
    model "each period has its own rate per day", where a month's expected count is its
    period's offences per day x the month's days and n is the months of both periods (0 to
    spare: no estimate, phi null). phi near 1 is Poisson; real monthly counts often give 2-3.
    Columns: district_code, category, months, dispersion."""
    rows = []
    for period, frame, period_months in (
        ("current", current, months[0]),
        ("previous", previous, months[1]),
    ):
        if not period_months:
            continue
        counted = monthly_district_category_counts(frame, period_months, district_codes, areas)
        rows.append(
            counted.with_columns(
                pl.lit(period).alias("period"),
                pl.col("recorded_month").dt.days_in_month().cast(pl.Int64).alias("days"),
            ).drop("recorded_month")
        )
    if not rows:
        return pl.DataFrame(schema=DISPERSION_SCHEMA)
    monthly = pl.concat(rows)
    keys = ["district_code", "category"]
    rate = (pl.col("offences").sum() / pl.col("days").sum()).over([*keys, "period"])
    expected = rate * pl.col("days")
    pearson = (
        pl.when(expected > 0).then((pl.col("offences") - expected) ** 2 / expected).otherwise(0.0)
    )
    return (
        monthly.with_columns(pearson.alias("x2"))
        .group_by(keys, maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("months"),
            pl.when(pl.len() > 2).then(pl.col("x2").sum() / (pl.len() - 2)).alias("dispersion"),
        )
    )


BORROWED_PAIRS = 12  # the month-to-month changes a one-month comparison borrows phi from
MIN_BORROWED_PAIRS = 6  # fewer usable than this: no estimate (the exact test applies)


def borrowed_pairs(
    months: tuple[list[date], list[date]], first_month: date, breaks: Sequence[date] = ()
) -> list[tuple[date, date]]:
    """The month-to-month changes a comparison of one month with one month borrows its
    overdispersion from, since two months alone leave no degree of freedom to estimate it:
    the BORROWED_PAIRS pairs of adjacent months before the later month compared, leaving out
    any pair with a month before the data start (`first_month`: a month of no data is no
    change) or across a series-breaking counting-rule change (`breaks`, first months of the
    new series: April 2020's made stalking's count jump threefold). Pairs wholly under the
    old rules are kept for the months just after a change: at their lower level they vary
    less beyond Poisson, if anything (phi grows with the mean where the rate itself varies),
    so the test stays more cautious than the exact one, which July 2020 would otherwise
    fall back to (two pairs since April 2020: -17.6% starred on the exact test). Empty for
    longer comparisons, which estimate phi from their own months (monthly_dispersion), or
    where fewer than MIN_BORROWED_PAIRS are left.

    >>> pairs = borrowed_pairs(([date(2021, 9, 1)], [date(2021, 8, 1)]), date(2018, 4, 1))
    >>> len(pairs), pairs[0], pairs[-1]
    (12, (datetime.date(2020, 8, 1), datetime.date(2020, 9, 1)), (datetime.date(2021, 7, 1), datetime.date(2021, 8, 1)))
    >>> across = borrowed_pairs(([date(2020, 9, 1)], [date(2020, 8, 1)]), date(2018, 4, 1),
    ...     [date(2020, 4, 1)])
    >>> len(across), (date(2020, 3, 1), date(2020, 4, 1)) in across
    (11, False)
    >>> borrowed_pairs(([date(2018, 9, 1)], [date(2018, 8, 1)]), date(2018, 4, 1))
    []
    """
    if len(months[0]) != 1 or len(months[1]) != 1:
        return []
    later = max(months[0][0], months[1][0])
    pairs = [
        (add_months(later, -k - 1), add_months(later, -k)) for k in range(BORROWED_PAIRS, 0, -1)
    ]
    usable = [
        (before, after) for before, after in pairs if before >= first_month and after not in breaks
    ]
    return usable if len(usable) >= MIN_BORROWED_PAIRS else []


def pair_dispersion(
    history: pl.DataFrame,
    pairs: list[tuple[date, date]],
    district_codes: list[str],
    areas: Areas | None = None,
) -> pl.DataFrame:
    """Overdispersion of each district (and roll-up area) x category from month-to-month
    changes (`pairs` of adjacent months, in the count frame `history`): phi = the mean over
    the pairs of (a - n s)^2 / (n s (1 - s)), where a and b are the two months' offences,
    n = a + b and s = a's days / both months' days. Given n, a is binomial (n, s) when both
    months share one Poisson rate per day, so each term's mean is 1 (Poisson) or phi; a
    slow trend barely moves it, as each pair is two neighbouring months. Pairs with n = 0
    are left out, and phi is not estimated (null) where fewer than MIN_BORROWED_PAIRS are
    left. Columns: district_code, category, months (the pairs used + 2, so that
    quasi_poisson_change's months - 2 degrees of freedom are the pairs), dispersion (null
    with too few pairs), pairs."""
    months = sorted({m for pair in pairs for m in pair})
    counted = monthly_district_category_counts(history, months, district_codes, areas)
    per_month = {
        month: counted.filter(pl.col("recorded_month") == month).drop("recorded_month")
        for month in months
    }
    rows = []
    for before, after in pairs:
        share = (add_months(after, 1) - after).days / (
            (add_months(after, 1) - after).days + (add_months(before, 1) - before).days
        )
        rows.append(
            per_month[after]
            .rename({"offences": "a"})
            .join(per_month[before].rename({"offences": "b"}), on=["district_code", "category"])
            .with_columns(pl.lit(share).alias("s"))
        )
    if not rows:
        return pl.DataFrame(schema={**DISPERSION_SCHEMA, "pairs": pl.Int64})
    n = pl.col("a") + pl.col("b")
    term = (pl.col("a") - n * pl.col("s")) ** 2 / (n * pl.col("s") * (1 - pl.col("s")))
    return (
        pl.concat(rows)
        .filter(n > 0)
        .group_by("district_code", "category", maintain_order=True)
        .agg(term.mean().alias("dispersion"), pl.len().cast(pl.Int64).alias("pairs"))
        .with_columns(
            (pl.col("pairs") + 2).alias("months"),
            pl.when(pl.col("pairs") >= MIN_BORROWED_PAIRS).then("dispersion").alias("dispersion"),
        )
        .select("district_code", "category", "months", "dispersion", "pairs")
    )


def quasi_poisson_change(
    current: np.ndarray,
    previous: np.ndarray,
    share: float,
    dispersion: np.ndarray,
    months: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The change allowing for overdispersion (quasi-Poisson): the log rate ratio per day
    b = log((current / previous) x (1 - share) / share) has standard error
    sqrt(phi x (1/current + 1/previous)); the p-value is two-sided from Student's t with
    months - 2 degrees of freedom, and the 95% interval of the % change is
    (exp(b -/+ t x se) - 1) x 100. Returns (p, lower, upper), NaN where either count is 0 or
    phi is not estimated (the exact Poisson test applies there). Checked against statsmodels'
    GLM (Poisson, log days offset, scale = Pearson X^2 / df, t tests)."""
    c, n = np.asarray(current, dtype=float), np.asarray(previous, dtype=float)
    phi = np.asarray(dispersion, dtype=float)
    df = np.asarray(months, dtype=float) - 2
    usable = (c > 0) & (n > 0) & np.isfinite(phi) & (df > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.log(c / n * (1 - share) / share)
        se = np.sqrt(phi * (1 / c + 1 / n))
        p = 2 * t.sf(np.abs(b / se), np.where(usable, df, 1))
        spread = t.ppf(0.975, np.where(usable, df, 1)) * se
        lower, upper = (np.exp(b - spread) - 1) * 100, (np.exp(b + spread) - 1) * 100
    nan = np.full(c.shape, np.nan)
    return np.where(usable, p, nan), np.where(usable, lower, nan), np.where(usable, upper, nan)


def district_period_table(
    current: pl.DataFrame,
    previous: pl.DataFrame,
    district_codes: list[str],
    areas: Areas | None = None,
    days: tuple[int, int] = (1, 1),
    months: tuple[list[date], list[date]] | None = None,
    history: pl.DataFrame | None = None,
    pairs: Sequence[tuple[date, date]] = (),
) -> pl.DataFrame:
    """The profile's comparison table: offences per district x category for the current and
    previous equal-length periods, the % change, and whether the change is more than chance.

    `current` and `previous` are count frames for the two periods (same filter otherwise);
    `areas` are the roll-up columns (see district_category_counts).
    change_pct = (current - previous) / previous x 100 (null when previous is 0), with its exact
    95% interval (change_lower, change_upper: the Clopper-Pearson interval of current / (current
    + previous) turned into a rate ratio); p_value is the exact conditional binomial test of
    equal Poisson rates. Where the periods' `days` differ by more than 1% (months, quarters:
    filters.compares_per_day) all three are of offences per day, so a period with more days
    is expected to hold more offences; otherwise (years, a day apart at most) of the counts,
    as the problem profile compares them. q_value controls the false discovery rate over the
    whole table's tests (Benjamini-Hochberg); significant = q < 0.05.

    With `months` (the two periods' months), each row's overdispersion is estimated from its
    monthly counts (monthly_dispersion); where phi > 1 the p-value and interval are the
    quasi-Poisson ones (quasi_poisson_change), wider than Poisson's, and `dispersion` says
    phi (null: Poisson, not estimated or not above 1). A month compared with one month has no
    months to spare: with `pairs` (borrowed_pairs) and a count frame `history` holding their
    months, phi is borrowed from those month-to-month changes (pair_dispersion), and
    `borrowed_pairs` says how many (null: phi from the months compared, or none).
    """
    now = district_category_counts(current, district_codes, areas)
    before = district_category_counts(previous, district_codes, areas)
    now, before = now.rename({"offences": "current"}), before.rename({"offences": "previous"})
    table = now.join(before, on=["district_code", "category"])
    current_counts, previous_counts = table["current"].to_numpy(), table["previous"].to_numpy()
    # the test and interval are of what change_pct gives: counts, or offences per day
    share = days[0] / (days[0] + days[1]) if compares_per_day(days) else 0.5
    p_values = poisson_change_p_values(current_counts, previous_counts, share)
    lower, upper = change_interval(current_counts, previous_counts, share)
    table = table.with_columns(
        pl.lit(None, dtype=pl.Float64).alias("dispersion"),
        pl.lit(None, dtype=pl.Int64).alias("borrowed_pairs"),
    )
    if months is not None:
        borrowing = bool(pairs) and history is not None
        phi = (
            pair_dispersion(history, list(pairs), district_codes, areas)
            if borrowing and history is not None
            else monthly_dispersion(current, previous, months, district_codes, areas)
        )
        table = table.drop("dispersion", "borrowed_pairs").join(
            phi.select(
                "district_code",
                "category",
                "months",
                "dispersion",
                (pl.col("pairs") if borrowing else pl.lit(None, dtype=pl.Int64)).alias(
                    "borrowed_pairs"
                ),
            ),
            on=["district_code", "category"],
            how="left",
        )
        over = table["dispersion"].fill_null(0.0).to_numpy() > 1
        quasi_p, quasi_low, quasi_high = quasi_poisson_change(
            current_counts,
            previous_counts,
            share,
            np.where(over, table["dispersion"].fill_null(np.nan).to_numpy(), np.nan),
            table["months"].fill_null(0).to_numpy(),
        )
        use = np.isfinite(quasi_p)
        p_values = np.where(use, quasi_p, p_values)
        lower, upper = np.where(use, quasi_low, lower), np.where(use, quasi_high, upper)
        table = table.drop("months").with_columns(
            pl.Series("dispersion", np.where(use, table["dispersion"].to_numpy(), np.nan)).fill_nan(
                None
            ),
            pl.when(pl.Series(use)).then(pl.col("borrowed_pairs")).alias("borrowed_pairs"),
        )

    return with_false_discovery_rate(
        table.with_columns(
            change_pct("current", "previous", days).alias("change_pct"),
            pl.Series("change_lower", lower, dtype=pl.Float64).fill_nan(None),
            pl.Series("change_upper", upper, dtype=pl.Float64).fill_nan(None),
            pl.Series("p_value", p_values, dtype=pl.Float64),
        )
    )


SELECTION = "\x00selection"  # a roll-up name no district code can take


def selection_change(
    current: pl.DataFrame,
    previous: pl.DataFrame,
    days: tuple[int, int],
    months: tuple[list[date], list[date]] | None = None,
    history: pl.DataFrame | None = None,
    pairs: Sequence[tuple[date, date]] = (),
) -> pl.DataFrame:
    """The change in the whole selection's offences, per category (all, domestic,
    non_domestic), by the comparison table's method for one row: the exact conditional
    binomial test of equal rates per day, or, where the selection's months vary more than
    Poisson allows (`months` given, phi > 1), the quasi-Poisson test and interval. So the
    headline change and the table's row for the same districts always agree.
    Columns: category, current, previous, change_pct, change_lower, change_upper, p_value,
    dispersion, borrowed_pairs (a month against a month: phi from `pairs` of months in
    `history`, as district_period_table)."""
    codes = sorted(set(current["district_code"]) | set(previous["district_code"]))
    # the selection's row only: no row's figures depend on another's but the q-values (not
    # returned), and each district's monthly dispersion was most of the Overview's time
    table = district_period_table(
        current, previous, [], {SELECTION: codes}, days, months, history, pairs
    )
    return table.filter(pl.col("district_code") == SELECTION).select(
        "category",
        "current",
        "previous",
        "change_pct",
        "change_lower",
        "change_upper",
        "p_value",
        "dispersion",
        "borrowed_pairs",
    )


def monthly_by_category(counts: pl.DataFrame, first_month, last_month) -> pl.DataFrame:
    """Offences per recorded month x category (domestic, non_domestic), zero-filled."""
    per_month = (
        with_category(counts).group_by("recorded_month", "category").agg(pl.col("offences").sum())
    )
    months = months_between(first_month, last_month)
    return (
        grid(recorded_month=months, category=["domestic", "non_domestic"])
        .join(per_month, on=["recorded_month", "category"], how="left")
        .with_columns(pl.col("offences").fill_null(0).cast(pl.Int64))
        .sort("category", "recorded_month")
    )
