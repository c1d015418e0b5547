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
# of every line charted: beside DA and non-DA lines, the average of both read as either's
# (helper 91: 551.7 a month beside DA's 494, as if DA were below average)
ROLLING_AVERAGE = "Average per month over 12 months, all offences charted"
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
CONTROL_NOTE = (
    "Each segment's mean and process limits are of its own months: they are set again from "
    "a counting-rule change. Triangles mark special-cause months (beyond a limit, or a run, "
    "trend, or two of three points near a limit, as on the Trends page); a gap in the limits "
    "is where too few months set them."
)
SPECIAL_HIGH, SPECIAL_LOW = "Special cause: higher", "Special cause: lower"

SERIES_COLOURS = {
    "DA": COLOURS["domestic"],
    "Non-DA": COLOURS["non_domestic"],
    "DA and non-DA": COLOURS["all"],
    ROLLING_AVERAGE: COLOURS["rolling"],
    "Offences": COLOURS["all"],
    "Mean": COLOURS["rolling"],
    "Upper process limit": COLOURS["limits"],
    "Lower process limit": COLOURS["limits"],
    SPECIAL_HIGH: COLOURS["special_high"],
    SPECIAL_LOW: COLOURS["special_low"],
}
# the DA choice a series is of, for its pattern, dash and marker beside its colour
SERIES_CHOICE = {name: choice for choice, name in DOMESTIC_CHOICES.items()}
SPC_LINES = ("Mean", "Upper process limit", "Lower process limit")


def line_of(name: str) -> str:
    """A series' line without its segment: "Mean (to Mar 2020)" is a "Mean"."""
    return name.split(" (to ")[0]


@dataclass(frozen=True)
class PackChart:
    title: str
    kind: Literal["line", "bar"]
    categories: list[str]
    series: dict[str, list[float | None]]
    percent: bool = False
    why_empty: str = "there is no value, or every one is withheld"
    no_value_note: str = NO_VALUE_NOTE  # what a gap with no value is, under a line chart
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
                for note, gaps in ((GAP_NOTE, withheld), (self.no_value_note, none))
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
    def largest(self) -> float:
        """The largest value drawn (0 where there is none)."""
        return max((v for vs in self.series.values() for v in vs if v is not None), default=0.0)

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


def _control(spc: pl.DataFrame) -> PackChart:
    """The XmR chart as the Trends page draws it: its own months (36 to the period's end,
    which its title says: the slide's footer gives the pack's period), each segment's mean
    and limits apart (one line had joined them across April 2020's recalculation), and the
    special-cause months marked (helper 83: the pack showed none of the 17 the page marks).
    `spc`: month, value, mean, upper_limit, lower_limit, and partition, special_cause and
    side where known."""
    months = _months(spc, "month")
    parts = spc["partition"].to_list() if "partition" in spc.columns else [0] * spc.height
    series: dict[str, list[float | None]] = {"Offences": spc["value"].to_list()}
    no_value: dict[str, list[bool]] = {"Offences": [False] * spc.height}
    for part in dict.fromkeys(parts):
        inside = [p == part for p in parts]
        last = max(i for i, flag in enumerate(inside) if flag)
        segment = "" if part == parts[-1] else f" (to {months[last]})"
        for column, line in zip(("mean", "upper_limit", "lower_limit"), SPC_LINES, strict=True):
            values = [v if i else None for v, i in zip(spc[column].to_list(), inside, strict=True)]
            if all(v is None for v in values):  # too few months for limits: none in the legend
                continue
            series[line + segment] = values
            no_value[line + segment] = [not i for i in inside]
    if {"special_cause", "side"} <= set(spc.columns):
        for side, name in (("high", SPECIAL_HIGH), ("low", SPECIAL_LOW)):
            marked = [
                bool(flag) and where == side
                for flag, where in zip(spc["special_cause"], spc["side"], strict=True)
            ]
            if any(marked):
                offences = series["Offences"]
                series[name] = [v if m else None for v, m in zip(offences, marked, strict=True)]
                no_value[name] = [not m for m in marked]
    span = f", {months[0]} to {months[-1]}" if months else ""
    limits = any(name.startswith(SPC_LINES[1:]) for name in series)
    run_chart = "" if limits else " (too few months for process limits: the series and its mean)"
    return PackChart(
        f"Statistical process control: offences by month{span}{run_chart}",
        "line",
        months,
        series,
        no_value=no_value,
        no_value_note=CONTROL_NOTE,
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
        _control(spc),
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
            line = line_of(name)
            plain = line in SPC_LINES or name == ROLLING_AVERAGE  # no markers, as drawn
            special = name in (SPECIAL_HIGH, SPECIAL_LOW)  # markers alone
            out.add_trace(
                go.Scatter(
                    x=chart.categories,
                    y=values,
                    name=name,
                    mode="markers" if special else "lines" if plain else "lines+markers",
                    line={
                        "color": SERIES_COLOURS.get(line, colour),
                        "dash": "dash" if line in SPC_LINES else DASHES.get(choice or "", "solid"),
                        "width": 3 if name == ROLLING_AVERAGE else 2,
                    },
                    marker={
                        "symbol": "triangle-up"
                        if name == SPECIAL_HIGH
                        else "triangle-down"
                        if name == SPECIAL_LOW
                        else SYMBOLS.get(choice or "", "circle"),
                        "size": 12 if special else 6,
                        "color": SERIES_COLOURS.get(line, colour),
                    },
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
        if chart.largest < 5:  # ticks of 0.2 read "0, 0, 0, 1, 1, 1" (helper 83)
            out.update_yaxes(dtick=1, tick0=0)
    return out
