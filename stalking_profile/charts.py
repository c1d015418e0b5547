"""Figure builders: frame in, Plotly figure out. One theme, fixed colours, never rendered here.

Colours are the Okabe-Ito colour-blind-safe palette; DA and non-DA keep the same colours on
every chart, and recording-rule changes are marked the same way on every trend.
"""

from __future__ import annotations

import base64
import html
import re
import textwrap
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from copy import deepcopy
from datetime import date, timedelta

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from stalking_profile.filters import DOMESTIC_CHOICES
from stalking_profile.formatting import drawn_literal
from stalking_profile.measures.spc import MINIMUM_POINTS
from stalking_profile.rounding import percent_text

NO_VALUE = "no_value"  # a trace's meta: where it has no value whatever the counts
COLOURS: dict[str, str] = {
    "domestic": "#D55E00",  # vermillion
    "non_domestic": "#0072B2",  # blue
    # grey, 4.5:1 on white and 4.6:1 beside the black interval lines drawn over it (a darker
    # grey hid the lower end of an interval inside its bar: helper 86)
    "all": "#767676",
    "rolling": "#009E73",  # bluish green
    "special_high": "#E69F00",  # orange
    "special_low": "#56B4E9",  # sky blue
    "improving": "#0072B2",
    "concerning": "#E69F00",
    "limits": "#6B6B6B",
}
# DA, non-DA and both told apart by more than colour (WCAG 1.4.1; helper 52's audit): a fill
# pattern on bars, a dash and a marker shape on lines.
PATTERNS: dict[str, str] = {"domestic": "", "non_domestic": "/", "all": "."}
DASHES: dict[str, str] = {"domestic": "solid", "non_domestic": "dash", "all": "dot"}
SYMBOLS: dict[str, str] = {"domestic": "circle", "non_domestic": "square", "all": "diamond"}
TEXT = "#262730"  # 15:1 on white
MUTED_TEXT = "#4D4D4D"  # 8.5:1 on white: axis ticks, notes (WCAG AA needs 4.5:1)
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
# a bar's 95% interval: black, so its lower end shows inside the bar (4:1 or more against
# every category's colour)
INTERVAL_LINES = {"color": "#000000", "thickness": 1.5, "width": 5}


class LazyFigures(Mapping[str, go.Figure]):
    """Figures by key, each drawn the first time it is asked for and then kept: for a panel
    with several charts of which a page shows one at a time (drawing one takes about 0.1 s).
    `map` gives the same figures with a change made to each as it is drawn (publication mode's
    suppression walks them this way); `replacing` makes a change to one."""

    def __init__(self, draw: Mapping[str, Callable[[], go.Figure]]):
        self._draw = dict(draw)
        self._drawn: dict[str, go.Figure] = {}
        self._lock = threading.Lock()  # sessions share a cached panel

    def __getitem__(self, key: str) -> go.Figure:
        with self._lock:
            if key not in self._drawn:
                self._drawn[key] = self._draw[key]()
            return self._drawn[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._draw)

    def __len__(self) -> int:
        return len(self._draw)

    def map(self, change: Callable[[go.Figure], go.Figure]) -> LazyFigures:
        """Every figure with `change` made to it."""
        return LazyFigures({key: self._changed(key, change) for key in self._draw})

    def replacing(self, key: str, change: Callable[[go.Figure], go.Figure]) -> LazyFigures:
        """The same figures, `change` made to the one under `key`."""
        return LazyFigures(
            {k: self._changed(k, change if k == key else _unchanged) for k in self._draw}
        )

    def only(self, keys: Collection[str]) -> LazyFigures:
        """The figures under `keys` alone."""
        return LazyFigures({k: self._changed(k, _unchanged) for k in self._draw if k in keys})

    def _changed(
        self, key: str, change: Callable[[go.Figure], go.Figure]
    ) -> Callable[[], go.Figure]:
        return lambda: change(self[key])


def _unchanged(figure: go.Figure) -> go.Figure:
    return figure


def _house_template() -> go.layout.Template:
    """The house style as a Plotly template: "plotly_white" with a readable left-aligned title,
    dark axis text (at least 4.5:1 contrast), the legend below the plot (so a wrapping legend
    never covers the title at narrow widths), no web fonts; trace defaults for the two kinds
    of trace the charts draw (scatter and bar) only. Held in the template rather than set on
    each figure: Plotly validates and deep-copies a figure's template whenever it is set, and
    setting the style figure by figure was about half of the time to build a chart; a template
    a third the size of "plotly_white" is also less to send to the browser."""
    white = pio.templates["plotly_white"]
    template = go.layout.Template(
        layout=white.layout, data={"scatter": white.data.scatter, "bar": white.data.bar}
    )
    template.layout.update(
        title={"x": 0, "xanchor": "left", "font": {"size": 16, "color": TEXT}},
        font={"family": FONT, "size": 12, "color": TEXT},
        # at the foot of the figure, not a fraction of the plot below it: under a month axis's
        # slanted labels the legend lay on the axis title at 1,280 px (helper 86)
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0},
        margin={"l": 60, "r": 30, "t": 90, "b": 110},
        hovermode="x unified",
    )
    for axis in (template.layout.xaxis, template.layout.yaxis):  # every x and y axis
        axis.update(tickfont={"color": MUTED_TEXT}, title_font={"color": TEXT})
    return template


