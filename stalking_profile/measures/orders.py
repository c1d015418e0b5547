"""Civil orders and their breaches (the scrutiny review's recommendation 9; seed 004 section 3).

Every measure takes the frame of queries.civil_orders (the contract's civil_order columns) and,
where it needs them, queries.order_breaches (breach_id, order_id, breach_date, crime_ref,
outcome_key, outcome_group) and the period's first and last days. An order is *made* on the
day its interim order or, failing that, its full order was made; it is *in force* on a day
from then until (not including) the day it was discharged, expired or, for an interim order
that never became full, was refused; an order with neither expiry nor discharge runs on. Every
date is as at the extract date: what happened after it is not in the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import polars as pl

from stalking_profile.contract import ORDER_TYPES
from stalking_profile.filters import add_months
from stalking_profile.measures.funnel import poisson_rate_interval
from stalking_profile.measures.rates import (
    SMALL_DENOMINATOR,
    median_and_quartiles,
    with_rate_columns,
)

ALL_TYPES = "All types"
STAGES = ("applied", "interim", "granted", "refused")


def made() -> pl.Expr:
    """The day an order was first made: its interim order, else its full order (null if
    never made)."""
    return pl.min_horizontal(pl.col("interim_date"), pl.col("granted_date"))


def ended(extract: date | None = None) -> pl.Expr:
    """The first day an order was no longer in force: discharged, expired, or refused after an
    interim order (null: still in force, or the extract date when given)."""
    parts = [
        pl.col("discharged_date"),
        pl.col("expiry_date"),
        pl.when(pl.col("granted_date").is_null()).then(pl.col("refused_date")),
    ]
    if extract is not None:
        parts.append(pl.lit(extract) + timedelta(days=1))
    return pl.min_horizontal(parts)


def in_force_on(day: date | pl.Expr, full_only: bool = False) -> pl.Expr:
    """Whether an order was in force on `day` (a full order only, with `full_only`)."""
    start = pl.col("granted_date") if full_only else made()
    stop = ended()
    day_expr = day if isinstance(day, pl.Expr) else pl.lit(day)
    return (start <= day_expr) & (stop.is_null() | (stop > day_expr))


def _with_all_types(frame: pl.DataFrame, keys: list[str], values: list[str]) -> pl.DataFrame:
    """Add an "All types" row (per the other keys) summing `values` over order types."""
    others = [k for k in keys if k != "order_type"]
    total = (
        frame.group_by(others, maintain_order=True).agg(pl.col(values).sum())
        if others
        else frame.select(pl.col(values).sum())
    ).with_columns(pl.lit(ALL_TYPES).alias("order_type"))
    return pl.concat([frame, total.select(frame.columns)], how="vertical_relaxed")


def order_activity(orders: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """What happened to orders in the period (first to last day, inclusive), by order type,
    with an "All types" row:

    - applied: applications made in the period (by applied_date);
    - interim: interim orders made in the period; granted: full orders made in the period;
    - refused: applications refused in the period; withdrawn: applications made in the period
      that were withdrawn (status withdrawn; the records give no date of withdrawal);
    - in_force_end: full orders in force on the period's last day; interim_in_force_end:
      orders in force on that day on an interim order only (awaiting their full hearing);
    - expired, discharged: orders (interim or full) that expired or were discharged in the
      period.
    """
    in_period = {
        "applied": pl.col("applied_date").is_between(start, end),
        "interim": pl.col("interim_date").is_between(start, end),
        "granted": pl.col("granted_date").is_between(start, end),
        "refused": pl.col("refused_date").is_between(start, end),
        "withdrawn": pl.col("applied_date").is_between(start, end)
        & (pl.col("status") == "withdrawn"),
        "in_force_end": in_force_on(end, full_only=True),
        "interim_in_force_end": in_force_on(end)
        & (pl.col("granted_date").is_null() | (pl.col("granted_date") > end)),
        # an order made (a refused application's expiry date is no order's)
        "expired": pl.col("expiry_date").is_between(start, end)
        & made().is_not_null()
        & (pl.col("discharged_date").is_null() | (pl.col("discharged_date") > end)),
        "discharged": pl.col("discharged_date").is_between(start, end),
    }
    counts = orders.group_by("order_type").agg(
        *[
            expr.fill_null(False).sum().cast(pl.Int64).alias(name)
            for name, expr in in_period.items()
        ]
    )
    counts = _all_order_types(orders, counts, list(in_period))
    return _with_all_types(counts, ["order_type"], list(in_period))


def _all_order_types(orders: pl.DataFrame, counts: pl.DataFrame, values: list[str]) -> pl.DataFrame:
    """Counts with a zero row for every order type the store holds but `counts` lacks, in a
    fixed order (the contract's)."""
    present = set(orders["order_type"])
    types = pl.DataFrame(
        {"order_type": [t for t in ORDER_TYPES if t in present]}, schema={"order_type": pl.String}
    )
    return types.join(counts, on="order_type", how="left").with_columns(pl.col(values).fill_null(0))


def orders_by_month(orders: pl.DataFrame, months: list[date]) -> pl.DataFrame:
    """For each month and order type: applied and granted (full orders made) in the month, and
    full orders in force on its last day."""
    rows = []
    for month in months:
        month_end = add_months(month, 1) - timedelta(days=1)
        rows.append(
            orders.group_by("order_type").agg(
                pl.lit(month).alias("month"),
                pl.col("applied_date").is_between(month, month_end).sum().alias("applied"),
                pl.col("granted_date").is_between(month, month_end).sum().alias("granted"),
                in_force_on(month_end, full_only=True).fill_null(False).sum().alias("in_force"),
            )
        )
    schema = {"order_type": pl.String, "month": pl.Date}
    if not rows:
        return pl.DataFrame(
            schema={**schema, "applied": pl.Int64, "granted": pl.Int64, "in_force": pl.Int64}
        )
    frame = pl.concat(rows).with_columns(pl.col("applied", "granted", "in_force").cast(pl.Int64))
    return frame.select("month", "order_type", "applied", "granted", "in_force").sort(
        "month", "order_type"
    )


def take_up(
    orders: pl.DataFrame,
    offences: pl.DataFrame,
    start: date,
    end: date,
    order_types: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Applications per 100 offences, by district and order type (with "All types", and rows
    "All" for the districts together: the page names them, and adds the force's beside a
    subset, categories.beside_force): the orders applied for in the period (by applied_date,
    the applying district) per 100 offences recorded in the period in that district (`offences`:
    district_code, offences, for the filter's offence types and DA choice). per_100 =
    100 x applications / offences, with the exact Poisson interval of the applications
    (per_100_lower, per_100_upper): a rate, not a share (one offence may lead to several
    applications). A row for each of `order_types` (default: the types of `orders`)."""
    applied = (
        orders.filter(pl.col("applied_date").is_between(start, end))
        .group_by("district_code", "order_type")
        .agg(pl.len().cast(pl.Int64).alias("applications"))
    )
    grid = offences.select("district_code").join(
        pl.DataFrame(
            {
                "order_type": sorted(
                    set(orders["order_type"] if order_types is None else order_types)
                )
            },
            schema={"order_type": pl.String},
        ),
        how="cross",
    )
    frame = grid.join(applied, on=["district_code", "order_type"], how="left").with_columns(
        pl.col("applications").fill_null(0)
    )
    frame = _with_all_types(frame, ["district_code", "order_type"], ["applications"])
    frame = frame.join(offences.select("district_code", "offences"), on="district_code")
    force = frame.group_by("order_type", maintain_order=True).agg(
        pl.col("applications").sum(), pl.col("offences").sum()
    )
    force = force.with_columns(pl.lit("All").alias("district_code")).select(frame.columns)
    force = force.sort("order_type")  # "All types" first, as in each district's rows
    frame = pl.concat([frame.sort("district_code", "order_type"), force])
    lower, upper = poisson_rate_interval(
        frame["applications"].to_numpy(), frame["offences"].to_numpy()
    )
    return frame.with_columns(
        pl.when(pl.col("offences") > 0)
        .then(100 * pl.col("applications") / pl.col("offences"))
        .alias("per_100"),
        pl.Series("per_100_lower", lower / 10).fill_nan(None),
        pl.Series("per_100_upper", upper / 10).fill_nan(None),
    )


def _summary_days(days: pl.Expr, name: str) -> list[pl.Expr]:
    """How many applications reached a stage, and the median and quartiles of their days."""
    median, lower, upper = median_and_quartiles(days)
    return [
        days.filter(days.is_not_null()).count().alias(f"{name}_n"),
        median.alias(f"{name}_median"),
        lower.alias(f"{name}_q1"),
        upper.alias(f"{name}_q3"),
    ]


def time_to_order(orders: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """Days from application to interim order and to full order, by order type (with "All
    types"), for applications made in the period that reached that stage by the extract date:
    the count (n), median and quartiles. Applications still waiting are not in these figures
    (pending counts them), so a recent period reads short."""
    applied = orders.filter(pl.col("applied_date").is_between(start, end))
    interim = (pl.col("interim_date") - pl.col("applied_date")).dt.total_days()
    full = (pl.col("granted_date") - pl.col("applied_date")).dt.total_days()
    pending = (
        pl.col("granted_date").is_null()
        & pl.col("refused_date").is_null()
        & (pl.col("status") != "withdrawn")
    )
    aggregates = [
        pl.len().alias("applications"),
        pending.sum().alias("pending"),
        *_summary_days(interim, "interim_days"),
        *_summary_days(full, "full_days"),
    ]
    by_type = applied.group_by("order_type").agg(aggregates)
    every = applied.select(aggregates).with_columns(pl.lit(ALL_TYPES).alias("order_type"))
    frame = pl.concat(
        [by_type.sort("order_type"), every.select(by_type.columns)], how="vertical_relaxed"
    )
    return frame.with_columns(
        pl.col("applications", "pending", "interim_days_n", "full_days_n").cast(pl.Int64)
    )


def _order_spans(orders: pl.DataFrame, extract: date) -> pl.DataFrame:
    return orders.with_columns(made().alias("made"), ended(extract).alias("ended")).filter(
        pl.col("made").is_not_null()
    )


def breaches_in_force(orders: pl.DataFrame, breaches: pl.DataFrame, extract: date) -> pl.DataFrame:
    """The breaches dated while their order was in force: from the day it was made to the day
    before it ended (`ended`: expired, discharged or the extract date). A breach on the expiry
    day was a breach in the breaches table and none in the time to first breach on one page
    (Wakefield DA harassment, November to December 2018); every table now reads these."""
    spans = _order_spans(orders, extract).select("order_id", "made", "ended")
    return (
        breaches.join(spans, on="order_id", how="inner")
        .filter(
            (pl.col("breach_date") >= pl.col("made")) & (pl.col("breach_date") < pl.col("ended"))
        )
        .drop("made", "ended")
    )


def breaches_not_in_force(
    orders: pl.DataFrame, breaches: pl.DataFrame, start: date, end: date, extract: date
) -> int:
    """Breaches recorded in the period (by breach_date, first to last day inclusive) against
    the `orders` that fall outside their order's time in force (before it was made, or on or
    after the day it ended: `breaches_in_force` leaves them out), so counted in no table."""
    in_period = pl.col("breach_date").is_between(start, end)
    kept = breaches_in_force(orders, breaches, extract).filter(in_period).height
    return breaches.filter(in_period).height - kept


def breach_summary(
    orders: pl.DataFrame,
    breaches: pl.DataFrame,
    start: date,
    end: date,
    extract: date,
    small_denominator: int = SMALL_DENOMINATOR,
) -> pl.DataFrame:
    """Breaches per order, by order type (with "All types"): orders_in_force are orders in
    force on any day of the period; breaches those recorded in the period (by breach_date)
    against any order; breaches_per_order = breaches / orders_in_force; orders_breached are the
    orders in force that were breached in the period, rate = orders_breached / orders_in_force
    with its Wilson interval, is_small where orders_in_force are under `small_denominator`."""
    spans = _order_spans(orders, extract).filter(
        (pl.col("made") <= end) & (pl.col("ended") > start)
    )
    in_period = breaches.filter(pl.col("breach_date").is_between(start, end))
    per_order = in_period.group_by("order_id").agg(pl.len().alias("breaches"))
    joined = spans.join(per_order, on="order_id", how="left").with_columns(
        pl.col("breaches").fill_null(0)
    )
    counts = joined.group_by("order_type").agg(
        pl.len().cast(pl.Int64).alias("orders_in_force"),
        (pl.col("breaches") > 0).sum().cast(pl.Int64).alias("orders_breached"),
    )
    all_breaches = (
        in_period.join(orders.select("order_id", "order_type"), on="order_id")
        .group_by("order_type")
        .agg(pl.len().cast(pl.Int64).alias("breaches"))
    )
    values = ["orders_in_force", "orders_breached", "breaches"]
    counts = counts.join(all_breaches, on="order_type", how="full", coalesce=True)
    counts = _all_order_types(orders, counts, values)
    frame = _with_all_types(counts, ["order_type"], values)
    return with_rate_columns(
        frame, "orders_breached", "orders_in_force", small_denominator
    ).with_columns(
        pl.when(pl.col("orders_in_force") > 0)
        .then(pl.col("breaches") / pl.col("orders_in_force"))
        .alias("breaches_per_order")
    )


def kaplan_meier(days: np.ndarray, event: np.ndarray, at: tuple[int, ...]) -> list[float | None]:
    """The Kaplan-Meier estimate of the share with an event within each of `at` days, from
    follow-up `days` and whether the event happened (else the follow-up was cut short: the
    order ended or the data stop). None beyond the longest follow-up, unless everything
    followed up to it had the event there: the estimate is then 100% from that day on (three
    orders breached at 0, 15 and 18 days are all breached within 30 days, not "no estimate")."""
    order = np.argsort(days, kind="stable")
    days, event = days[order], event[order]
    survival = 1.0
    result: list[float | None] = []
    times = np.unique(days[event]) if len(days) else np.array([])
    curve: list[tuple[int, float]] = []
    for time in times:
        at_risk = int((days >= time).sum())
        events = int(((days == time) & event).sum())
        survival *= 1 - events / at_risk
        curve.append((int(time), survival))
    longest = int(days.max()) if len(days) else -1
    all_had_it = bool(curve) and curve[-1] == (longest, 0.0)
    for horizon in at:
        if horizon > longest and not all_had_it:
            result.append(None)
            continue
        surviving = 1.0
        for time, value in curve:
            if time <= horizon:
                surviving = value
        result.append(1 - surviving)
    return result


BREACH_HORIZONS = (30, 90, 180, 365)


def time_to_first_breach(
    orders: pl.DataFrame, breaches: pl.DataFrame, start: date, end: date, extract: date
) -> pl.DataFrame:
    """Time from an order being made to its first breach, for orders made in the period, by
    order type (with "All types"): orders, breached (a first breach by the extract date),
    median_days_to_breach among those breached, and the Kaplan-Meier share breached
    within 30, 90, 180 and 365 days (within_30 ...). An order not breached counts as followed
    up until it ended or the extract date, not as never breached; a share is null when no
    order was followed up that long. No rows where no order was made in the period (a row of
    0 orders with every share blank would read as if they had not been followed long enough)."""
    spans = _order_spans(orders, extract).filter(pl.col("made").is_between(start, end))
    first = breaches.group_by("order_id").agg(pl.col("breach_date").min().alias("first_breach"))
    spans = (
        spans.join(first, on="order_id", how="left")
        .with_columns(
            (
                pl.col("first_breach").is_not_null() & (pl.col("first_breach") < pl.col("ended"))
            ).alias("breached")
        )
        .with_columns(
            pl.when(pl.col("breached"))
            .then(pl.col("first_breach") - pl.col("made"))
            .otherwise(pl.col("ended") - pl.col("made") - timedelta(days=1))
            .dt.total_days()
            .alias("days")
        )
    )
    rows = []
    groups = [
        (t, spans.filter(pl.col("order_type") == t)) for t in sorted(set(spans["order_type"]))
    ]
    for order_type, group in [*groups, (ALL_TYPES, spans)] if spans.height else []:
        shares = kaplan_meier(
            group["days"].to_numpy(), group["breached"].to_numpy().astype(bool), BREACH_HORIZONS
        )
        breached = group.filter(pl.col("breached"))
        rows.append(
            {
                "order_type": order_type,
                "orders": group.height,
                "breached": breached.height,
                "median_days_to_breach": breached["days"].median() if breached.height else None,
                **{f"within_{h}": s for h, s in zip(BREACH_HORIZONS, shares, strict=True)},
            }
        )
    schema = {
        "order_type": pl.String,
        "orders": pl.Int64,
        "breached": pl.Int64,
        "median_days_to_breach": pl.Float64,
        **{f"within_{h}": pl.Float64 for h in BREACH_HORIZONS},
    }
    return pl.DataFrame(rows, schema=schema)


def breach_outcomes(breaches: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """Breaches recorded in the period by the outcome of the breach offence: the Home Office
    outcome group, "No offence recorded" where the breach has no crime reference, and "Open"
    where the breaches file gives it no outcome (the outcome is the breaches file's
    outcome_key, as the force's breach records state it, not the offence's outcome history);
    breaches and share of all breaches in the period."""
    in_period = breaches.filter(pl.col("breach_date").is_between(start, end))
    group = (
        pl.when(pl.col("crime_ref").is_null())
        .then(pl.lit("No offence recorded"))
        .when(pl.col("outcome_key").is_null())
        .then(pl.lit("Open"))
        .otherwise(pl.col("outcome_group"))
    )
    counts = in_period.group_by(group.alias("breach_outcome")).agg(
        pl.len().cast(pl.Int64).alias("breaches")
    )
    total = counts["breaches"].sum()
    return counts.with_columns(
        (pl.col("breaches") / total if total else pl.lit(None, pl.Float64)).alias("share")
    ).sort("breaches", "breach_outcome", descending=[True, False])


def repeat_suspects_without_order(
    offences: pl.DataFrame,
    orders: pl.DataFrame,
    start: date,
    end: date,
    districts: Sequence[str] | None = None,
    small_denominator: int = SMALL_DENOMINATOR,
) -> pl.DataFrame:
    """Offences with a repeat suspect where no order was applied for, by district, with a row
    "All" for `districts` together (default: every district of `offences`; a district with no
    offence has a row of 0). Counted over offences recorded in the period (`offences`:
    recorded_date, district_code, suspect_id): a repeat suspect has two or more of them (in
    any district of `offences`: the page gives the chosen districts', as the Repeats page
    counts repeat suspects); repeat_suspect_offences are their offences in `districts`;
    without_order those whose suspect is the subject of no order applied for on or before the
    period's last day (any type, any district); rate = without_order /
    repeat_suspect_offences with its Wilson interval (is_small: repeat_suspect_offences under
    `small_denominator`); suspects_without_order counts the suspects."""
    period = offences.filter(
        pl.col("recorded_date").is_between(start, end) & pl.col("suspect_id").is_not_null()
    )
    repeat = period.filter(pl.len().over("suspect_id") >= 2)
    if districts is not None:
        repeat = repeat.filter(pl.col("district_code").is_in(list(districts)))
    subjects = orders.filter(pl.col("applied_date") <= end)["subject_id"].drop_nulls().unique()
    flagged = repeat.with_columns(
        (~pl.col("suspect_id").is_in(subjects.implode())).alias("no_order")
    )

    def summary(frame: pl.DataFrame) -> list[pl.Expr]:
        return [
            pl.len().cast(pl.Int64).alias("repeat_suspect_offences"),
            pl.col("no_order").sum().cast(pl.Int64).alias("without_order"),
            pl.col("suspect_id")
            .filter(pl.col("no_order"))
            .n_unique()
            .cast(pl.Int64)
            .alias("suspects_without_order"),
        ]

    codes = sorted(set(offences["district_code"])) if districts is None else sorted(districts)
    rows = pl.DataFrame({"district_code": codes}, schema={"district_code": pl.String})
    by_district = rows.join(
        flagged.group_by("district_code").agg(summary(flagged)), on="district_code", how="left"
    ).fill_null(0)
    force = flagged.select(summary(flagged)).with_columns(pl.lit("All").alias("district_code"))
    frame = pl.concat([by_district, force.select(by_district.columns)], how="vertical_relaxed")
    return with_rate_columns(frame, "without_order", "repeat_suspect_offences", small_denominator)
