"""Publication mode: what a commissioner's office receives (primary suppression).

Applied in the package to everything a panel returns when the gateway's access requires it
(`Gateway.publication`), so no page can show or download a small number to such a role:

- in tables, a whole-number value from 1 to the threshold - 1 (a count) becomes null, and the
  rates, intervals, p-values, overdispersion and test verdicts of its row go with it (a rate
  with its denominator would give the count back), as do the median and quartiles of n values
  with a small n; text cells that are such a number, and percentages shown as text in its
  row, show "suppressed" (not "<threshold": a secondary suppression shows "suppressed" too,
  and a reader who could tell them apart would know the small ones are under the threshold,
  which the attacker's audit does not assume);
- in figures, such values in every trace's data, labels and hover text are removed;
- single counts (for example offences without a known ward) become None.

Zero is not suppressed (it discloses no one). For district tables published with their totals
(the outcome tables), secondary suppression (disclosure.py) hides further cells until no small
count can be recovered by subtraction - proven by an attacker's audit. Across the tables of a
meeting pack (DA + non-DA = all, months = the period) linked_tables.py does the same.
"""

from __future__ import annotations

import dataclasses
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

import numpy as np
import plotly.graph_objects as go
import polars as pl

from stalking_profile.charts import META_NOT_COUNTS, LazyFigures, copy_figure
from stalking_profile.db import Gateway
from stalking_profile.disclosure import Key, LinearSystem, protect_system
from stalking_profile.filters import DOMESTIC_CHOICES
from stalking_profile.measures.outcomes import TOTALS
from stalking_profile.tables import SUPPRESSED, column_for, python_values

P = ParamSpec("P")
R = TypeVar("R")
# a count as text, alone or with the headline's "before" ("4,295 before": helper 54 found
# "1 before" shown in publication mode, a small count the pattern without it let through)
_WHOLE_NUMBER_TEXT = re.compile(r"^\s*(\d{1,3}(?:,\d{3})*)(\s+(?:a year )?before)?\s*$")
_TRACE_ARRAYS = ("x", "y", "z", "values", "text", "customdata", "hovertext", "r")


def unpublishable(
    districts: tuple[str, ...],
    every_district: tuple[str, ...],
    offence_types: tuple[str, ...],
    may_switch_off: bool = True,
) -> str:
    """Why publication mode shows no figures for this choice ("" when it does). Publication
    mode shows the whole force (whose pages give each district's rows) and one offence type
    at a time, each protected for every page. A district's own pages, protected apart from
    the force's, gave its withheld counts back beside the force's for the same period
    (September 2021: the force's Risk page's 112 arrests less its 110 DA gave the 2 non-DA
    both withheld; the force less the other four districts' DA offences gave Calderdale's 44,
    and its 46 in all its 2 non-DA), as did a selection of some districts (the force's 36
    non-DA offences less the other four districts' 34 gave Calderdale's 2); protecting the
    force and its districts as one took a minute for one year of the demo's six linked pages
    (docs/performance.md). Stalking and harassment together, beside one of them, gave the
    other's (67 district-months of 2021 on the demo). `may_switch_off`: whether the role may
    turn publication mode off (a commissioner's office, always in it, was told to)."""
    why, change = [], []
    if len(districts) < len(every_district):
        why.append(
            "the whole force, whose pages give each district's rows (a district's own "
            "figures, beside the force's for the same period, would give withheld counts "
            "back by subtraction)"
        )
        change.append("select every district")
    if len(offence_types) > 1:
        why.append(
            "one offence type at a time (stalking and harassment together, beside one of "
            "them, would give the other's withheld counts back)"
        )
        change.append("choose one offence type")
    if not why:
        return ""
    return f"Publication mode shows {' and '.join(why)}: {' and '.join(change)} in the sidebar." + (
        " Switch publication mode off for the figures of this choice." if may_switch_off else ""
    )


