"""Counting-rule and law changes that break stalking and harassment series.

A small, documented, editable list (`reference/recording_rule_changes.csv`, from
`shared/reference/recording_rule_changes.csv` and its sources): trend charts mark each change in
their range, and SPC limits are recalculated from the changes that break a series.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from importlib import resources
from io import StringIO

import polars as pl

from stalking_profile.filters import add_months


@cache
def _all_changes() -> pl.DataFrame:
    text = (
        resources.files("stalking_profile")
        .joinpath("reference/recording_rule_changes.csv")
        .read_text(encoding="utf-8")
    )
    return pl.read_csv(StringIO(text), try_parse_dates=True).with_columns(
        pl.col("offence_types").str.split(";"),
    )


def every_change() -> pl.DataFrame:
    """Every change as listed, for the Definitions page (breaks_series: whether it breaks a
    series of the type it affects, or of either type it moves offences between)."""
    return _all_changes().sort("date")


def recording_rule_changes(
    offence_types: tuple[str, ...], start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """The changes affecting any of `offence_types`, dated within [start, end] if given.

    Columns: date, label, what_changed, effect_on_series, offence_types, breaks_series,
    moves_between_types, source, confidence. A change that moves offences between the types it
    names (stalking split from harassment in 2014, former partners' conduct recorded as
    stalking in 2020) breaks no series holding all of them: stalking and harassment together
    are the continuous series (the Overview warned of April 2020 for both; helper 53).
    """
    types = list(offence_types)
    named = pl.col("offence_types").list.eval(pl.element().is_in(types))
    changes = _all_changes().filter(named.list.any())
    changes = changes.with_columns(
        pl.col("breaks_series") & ~(pl.col("moves_between_types") & named.list.all())
    )
    if start is not None:
        changes = changes.filter(pl.col("date") >= start)
    if end is not None:
        changes = changes.filter(pl.col("date") <= end)
    return changes.sort("date")


def changes_between(offence_types: tuple[str, ...], before: date, after_end: date) -> pl.DataFrame:
    """The series-breaking changes that fall between two periods being compared: after the
    first month of the earlier one and on or before the last of the later one. A comparison
    across one of these measures the rule as well as the behaviour."""
    return recording_rule_changes(offence_types, before, after_end).filter(
        pl.col("breaks_series") & (pl.col("date") > before)
    )


def lookbacks_across_changes(
    offence_types: tuple[str, ...], start: date, end: date, data_start: date, days: int = 365
) -> pl.DataFrame:
    """The months from `start` to `end` whose offences look back `days` days (a repeat within
    12 months) across a series-breaking change for the offence types: an offence on or after
    the change and under `days` days after it counts earlier offences recorded under the old
    rule, if the data (from `data_start`) hold any: a change on or before the data's first
    day has none before it. Columns: first_month, last_month (of those months), date, label
    (of the change)."""
    last_day = add_months(end, 1) - timedelta(days=1)  # the end month's last day
    changes = recording_rule_changes(offence_types, start - timedelta(days=days), last_day)
    rows = []
    later = pl.col("breaks_series") & (pl.col("date") > data_start)
    for change in changes.filter(later).iter_rows(named=True):
        changed: date = change["date"]
        first = max(start, changed.replace(day=1))
        last = min(end, (changed + timedelta(days=days - 1)).replace(day=1))
        if first <= last:
            rows.append((first, last, changed, change["label"]))
    return pl.DataFrame(
        rows,
        schema={
            "first_month": pl.Date,
            "last_month": pl.Date,
            "date": pl.Date,
            "label": pl.String,
        },
        orient="row",
    )


def series_breaks(offence_types: tuple[str, ...], start: date, end: date) -> list[date]:
    """First months of the partitions for SPC limits: the series-breaking changes strictly
    after `start` and on or before `end`, as the first day of their month."""
    changes = recording_rule_changes(offence_types, start, end).filter(pl.col("breaks_series"))
    return [d.replace(day=1) for d in changes["date"].to_list() if d.replace(day=1) > start]