HOUSE_TEMPLATE = _house_template()


_HOUSE_SPEC = HOUSE_TEMPLATE.to_plotly_json()  # validated once, as HOUSE_TEMPLATE was made


META_NOT_COUNTS = "not counts"


def not_counts(*arrays: str) -> dict[str, list[str]]:
    """A trace's `meta` naming what it holds that is no count: an array ("y": rates, shares,
    process limits, residents) or a column of one ("customdata[3]": a ward's rate beside its
    offences). Publication mode's rounding of counts (publication.round_figure) leaves them as
    they are: a rate of 100% is 1.0, and rounded to 5 as if a count it read 0%."""
    return {META_NOT_COUNTS: list(arrays)}


def new_figure() -> go.Figure:
    """An empty figure in the house style (HOUSE_TEMPLATE); apply_theme gives it its title."""
    return _checked_from_now_on({"layout": {"template": deepcopy(_HOUSE_SPEC)}})


def copy_figure(figure: go.Figure) -> go.Figure:
    """A copy of a figure, to change without touching the original (panels' figures are shared
    by every session)."""
    spec = figure.to_dict()
    _arrays_back(spec)
    return _checked_from_now_on(spec)


def _arrays_back(value: dict | list) -> None:
    """Turn the arrays a figure's `to_dict` gives as base64 ({"dtype", "bdata"}, with "shape"
    for more than one dimension) back into NumPy arrays of the same values, as the figure held
    them (a copy is changed item by item), throughout `value`, in place. A value copied as
    itself (ward outlines every map shares, `geography.SharedGeoJSON`: 7,056 wards' lists of
    points, 0.3 s a map to walk) is the original, holding no such array, and is not walked."""
    keys = value.keys() if isinstance(value, dict) else range(len(value))
    for key in keys:
        item = value[key]
        if isinstance(item, dict) and "bdata" in item and set(item) <= _TYPED_ARRAY:
            array = np.frombuffer(base64.b64decode(item["bdata"]), dtype=item["dtype"])
            shape = item.get("shape")
            if shape:
                array = array.reshape([int(n) for n in str(shape).split(",")])
            value[key] = array
        elif isinstance(item, dict | list) and not hasattr(item, "__deepcopy__"):
            _arrays_back(item)


_TYPED_ARRAY = {"dtype", "bdata", "shape"}


def _checked_from_now_on(spec: dict) -> go.Figure:
    """A figure from a specification known to be valid (a figure's own `to_dict`, or the house
    template), made without Plotly checking every property of it again - as Plotly itself gives
    a new figure its default template - and then checking whatever is set on it, as any figure
    does. Checking a copy of the template took 5 ms of every chart (0.2 ms now), and a copy of
    a chart 4.5 ms (0.8 ms); tests/test_charts.py holds that the result is the same figure and
    still refuses an invalid property at every level."""
    figure = go.Figure(spec, _validate=False)
    figure._validate = figure.layout._validate = True
    for trace in figure.data:
        trace._validate = True
    return figure


def apply_theme(figure: go.Figure, title: str) -> go.Figure:
    """The figure's title, in the house style (HOUSE_TEMPLATE, given to a figure made by
    new_figure and set here on any other)."""
    if figure.layout.template.layout.font.family != FONT:
        figure.update_layout(template=HOUSE_TEMPLATE)
    figure.update_layout(title_text=title)
    return figure


def title_of(figure: go.Figure) -> str:
    """A chart's title as plain text, without the line under it ('' for none): the name its
    data table goes by ("Data behind this chart" six times on a page had told a screen
    reader's user the tables apart only by their place).

    >>> title_of(go.Figure(layout={"title": {"text": subtitled("Offences &amp; flags", "CD")}}))
    'Offences & flags'
    """
    text = figure.layout.title.text or ""
    return html.unescape(re.sub("<[^>]+>", "", text.split("<br>", 1)[0])).strip()


def subtitled(title: str, *lines: str) -> str:
    """A chart's title with smaller lines under it (often the filter's description, which
    holds district codes as imported), each drawn as written."""
    return title + "".join(f"<br><sup>{drawn_literal(line)}</sup>" for line in lines)