def is_small(value: Any, below: int) -> bool:
    """A count from 1 to `below` - 1: a whole number (int, integral float or its text)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, numbers.Real):  # Python and NumPy numbers alike
        number = float(value)
        return number.is_integer() and 1 <= number < below
    if isinstance(value, str) and (found := _WHOLE_NUMBER_TEXT.match(value)):
        return 1 <= int(found.group(1).replace(",", "")) < below
    return False


# Numbers that are not counts of offences or people: positions, keys, years, file row counts.
NOT_COUNTS = frozenset(
    {"rank", "row_number", "population", "months", "year", "rows_read", "rows_accepted"}
    | {"partition", "moving_range"}  # an SPC chart's partition and month-to-month change
    | {"borrowed_pairs"}  # the month-to-month changes a one-month change test borrows phi from
    | {"median_days", "median_lower", "median_upper"}  # days to an outcome
    | {"lower_quartile_days", "upper_quartile_days"}  # days between a suspect's offences
    | {"rows_rejected", "rows_refused", "import_id", "event_id"}
    # a ward's change: the difference of two counts shown beside it, withheld with either
    # (map_panels._without_counts); as a count, a change of 1 to 4 withheld the ward's rate
    # and ranked it last (Gipton and Harehills, 52 offences, 25th of Leeds's wards)
    | {"change"}
    # the emerging hotspots' quarters a ward was hot or cold in: 1 to 4 of them is no small
    # number of anything (withheld with the categories while a ward's count is)
    | {"periods_hot", "periods_cold"}
)


# Days, medians, quartiles and ratios: whole numbers that count no offences or people.
NOT_COUNT_ENDINGS: tuple[str, ...] = (
    *("_key", "_id", "_code", "_median", "_q1", "_q3", "_to_breach", "per_100"),
    *("_per_order", "dispersion", "days_since", "interval_days"),
)


def _is_count_column(name: str) -> bool:
    return name not in NOT_COUNTS and not name.endswith(NOT_COUNT_ENDINGS)


def _is_fraction(name: str) -> bool:
    """A rate, share or interval bound between 0 and 1 (tables.COLUMNS: a percentage): never
    a count, whatever its value. Withheld with a small count in its row; read as a count, a
    rate of 100% was a "1" (Calderdale non-DA, July to September 2021: 5 of the 11 offences
    followed up 90 days had an outcome, all 11 were followed up, and the 45.5% was withheld).
    A p- or q-value too: p = 1.000 was read as a count of 1, and withheld its change with it
    (helper 55: 54 change rows, the force's non-DA November 2021 among them, 46 against 46)."""
    return column_for(name).kind in ("percent", "p_value")


# Rates that are not counts, yet give one back beside their denominator (applications per 100
# offences beside the offences), and the overdispersion of a row's months (phi gives its
# monthly counts back beside the period's): withheld with a small count in their row, as
# other rates are; so is the verdict of a test on that count.
RATE_ENDINGS: tuple[str, ...] = ("per_100", "_per_order", "dispersion")
TEST_VERDICTS = frozenset({"significant"})
# withheld in a row with a small count: the verdicts, the small-numbers flag (whether the
# denominator is under 30 bounds a withheld one, and told a small count's blank from others)
# and the name of the test chosen (the exact test where an expected count is under 5)
WITH_THE_ROW = TEST_VERDICTS | {"is_small", "told_is_small", "test"}
# A median or quartile of n values gives n back when n is small (one value, or the midpoint of
# two): `X_median`, `X_q1` and `X_q3` are withheld with their `X_n`.
SUMMARY_ENDINGS: tuple[str, ...] = ("_median", "_q1", "_q3")


# Medians and quartiles named otherwise, and the count of the values each summarises (the
# first of these the table has); and a figure worked out from one count alone, withheld with it
# only (the rolling 12-month average is the rolling total / 12: it was withheld beside the
# total shown wherever a month was small).
SUMMARISED_BY = {
    # the Outcomes page's days to outcome; the Repeats page's days between a suspect's
    # offences (one interval's median is its value: it was shown beside its withheld 1)
    "median_days": ("offences_with_outcome", "gaps"),
    "lower_quartile_days": ("gaps",),
    "upper_quartile_days": ("gaps",),
    # the Civil orders page's days to a first breach (2 breached: the median was their midpoint)
    "median_days_to_breach": ("breached",),
    "rolling_12m_average": ("rolling_12m_total",),
}


def _summarised(name: str, columns: list[str]) -> str | None:
    """The count of `columns` a median or quartile column summarises (`full_days_q1` ->
    `full_days_n`; `median_days` -> `offences_with_outcome` or `gaps`)."""
    if name in SUMMARISED_BY:
        return next((count for count in SUMMARISED_BY[name] if count in columns), None)
    for ending in SUMMARY_ENDINGS:
        if name.endswith(ending):
            return name.removesuffix(ending) + "_n"
    return None


FORCE, SELECTED = "Force", "Selected districts"


REST = "__rest"  # districts outside the selection, inside the Force column


@dataclass(frozen=True)
class _DistrictTable:
    """A district table (districts as columns, a Force column, a Totals row) as counts keyed
    by (row label, column): the rows' and the Totals row's sums, with the districts outside
    the selection as an unpublished column."""

    frame: pl.DataFrame
    label: str  # the column holding the row labels (and "Totals")
    values: dict[tuple[str, str], int | None]
    sums: list[tuple[tuple[tuple[str, str], ...], tuple[str, str]]]


def _district_table(frame: pl.DataFrame) -> _DistrictTable | None:
    labels = [n for n, d in frame.schema.items() if d == pl.String]
    total_rows = [n for n in labels if TOTALS in frame[n].to_list()]
    if FORCE not in frame.columns or not total_rows:
        return None
    label = total_rows[0]
    districts = [
        n
        for n, d in frame.schema.items()
        if d.is_integer() and n not in (FORCE, SELECTED) and _is_count_column(n)
    ]
    body = frame.filter(pl.col(label) != TOTALS)
    rows = body[label].to_list()
    values: dict[tuple[str, str], int | None] = {}
    for row in frame.iter_rows(named=True):
        for column in [*districts, FORCE]:
            values[(row[label], column)] = row[column]
    rest = body[FORCE].to_numpy().astype(np.int64) - body.select(districts).to_numpy().sum(axis=1)
    columns = [*districts, *([REST] if rest.any() else [])]
    sums = [(tuple((r, c) for c in columns), (r, FORCE)) for r in [*rows, TOTALS]]
    sums += [(tuple((r, c) for r in rows), (TOTALS, c)) for c in [*columns, FORCE]]
    return _DistrictTable(frame, label, values, sums)


def _hide_cells(table: _DistrictTable, hidden: set[tuple[str, str]]) -> pl.DataFrame:
    """The table with the hidden cells null and the "Selected districts" column withheld (it
    would give the unselected districts' sum away)."""
    out = table.frame
    for column in {c for _, c in hidden if c in out.columns}:
        rows = [r for r, c in hidden if c == column]
        out = out.with_columns(
            pl.when(pl.col(table.label).is_in(rows))
            .then(None)
            .otherwise(pl.col(column))
            .alias(column)
        )
    if SELECTED in out.columns:
        out = out.with_columns(pl.lit(None, dtype=out.schema[SELECTED]).alias(SELECTED))
    return out


def secondary(frame: pl.DataFrame, below: int) -> pl.DataFrame:
    """For a district table (districts as columns, a Force column and a Totals row, as the
    outcome tables are): hide the cells `disclosure.protect_system` chooses, so that no small
    count can be recovered by subtraction from the totals published with it. Districts outside
    the selection are unknowns to an attacker; the "Selected districts" column would give their
    sum away, so it is withheld. Other frames are returned unchanged."""
    table = _district_table(frame)
    if table is None:
        return frame
    hidden = protect_system(LinearSystem(table.values, table.sums), below)
    return _hide_cells(table, hidden)


def secondary_across(frames: dict[str, pl.DataFrame], below: int) -> dict[str, pl.DataFrame]:
    """The DA, non-DA and all versions of one district table, published together: protected
    as one system, with every cell's DA + non-DA = all as a further sum (a row missing from one
    table is a zero there), so no small count comes back from the other two tables."""
    tables = {name: _district_table(frame) for name, frame in frames.items()}
    if any(table is None for table in tables.values()):
        return {name: secondary(frame, below) for name, frame in frames.items()}
    values: dict[Key, int | None] = {}
    sums: list[tuple[tuple[Key, ...], Key]] = []
    cells: set[tuple[str, str]] = set()
    for name, table in tables.items():
        assert table is not None
        values |= {(name, *key): value for key, value in table.values.items()}
        sums += [(tuple((name, *p) for p in parts), (name, *t)) for parts, t in table.sums]
        cells |= {key for parts, total in table.sums for key in (*parts, total)}
    domestic, non_domestic, both = (
        DOMESTIC_CHOICES[c] for c in ("domestic", "non_domestic", "all")
    )
    for cell in cells:
        for name in (domestic, non_domestic, both):
            if (name, *cell) not in values and cell[1] != REST:
                values[(name, *cell)] = 0  # a row the table leaves out has no offences
        sums.append((((domestic, *cell), (non_domestic, *cell)), (both, *cell)))
    hidden = protect_system(LinearSystem(values, sums), below)
    return {
        name: _hide_cells(table, {(key[1], key[2]) for key in hidden if key[0] == name})
        for name, table in tables.items()
        if table is not None
    }


def _own_counts(name: str, counts: list[str]) -> list[str]:
    """The counts a rate of one side of a row is worked out from (`da_rate` from
    `da_numerator` and `da_denominator`), where the row holds them: it gives back only those.
    The Risk page's DA against non-DA table withheld Wakefield's DA arrest rate (168 of 833,
    shown in the same row and in the table by district) for its non-DA arrests of 4."""
    prefix = name.removesuffix("_rate")
    if prefix in ("", name):
        return []
    return [c for c in (f"{prefix}_numerator", f"{prefix}_denominator") if c in counts]


def suppress_frame(
    frame: pl.DataFrame, below: int, already_secondary: bool = False
) -> pl.DataFrame:
    """The frame with small counts suppressed (see the module docstring), and, for district
    tables with their totals, the secondary suppressions that stop subtraction."""
    if frame.is_empty():
        return frame
    if not already_secondary:
        frame = secondary(frame, below)
    numeric = [
        name
        for name, dtype in frame.schema.items()
        if dtype.is_numeric() and _is_count_column(name)
    ]
    schema = frame.schema  # built anew on each access
    integer = [name for name in numeric if schema[name].is_integer()]
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String and _is_count_column(name)
    ]
    small_cells = {
        name: (
            pl.col(name).is_between(1, below - 1)
            if name in integer
            else (pl.col(name) == pl.col(name).round(0)) & pl.col(name).is_between(1, below - 1)
        )
        for name in numeric
        if not _is_fraction(name)
    }
    if "value" in small_cells and "kind" in frame.columns:
        # a headline's value is a count only in its count rows: a change of exactly +100%
        # (1.0) or a rate of 100% was read as a count of 1 and withheld with its row (helper 55)
        small_cells["value"] = small_cells["value"] & (pl.col("kind") == "count")
    for name in text:
        small_cells[name] = pl.lit(
            python_values(frame[name], lambda cell: is_small(cell, below), pl.Boolean)
        ).fill_null(False)
    if not small_cells:
        return frame
    flags = frame.select(
        **{name: condition.fill_null(False) for name, condition in small_cells.items()}
    )
    row_has_small = flags.select(pl.any_horizontal(pl.all())).to_series()
    replaced = []
    for name in frame.columns:
        column = frame[name]
        if (name.endswith(RATE_ENDINGS) and column.dtype.is_float()) or name in WITH_THE_ROW:
            replaced.append(pl.when(row_has_small).then(None).otherwise(column).alias(name))
        elif (summarised := _summarised(name, flags.columns)) in flags.columns:
            hide = flags[str(summarised)]
            replaced.append(pl.when(hide).then(None).otherwise(column).alias(name))
        elif name in numeric and name not in flags.columns:  # a fraction: see _is_fraction
            own = _own_counts(name, flags.columns)
            mine = flags.select(pl.any_horizontal(own)).to_series() if own else row_has_small
            replaced.append(pl.when(mine).then(None).otherwise(column).alias(name))
        elif name in numeric:
            hide = flags[name] | row_has_small if column.dtype.is_float() else flags[name]
            replaced.append(pl.when(hide).then(None).otherwise(column).alias(name))
        elif name in text:
            # In a row with a small count, a percentage shown beside it would give it back.
            derived = row_has_small & column.str.contains("%").fill_null(False)
            replaced.append(
                pl.when(flags[name] | derived)
                .then(pl.lit(SUPPRESSED))
                .otherwise(column)
                .alias(name)
            )
    return frame.with_columns(replaced) if replaced else frame


