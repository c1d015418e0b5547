"""Publication mode: what a commissioner's office receives (primary suppression).

Applied in the package to everything a panel returns when the gateway's access requires it
(`Gateway.publication`), so no page can show or download a small number to such a role:

- in tables, a whole-number value from 1 to the threshold - 1 (a count) becomes null, and the
  rates, intervals and p-values of its row go with it (a rate with its denominator would give
  the count back); text cells that are such a number show "<threshold", and percentages
  shown as text in its row "suppressed";
- in figures, such values in every trace's data, labels and hover text are removed;
- single counts (for example offences without a known ward) become None.

Zero is not suppressed (it discloses no one). For district tables published with their totals
(the outcome tables), secondary suppression (disclosure.py) hides further cells until no small
count can be recovered by subtraction - proven by an attacker's audit. Across the tables of a
meeting pack (DA + non-DA = all, months = the period) pack/protection.py does the same.
"""

from __future__ import annotations

import dataclasses
import numbers
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

import numpy as np
import plotly.graph_objects as go
import polars as pl

from stalking_profile.db import Gateway
from stalking_profile.disclosure import AdditiveTable, protect

P = ParamSpec("P")
R = TypeVar("R")
_WHOLE_NUMBER_TEXT = re.compile(r"^\s*\d{1,3}(,\d{3})*\s*$")
_TRACE_ARRAYS = ("x", "y", "z", "values", "text", "customdata", "hovertext", "r")