# what of a trace, and of an axis, a chart draws as text: where a user's text (a district's
# code, a ward's name, a tracker's status) is found
_TRACE_TEXT = ("x", "y", "text", "hovertext", "customdata", "labels", "name")
_AXIS_TEXT = ("categoryarray",)
LINE_BREAK = "<br>"  # between the lines of a tick's label (wrapped_ticks), kept as a break
_MARKUP = re.compile("[<>&]")


def with_text_as_written(spec: dict) -> dict:
    """A figure's dict (`Figure.to_dict()`, as it leaves the server for the browser or an
    image) with the text its traces and axes draw given as written (formatting.drawn_literal),
    where it would be read as tags. Titles and hover templates are the charts' own, built with
    `subtitled`. Changes `spec` and returns it."""
    for trace in spec.get("data", ()):
        for key in _TRACE_TEXT:
            if key in trace:
                trace[key] = _as_written(trace[key])
    for name, axis in spec.get("layout", {}).items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            for key in _AXIS_TEXT:
                if key in axis:
                    axis[key] = _as_written(axis[key])
            if "ticktext" in axis:  # each line as written, the breaks between them kept
                axis["ticktext"] = [
                    LINE_BREAK.join(drawn_literal(line) for line in str(text).split(LINE_BREAK))
                    for text in axis["ticktext"]
                ]
    return spec


def wrapped_ticks(labels: list[str], width: int | None = None) -> dict:
    """A category axis's settings that draw long labels on lines of at most `width` characters
    (by default what a category's share of a chart at 1,280 px holds: 14 characters, about
    90 px, for seven), level: slanted, seven data-quality indicators of up to 64 characters squeezed their chart
    into the top third of its height (helper 86). Empty where every label is short enough.

    >>> long = "Still open at the extract, recorded 90+ days before it"
    >>> wrapped_ticks([long, "No ward"], 14)["ticktext"]
    ['Still open at<br>the extract,<br>recorded 90+<br>days before it', 'No ward']
    """
    width = width or max(14, 100 // max(len(labels), 1))
    if all(len(label) <= width for label in labels):
        return {}
    lines = [
        LINE_BREAK.join(textwrap.wrap(label, width, break_long_words=False)) or label
        for label in labels
    ]
    return {"tickmode": "array", "tickvals": labels, "ticktext": lines, "tickangle": 0}


def _as_written(value: object) -> object:
    if isinstance(value, str):
        return drawn_literal(value) if _MARKUP.search(value) else value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "OU" or not _holds_markup(value.ravel().tolist()):
            return value  # numbers, or text with nothing to escape (a map's wards)
        value = value.tolist()
    if isinstance(value, list | tuple) and _holds_markup(value):
        return [_as_written(item) for item in value]
    return value


def _holds_markup(values: list | tuple) -> bool:
    """Whether a string in `values`, or in a list within them, holds a character to escape:
    looked for in one string of them all (a map's 7,056 wards in a few ms)."""
    strings = "".join([value for value in values if type(value) is str])
    return _MARKUP.search(strings) is not None or any(
        _holds_markup(value) for value in values if isinstance(value, list | tuple)
    )


ONE_MONTH_BAR = timedelta(days=24) / timedelta(milliseconds=1)  # a bar's width, in ms


def month_axis(figure: go.Figure, months: list) -> go.Figure:
    """Label a monthly x-axis by month ("Jun 2021"), never by time of day: one tick a month
    for short series, and a month's width either side of a single month. A single month's
    bars are given a width and its lines a marker: Plotly sizes a bar on a date axis by the
    gap to the next, and draws a line of one point as nothing (a one-month period's chart
    showed axes and no bar for 528 offences)."""
    axis: dict[str, object] = {"tickformat": "%b %Y", "hoverformat": "%b %Y"}
    if len(months) <= 12:
        axis["dtick"] = "M1"
    if len(months) == 1:
        only = months[0]
        axis["range"] = [only - timedelta(days=20), only + timedelta(days=20)]
        bars = [trace for trace in figure.data if trace.type == "bar"]
        side_by_side = figure.layout.barmode == "group"
        width = ONE_MONTH_BAR / (len(bars) if side_by_side and bars else 1)
        figure.update_traces(width=width, selector={"type": "bar"})
        figure.update_traces(
            mode="lines+markers", marker_size=10, selector={"type": "scatter", "mode": "lines"}
        )
    figure.update_xaxes(**axis)
    return figure


def count_axis(values: list[float]) -> dict[str, object]:
    """A y-axis for counts: whole numbers only (one tick per unit for small counts)."""
    top = max((v for v in values if v is not None and v == v), default=0)
    axis: dict[str, object] = {"tickformat": ",d", "rangemode": "tozero"}
    if top <= 10:
        axis.update(tick0=0, dtick=1)
    return axis


def rate_axis(uppers: list[float | None]) -> dict[str, object]:
    """A y-axis for rates: 0% up to a little above the highest interval, never past 100%
    (and 0-100% when there is nothing to show, not Plotly's -100% to 600%)."""
    top = max((v for v in uppers if v is not None and v == v), default=0.0)
    return {"tickformat": share_format(top), "range": [0, min(1.0, top * 1.1) if top > 0 else 1.0]}


def share_format(top: float | None) -> str:
    """A share axis's tick format: whole percents, or tenths below 5% (ticks on a 0-1.3% axis
    read "1%, 1%, 1%, 0%").

    >>> share_format(0.013), share_format(0.4), share_format(None)
    ('.1%', '.0%', '.0%')
    """
    return ".1%" if top is not None and 0 < top < 0.05 else ".0%"


def mark_rule_changes(figure: go.Figure, changes: pl.DataFrame) -> go.Figure:
    """A vertical line and a short label at each change: dotted where it breaks the series,
    dashed and lighter where it does not (a law change such as the Stalking Protection Act,
    which had been drawn dotted, as a break)."""
    for position, change in enumerate(changes.iter_rows(named=True)):
        when = change["date"]

        figure.add_shape(
            type="line",
            x0=when,
            x1=when,
            y0=0,
            y1=1,
            yref="paper",
            line={"color": COLOURS["limits"], "dash": "dot", "width": 1.5}
            if change.get("breaks_series", True)
            else {"color": "#9A9A9A", "dash": "dash", "width": 1},
        )
        figure.add_annotation(
            x=when,
            y=1 - 0.07 * (position % 2),
            yref="paper",
            text=change["label"],
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"size": 10, "color": MUTED_TEXT},
            textangle=0,
            bgcolor="rgba(255,255,255,0.7)",
        )
    return figure


