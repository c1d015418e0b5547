"""The pack's charts, defined once from its (protected) tables: the deck draws each as a native
PowerPoint chart and the PDF as the same series rendered by Plotly, so both show exactly the
values that passed disclosure control and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import plotly.graph_objects as go
import polars as pl

from stalking_profile.charts import COLOURS, DASHES, PATTERNS, SYMBOLS, apply_theme, new_figure
from stalking_profile.filters import DOMESTIC_CHOICES

# the rolling 12-month total / 12, on the months' own scale: the dashboard draws the total on an
# axis of its own, which a native PowerPoint line chart has not; named so that the pack's 38
# is not read as the dashboard's 460 (the problem profile calls that total a rolling average)
ROLLING_AVERAGE = "Average per month over 12 months"
GAP_NOTE = (
    "A gap in a series is a withheld value (publication mode): a small count, or one withheld "
    "so that no small count can be worked out from the others. It is not a zero."
)
# a gap the figures themselves leave, withheld or not (helper 71: an analyst's pack of January
# 2019 called its blank 12-month average and process limits withheld in publication mode)
NO_VALUE_NOTE = (
    "A gap in a line is a month it has no value for: the 12-month average before 12 months of "
    "data, the process limits where there are too few months to set them."
)
NO_BAR_NOTE = "Nothing to divide by, so drawn with no bar: {}."

SERIES_COLOURS = {
    "DA": COLOURS["domestic"],
    "Non-DA": COLOURS["non_domestic"],
    "DA and non-DA": COLOURS["all"],
    ROLLING_AVERAGE: COLOURS["rolling"],
    "Offences": COLOURS["all"],
    "Mean": COLOURS["rolling"],
    "Upper process limit": COLOURS["limits"],
    "Lower process limit": COLOURS["limits"],
}
# the DA choice a series is of, for its pattern, dash and marker beside its colour
SERIES_CHOICE = {name: choice for choice, name in DOMESTIC_CHOICES.items()}
SPC_LINES = ("Mean", "Upper process limit", "Lower process limit")


@dataclass(frozen=True)
class PackChart:
    title: str
    kind: Literal["line", "bar"]
    categories: list[str]
    series: dict[str, list[float | None]]
    percent: bool = False
    why_empty: str = "there is no value, or every one is withheld"
    # where each series is known to have no value whatever the counts (content.with_no_value):
    # a gap there is not withheld; every other gap is taken as withheld
    no_value: dict[str, list[bool]] = field(default_factory=dict)

    def _gaps(self, withheld: bool) -> dict[str, list[bool]]:
        """Each series' gaps that are withheld (or, with `withheld` False, that have no value)."""
        return {
            name: [
                value is None and self._has_no_value(name, i) is not withheld
                for i, value in enumerate(values)
            ]
            for name, values in self.series.items()
        }

    def _has_no_value(self, name: str, i: int) -> bool:
        flags = self.no_value.get(name)
        return bool(flags and flags[i])

    @property
    def withheld_note(self) -> str:
        """What the chart leaves out, in words under it ("" where it leaves nothing out): on a
        line, a gap, withheld or a month with no value; a bar withheld looks like a bar at 0,
        so the bars withheld are named (the largest outcome group, withheld, read as none:
        helper 51), as are those with nothing to divide by."""
        withheld, none = self._gaps(True), self._gaps(False)
        if self.kind == "line":
            notes = [
                note
                for note, gaps in ((GAP_NOTE, withheld), (NO_VALUE_NOTE, none))
                if any(any(flags) for flags in gaps.values())
            ]
            return " ".join(notes)
        notes = []
        for gaps, say in (
            (withheld, "Suppressed (publication mode), so drawn with no bar: {}."),
            (none, NO_BAR_NOTE),
        ):
            named = [
                f"{category} ({', '.join(names)})"
                for i, category in enumerate(self.categories)
                if (names := [name for name, flags in gaps.items() if flags[i]])
            ]
            if named:
                notes.append(say.format("; ".join(named)))
        return " ".join([*notes, "Every other missing bar is 0."]) if notes else ""

    @property
    def empty(self) -> str | None:
        """What the slide says instead of an empty chart (None: it has values to draw)."""
        if any(value is not None for values in self.series.values() for value in values):
            return None
        return f"Nothing to chart for this filter: {self.why_empty}."


