"""Outcomes: each offence's latest outcome as at the extract date, tabulated and as rates."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from stalking_profile import contract
from stalking_profile.measures.categories import (
    CATEGORIES,
    FORCE,
    Areas,
    grid,
    offences_where,
    with_category,
    with_roll_ups,
)
from stalking_profile.measures.indicators import shown_in
from stalking_profile.measures.rates import SMALL_DENOMINATOR, with_rate_columns
from stalking_profile.rounding import percent_text

OPEN_LABEL = "(blank)"
TOTALS = "Totals"  # the outcome table's last row: each area's offences
# Outcomes 1-8 as the problem profile counts them: charge/summons, cautions, TIC, penalty
# notices, cannabis/khat warnings and community resolutions, WITHOUT outcome 5 (offender died),
# likeliest grouped by the Home Office with prosecution prevented (not confirmed). 154 of 5,668 = 2.7% in the profile.
OUTCOME_1_8_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            str(row["outcome_code"])
            for row in contract.outcome_type_rows()
            if row["counts_in_outcome_1_8"]
        },
        key=lambda c: (int(c.rstrip("A")), c),
    )
)


def outcome_table(
    counts: pl.DataFrame,
    outcome_types: pl.DataFrame,
    district_codes: list[str],
    areas: Areas | None = None,
) -> pl.DataFrame:
    """Offences by latest outcome x district, in the problem profile's shape.

    One row per outcome key present (in the framework's order), then "(blank)" for offences
    with no outcome yet, then "Totals"; one column per district, then one per roll-up area
    (`areas`: name -> its districts; default a "Force" column over `district_codes`). Counts
    offences recorded in the period by their latest outcome on or before the extract date.
    """
    areas = {FORCE: district_codes} if areas is None else areas
    columns = [*district_codes, *areas]
    keyed = counts.with_columns(pl.col("outcome_key").fill_null(OPEN_LABEL))
    wide = (
        keyed.group_by("outcome_key", "district_code")
        .agg(pl.col("offences").sum())
        .pivot(on="district_code", index="outcome_key", values="offences")
    )
    every = sorted({code for codes in areas.values() for code in codes} | set(district_codes))
    for code in every:
        if code not in wide.columns:
            wide = wide.with_columns(pl.lit(0, dtype=pl.Int64).alias(code))
    labels = outcome_types.select("outcome_key", "outcome_code", "label", "sort_order").vstack(
        pl.DataFrame(
            {
                "outcome_key": [OPEN_LABEL],
                "outcome_code": [""],
                "label": [OPEN_LABEL],
                "sort_order": [10**6],
            },
            schema=outcome_types.select(
                "outcome_key", "outcome_code", "label", "sort_order"
            ).schema,
        )
    )
    body = (
        wide.join(labels, on="outcome_key", how="left")
        .with_columns(pl.col(code).fill_null(0).cast(pl.Int64) for code in every)
        .with_columns(
            pl.sum_horizontal([pl.lit(0, dtype=pl.Int64), *codes]).alias(name)
            for name, codes in areas.items()
        )
        .sort("sort_order")
        .select("outcome_key", "outcome_code", "label", *columns)
    )
    totals = body.select(
        pl.lit(TOTALS).alias("outcome_key"),
        pl.lit("").alias("outcome_code"),
        pl.lit(TOTALS).alias("label"),
        *[pl.col(c).sum() for c in columns],
    )
    return pl.concat([body, totals])


def outcome_rates_by_category(
    counts: pl.DataFrame, small_denominator: int = SMALL_DENOMINATOR
) -> pl.DataFrame:
    """Outcome 1-8, 15, 16, 18 and open rates by category (domestic, non_domestic, all), from a
    frame of queries.offence_counts.

    numerator = offences recorded in the period whose latest outcome (as at the extract date)
    is in the set (open: has none); denominator = all offences recorded in the period in the
    category. With 95% Wilson intervals.
    """
    base = with_roll_ups(with_category(counts))
    shown = shown_in("outcomes")
    aggregations = [pl.col("offences").sum().alias("denominator")]
    aggregations += [pl.col(ind.column).sum().alias(ind.key) for ind in shown]
    wide = (
        grid(category=list(CATEGORIES))
        .join(base.group_by("category").agg(aggregations), on="category", how="left")
        .fill_null(0)
    )
    long = wide.unpivot(
        index=["category", "denominator"],
        on=[ind.key for ind in shown],
        variable_name="outcome",
        value_name="numerator",
    )
    long = long.with_columns(
        pl.col("outcome").replace_strict({ind.key: ind.label for ind in shown}).alias("label"),
        pl.col("outcome")
        .replace_strict({ind.key: ind.description for ind in shown})
        .alias("description"),
    )

    return with_rate_columns(
        long.cast({"numerator": pl.Int64, "denominator": pl.Int64}),
        small_denominator=small_denominator,
    )


OPEN_GROUP = "Open"  # the outcome group of an offence with no outcome yet (its short name)


def outcome_group_table(counts: pl.DataFrame, outcome_types: pl.DataFrame) -> pl.DataFrame:
    """Offences by Home Office outcome group (latest outcome as at the extract date; "Open" for
    none) and category, with each group's share of the category's offences recorded in the
    period."""
    groups = outcome_types.select(
        "outcome_key", "outcome_group", "group_short", pl.col("sort_order").alias("_order")
    )
    first_order = groups.group_by("outcome_group").agg(pl.col("_order").min().alias("group_order"))
    keyed = (
        with_roll_ups(with_category(counts))
        .join(groups, on="outcome_key", how="left")
        .with_columns(
            pl.col("outcome_group").fill_null("Open (no outcome yet)"),
            pl.col("group_short").fill_null(OPEN_GROUP),
        )
    )
    table = keyed.group_by("category", "outcome_group", "group_short").agg(pl.col("offences").sum())
    totals = keyed.group_by("category").agg(pl.col("offences").sum().alias("category_total"))
    return (
        table.join(totals, on="category")
        .join(first_order, on="outcome_group", how="left")
        .with_columns(
            (pl.col("offences") / pl.col("category_total")).alias("share"),
            pl.col("group_order").fill_null(10**6),
        )
        .sort("category", "group_order")
        .drop("group_order")
    )


def median_days_to_outcome(days: pl.DataFrame) -> pl.DataFrame:
    """Median days from recording to the latest outcome, by outcome group and category.

    Over offences recorded in the period that have an outcome as at the extract date (open ones
    are excluded: they have no time yet). `days` is the histogram from queries.outcome_days.
    The median is the lower middle value: the lowest day count at which at least half the
    offences have their outcome.
    """
    base = (
        with_roll_ups(with_category(days))
        .group_by("category", "outcome_group", "group_short", "days_to_outcome")
        .agg(pl.col("offences").sum())
    )
    return (
        base.sort("days_to_outcome")
        .with_columns(
            pl.col("offences").cum_sum().over("category", "outcome_group").alias("_cumulative"),
            pl.col("offences")
            .sum()
            .over("category", "outcome_group")
            .alias("offences_with_outcome"),
        )
        .filter(pl.col("_cumulative") >= pl.col("offences_with_outcome") / 2)
        .group_by("category", "outcome_group", "group_short")
        .agg(
            pl.col("days_to_outcome").first().alias("median_days"),
            pl.col("offences_with_outcome").first(),
        )
        .sort("category", "median_days", "outcome_group")  # ties by name, the same every time
    )


def outcome_share_table(table: pl.DataFrame) -> pl.DataFrame:
    """The outcome table (from outcome_table) as percentages of each district or area
    column's total offences (its Totals row); null where a column has no offences."""
    totals = table.filter(pl.col("outcome_key") == TOTALS).row(0, named=True)
    columns = [
        name for name in table.columns if name not in ("outcome_key", "outcome_code", "label")
    ]
    return table.filter(pl.col("outcome_key") != TOTALS).with_columns(
        pl.col(code) / totals[code] * 100
        if totals[code]
        else pl.lit(None, dtype=pl.Float64).alias(code)
        for code in columns
    )


HORIZONS = (90, 180)  # days after recording at which outcome rates are read


def provisional_note(
    open_offences: int | None, offences: int | None, extract_date: date | None, period_end: date
) -> str:
    """What the period's outcome rates (each over every offence recorded in it, open ones
    included) cannot count yet, said beside them: how many of its `offences` had no outcome
    at the extract date, where that count may be shown; where it may not (`open_offences`
    None: publication mode withholds small counts), whether the period's last day
    (`period_end`) is under the first horizon (90 days) before the extract date. '' when
    nothing is open, or nothing is known. A meeting read January 2022's "Outcome 16 rate
    16.3%" beside 43.1% for the year, as plain figures, with 71% of January's offences still
    open (helper 94)."""
    if extract_date is None:
        return ""
    extract = f"{extract_date.day} {extract_date:%B %Y}"
    if open_offences is not None and offences:
        if open_offences == 0:
            return ""
        return (
            f"Provisional: {open_offences:,} of the period's {offences:,} offences "
            f"({percent_text(open_offences / offences)}) had no outcome at the extract date "
            f"({extract}). Each outcome rate counts them in its denominator, not its "
            "numerator, so the rates will change as they close."
        )
    cut_off = extract_date - timedelta(days=HORIZONS[0])
    if period_end <= cut_off:
        return ""
    return (
        f"Provisional: the period's offences recorded in the {HORIZONS[0]} days before the "
        f"extract date ({extract}) have had little time to reach an outcome, and count in "
        "each outcome rate's denominator until they do, so the rates will change."
    )


MIN_FOR_MEDIAN = 20  # fewer outcomes than this in a group: no median time is given


def outcome_within(
    follow_up: pl.DataFrame, small_denominator: int = SMALL_DENOMINATOR
) -> pl.DataFrame:
    """Outcome within 90 and 180 days, by category: numerator = offences whose outcome as at
    the extract date (the latest, as the outcome groups count it) is dated within H days of
    being recorded: one given an outcome and later another counts at the later date (an 18 at
    day 26 replaced by a 15 at day 153 is not within 90 days), as the Home Office's outcomes
    as at an extract are; denominator = offences recorded at least H days before
    the extract date (whose H days are all observed), so open offences count and recent ones
    do not pull the rate down. With 95% Wilson intervals; `followed_share` is the share of the
    period's offences that the rate can use (the rest are recorded too recently).

    `follow_up` is the frame of queries.outcome_follow_up.
    """
    by_domestic = follow_up.group_by("is_domestic").agg(  # summed first: 2 rows to roll up
        pl.col("offences").sum().alias("recorded"),
        *(
            expression.alias(f"{name}_{horizon}")
            for horizon in HORIZONS
            for name, expression in (
                ("numerator", _within_sum(horizon, pl.col(f"followed_{horizon}"))),
                ("denominator", offences_where(pl.col(f"followed_{horizon}"))),
            )
        ),
    )
    base = with_roll_ups(with_category(by_domestic))
    labels = {horizon: f"Outcome within {horizon} days" for horizon in HORIZONS}
    rows = [
        base.group_by("category")
        .agg(
            pl.col(f"numerator_{horizon}").sum().alias("numerator"),
            pl.col(f"denominator_{horizon}").sum().alias("denominator"),
            pl.col("recorded").sum(),
        )
        .with_columns(pl.lit(label).alias("label"))
        for horizon, label in labels.items()
    ]
    table = (  # every horizon and category, 0 where none (no offences: no label was left)
        grid(label=list(labels.values()), category=list(CATEGORIES))
        .join(pl.concat(rows), on=["label", "category"], how="left")
        .with_columns(pl.col("numerator", "denominator", "recorded").fill_null(0).cast(pl.Int64))
        .with_columns(
            pl.when(pl.col("recorded") > 0)
            .then(pl.col("denominator") / pl.col("recorded"))
            .otherwise(None)
            .alias("followed_share")
        )
    )
    return with_rate_columns(table, small_denominator=small_denominator).sort("label", "category")


def _within_sum(horizon: int, among: pl.Expr | None = None) -> pl.Expr:
    """Offences with an outcome within `horizon` days of being recorded (of those `among`)."""
    condition = pl.col("has_outcome") & (pl.col("days") <= horizon)
    return offences_where(condition if among is None else among & condition)


def outcome_within_by_month(
    follow_up: pl.DataFrame,
    horizon: int = HORIZONS[0],
    small_denominator: int = SMALL_DENOMINATOR,
) -> pl.DataFrame:
    """Outcome within `horizon` days by month recorded and category, for the months whose
    follow-up is complete: numerator = the month's offences with an outcome within `horizon`
    days of being recorded; denominator = the month's offences. A month is complete when every
    offence in it was recorded at least `horizon` days before the extract date; later months
    are left out (their rates would read low only because their cases are still open: see
    first_incomplete_month). With 95% Wilson intervals.
    Columns: recorded_month, category, numerator, denominator, rate, lower, upper, is_small.

    `follow_up` is the frame of queries.outcome_follow_up."""
    followed = pl.col(f"followed_{horizon}")
    by_domestic = follow_up.group_by("recorded_month", "is_domestic").agg(  # summed first
        _within_sum(horizon).alias("numerator"),
        pl.col("offences").sum().alias("denominator"),
        offences_where(~followed).alias("unfollowed"),
    )
    monthly = (
        with_roll_ups(with_category(by_domestic))
        .group_by("recorded_month", "category")
        .agg(
            pl.col("numerator", "denominator").sum(),
            (pl.col("unfollowed").sum() == 0).alias("complete"),
        )
        .filter(pl.col("complete").all().over("recorded_month"))
        .drop("complete")
        .with_columns(pl.col("numerator", "denominator").cast(pl.Int64))
        .sort("recorded_month", "category")
    )
    return with_rate_columns(monthly, small_denominator=small_denominator)


def first_incomplete_month(extract_date: date, horizon: int = HORIZONS[0]) -> date:
    """The first month with an offence recorded fewer than `horizon` days before the extract
    date: from it on, an outcome rate within `horizon` days cannot yet be read."""
    first_unfollowed = extract_date - timedelta(days=horizon - 1)
    return first_unfollowed.replace(day=1)


def kaplan_meier_median(
    days: np.ndarray, event: np.ndarray, weights: np.ndarray
) -> tuple[float, float, float]:
    """The Kaplan-Meier median of `days` (`event` false: censored there; `weights`: how many
    offences each row stands for) and its 95% interval, as lifelines' KaplanMeierFitter gives
    them: the first day the survival falls to 0.5 or below, and the days the exponential
    Greenwood bounds do (Kalbfleisch and Prentice). Infinite where a curve never falls that
    far. Fitted here because lifelines took 25 ms a fit at 10 million offences."""
    from scipy.special import ndtri

    times, index = np.unique(days, return_inverse=True)
    removed = np.bincount(index, weights=weights, minlength=len(times))
    observed = np.bincount(index, weights=np.where(event, weights, 0), minlength=len(times))
    at_risk = removed.sum() - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.exp(np.cumsum(np.log(at_risk - observed) - np.log(at_risk)))
        step = observed / (at_risk * (at_risk - observed))
        variance = np.cumsum(np.where(np.isinf(step), 0.0, step))
        log_survival = np.log(survival)
        spread = ndtri(0.975) * np.sqrt(variance) / log_survival
        bounds = [
            np.nan_to_num(np.exp(-np.exp(np.log(-log_survival) + sign * spread)), nan=1.0)
            for sign in (-1, 1)
        ]

    def first_at_or_below_half(curve: np.ndarray) -> float:
        below = np.flatnonzero(curve <= 0.5)
        return float(times[below[0]]) if len(below) else float("inf")

    lower, upper = (first_at_or_below_half(curve) for curve in bounds)
    return first_at_or_below_half(survival), lower, upper


def time_to_outcome(follow_up: pl.DataFrame) -> pl.DataFrame:
    """Kaplan-Meier median days from recording to the outcome as at the extract date (the
    latest, as in outcome_within), by category, counting open
    offences as followed up to the extract date (censored) instead of leaving them out; with
    the 95% interval of the median. A group with fewer than MIN_FOR_MEDIAN outcomes, or whose
    curve never falls to half, has no median (null) and says so in `note`."""
    by_day = (  # one row per day and event: the same curve from far fewer rows
        follow_up.filter(pl.col("offences") > 0)
        .group_by("is_domestic", "days", "has_outcome")
        .agg(pl.col("offences").sum())
    )
    curves = (
        with_roll_ups(with_category(by_day))
        .group_by("category", "days", "has_outcome")
        .agg(pl.col("offences").sum())
        .sort("days", "has_outcome")
        .partition_by("category", as_dict=True, include_key=False)
    )
    no_offences = by_day.clear().select("days", "has_outcome", "offences")
    rows = []
    for category in CATEGORIES:
        part = curves.get((category,), no_offences)
        outcomes = int(part.filter(pl.col("has_outcome"))["offences"].sum())
        row: dict[str, object] = {
            "category": category,
            "offences": int(part["offences"].sum()),
            "offences_with_outcome": outcomes,
            "median_days": None,
            "median_lower": None,
            "median_upper": None,
            "note": "",
        }
        if outcomes < MIN_FOR_MEDIAN:
            row["note"] = f"fewer than {MIN_FOR_MEDIAN} outcomes: no median"
        else:
            median, *bounds = kaplan_meier_median(
                part["days"].to_numpy(),
                part["has_outcome"].to_numpy(),
                part["offences"].to_numpy(),
            )
            finite = [None if not np.isfinite(v) else float(v) for v in (median, *sorted(bounds))]
            row.update(median_days=finite[0], median_lower=finite[1], median_upper=finite[2])
            if finite[0] is None:
                row["note"] = "under half have an outcome yet: no median"
        rows.append(row)
    return pl.DataFrame(
        rows,
        schema={
            "category": pl.String,
            "offences": pl.Int64,
            "offences_with_outcome": pl.Int64,
            "median_days": pl.Float64,
            "median_lower": pl.Float64,
            "median_upper": pl.Float64,
            "note": pl.String,
        },
    )


def unconfirmed_groups_note() -> str:
    """Which outcome types are in a group no published source confirms (the reference's
    group_confirmed = false, for the types themselves: not 1A/2A/3A, which take their parent's
    group, nor 19, not used for police-recorded crime), said beside the groups."""
    rows = [
        row
        for row in contract.outcome_type_rows()
        if not row["group_confirmed"]
        and row["outcome_key"] == row["outcome_code"]
        and str(row["outcome_code"]).isdigit()
        and row["outcome_group"] != "Not used for police-recorded crime"
    ]
    if not rows:
        return ""
    by_group: dict[str, list[str]] = {}
    for row in rows:
        name = str(row["official_name"]).lower()
        by_group.setdefault(str(row["outcome_group"]), []).append(f"{row['outcome_code']} ({name})")
    placed = "; ".join(f"{' and '.join(types)} in '{group}'" for group, types in by_group.items())
    return f"Outcomes {placed}: the likeliest group, not one a published source confirms."