def mark_incomplete(figure: go.Figure, start: date, end: date, text: str) -> go.Figure:
    """A shaded band over the months `start` to `end`, labelled: months a chart leaves out
    because what it shows cannot be read for them yet. A month's point is drawn on its first
    day, so the band runs from half a month before the first to half a month after the last
    (to the next month's first day, it drew the axis a month past the period chosen)."""
    if start > end:
        return figure
    figure.add_vrect(
        x0=start - timedelta(days=15),
        x1=end + timedelta(days=15),
        fillcolor=_transparent(COLOURS["limits"], 0.12),
        line_width=0,
        annotation_text=text,
        annotation_position="top left",
        annotation_font={"size": 10, "color": MUTED_TEXT},
    )
    return figure


def monthly_trend_figure(
    by_category: pl.DataFrame,
    rolling: pl.DataFrame,
    title: str,
    changes: pl.DataFrame | None = None,
) -> go.Figure:
    """Monthly offences as stacked DA / non-DA bars with the rolling 12-month total as a line
    on its own axis; where no month has a total (the data's first eleven months, or every
    total withheld) the line and its axis are left off and the subtitle says so.

    `by_category`: recorded_month, category, offences (only the categories to show);
    `rolling`: recorded_month, rolling_12m_total (from rolling_12m_series).
    """
    figure = new_figure()
    for category in ("domestic", "non_domestic"):
        part = by_category.filter(pl.col("category") == category)
        if part.is_empty():
            continue
        figure.add_bar(
            x=part["recorded_month"].to_list(),
            y=part["offences"].to_list(),
            name=f"{DOMESTIC_CHOICES[category]} per month",
            marker_color=COLOURS[category],
            marker_pattern_shape=PATTERNS[category],
            opacity=0.85,
        )
    totals = rolling["rolling_12m_total"].to_list()
    drawn = any(total is not None for total in totals)
    if drawn:
        # a total with none beside it draws no line: the first year's one total (March 2019)
        # was in the legend and on its axis but not on the chart (helper 64); it is a marker
        alone = [
            total is not None
            and (i == 0 or totals[i - 1] is None)
            and (i == len(totals) - 1 or totals[i + 1] is None)
            for i, total in enumerate(totals)
        ]
        figure.add_scatter(
            x=rolling["recorded_month"].to_list(),
            y=totals,
            name="Rolling 12-month total",
            mode="lines+markers" if any(alone) else "lines",
            line={"color": COLOURS["rolling"], "width": 3},
            marker={"color": COLOURS["rolling"], "size": [9 if a else 0 for a in alone]},
            yaxis="y2",
            # the months with no total whatever the counts (under 12 months of data), which a
            # published chart's gap note does not call withheld (linked_figures.gap_note)
            meta={NO_VALUE: [not c for c in rolling["rolling_12m_complete"]]}
            if "rolling_12m_complete" in rolling.columns
            else None,
        )
        figure.update_layout(
            yaxis2={
                "title": "Rolling 12-month total",
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "tickmode": "auto",
                "nticks": 6,
                **count_axis(totals),
            }
        )
    else:
        title += "<br><sup>No rolling 12-month total for these months to draw</sup>"
    figure.update_layout(
        barmode="stack",
        yaxis={
            "title": "Offences per month",
            **count_axis(
                by_category.group_by("recorded_month")
                .agg(pl.col("offences").sum())["offences"]
                .to_list()
            ),
        },
        xaxis={"title": "Month recorded"},
    )
    month_axis(figure, rolling["recorded_month"].to_list())
    if changes is not None:
        mark_rule_changes(figure, changes)
    return apply_theme(figure, title)


