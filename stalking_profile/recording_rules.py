"""Counting-rule and law changes that break stalking and harassment series.

A small, documented, editable list (`reference/recording_rule_changes.csv`, from
`shared/reference/recording_rule_changes.csv` and its sources): trend charts mark each change in
their range, and SPC limits are recalculated from the changes that break a series.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from io import StringIO

import polars as pl


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


def series_breaks(offence_types: tuple[str, ...], start: date, end: date) -> list[date]:
    """First months of the partitions for SPC limits: the series-breaking changes strictly
    after `start` and on or before `end`, as the first day of their month."""
    changes = recording_rule_changes(offence_types, start, end).filter(pl.col("breaks_series"))
    return [d.replace(day=1) for d in changes["date"].to_list() if d.replace(day=1) > start]