def suppress_figure(figure: go.Figure, below: int) -> go.Figure:
    """The figure with small counts removed from every trace's data and labels: a copy, or the
    figure itself when it shows no small count and no text template (copying a figure is most
    of the cost, and a chart drawn from tables already suppressed has nothing to remove)."""

    def hide(value: Any) -> Any:
        return None if is_small(value, below) else value

    if not any(getattr(t, "texttemplate", None) for t in figure.data) and not _changes(
        figure, hide
    ):
        return figure
    out = copy_figure(figure)
    for trace in out.data:
        for name in _TRACE_ARRAYS:
            values = getattr(trace, name, None)
            if values is not None and not isinstance(values, str):
                setattr(trace, name, _map_values(values, hide))
        if getattr(trace, "texttemplate", None):
            trace.texttemplate = None  # a template can print the raw values
    return out


def _changes(figure: go.Figure, change: Callable[[Any], Any]) -> bool:
    """Whether `change` alters any value in the figure's traces' data and labels."""
    return any(
        _changes_any(values, change)
        for trace in figure.data
        for name in _TRACE_ARRAYS
        if (values := getattr(trace, name, None)) is not None and not isinstance(values, str)
    )


def _changes_any(values: Any, change: Callable[[Any], Any]) -> bool:
    """Whether `change` alters any value in `values`, nested as _map_values walks them."""
    if isinstance(values, str | bytes | dict):
        return False
    try:
        items = list(values)
    except TypeError:
        changed = change(values)
        return changed is not values and bool(changed != values)
    return any(_changes_any(item, change) for item in items)