def spc_figure(
    chart: pl.DataFrame,
    title: str,
    run_length: int,
    is_rate: bool = False,
    changes: pl.DataFrame | None = None,
) -> go.Figure:
    """An XmR chart: the series, its mean (labelled with its value) and process limits per
    partition, special-cause points marked by shape as well as colour (triangle up: higher,
    triangle down: lower) and the rules in use in the subtitle. Limits are clipped to what
    the measure can take (counts from 0, rates 0-100%); counts get whole-number ticks."""
    figure = new_figure()
    months = chart["month"].to_list()
    floor, ceiling = 0.0, (1.0 if is_rate else None)
    values_meta = not_counts("y") if is_rate else None  # a rate's points are no counts
    enough = chart.height >= MINIMUM_POINTS  # fewer: a run chart (series and mean), no limits
    in_legend: set[str] = set()  # each line's name once ("Mean" was listed twice: helper 53)
    for partition in chart["partition"].unique(maintain_order=True).to_list():
        part = chart.filter(pl.col("partition") == partition)
        x = part["month"].to_list()
        trial = bool(part["trial_limits"][0]) if part.height else False
        limit_name = "Trial limits (under 12 points)" if trial else "Process limits"
        lines = [("mean", "Mean", "solid")]
        if enough:
            lines += [
                ("upper_limit", limit_name, "dot" if trial else "dash"),
                ("lower_limit", limit_name, "dot" if trial else "dash"),
            ]
        for column, name, dash in lines:
            figure.add_scatter(
                x=x,
                y=part[column].clip(floor, ceiling).to_list(),
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=column != "lower_limit" and name not in in_legend,
                line={"color": COLOURS["limits"], "dash": dash, "width": 1.5},
                hoverinfo="skip",
                meta=not_counts("y"),  # a mean or limit, not a count
            )
            in_legend.add(name)
        if part.height:
            mean = part["mean"][0]
            figure.add_annotation(
                x=x[-1],
                y=mean,
                text=f"mean {percent_text(mean)}" if is_rate else f"mean {mean:,.1f}",
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
                font={"size": 11, "color": MUTED_TEXT},
            )
    figure.add_scatter(
        x=months,
        y=chart["value"].to_list(),
        mode="lines+markers",
        name="Value",
        line={"color": COLOURS["all"], "width": 2},
        marker={"size": 6, "color": COLOURS["all"]},
        hovertemplate="%{y:.1%}<extra>Value</extra>" if is_rate else "%{y:,}<extra>Value</extra>",
        meta=values_meta,
    )
    for side, colour, symbol, words in (
        ("high", COLOURS["special_high"], "triangle-up", "Special cause: higher"),
        ("low", COLOURS["special_low"], "triangle-down", "Special cause: lower"),
    ):
        special = chart.filter(pl.col("side") == side) if enough else chart.clear()
        if special.height:
            figure.add_scatter(
                x=special["month"].to_list(),
                y=special["value"].to_list(),
                mode="markers",
                name=words,
                marker={
                    "size": 12,
                    "color": colour,
                    "symbol": symbol,
                    "line": {"width": 1, "color": "#333"},
                },
                hoverinfo="skip",
                meta=values_meta,
            )
    values = chart["value"].to_list() + chart["upper_limit"].clip(floor, ceiling).to_list()
    yaxis = (
        {**rate_axis(values), "title": "Rate"}
        if is_rate
        else {**count_axis(values), "title": "Count"}
    )
    figure.update_layout(yaxis=yaxis, xaxis={"title": "Month recorded"})
    month_axis(figure, months)
    if changes is not None:
        mark_rule_changes(figure, changes)
    # two lines: in one, the scorecard's chart cut it off at "or 2 of 3 near a l" (helper 64)
    subtitle = (
        (
            "XmR chart: limits = mean ± 2.66 × mean moving range",
            f"Special cause: a point beyond a limit, a run of {run_length} on one side of the "
            f"mean, {run_length} rising or falling, or 2 of 3 near a limit",
        )
        if enough
        else (
            f"Too few points for process limits ({chart.height} of the {MINIMUM_POINTS} "
            "needed): the series and its mean only",
        )
    )
    return apply_theme(figure, subtitled(title, *subtitle))


