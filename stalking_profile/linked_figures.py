"""The charts of tables published together, drawn as protection left the tables
(`linked_protection.Protected`): withheld wards grey on a map, withheld months and SPC detail
left off a chart."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date

import plotly.graph_objects as go
import polars as pl

from stalking_profile.charts import COLOURS, NO_VALUE, PATTERNS, copy_figure
from stalking_profile.geography import SharedGeoJSON
from stalking_profile.linked_protection import Protected, spc_detail_withheld
from stalking_profile.maps import colour_bar_top, wards_in_one_colour
from stalking_profile.tables import SUPPRESSED

# the legend of the wards a map does not colour: "suppressed", as the tables say of every count
# withheld, small or withheld to protect one ("small numbers" named Calder's 14 offences)
WITHHELD_WARDS = "Suppressed"
WITHHELD_GREY = "#c8c8c8"


def hide_wards(figure: go.Figure, codes: set[str], names: set[str]) -> go.Figure:
    """A copy of a ward map or funnel plot with the given wards not drawn by value: on a map,
    out of the coloured trace and drawn grey in one of their own, in the legend as withheld
    (they were white, read as no offences), their hover naming the ward and saying so; no
    point in a funnel plot."""
    out = copy_figure(figure)
    withheld: list[go.Choropleth] = []
    for trace in out.data:
        locations = getattr(trace, "locations", None)
        if locations is not None and getattr(trace, "z", None) is not None:
            gone = [location in codes for location in locations]
            if any(gone):
                withheld.append(_withheld_wards(trace, gone))
                kept = [not hide for hide in gone]
                trace.locations = [v for v, keep in zip(locations, kept, strict=True) if keep]
                trace.z = [v for v, keep in zip(trace.z, kept, strict=True) if keep]
                if trace.zmax is not None:  # the colour bar's top was a withheld ward's value
                    trace.zmax = colour_bar_top(trace.z)
                if trace.customdata is not None:
                    rows = zip(trace.customdata, kept, strict=True)
                    trace.customdata = [list(row) for row, keep in rows if keep]
        elif getattr(trace, "text", None) is not None and not isinstance(trace.text, str):
            gone = [text in names for text in trace.text]
            # a funnel plot's points (y), or a map's markers (lat and lon, a Scattergeo)
            for axis in ("y", "lat", "lon"):
                values = getattr(trace, axis, None) if any(gone) else None
                if values is not None:
                    setattr(
                        trace,
                        axis,
                        [None if hide else v for hide, v in zip(gone, values, strict=True)],
                    )
    for trace in withheld:
        out.add_trace(trace)
    if withheld:  # below the map, clear of the colour bar
        out.update_layout(legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top"})
    return out


def _withheld_wards(trace: go.Choropleth, gone: list[bool]) -> go.Choropleth:
    """The wards of a map's coloured trace that are withheld, as a grey trace of their own in
    the legend (with only their shapes)."""
    locations = [v for v, hide in zip(trace.locations, gone, strict=True) if hide]
    where, path = set(locations), (trace.featureidkey or "id").split(".")

    def feature_id(feature: dict) -> object:
        for part in path:
            feature = feature.get(part) or {}
        return feature

    outlines = trace.geojson
    if isinstance(outlines, SharedGeoJSON) and path == ["id"]:
        outlines = outlines.cut(where)  # sent, as the map's own, by address (ui.ward_outlines)
    else:
        features = [f for f in outlines["features"] if feature_id(f) in where]
        outlines = {"type": "FeatureCollection", "features": features}
    rows = trace.customdata
    if rows is None:  # no hover data: the ward's code
        rows = [[v, ""] for v in trace.locations]
    hover = [[row[0], row[1]] for row, hide in zip(rows, gone, strict=True) if hide]
    return wards_in_one_colour(
        outlines,
        locations,
        WITHHELD_GREY,
        f"{WITHHELD_WARDS} ({len(locations)})",
        hover,
        "<b>%{customdata[0]}</b> (%{customdata[1]})<br>suppressed<extra></extra>",
        featureidkey=trace.featureidkey or "id",
    )


def hidden_months(protected: Protected, table: str, month_column: str) -> dict[str, set[date]]:
    """The months each column of a monthly table lost to secondary suppression."""
    frame = protected.tables[table]
    out: defaultdict[str, set[date]] = defaultdict(set)
    for row, column in protected.withheld(table):
        out[column].add(frame[month_column][row])
    return dict(out)


SPC_POINTS = ("Value", "Special cause: higher", "Special cause: lower")
SPC_LINES = ("Mean", "Process limits", "Trial limits (under 12 points)")
SPC_DETAIL_TRACES = (*SPC_POINTS[1:], *SPC_LINES[1:])


SPC_LEFT_OFF = (
    "Process limits and special-cause markers are left off: a month of the series is suppressed"
)


def hide_spc(figure: go.Figure, protected: Protected, table: str) -> go.Figure:
    """An SPC chart as its table was published: the points withheld, and where the mean was
    withheld (a partition's mean with its months' total gives a month back), its line, label
    and process limits too; where any month was withheld, every limit and special-cause
    marker (`withhold_spc_detail`)."""
    hidden = hidden_months(protected, table, "month")
    means = hidden.get("mean", set())
    points = {
        **dict.fromkeys(SPC_POINTS, hidden.get("value", set())),
        **dict.fromkeys(SPC_LINES, means),
    }
    chart = protected.tables[table]
    if spc_detail_withheld(chart):
        months = set(chart["month"].to_list())
        points |= {name: months for name in SPC_DETAIL_TRACES}
    out = hide_points(figure, points)
    if spc_detail_withheld(chart):  # the subtitle no longer describes limits it drew
        title = str(out.layout.title.text or "")
        out.layout.title.text = re.sub(r"<sup>.*</sup>", f"<sup>{SPC_LEFT_OFF}</sup>", title)
    if means:
        gone = {str(month)[:10] for month in means}
        out.layout.annotations = [
            note
            for note in out.layout.annotations
            if not (str(note.text).startswith("mean ") and str(note.x)[:10] in gone)
        ]
    return out


SPLIT_WITHHELD = "DA and non-DA per month (split withheld)"


def trend_as_published(
    figure: go.Figure, points: Mapping[str, set[date]], table: pl.DataFrame
) -> go.Figure:
    """The monthly trend chart as its table (`table`: recorded_month, domestic, non_domestic,
    offences_total) was published: the points withheld hidden (`hide_points`), and a month
    whose DA and non-DA counts are withheld but whose total is published drawn as one bar of
    its total (SPLIT_WITHHELD). It had no bar at all: July 2021's 612, published in the
    table, the rolling total and the SPC chart, read as an empty month (helper 84)."""
    out = hide_points(figure, points)
    if not {"domestic", "non_domestic", "offences_total"} <= set(table.columns):
        return out
    whole = table.filter(
        pl.col("domestic").is_null()
        & pl.col("non_domestic").is_null()
        & pl.col("offences_total").is_not_null()
    )
    if whole.height:
        out.add_bar(
            x=whole["recorded_month"].to_list(),
            y=whole["offences_total"].to_list(),
            name=SPLIT_WITHHELD,
            marker_color=COLOURS["all"],
            marker_pattern_shape=PATTERNS["all"],
            opacity=0.85,
        )
    return out


def hide_points(figure: go.Figure, points: Mapping[str, set[date]]) -> go.Figure:
    """A copy of the figure with the points at the given x values removed from the traces
    named (a trace's name, then the x values to blank). A trace left with no point is left
    out, with its legend entry: a special-cause marker's months (its x) told a reader which
    withheld months were flagged, and its legend that some were."""
    out = copy_figure(figure)
    emptied = set()
    for index, trace in enumerate(out.data):
        gone = {str(x)[:10] for x in points.get(trace.name or "", set())}
        if gone and trace.x is not None and trace.y is not None:
            trace.y = [
                None if str(x)[:10] in gone else y for x, y in zip(trace.x, trace.y, strict=True)
            ]
            if all(y is None for y in trace.y):
                emptied.add(index)
    if emptied:
        out.data = tuple(trace for i, trace in enumerate(out.data) if i not in emptied)
    return out


def gap_note(figure: go.Figure, below: int) -> str:
    """What a gap means on a published chart (a point of a series, or a bar, withheld), or ""
    where the chart has none. A slide's footer said "counts under 5 suppressed" alone, and a
    month of 612 offences left out read as under 5 (helper 64)."""
    gaps = False
    for trace in figure.data:
        y = getattr(trace, "y", None)  # a map's traces have none: a withheld ward is grey,
        if y is None or all(v is None for v in y):  # and its legend says so
            continue
        meta = getattr(trace, "meta", None)
        # a month with no value whatever the counts (the rolling total's first 11 months of
        # data) is no withheld figure (helper 72: the whole force's first year said so)
        none = meta.get(NO_VALUE) if isinstance(meta, dict) else None
        gaps |= any(v is None and not (none and none[i]) for i, v in enumerate(y))
    return GAP_NOTE.format(below=below) if gaps else ""


GAP_NOTE = (
    "A gap in a line, or a bar left out, is a withheld figure: a count under {below}, or one "
    "withheld so that no such count can be worked out from the others, so not necessarily a "
    "small one. It is not a zero."
)
TEST_WITHHELD = "†"  # a change shown whose test publication mode withholds
TEST_WITHHELD_NOTE = (
    "† the change's test is withheld: its p-value, or the months it reads, would give a "
    "withheld count back. No mark does not mean the change could be chance."
)


def hide_display(
    display: pl.DataFrame, protected: Protected, names: Mapping[str, str]
) -> pl.DataFrame:
    """The comparison table as text with the cells secondary suppression hid shown as
    "suppressed", and the change beside any count withheld, by either step (the change
    beside a small count and the previous period gave it back: -60% of 5 is 2); and each
    change's "*" as the protected table's `significant` has it: none where the change's test
    is withheld (its overdispersion is read from withheld months: Calderdale's "+67.7%*"
    beside a withheld p-value), and the verdict over the tests shown elsewhere; `names`:
    category -> its label in the rows."""
    table = protected.tables["comparison"]
    label = display.columns[0]
    cells: defaultdict[str, set[str]] = defaultdict(set)
    for row, column in protected.withheld("comparison"):
        area, category = table["district_code"][row], table["category"][row]
        period = "this period" if column == "current" else "previous period"
        cells[area] |= {f"{names[category]}: {period}", f"{names[category]}: change"}
    primary = {
        place.row
        for key in protected.suppressed
        for place in protected.places.get(key, [])
        if place.table == "comparison"
    }
    for row in primary:
        area, category = table["district_code"][row], table["category"][row]
        cells[area].add(f"{names[category]}: change")
    # each change's "*" as the protected table has it: "†" where the test is withheld (no
    # mark read as "could be chance", helper 64: the force's +56.7% lost its star), and the
    # verdict of the q-values over the tests shown (`linked_protection._with_hidden`)
    verdicts: dict[bool | None, defaultdict[str, set[str]]] = {
        True: defaultdict(set),
        False: defaultdict(set),
        None: defaultdict(set),
    }
    for test in table.iter_rows(named=True):
        if test["category"] in names and test["change_pct"] is not None:
            change = f"{names[test['category']]}: change"
            verdicts[test["significant"]][test["district_code"]].add(change)
    display = display.with_columns(
        pl.when(pl.col(label).is_in(sorted(verdicts[True][area])))
        .then(pl.col(area).str.strip_suffix("*") + "*")
        .when(pl.col(label).is_in(sorted(verdicts[False][area])))
        .then(pl.col(area).str.strip_suffix("*"))
        .when(pl.col(label).is_in(sorted(verdicts[None][area])))
        .then(pl.col(area).str.strip_suffix("*") + TEST_WITHHELD)
        .otherwise(pl.col(area))
        .alias(area)
        for area in display.columns[1:]
    )
    return display.with_columns(
        pl.when(pl.col(label).is_in(sorted(rows)))
        .then(pl.lit(SUPPRESSED))
        .otherwise(pl.col(area))
        .alias(area)
        for area, rows in cells.items()
        if area in display.columns
    )