def _walk(
    value: Any,
    leaf: Callable[[Any], Any],
    together: Callable[[dict], dict | None] = lambda _: None,
) -> Any:
    """`leaf` applied to every frame, figure and whole number in a panel (a dataclass) or a
    container of them; `together` may take a dict whole (tables shown together)."""
    if isinstance(value, pl.DataFrame | go.Figure):
        return leaf(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return leaf(value)
    if isinstance(value, LazyFigures):  # each figure walked as it is drawn
        return value.map(lambda figure: _walk(figure, leaf, together))
    if isinstance(value, dict):
        whole = together(value)
        if whole is not None:
            return whole
        return {key: _walk(item, leaf, together) for key, item in value.items()}
    if isinstance(value, list | tuple) and value and not all(isinstance(v, str) for v in value):
        return type(value)(_walk(item, leaf, together) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _walk(getattr(value, field.name), leaf, together)
            for field in dataclasses.fields(value)
            if not field.metadata.get(NOT_A_COUNT_KEY)
        }
        return dataclasses.replace(value, **changes)
    return value


NOT_A_COUNT_KEY = "not a count"
# A panel field's metadata, dataclasses.field(metadata=NOT_A_COUNT): a whole number that counts
# no offences or people (wards with no population), so neither suppressed nor rounded: the
# Emerging hotspots' "10 wards have no population" read 12 on the Map tab (helper 61).
NOT_A_COUNT = {NOT_A_COUNT_KEY: True}


def suppress(value: Any, below: int) -> Any:
    """Suppress a panel (a dataclass), a frame, a figure, a count, or a container of them; the
    DA, non-DA and all versions of one table, shown together, are protected as one."""

    def leaf(item: Any) -> Any:
        if isinstance(item, pl.DataFrame):
            return suppress_frame(item, below)
        if isinstance(item, go.Figure):
            return suppress_figure(item, below)
        return None if is_small(item, below) else item

    def together(tables: dict) -> dict | None:
        if set(tables) != set(DOMESTIC_CHOICES.values()) or not all(
            isinstance(item, pl.DataFrame) for item in tables.values()
        ):
            return None
        across = secondary_across(tables, below)
        return {key: suppress_frame(item, below, True) for key, item in across.items()}

    return _walk(value, leaf, together)


def rounded(value: Any, base: int) -> Any:
    """A whole number rounded to the nearest multiple of `base` (12 -> 10, 13 -> 15 for 5),
    as the ONS style rounds counts; its text ("1,233" -> "1,235") likewise; other values as
    they are."""
    if isinstance(value, bool) or value is None or base <= 1:
        return value
    if isinstance(value, numbers.Real) and float(value).is_integer():
        whole = (int(float(value)) + base // 2) // base * base
        return float(whole) if isinstance(value, float) else whole
    if isinstance(value, str) and (found := _WHOLE_NUMBER_TEXT.match(value)):
        number = rounded(int(found.group(1).replace(",", "")), base)
        return f"{number:,}{found.group(2) or ''}"
    return value


# Columns that hold counts in some rows and rates in others, and which rows are counts:
# rounded as counts there only (the headline's Offences tile read 137 beside its table's 135,
# and the scorecard's latest 49 beside the chart's 50: helper 59).
COUNT_ROWS: dict[str, Callable[[pl.DataFrame], pl.Expr | None]] = {
    "value": lambda f: pl.col("kind") == "count" if "kind" in f.columns else None,
    "latest_value": lambda f: ~pl.col("is_rate") if "is_rate" in f.columns else None,
}


# Differences of two counts shown beside them, and the counts: worked out again from the
# rounded counts, so that a reader's subtraction gives them (a ward's 175 offences against 40
# read a change of 133, exact, where 175 - 40 = 135; an SPC chart's 90 then 85 a moving range
# of 9: helper 61). None where either count is withheld, as before.
DIFFERENCES: dict[str, tuple[tuple[str, ...], Callable[[], pl.Expr]]] = {
    "change": (
        ("offences", "previous_offences"),
        lambda: pl.col("offences") - pl.col("previous_offences"),
    ),
    "moving_range": (("value",), lambda: (pl.col("value") - pl.col("value").shift(1)).abs()),
}


def round_frame(frame: pl.DataFrame, base: int) -> pl.DataFrame:
    """Every count column (whole numbers, or their text) rounded to a multiple of `base`, the
    count rows of a column that holds counts and rates (COUNT_ROWS), and the differences of
    counts worked out from the rounded counts (DIFFERENCES)."""
    rounded_counts = _round_counts_of(frame, base)
    differences = [
        pl.when(pl.col(name).is_not_null())
        .then(difference().cast(frame.schema[name]))
        .otherwise(None)
        .alias(name)
        for name, (counts, difference) in DIFFERENCES.items()
        if name in frame.columns
        and all(c in frame.columns and frame.schema[c].is_numeric() for c in counts)
    ]
    return rounded_counts.with_columns(differences) if differences else rounded_counts


def _round_counts_of(frame: pl.DataFrame, base: int) -> pl.DataFrame:
    changes: list[pl.Expr | pl.Series] = []
    for name, dtype in frame.schema.items():
        if not _is_count_column(name):
            continue
        if dtype.is_integer():
            changes.append(((pl.col(name) + base // 2) // base * base).alias(name))
        elif dtype == pl.String:
            changes.append(python_values(frame[name], lambda v: rounded(v, base), pl.String))
        elif (
            dtype.is_float()
            and name in COUNT_ROWS
            and (rows := COUNT_ROWS[name](frame)) is not None
        ):
            whole = rows.fill_null(False) & (pl.col(name) == pl.col(name).round(0))
            nearest = ((pl.col(name) + base // 2) / base).floor() * base
            changes.append(pl.when(whole).then(nearest).otherwise(pl.col(name)).alias(name))
    return frame.with_columns(changes) if changes else frame


def round_figure(figure: go.Figure, base: int) -> go.Figure:
    """The figure with the counts in its traces rounded to `base`: every whole number but those
    a trace's meta says are no count (charts.not_counts: rates, limits, residents). A copy; the
    figure itself when rounding changes none of them."""

    def change(value: Any) -> Any:
        return rounded(value, base)

    if not any(
        _counts_change(trace, name, change) for trace in figure.data for name in _TRACE_ARRAYS
    ):
        return figure
    out = copy_figure(figure)
    for trace in out.data:
        for name in _TRACE_ARRAYS:
            values = getattr(trace, name, None)
            if values is None or isinstance(values, str | bytes):
                continue
            skip, columns = _not_counts(trace, name)
            if skip:
                continue
            if columns:
                values = [
                    [
                        item if i in columns else _map_values(item, change)
                        for i, item in enumerate(row)
                    ]
                    for row in values
                ]
            else:
                values = _map_values(values, change)
            setattr(trace, name, values)
    return out


def _not_counts(trace: Any, name: str) -> tuple[bool, set[int]]:
    """Whether a trace's array holds no counts, and which columns of its rows hold none, as
    the trace's meta says (charts.not_counts)."""
    meta = getattr(trace, "meta", None)
    entries = set(meta.get(META_NOT_COUNTS, ())) if isinstance(meta, dict) else set()
    columns = {int(entry[len(name) + 1 : -1]) for entry in entries if entry.startswith(name + "[")}
    return name in entries, columns


def _counts_change(trace: Any, name: str, change: Callable[[Any], Any]) -> bool:
    """Whether `change` alters any count in one of a trace's arrays."""
    values = getattr(trace, name, None)
    if values is None or isinstance(values, str | bytes):
        return False
    skip, columns = _not_counts(trace, name)
    if skip:
        return False
    if not columns:
        return _changes_any(values, change)
    return any(
        _changes_any(item, change)
        for row in values
        for i, item in enumerate(row)
        if i not in columns
    )


def _map_values(values: Any, change: Callable[[Any], Any]) -> Any:
    if values is None or isinstance(values, str | bytes | dict):
        return values
    try:
        items = list(values)
    except TypeError:
        return change(values)
    return [_map_values(item, change) for item in items]


def round_counts(value: Any, base: int) -> Any:
    """Round every count in a panel (a dataclass), frame, figure, count or container of them."""

    def leaf(item: Any) -> Any:
        if isinstance(item, pl.DataFrame):
            return round_frame(item, base)
        if isinstance(item, go.Figure):
            return round_figure(item, base)
        return rounded(item, base)

    return _walk(value, leaf)


def for_publication(value: R, gateway: Gateway) -> R:
    """What a panel returns, as the gateway's role receives it: suppressed (and rounded, in
    the ONS style) in publication mode, untouched otherwise."""
    access = gateway.access
    if not gateway.publication or access is None:
        return value
    value = suppress(value, access.suppress_below)
    return round_counts(value, access.round_to) if access.round_to > 1 else value


def exact_for_protection(gateway: Gateway) -> Gateway:
    """The gateway reading with the same suppression but no rounding: secondary suppression
    works on the exact counts, as an attacker knows them (a rate or share beside a rounded
    count is exact, so it gives the exact count back), and the counts are rounded after."""
    access = gateway.access
    if not gateway.publication or access is None or access.round_to <= 1:
        return gateway
    return gateway.scoped(access.with_threshold(access.suppress_below, 0))


def rounded_last(
    build: Callable[Concatenate[Gateway, P], R],
) -> Callable[Concatenate[Gateway, P], R]:
    """Decorate a panel builder that protects its tables together (linked_tables): it builds
    and protects them from exact counts (exact_for_protection), and what it returns is rounded
    only then, when the gateway's rule rounds."""

    @wraps(build)
    def wrapper(gateway: Gateway, *args: P.args, **kwargs: P.kwargs) -> R:
        exact = exact_for_protection(gateway)
        built = build(exact, *args, **kwargs)
        if exact is gateway or gateway.access is None:
            return built
        return round_counts(built, gateway.access.round_to)

    return wrapper


def built_once_when_published(
    build: Callable[Concatenate[Gateway, P], R],
) -> Callable[Concatenate[Gateway, P], R]:
    """Decorate a page's table builder (a gateway, then hashable arguments): in publication
    mode, where the pages' shared protection (panels.published_pages) builds every page's
    tables and each page then builds its own again, the answer is worked out once for the
    arguments and the disclosure rule on a snapshot (Gateway.remembered)."""

    @wraps(build)
    def wrapper(gateway: Gateway, *args: P.args, **kwargs: P.kwargs) -> R:
        access = gateway.access
        if not gateway.publication or access is None:
            return build(gateway, *args, **kwargs)
        name = f"{build.__module__}.{build.__qualname__}"
        key = (name, args, tuple(sorted(kwargs.items())), access.disclosure_rule)
        return gateway.remembered(key, lambda: build(gateway, *args, **kwargs))

    return wrapper


def publishable(
    build: Callable[Concatenate[Gateway, P], R],
) -> Callable[Concatenate[Gateway, P], R]:
    """Decorate a panel builder whose first argument is a gateway: when that gateway reads for
    a role in publication mode, what it returns is suppressed (and rounded, when the rule
    says so) before anyone receives it."""

    @wraps(build)
    def wrapper(gateway: Gateway, *args: P.args, **kwargs: P.kwargs) -> R:
        return for_publication(build(gateway, *args, **kwargs), gateway)

    return wrapper