def rate_comparison_figure(
    rates: pl.DataFrame, title: str, category_column: str = "category"
) -> go.Figure:
    """Rates with 95% intervals as grouped bars, one colour per category (DA, non-DA, all).
    A rate withheld (null: publication mode) has no bar, never a bar at 0%.

    `rates`: label, category, rate, lower, upper, numerator, denominator.
    """
    figure = new_figure()
    for category in ("domestic", "non_domestic", "all"):
        part = rates.filter(pl.col(category_column) == category)
        if part.is_empty():
            continue
        rate = part["rate"]
        figure.add_bar(
            x=part["label"].to_list(),
            y=rate.to_list(),
            name=DOMESTIC_CHOICES[category],
            marker_color=COLOURS[category],
            marker_pattern_shape=PATTERNS[category],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (part["upper"] - rate).to_list(),
                "arrayminus": (rate - part["lower"]).to_list(),
                **INTERVAL_LINES,
            },
            customdata=part.select("numerator", "denominator").to_numpy(),
            hovertemplate="%{y:.1%} (%{customdata[0]:,} of %{customdata[1]:,})<extra>"
            + DOMESTIC_CHOICES[category]
            + "</extra>",
            meta=not_counts("y"),
        )
    figure.update_layout(
        barmode="group",
        xaxis=wrapped_ticks(rates["label"].unique(maintain_order=True).to_list()),
        yaxis={"title": "Rate (95% Wilson interval)", **rate_axis(rates["upper"].to_list())},
    )
    figure = apply_theme(figure, title)
    figure.update_layout(hovermode="closest")
    return figure


def rate_trend_figure(
    monthly: pl.DataFrame,
    title: str,
    categories: tuple[str, ...],
    changes: pl.DataFrame | None = None,
) -> go.Figure:
    """A monthly rate per category as a line with its 95% interval as a band."""
    figure = new_figure()
    for category in categories:
        part = monthly.filter(pl.col("category") == category)
        months = part["recorded_month"].to_list()
        colour = COLOURS[category]
        figure.add_scatter(
            x=months,
            y=part["upper"].to_list(),
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
            meta=not_counts("y"),
        )
        figure.add_scatter(
            x=months,
            y=part["lower"].to_list(),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=_transparent(colour),
            showlegend=False,
            hoverinfo="skip",
            meta=not_counts("y"),
        )
        figure.add_scatter(
            x=months,
            y=part["rate"].to_list(),
            mode="lines+markers",
            name=DOMESTIC_CHOICES[category],
            line={"color": colour, "width": 2, "dash": DASHES[category]},
            marker={"symbol": SYMBOLS[category], "size": 7},
            meta=not_counts("y"),
        )
    figure.update_layout(
        yaxis={"title": "Rate (95% Wilson interval)", **rate_axis(monthly["upper"].to_list())},
        xaxis={"title": "Month recorded"},
    )
    month_axis(figure, monthly["recorded_month"].unique().sort().to_list())
    if changes is not None:
        mark_rule_changes(figure, changes)
    return apply_theme(figure, title)


def share_bar_figure(
    table: pl.DataFrame,
    label_column: str,
    title: str,
    share_of: str = "offences",
    counted: str = "offences",
) -> go.Figure:
    """Horizontal bars of each row's share by category (e.g. outcome groups, DASH risk levels),
    on an axis of the share of `share_of`, each bar's count of `counted` on hover.

    `table`: label_column, category, share (0-1), offences (the count behind the share); with
    lower and upper, each bar's 95% interval as a line, and with is_small, a subtitle where
    any share rests on small numbers (helper 84: a DASH risk mix of 5 forms read "80% / 20%"
    as plain bars, the caution in the table behind the chart alone). With a denominator
    column of zeros alone, a sentence that there is nothing to divide by, and no bars.
    """
    figure = new_figure()
    intervals = {"lower", "upper"} <= set(table.columns)
    of = table["denominator"] if "denominator" in table.columns else None
    if of is not None and (of == 0).all():  # nothing to divide by (helper 86: a blank chart
        # under "Some shares rest on small numbers", for a period with no DASH form)
        figure.add_annotation(
            text=f"No {share_of} in this period: no shares to show",
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            font={"size": 14, "color": MUTED_TEXT},
        )
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
        figure.update_layout(title_text=title)
        return figure
    if "is_small" in table.columns and table["is_small"].fill_null(False).any():
        title += "<br><sup>Lines: 95% intervals. Some shares rest on small numbers: treat with caution</sup>"
    for category in ("domestic", "non_domestic", "all"):
        part = table.filter(pl.col("category") == category)
        if part.is_empty():
            continue
        error = (
            {
                "type": "data",
                "array": (part["upper"] - part["share"]).to_list(),
                "arrayminus": (part["share"] - part["lower"]).to_list(),
                **INTERVAL_LINES,
            }
            if intervals
            else None
        )
        figure.add_bar(
            error_x=error,
            y=part[label_column].to_list(),
            x=part["share"].to_list(),
            orientation="h",
            name=DOMESTIC_CHOICES[category],
            marker_color=COLOURS[category],
            marker_pattern_shape=PATTERNS[category],
            customdata=part["offences"].to_list(),
            hovertemplate=f"%{{x:.1%}} (%{{customdata:,}} {counted})<extra>"
            + DOMESTIC_CHOICES[category]
            + "</extra>",
            meta=not_counts("x"),
        )
    figure.update_layout(
        barmode="group",
        xaxis={"title": f"Share of {share_of}", **rate_axis(table["share"].to_list())},
        yaxis={"autorange": "reversed"},
    )
    figure = apply_theme(figure, title)
    figure.update_layout(hovermode="closest", margin={"l": 260})
    return figure