def is_small(value: Any, below: int) -> bool:
    """A count from 1 to `below` - 1: a whole number (int, integral float or its text)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, numbers.Real):  # Python and NumPy numbers alike
        number = float(value)
        return number.is_integer() and 1 <= number < below
    if isinstance(value, str) and _WHOLE_NUMBER_TEXT.match(value):
        return 1 <= int(value.replace(",", "")) < below
    return False


# Numbers that are not counts of offences or people: positions, keys, years, file row counts.
NOT_COUNTS = frozenset(
    {"rank", "row_number", "population", "months", "year", "rows_read", "rows_accepted"}
    | {"partition", "moving_range"}  # an SPC chart's partition and month-to-month change
    | {"rows_rejected", "rows_refused", "import_id", "event_id"}
)


def _is_count_column(name: str) -> bool:
    return name not in NOT_COUNTS and not name.endswith(("_key", "_id", "_code"))


FORCE, SELECTED, TOTALS = "Force", "Selected districts", "Totals"


def secondary(frame: pl.DataFrame, below: int) -> pl.DataFrame:
    """For a district table (districts as columns, a Force column and a Totals row, as the
    outcome tables are): hide the cells `disclosure.protect` chooses, so that no small count
    can be recovered by subtraction from the totals published with it. Districts outside the
    selection are unknowns to an attacker; the "Selected districts" column would give their
    sum away, so it is withheld. Other frames are returned unchanged."""
    labels = [n for n, d in frame.schema.items() if d == pl.String]
    total_rows = [n for n in labels if TOTALS in frame[n].to_list()]
    if FORCE not in frame.columns or not total_rows:
        return frame
    districts = [
        n
        for n, d in frame.schema.items()
        if d.is_integer() and n not in (FORCE, SELECTED) and _is_count_column(n)
    ]
    is_total = pl.col(total_rows[0]) == TOTALS
    body = frame.filter(~is_total)
    shown = body.select(districts).to_numpy().astype(np.int64)
    rest = body[FORCE].to_numpy().astype(np.int64) - shown.sum(axis=1)
    unshown = int(rest.any())
    cells = np.hstack([shown, rest[:, None]]) if unshown else shown
    hidden = protect(AdditiveTable(cells, unshown=unshown), below)
    rows, columns = len(body), len(districts) + unshown
    names = [*districts, *([None] * unshown), FORCE]
    order = frame.with_row_index("__row").filter(~is_total)["__row"].to_list()
    total_index = frame.with_row_index("__row").filter(is_total)["__row"].to_list()[0]
    mask: dict[str, set[int]] = {}
    for i, j in hidden:
        column = names[j] if j < columns else FORCE
        if column is None:
            continue
        row = total_index if i == rows else order[i]
        mask.setdefault(column, set()).add(row)
    out = frame.with_row_index("__row").with_columns(
        pl.when(pl.col("__row").is_in(sorted(rows_hidden)))
        .then(None)
        .otherwise(pl.col(column))
        .alias(column)
        for column, rows_hidden in mask.items()
    )
    if SELECTED in out.columns:
        out = out.with_columns(pl.lit(None, dtype=out.schema[SELECTED]).alias(SELECTED))
    return out.drop("__row")


def suppress_frame(frame: pl.DataFrame, below: int) -> pl.DataFrame:
    """The frame with small counts suppressed (see the module docstring), and, for district
    tables with their totals, the secondary suppressions that stop subtraction."""
    if frame.is_empty():
        return frame
    frame = secondary(frame, below)
    numeric = [
        name
        for name, dtype in frame.schema.items()
        if dtype.is_numeric() and _is_count_column(name)
    ]
    integer = [name for name in numeric if frame.schema[name].is_integer()]
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
    }
    for name in text:
        small_cells[name] = (
            pl.col(name)
            .map_elements(lambda cell: is_small(cell, below), return_dtype=pl.Boolean)
            .fill_null(False)
        )
    if not small_cells:
        return frame
    flags = frame.select(
        **{name: condition.fill_null(False) for name, condition in small_cells.items()}
    )
    row_has_small = flags.select(pl.any_horizontal(pl.all())).to_series()
    replaced = []
    for name in frame.columns:
        column = frame[name]
        if name in numeric:
            hide = flags[name] | row_has_small if column.dtype.is_float() else flags[name]
            replaced.append(pl.when(hide).then(None).otherwise(column).alias(name))
        elif name in text:
            # In a row with a small count, a percentage shown beside it would give it back.
            derived = row_has_small & column.str.contains("%").fill_null(False)
            replaced.append(
                pl.when(flags[name])
                .then(pl.lit(f"<{below}"))
                .when(derived)
                .then(pl.lit("suppressed"))
                .otherwise(column)
                .alias(name)
            )
    return frame.with_columns(replaced) if replaced else frame


def _clean(values: Any, below: int) -> Any:
    if values is None or isinstance(values, str | bytes | dict):
        return values
    try:
        items = list(values)
    except TypeError:
        return None if is_small(values, below) else values
    return [_clean(item, below) for item in items]  # nested rows (customdata) included


def suppress_figure(figure: go.Figure, below: int) -> go.Figure:
    """A copy of the figure with small counts removed from every trace's data and labels."""
    out = go.Figure(figure)
    for trace in out.data:
        for name in _TRACE_ARRAYS:
            values = getattr(trace, name, None)
            if values is not None and not isinstance(values, str):
                setattr(trace, name, _clean(values, below))
        if getattr(trace, "texttemplate", None):
            trace.texttemplate = None  # a template can print the raw values
    return out


def suppress(value: Any, below: int) -> Any:
    """Suppress a panel (a dataclass), a frame, a figure, a count, or a container of them."""
    if isinstance(value, pl.DataFrame):
        return suppress_frame(value, below)
    if isinstance(value, go.Figure):
        return suppress_figure(value, below)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return None if is_small(value, below) else value
    if isinstance(value, dict):
        return {key: suppress(item, below) for key, item in value.items()}
    if isinstance(value, list | tuple) and value and not all(isinstance(v, str) for v in value):
        return type(value)(suppress(item, below) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: suppress(getattr(value, field.name), below)
            for field in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def publishable(
    build: Callable[Concatenate[Gateway, P], R],
) -> Callable[Concatenate[Gateway, P], R]:
    """Decorate a panel builder whose first argument is a gateway: when that gateway reads for
    a role in publication mode, what it returns is suppressed before anyone receives it."""

    @wraps(build)
    def wrapper(gateway: Gateway, *args: P.args, **kwargs: P.kwargs) -> R:
        result = build(gateway, *args, **kwargs)
        if gateway.publication and gateway.access is not None:
            return suppress(result, gateway.access.suppress_below)
        return result

    return wrapper