def _months(frame: pl.DataFrame, column: str) -> list[str]:
    return [f"{value:%b %Y}" for value in frame[column].to_list()]


def _category_bars(title: str, frame: pl.DataFrame, index: str, values: str) -> PackChart:
    """Clustered bars of shares by a category column (DA, non-DA, all), one series each. A
    group a category has no row for has none of its offences: 0, drawn as such (it was a gap,
    as a withheld share is)."""
    keys = [index, "category"]
    grid = (
        frame.select(index)
        .unique(maintain_order=True)
        .join(frame.select("category").unique(maintain_order=True), how="cross")
    )
    rows = frame.select(*keys, values).with_columns(pl.lit(True).alias("__row"))
    full = grid.join(rows, on=keys, how="left", maintain_order="left").with_columns(
        pl.when(pl.col("__row").is_null()).then(0.0).otherwise(pl.col(values)).alias(values)
    )
    wide = full.pivot(on="category", index=index, values=values)
    return PackChart(
        title,
        "bar",
        wide[index].to_list(),
        {DOMESTIC_CHOICES.get(c, c): wide[c].to_list() for c in wide.columns if c != index},
        percent=True,
    )


def pack_charts(
    trend: pl.DataFrame,
    spc: pl.DataFrame,
    risk: pl.DataFrame,
    outcome_groups: pl.DataFrame,
    domestic: str = "all",
) -> list[PackChart]:
    """The trend, SPC, risk and outcome charts of a pack, in slide order (`domestic`: the
    filter's DA choice, which the trend's title names)."""
    return [
        PackChart(
            f"Offences by month, {DOMESTIC_CHOICES[domestic].replace('Non-', 'non-')}, with the "
            "average per month over 12 months (the rolling 12-month total ÷ 12)",
            "line",
            _months(trend, "recorded_month"),
            {
                **{
                    DOMESTIC_CHOICES[column]: trend[column].to_list()
                    for column in ("domestic", "non_domestic")
                    if column in trend.columns
                },
                ROLLING_AVERAGE: trend["rolling_12m_average"].to_list(),
            },
        ),
        PackChart(
            "Statistical process control: offences by month",
            "line",
            _months(spc, "month"),
            {
                "Offences": spc["value"].to_list(),
                "Mean": spc["mean"].to_list(),
                "Upper process limit": spc["upper_limit"].to_list(),
                "Lower process limit": spc["lower_limit"].to_list(),
            },
        ),
        replace(
            _category_bars(
                "Risk and flags: DA against non-DA",
                risk if domestic == "all" else risk.clear(),
                "label",
                "rate",
            ),
            why_empty="a chart of DA against non-DA needs both in the filter"
            if domestic != "all"
            else "every rate is withheld (publication mode) or there is none",
        ),
        _category_bars("Outcome groups: share of offences", outcome_groups, "group_short", "share"),
    ]


def figure(chart: PackChart) -> go.Figure:
    """The chart as a Plotly figure (for the PDF), the same series and values as the slide."""
    out = new_figure()
    for name, values in chart.series.items():
        colour = SERIES_COLOURS.get(name)
        choice = SERIES_CHOICE.get(name)
        if chart.kind == "line":
            plain = name in SPC_LINES or name == ROLLING_AVERAGE  # no markers, as drawn
            out.add_trace(
                go.Scatter(
                    x=chart.categories,
                    y=values,
                    name=name,
                    mode="lines" if plain else "lines+markers",
                    line={
                        "color": colour,
                        "dash": "dash" if name in SPC_LINES else DASHES.get(choice or "", "solid"),
                        "width": 3 if name == ROLLING_AVERAGE else 2,
                    },
                    marker={"symbol": SYMBOLS.get(choice or "", "circle")},
                )
            )
        else:
            out.add_trace(
                go.Bar(
                    y=chart.categories,
                    x=values,
                    name=name,
                    orientation="h",
                    marker_color=colour,
                    marker_pattern_shape=PATTERNS.get(choice or "", ""),
                )
            )
    apply_theme(out, chart.title)
    if chart.percent:
        out.update_xaxes(tickformat=".0%")
        out.update_yaxes(autorange="reversed")
    else:
        out.update_yaxes(tickformat=",d", rangemode="tozero")
    return out