def _transparent(hex_colour: str, alpha: float = 0.18) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


LABELLED_POINTS = 12  # a funnel of this many units or fewer names its points


def funnel_figure(
    wards: pl.DataFrame,
    limits: pl.DataFrame,
    title: str,
    unit: str = "Wards",
    name_column: str = "ward_name",
    area_label: str = "Rate of the whole area",
    per: str = "",
) -> go.Figure:
    """A funnel plot: each ward's (or district's: `unit`, `name_column`) rate per 1,000
    against its population, the area's rate (`area_label`) and the 95% and 99.8% limits for a
    unit of each size; units beyond the 99.8% limits marked by shape (triangle up above, down
    below) as well as colour.

    `wards`: name_column, population, rate_per_1000, funnel; `limits`: funnel.funnel_limits;
    `per`: what the rates are per beyond residents (" a year"), said on the axis and hover.
    A funnel of a few units (a force's districts) names each point beside it: which district
    was above the limit could not be told from a slide (helper 53); a ward map's is the table.
    """
    named = wards.height <= LABELLED_POINTS
    figure = new_figure()
    x = limits["population"].to_list()
    for name, dash in (("99.8%", "dash"), ("95%", "dot")):
        for side in ("upper", "lower"):
            figure.add_scatter(
                x=x,
                y=limits[f"{side}_{name}"].to_list(),
                mode="lines",
                name=f"{name} limits",
                legendgroup=name,
                showlegend=side == "upper",
                line={"color": COLOURS["limits"], "dash": dash, "width": 1.5},
                hoverinfo="skip",
                meta=not_counts("x", "y"),  # residents and rates
            )
    figure.add_scatter(
        x=x,
        y=limits["area_rate"].to_list(),
        mode="lines",
        name=area_label,
        line={"color": COLOURS["all"], "width": 1.5},
        hoverinfo="skip",
        meta=not_counts("x", "y"),
    )
    for label, symbol, colour in (
        ("above the 99.8% limit", "triangle-up", COLOURS["special_high"]),
        ("below the 99.8% limit", "triangle-down", COLOURS["special_low"]),
        ("within or near the limits", "circle", COLOURS["non_domestic"]),
    ):
        drawn = wards.filter(pl.col("rate_per_1000").is_not_null())  # a withheld rate: no point
        if label.startswith("within"):
            part = drawn.filter(~pl.col("funnel").str.contains("99.8%"))
        else:
            part = drawn.filter(pl.col("funnel") == label)
        if part.is_empty():
            continue
        figure.add_scatter(  # arrays: Plotly checks a list item by item (7,056 wards: 30 ms)
            x=part["population"].to_numpy(),
            y=part["rate_per_1000"].to_numpy(),
            mode="markers+text" if named else "markers",
            textposition="top center",
            textfont={"size": 11, "color": TEXT},
            name=f"{unit} {label} ({part.height})",
            marker={
                "symbol": symbol,
                "size": 9 if symbol != "circle" else 6,
                "color": colour,
                # outlined: the orange and sky-blue outliers were 2.3:1 on white (WCAG 1.4.11)
                "line": {"width": 1, "color": "#333333"} if symbol != "circle" else {"width": 0},
            },
            text=part[name_column].to_numpy(),
            hovertemplate="%{text}: %{y:.2f} per 1,000"
            + per
            + " (%{x:,} residents)<extra></extra>",
            meta=not_counts("x", "y"),
        )
    figure.update_layout(
        xaxis={"title": "Residents", "tickformat": ",d"},
        # the axis spans the points and limits, not from 0: from 0, five districts' funnel
        # (2.4 to 3.3 a year) was squeezed into the top fifth of the chart (helper 86); the
        # limits, not the axis, say what is more than chance
        yaxis={"title": "Offences per 1,000 residents" + per, "rangemode": "normal"},
    )
    figure = apply_theme(figure, title)
    figure.update_layout(hovermode="closest")
    return figure


def repeat_share_figure(monthly: pl.DataFrame, title: str) -> go.Figure:
    """The monthly shares of offences whose victim, and whose suspect, had another offence in
    the 12 months before, each over the offences with a victim (a suspect) recorded; months
    whose 12 months reach back before the data are drawn as open markers (they read low).

    `monthly`: recorded_month, repeat_victim_share, repeat_suspect_share, full_lookback."""
    figure = new_figure()
    months = monthly["recorded_month"].to_list()
    full = monthly["full_lookback"].to_list()
    for column, name, style in (
        (
            "repeat_victim_share",
            "Victim offended against in the 12 months before (of offences with a victim)",
            "domestic",
        ),
        (
            "repeat_suspect_share",
            "Suspect named in the 12 months before (of offences with a suspect)",
            "non_domestic",
        ),
    ):
        colour = COLOURS[style]
        figure.add_scatter(
            x=months,
            y=monthly[column].to_list(),
            mode="lines+markers",
            name=name,
            line={"color": colour, "width": 2, "dash": DASHES[style]},
            marker={
                "color": [colour if ok else "white" for ok in full],
                "line": {"color": colour, "width": 2},
                "size": 8,
                "symbol": SYMBOLS[style],
            },
            hovertemplate="%{y:.1%}<extra>" + name + "</extra>",
            meta=not_counts("y"),
        )
    shares = [
        v
        for column in ("repeat_victim_share", "repeat_suspect_share")
        for v in monthly[column].to_list()
        if v is not None
    ]
    figure.update_layout(
        yaxis={
            "title": "Share of offences with a victim (a suspect)",
            "tickformat": share_format(max(shares, default=None)),
            "rangemode": "tozero",
        }
    )
    month_axis(figure, months)
    return apply_theme(figure, title)


def orders_figure(monthly: pl.DataFrame, title: str) -> go.Figure:
    """One order type's applications and full orders made each month (bars), and the full
    orders in force at each month's end (a line on its own axis, right).

    `monthly`: month, applied, granted, in_force (measures.orders.orders_by_month, one type)."""
    figure = new_figure()
    months = monthly["month"].to_list()
    for column, name, colour, pattern in (
        ("applied", "Applications", COLOURS["non_domestic"], "/"),
        ("granted", "Full orders made", COLOURS["rolling"], ""),
    ):
        figure.add_bar(
            x=months,
            y=monthly[column].to_list(),
            name=name,
            marker_color=colour,
            marker_pattern_shape=pattern,
            hovertemplate="%{y:,}<extra>" + name + "</extra>",
        )
    figure.add_scatter(
        x=months,
        y=monthly["in_force"].to_list(),
        name="Full orders in force at month end (right axis)",
        mode="lines+markers",
        line={"color": COLOURS["domestic"], "width": 2},
        yaxis="y2",
        hovertemplate="%{y:,}<extra>In force</extra>",
    )
    counts = [*monthly["applied"].to_list(), *monthly["granted"].to_list()]
    figure.update_layout(
        barmode="group",
        yaxis={"title": "Orders in the month", **count_axis(counts)},
        yaxis2={
            "title": "In force",
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            **count_axis(monthly["in_force"].to_list()),
        },
    )
    month_axis(figure, months)
    return apply_theme(figure, title)


def rates_by_age_figure(rates: pl.DataFrame, title: str) -> go.Figure:
    """Offences per 1,000 residents a year by age band, one line per person and sex, each
    point with its exact Poisson interval as an error bar.

    `rates`: person, sex, age_band, rate_per_1000, rate_lower, rate_upper."""
    figure = new_figure()
    styles = {
        ("Victims", "Female"): (COLOURS["domestic"], "solid"),
        ("Victims", "Male"): (COLOURS["non_domestic"], "solid"),
        ("Suspects", "Female"): (COLOURS["domestic"], "dot"),
        ("Suspects", "Male"): (COLOURS["non_domestic"], "dot"),
    }
    for (person, sex), (colour, dash) in styles.items():
        part = rates.filter((pl.col("person") == person) & (pl.col("sex") == sex))
        if part.is_empty():
            continue
        rate = part["rate_per_1000"].to_list()
        figure.add_scatter(
            x=part["age_band"].to_list(),
            y=rate,
            name=f"{person}, {sex.lower()}",
            mode="lines+markers",
            line={"color": colour, "dash": dash, "width": 2},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [
                    None if u is None or r is None else u - r
                    for u, r in zip(part["rate_upper"].to_list(), rate, strict=True)
                ],
                "arrayminus": [
                    None if lo is None or r is None else r - lo
                    for lo, r in zip(part["rate_lower"].to_list(), rate, strict=True)
                ],
                "thickness": 1,
            },
            hovertemplate="%{y:.2f} per 1,000<extra>" + f"{person}, {sex.lower()}" + "</extra>",
            meta=not_counts("y"),
        )
    figure.update_layout(
        yaxis={"title": "Per 1,000 residents a year (95% interval)", "rangemode": "tozero"},
        xaxis={"title": "Age band", "type": "category"},
    )
    return apply_theme(figure, title)
