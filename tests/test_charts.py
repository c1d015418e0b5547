"""Figure builders (charts.py): axes, ticks, limits, contrast, legends - each a fault a meeting would have noticed (issue 10)."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import polars as pl

from stalking_profile import charts, formatting
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter
from stalking_profile.measures import spc
from stalking_profile.panels import trends_volume
from tests.conftest import DISTRICTS

MONTHS = [date(2021, m, 1) for m in range(1, 13)] + [date(2022, m, 1) for m in range(1, 7)]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str = "#FFFFFF") -> float:
    """WCAG 2 contrast ratio."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _small_count_chart() -> spc.pl.DataFrame:
    values = [3, 4, 3, 3, 2, 4, 3, 3, 3, 3, 3, 3, 3, 2, 4, 3, 4, 4]
    return spc.xmr(MONTHS, values, run_length=6)


def test_small_counts_get_whole_number_ticks() -> None:
    """Fault 5: ticks read 4, 4, 3, 3, 2, 2 on a chart of small counts."""
    figure = charts.spc_figure(_small_count_chart(), "Offences", 6)
    assert figure.layout.yaxis.tickformat == ",d"
    assert figure.layout.yaxis.dtick == 1


def test_rate_limits_never_pass_100_percent() -> None:
    """Fault 5: rate limits read '0.0% to 102.0%'."""
    chart = spc.xmr(MONTHS, [1.0, 0.5] * 9, run_length=6)
    assert chart["upper_limit"].max() > 1  # the arithmetic limit passes 100% ...
    figure = charts.spc_figure(chart, "A rate", 6, is_rate=True)
    plotted = [y for trace in figure.data if trace.mode == "lines" for y in trace.y]
    assert max(plotted) <= 1.0  # ... the drawn one does not
    assert figure.layout.yaxis.range[1] <= 1.0
    card = pl.DataFrame(
        {
            "label": ["A rate"],
            "latest_month": [MONTHS[-1]],
            "latest_value": [0.5],
            "mean": [0.75],
            "lower_limit": [-0.58],
            "upper_limit": [2.08],
            "is_rate": [True],
            "variation": ["common cause"],
            "improvement": ["neither"],
            "assurance": [""],
            "months": [18],
        }
    )
    assert formatting.scorecard_display(card, {})["Process limits"][0] == "0.0% to 100.0%"


def test_special_causes_are_marked_by_shape_and_the_mean_by_its_value() -> None:
    """Faults 5 and 9: special-cause points carry a shape, not colour alone, and the mean line
    says its value (a run of 3s below a mean of 3.1 is visibly below it)."""
    chart = spc.xmr(MONTHS, [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 3, 3, 3, 3, 3, 3, 3, 3], run_length=6)
    figure = charts.spc_figure(chart, "Offences", 6)
    symbols = {trace.name: trace.marker.symbol for trace in figure.data if trace.mode == "markers"}
    assert symbols.get("Special cause: lower") == "triangle-down"
    assert any(a.text.startswith("mean 4.") for a in figure.layout.annotations)


def test_axis_text_has_at_least_4_5_to_1_contrast() -> None:
    """Fault 9: axis text was 3.7:1 (Streamlit's grey); the charts use their own theme."""
    spc_chart = charts.spc_figure(_small_count_chart(), "Offences", 6)
    themed_later = charts.apply_theme(go.Figure(go.Bar(x=[1], y=[2])), "A figure made elsewhere")
    for figure in (spc_chart, themed_later):
        assert contrast(_as_drawn(figure, "xaxis", "tickfont", "color")) >= 4.5
        assert contrast(_as_drawn(figure, "yaxis", "tickfont", "color")) >= 4.5
        assert contrast(_as_drawn(figure, "font", "color")) >= 4.5
        # at the figure's foot, below the plot and its axis title: a wrapping legend cannot
        # cover the title, and one under slanted month labels not the axis title (helper 86)
        assert _as_drawn(figure, "legend", "yref") == "container"
        assert _as_drawn(figure, "legend", "y") == 0
        assert _as_drawn(figure, "legend", "yanchor") == "bottom"
        assert _as_drawn(figure, "plot_bgcolor") == "white"
    assert themed_later.layout.title.text == "A figure made elsewhere"


def _as_drawn(figure: go.Figure, *path: str):
    """A layout value as Plotly draws it: set on the figure, or else its template's."""
    for layout in (figure.layout, figure.layout.template.layout):
        value = layout
        for name in path:
            value = getattr(value, name)
        if value is not None:
            return value
    return None


def test_empty_rates_draw_0_to_100_percent() -> None:
    """Fault 7: an empty filter drew rate axes from -100% to 600%."""
    empty = pl.DataFrame(
        {
            "label": ["Arrest rate"],
            "category": ["all"],
            "rate": [None],
            "lower": [None],
            "upper": [None],
            "numerator": [0],
            "denominator": [0],
        },
        schema_overrides={"rate": pl.Float64, "lower": pl.Float64, "upper": pl.Float64},
    )
    figure = charts.rate_comparison_figure(empty, "Rates")
    assert tuple(figure.layout.yaxis.range) == (0, 1.0)


def test_long_category_labels_are_wrapped_level_and_drawn_as_written() -> None:
    """Helper 86: the Data quality chart's seven indicators, up to 64 characters, were slanted
    and squeezed the bars into the top of the chart. Long labels are drawn level on lines of
    up to what a category's share of the chart holds, the bars keep their categories, and a label's text is still drawn as
    written (a tag in a district's code is text, the breaks between lines are breaks)."""
    long = "Stalking crimes whose risk screen says stalking does not feature"
    rates = pl.DataFrame(
        {
            "label": [long, "<b>CD</b> & co", "No ward recorded"],
            "category": ["all"] * 3,
            "rate": [0.1, 0.2, 0.3],
            "lower": [0.05, 0.1, 0.2],
            "upper": [0.2, 0.3, 0.4],
            "numerator": [1, 2, 3],
            "denominator": [10, 10, 10],
        }
    )
    figure = charts.rate_comparison_figure(rates, "Rates")
    axis = figure.layout.xaxis
    assert figure.data[0].x == tuple(rates["label"]) == axis.tickvals
    assert axis.tickangle == 0
    # three categories share the chart: lines of up to 33 characters
    assert axis.ticktext[0] == "Stalking crimes whose risk screen<br>says stalking does not feature"
    sent = charts.with_text_as_written(figure.to_dict())["layout"]["xaxis"]["ticktext"]
    assert sent == [axis.ticktext[0], "&lt;b&gt;CD&lt;/b&gt; &amp; co", "No ward recorded"]
    seven = charts.wrapped_ticks([long, *"abcdef"])["ticktext"][0]  # seven: up to 14
    assert (
        seven == "Stalking<br>crimes whose<br>risk screen<br>says stalking<br>does not<br>feature"
    )
    short = rates.with_columns(pl.Series("label", ["BD", "CD", "KD"]))
    assert charts.rate_comparison_figure(short, "Rates").layout.xaxis.ticktext is None


def test_a_withheld_rate_has_no_bar_rather_than_a_bar_at_0_percent(demo_gateway: Gateway) -> None:
    """Calderdale non-DA, July to September 2021, as a commissioner's office: the arrest,
    screening and cyber-flag rates (2, 3 and 2 of 11) are withheld, and the chart drew them
    as 0% bars ("0.0% (NaN of 11)"). A withheld rate has no bar; a rate shown has its bar.
    (Calderdale's are all withheld now that a blank is read as at least 1: Kirklees, where the
    arrest and DASH rates are withheld and the screening and cyber-flag rates shown.)"""
    from stalking_profile.access import Access, Role
    from stalking_profile.panels import risk_panel

    flt = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("KD",), "non_domestic")
    reader = demo_gateway.scoped(Access.for_role("x", Role.COMMISSIONER))
    panel = risk_panel(reader, flt, 30)
    rates = panel.selection.filter(pl.col("category") == "non_domestic")
    (trace,) = [t for t in panel.figure.data if t.name == charts.DOMESTIC_CHOICES["non_domestic"]]
    bars = dict(zip(trace.x, trace.y, strict=True))
    withheld = rates.filter(pl.col("rate").is_null())["label"].to_list()
    assert len(withheld) >= 2
    assert all(bars[label] is None for label in withheld)
    shown = rates.filter(pl.col("rate").is_not_null())
    assert shown.height and all(
        bars[label] == rate for label, rate in shown.select("label", "rate").rows()
    )


def test_one_month_is_labelled_as_a_month(demo_gateway: Gateway) -> None:
    """Fault 7: a one-month series was labelled '23:59:59.9996 ... 00:00:00.0004'."""
    flt = ProfileFilter(date(2021, 6, 1), date(2021, 6, 1), ("BD", "CD", "KD", "LD", "WD"))
    figure = trends_volume(demo_gateway, flt).figure
    assert figure.layout.xaxis.tickformat == "%b %Y"
    low, high = figure.layout.xaxis.range
    assert (high - low).days == 40
    # a single month's bars drawn a month wide (Plotly gave them no width: axes and no bar for
    # a month's offences) and its rolling total drawn as a point, not a line of one point
    bars = [trace for trace in figure.data if trace.type == "bar"]
    assert bars and all(trace.width >= 20 * 86_400_000 for trace in bars)
    assert sum(trace.y[0] for trace in bars) > 0
    (rolling,) = [trace for trace in figure.data if trace.type == "scatter"]
    assert "markers" in rolling.mode
    # a month of a longer series is left to Plotly
    longer = ProfileFilter(date(2021, 5, 1), date(2021, 6, 1), flt.districts)
    longer_bars = [t for t in trends_volume(demo_gateway, longer).figure.data if t.type == "bar"]
    assert longer_bars and all(trace.width is None for trace in longer_bars)


def test_a_chart_is_sent_as_its_own_json_made_once_per_figure(monkeypatch) -> None:
    """ui.widgets encodes a figure once per figure object (Streamlit's chart deep-copied and
    encoded every figure on every rerun), to the JSON st.plotly_chart sent for it, and the
    chart element is sent that JSON as made, inside its payload."""
    import plotly.graph_objects as go
    import plotly.io as pio
    import plotly.io._json
    import plotly.tools

    from stalking_profile.ui import chart_element, widgets

    figure = go.Figure(go.Bar(x=["BD", "CD"], y=[3, 4]), layout={"title": "Offences"})
    spec = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    expected = pio.to_json(spec, validate=False)  # what st.plotly_chart sent
    copies, encodings = [], []
    original = go.Figure.to_dict
    monkeypatch.setattr(go.Figure, "to_dict", lambda self: copies.append(1) or original(self))
    encode = plotly.io._json.to_json_plotly  # what plotly.io.to_json encodes with
    monkeypatch.setattr(
        plotly.io._json, "to_json_plotly", lambda *a, **k: encodings.append(1) or encode(*a, **k)
    )
    assert [widgets.sent(figure).json for _ in range(3)] == [expected] * 3
    assert len(copies) == 1 and len(encodings) == 1
    made = widgets.sent(figure)
    payload = json.loads(chart_element.payload(made.json, made.revision, {"displaylogo": False}))
    assert payload["figure"] == json.loads(expected)
    assert payload["config"] == {"displaylogo": False}
    assert payload["revision"] == chart_element.revision(expected)
    assert payload["plotly"].startswith("/app/static/vendor/plotly-")
    other = go.Figure(figure).update_layout(title="Another")
    assert widgets.sent(other).revision != made.revision


def _refuses_everywhere(figure: go.Figure) -> list[str]:
    """The levels of `figure` that refuse a property Plotly does not have, or a bad value."""
    attempts = {
        "figure": lambda: figure.update_layout(no_such_property=1),
        "axis": lambda: figure.layout.xaxis.update(no_such_property=1),
        "trace": lambda: figure.data[0].update(no_such_property=1),
        "marker": lambda: figure.data[0].marker.update(no_such_property=1),
        "template": lambda: figure.layout.template.layout.font.update(no_such_property=1),
        "new trace": lambda: figure.add_scatter(no_such_property=1),
        "bad value": lambda: figure.update_layout(width="wide"),
        "bad trace value": lambda: figure.data[0].update(opacity="very"),
        "bad axis value": lambda: figure.layout.yaxis.update(range="all"),
    }
    refused = []
    for level, attempt in attempts.items():
        try:
            attempt()
        except ValueError:
            refused.append(level)
    return refused


def test_figures_made_without_checking_again_are_the_same_and_still_checked() -> None:
    """new_figure and copy_figure skip Plotly's checks of what was checked already (the house
    template, a figure's own properties): the figures are what the checked way makes, each
    has its own template and data, and everything set on them afterwards is checked."""
    made = charts.new_figure()
    assert made.to_dict() == go.Figure(layout={"template": charts.HOUSE_TEMPLATE}).to_dict()
    made.layout.template.layout.font.size = 40  # this figure's own template only
    assert charts.new_figure().layout.template.layout.font.size == 12

    chart = charts.spc_figure(_small_count_chart(), "Offences", 6)
    copied = charts.copy_figure(chart)
    assert copied.to_dict() == go.Figure(chart).to_dict() == chart.to_dict()
    copied.data[0].y = [0] * len(MONTHS)
    copied.update_layout(title_text="changed")
    assert chart.data[0].y != copied.data[0].y and chart.layout.title.text != "changed"

    every_level = ["figure", "axis", "trace", "marker", "template", "new trace", "bad value"]
    every_level += ["bad trace value", "bad axis value"]
    made.add_bar(x=[1], y=[2])
    assert _refuses_everywhere(made) == every_level
    assert _refuses_everywhere(charts.copy_figure(chart)) == every_level


def test_a_copy_holds_a_figures_arrays_as_arrays() -> None:
    """A map's values are NumPy arrays (Plotly checks a list item by item), and Plotly's
    `to_dict` gives them as base64 ({"dtype", "bdata"}); a copy, which publication mode
    changes value by value, holds them back as arrays of the same numbers (a ward map's copy
    held the two keys as its values, and hiding a ward failed)."""
    import numpy as np

    figure = go.Figure(
        go.Choropleth(
            locations=np.array(["W1", "W2", "W3"], dtype=object),
            z=np.array([0.5, 2.0, 7.25]),
            customdata=np.array([[1, 2], [3, 4], [5, 6]]),
        )
    )
    figure.add_scattergeo(lon=np.array([-1.5, -1.6]), lat=np.array([53.7, 53.8]))
    assert isinstance(figure.to_dict()["data"][0]["z"], dict)  # what Plotly gives
    copied = charts.copy_figure(figure)
    np.testing.assert_array_equal(copied.data[0].z, [0.5, 2.0, 7.25])
    np.testing.assert_array_equal(copied.data[0].customdata, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(copied.data[1].lat, [53.7, 53.8])
    assert list(copied.data[0].locations) == ["W1", "W2", "W3"]
    assert copied.to_json() == figure.to_json()  # what the browser is sent


def test_a_funnels_legend_counts_the_points_it_draws() -> None:
    """Calderdale non-DA, July to September 2021, as a commissioner's office: "Wards within or
    near the limits (6)" over four points: two wards of 0 offences had their rate withheld
    (beside a withheld previous count) but kept their place on the funnel. A ward with no rate
    has no point, and the legend counts the points drawn."""
    import numpy as np

    from stalking_profile.measures.funnel import funnel_limits

    wards = pl.DataFrame(
        {
            "ward_name": ["A", "B", "C", "D"],
            "population": [10_000, 12_000, 14_000, 16_000],
            "rate_per_1000": [0.1, None, 0.2, None],
            "funnel": ["within 95%", "within 95%", "above the 99.8% limit", None],
        }
    )
    figure = charts.funnel_figure(wards, funnel_limits(0.1, np.array([10_000, 16_000])), "Wards")
    points = {t.name: len(t.y) for t in figure.data if "markers" in (t.mode or "")}
    assert points == {
        "Wards within or near the limits (1)": 1,
        "Wards above the 99.8% limit (1)": 1,
    }
    # an outlier's triangle is outlined: its orange was 2.3:1 on white (WCAG 1.4.11)
    above = next(t for t in figure.data if t.name == "Wards above the 99.8% limit (1)")
    assert above.marker.line.color == "#333333" and above.marker.line.width == 1
    # a few units' points are named beside them (which district was above the limit could
    # not be told from a slide: helper 53); a map's many wards are not
    assert above.mode == "markers+text" and list(above.text) == ["C"]
    many = pl.DataFrame(
        {
            "ward_name": [f"W{i}" for i in range(20)],
            "population": [10_000 + 100 * i for i in range(20)],
            "rate_per_1000": [0.1] * 20,
            "funnel": ["within 95%"] * 20,
        }
    )
    limits = funnel_limits(0.1, np.array([10_000, 12_000]))
    crowded = charts.funnel_figure(many, limits, "Wards")
    assert [t.mode for t in crowded.data if t.name.startswith("Wards within")] == ["markers"]
    # its axis spans the points and limits: from 0, the force's five districts (2.4 to 3.3 a
    # year) were squeezed into the top fifth of the chart (helper 86)
    assert figure.layout.yaxis.rangemode == crowded.layout.yaxis.rangemode == "normal"


def test_the_monthly_trend_draws_no_empty_rolling_axis_where_the_data_start() -> None:
    """April to June 2018, the demo's first three months: no month has a rolling 12-month
    total, yet the chart drew its axis (0 to 4) and a legend entry with no line."""
    months = [date(2018, 4, 1), date(2018, 5, 1), date(2018, 6, 1)]
    bars = pl.DataFrame(
        {"recorded_month": months, "category": "domestic", "offences": [70, 90, 91]}
    )
    none = pl.DataFrame(
        {"recorded_month": months, "rolling_12m_total": [None, None, None]},
        schema={"recorded_month": pl.Date, "rolling_12m_total": pl.Int64},
    )
    figure = charts.monthly_trend_figure(bars, none, "Offences")
    assert [trace.name for trace in figure.data] == ["DA per month"]
    assert "yaxis2" not in figure.to_dict()["layout"]
    assert "No rolling 12-month total for these months" in figure.layout.title.text
    later = none.with_columns(pl.Series("rolling_12m_total", [None, None, 1100]))
    figure = charts.monthly_trend_figure(bars, later, "Offences")
    assert [trace.name for trace in figure.data] == ["DA per month", "Rolling 12-month total"]
    assert figure.layout.yaxis2.title.text == "Rolling 12-month total"
    assert "No rolling" not in figure.layout.title.text
    # one total alone draws no line: it is a marker (helper 64: April 2018 to March 2019 had
    # the total in the legend and on its axis, and nothing drawn); a line has none
    (line,) = [trace for trace in figure.data if trace.name == "Rolling 12-month total"]
    assert "markers" in line.mode and list(line.marker.size) == [0, 0, 9]
    joined = none.with_columns(pl.Series("rolling_12m_total", [None, 1000, 1100]))
    (line,) = charts.monthly_trend_figure(bars, joined, "Offences").data[1:]
    assert line.mode == "lines"


def test_the_follow_up_band_ends_with_the_period_chosen(demo_gateway: Gateway) -> None:
    """The Outcomes page as it opens (February 2021 to January 2022, extract 31 January 2022):
    the "follow-up incomplete" band ran to 1 February 2022, so the chart's axis ran a month
    past the period. It now ends half a month after January's point, and starts half a month
    before the first month left out, after the last point drawn."""
    from stalking_profile import panels

    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), ("BD", "CD", "KD", "LD", "WD"))
    view = panels.outcomes_panel(demo_gateway, flt, 30)
    (band,) = view.within_figure.layout.shapes
    last_point = max(view.within_by_month["recorded_month"])
    assert str(band.x1) == "2022-01-16"
    assert str(last_point) < str(band.x0) < str(view.incomplete_from)


def test_a_share_axis_under_5_percent_ticks_in_tenths():
    """Helper 46's trial: the Repeats page's shares for April to June 2018 (under 1.3%) had
    ticks reading "1%, 1%, 1%, 1%, 1%, 0%"."""

    monthly = pl.DataFrame(
        {
            "recorded_month": [date(2018, 4, 1), date(2018, 5, 1), date(2018, 6, 1)],
            "repeat_victim_share": [0.004, 0.009, 0.013],
            "repeat_suspect_share": [0.0, 0.006, None],
            "full_lookback": [False, False, False],
        }
    )
    figure = charts.repeat_share_figure(monthly, "Repeats")
    assert figure.layout.yaxis.tickformat == ".1%"
    # each share's denominator, as in its table: offences with a victim, with a suspect
    assert figure.layout.yaxis.title.text == "Share of offences with a victim (a suspect)"
    assert [trace.name.split(" (")[1] for trace in figure.data] == [
        "of offences with a victim)",
        "of offences with a suspect)",
    ]
    wider = monthly.with_columns(pl.col("repeat_victim_share") * 20)
    assert charts.repeat_share_figure(wider, "Repeats").layout.yaxis.tickformat == ".0%"


LINK = '<a href="http://host/">BD</a>'


def test_a_users_text_is_sent_to_the_browser_as_written_not_as_tags() -> None:
    """Plotly reads tags in any text it draws: a district code imported as an `<a href>`
    became a link on the axis and in the hover, a tracker status `<b>Amber</b>` bold in the
    legend. What leaves the server has them as entities, which Plotly draws as written; the
    numbers, and text with nothing to read, are as they were."""
    import json

    import numpy as np

    from stalking_profile.ui import widgets

    figure = go.Figure(
        go.Bar(
            y=[LINK, "CD & WD"],
            x=[3, 4],
            name="<b>Amber</b>",
            customdata=np.array([[LINK, 3], ["CD", 4]], dtype=object),
            hovertemplate="%{customdata[0]}<extra></extra>",
        ),
        layout={"yaxis": {"categoryarray": ["CD & WD", LINK]}, "title": "<b>Ours</b>"},
    )
    sent = json.loads(widgets.sent(figure).json)
    escaped = '&lt;a href="http://host/"&gt;BD&lt;/a&gt;'
    bar = sent["data"][0]
    assert bar["y"] == [escaped, "CD &amp; WD"]
    assert bar["customdata"] == [[escaped, 3], ["CD", 4]]
    assert bar["name"] == "&lt;b&gt;Amber&lt;/b&gt;"
    assert bar["x"] == [3, 4] and bar["hovertemplate"] == "%{customdata[0]}<extra></extra>"
    assert sent["layout"]["yaxis"]["categoryarray"] == ["CD &amp; WD", escaped]  # same order
    assert sent["layout"]["title"]["text"] == "<b>Ours</b>"  # the chart's own markup


def test_a_filters_description_under_a_title_is_drawn_as_written() -> None:
    """A chart's subtitle is the filter's description, holding district codes as imported;
    every title with a line under it is made by charts.subtitled, which escapes the line."""
    from pathlib import Path

    assert charts.subtitled("Offences", f"Stalking, {LINK}") == (
        'Offences<br><sup>Stalking, &lt;a href="http://host/"&gt;BD&lt;/a&gt;</sup>'
    )
    package = Path(charts.__file__).parent
    built_by_hand = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "<br><sup>{" in line and path.name != "charts.py"
    ]
    assert built_by_hand == []


def test_each_line_of_an_spc_chart_is_in_its_legend_once() -> None:
    """A chart with a partition of trial limits after a counting-rule change listed "Mean"
    twice in its legend (helper 53)."""
    values = [3, 4, 3, 3, 2, 4, 3, 3, 3, 3, 3, 3, 3, 2, 4, 3, 4, 4]
    chart = spc.xmr(MONTHS, values, breaks=[date(2022, 1, 1)], run_length=6)
    assert chart["trial_limits"].any()  # the months after the break: under 12 points
    figure = charts.spc_figure(chart, "Offences", 6)
    named = [t.name for t in figure.data if t.showlegend is not False and t.mode == "lines"]
    assert sorted(named) == ["Mean", "Process limits", "Trial limits (under 12 points)"]


def _looks(trace) -> tuple:
    """What tells a trace apart other than its colour: its kind, bar pattern, dash, symbol."""
    marker = getattr(trace, "marker", None)
    pattern = getattr(getattr(marker, "pattern", None), "shape", None) or ""
    line = getattr(trace, "line", None)
    dash = (getattr(line, "dash", None) or "solid") if trace.type == "scatter" else None
    symbol = getattr(marker, "symbol", None) if trace.type == "scatter" else None
    return (trace.type, pattern, dash, str(symbol) if symbol is not None else None)


def test_da_and_non_da_are_told_apart_by_more_than_colour(demo_gateway: Gateway) -> None:
    """Helper 52's accessibility audit (WCAG 1.4.1): DA and non-DA bars and lines, the repeat
    victims' and suspects' lines, and orders applied and made differed by colour alone. Every
    pair of series in a legend now differs by a pattern, a dash or a marker shape too."""
    from stalking_profile import panels

    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    outcomes = panels.outcomes_panel(demo_gateway, flt, 30)
    risk = panels.risk_panel(demo_gateway, flt, 30)
    figures = {
        "monthly trend": panels.trends_volume(demo_gateway, flt).figure,
        "outcome rates": outcomes.rates_figure,
        "outcome groups": outcomes.groups_figure,
        "risk": risk.figure,
        **{f"flag trend {k}": v for k, v in risk.trend_figures.items()},
        "repeats": panels.repeats_panel(demo_gateway, flt, *panels._serial_rule()).figure,
    }
    checked = 0
    for name, figure in figures.items():
        shown = [t for t in figure.data if t.showlegend is not False and t.name]
        looks = [_looks(t) for t in shown]
        assert len(set(looks)) == len(looks), (name, [t.name for t in shown], looks)
        checked += len(shown) > 1
    assert checked >= 6


def _figures(value: object) -> list[go.Figure]:
    """Every figure a panel holds (its fields, dicts, lists and lazily drawn figures)."""
    import dataclasses

    if isinstance(value, go.Figure):
        return [value]
    if isinstance(value, charts.LazyFigures):
        return [figure for key in value for figure in _figures(value[key])]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [figure for item in value for figure in _figures(item)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            f for field in dataclasses.fields(value) for f in _figures(getattr(value, field.name))
        ]
    return []


def test_every_plotted_rate_says_it_is_no_count(demo_gateway: Gateway) -> None:
    """Publication mode's ONS style rounds a figure's counts to 5 and leaves what a trace's
    meta names as no count (charts.not_counts): a rate left unmarked reads 0% at 100%. Every
    trace on a percentage axis, and every rate per 1,000, of every page's figures is marked."""
    from stalking_profile import map_panels, panels, people_panels, protection_panels
    from stalking_profile.geography import ward_geometry

    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), DISTRICTS, "all", ("stalking",))
    built = [
        panels.overview(demo_gateway, flt, 30, 6),
        panels.trends_page(demo_gateway, flt, 6, True),
        panels.outcomes_panel(demo_gateway, flt, 30),
        panels.risk_panel(demo_gateway, flt, 30),
        panels.quality_panel(demo_gateway, flt, 30),
        panels.repeats_panel(demo_gateway, flt, 3, 1),
        people_panels.people_panel(demo_gateway, flt, 30),
        protection_panels.orders_panel(demo_gateway, flt, "SPO"),
        protection_panels.contact_panel(demo_gateway, flt),
        map_panels.hotspot_panel(
            demo_gateway, flt, ward_geometry(demo_gateway, flt.districts), "rate", True
        ),
    ]
    unmarked, rates = [], 0
    for figure in _figures(built):
        for trace in figure.data:
            meta = trace.meta if isinstance(trace.meta, dict) else {}
            marked = set(meta.get(charts.META_NOT_COUNTS, ()))
            horizontal = getattr(trace, "orientation", None) == "h"
            array = "x" if horizontal else "y"
            axis = (
                figure.layout.xaxis
                if horizontal
                else figure.layout["yaxis" + str(getattr(trace, "yaxis", "y") or "y")[1:]]
            )
            percent = "%" in str(getattr(axis, "tickformat", "") or "")
            per_1000 = "per 1,000" in str(getattr(trace, "hovertemplate", "") or "")
            if trace.type in ("scatter", "bar") and (percent or per_1000):
                rates += 1
                if array not in marked:
                    unmarked.append((charts.title_of(figure)[:50], trace.name))
    assert rates > 20
    assert unmarked == []


def test_plotly_is_the_slide_images_version_built_with_the_dashboards_traces() -> None:
    """Issue 14: the pages load Plotly's own code, built with only the traces the dashboard
    draws (a third of the full bundle; a new session waited about 1 s for the full one), of
    the version the plotly package draws slide images with."""
    import plotly.offline

    from stalking_profile.ui import chart_element

    version = plotly.offline.get_plotlyjs_version()
    code = chart_element.BUNDLE.read_text(encoding="utf-8")
    header = f"/*! plotly.js v{version} (bar, scatter, choropleth, scattergeo) | MIT License"
    missing = f"no bundle for plotly.js {version}: run scripts/build-plotly-bundle"
    assert code.startswith(header), missing
    assert {"bar", "scatter", "choropleth", "scattergeo"} == chart_element.TRACES  # as it says
    assert len(code) < len(plotly.offline.get_plotlyjs()) / 3
    # built for ES2020, as Streamlit's own front end is: object spreads left native, not
    # lowered to helpers (which made a 7,056-ward map's redraw 11-29% slower)
    assert "getOwnPropertyDescriptors" not in code
    # served under a name that changes with its content (a rebuilt bundle is never stale)
    name = chart_element.plotly_address().removeprefix(chart_element.VENDOR_ADDRESS)
    assert name == f"plotly-charts-{version}-{chart_element.revision(code)[:12]}.min.js"
    assert (chart_element.VENDOR_DIR / name).read_text(encoding="utf-8") == code


def test_without_a_bundle_for_the_installed_plotly_the_pages_load_the_full_one(
    monkeypatch, tmp_path, caplog
) -> None:
    """A plotly package upgraded without running scripts/build-plotly-bundle leaves no bundle
    for its version: the charts are still drawn, with the package's full Plotly, and the log
    says what to run (before, every chart failed: the file was read unchecked)."""
    import plotly.offline

    from stalking_profile.ui import chart_element

    monkeypatch.setattr(chart_element, "BUNDLE", tmp_path / "plotly-charts-9.9.9.min.js")
    monkeypatch.setattr(chart_element, "VENDOR_DIR", tmp_path / "vendor")
    chart_element.plotly_address.cache_clear()
    try:
        name = chart_element.plotly_address().removeprefix(chart_element.VENDOR_ADDRESS)
    finally:
        chart_element.plotly_address.cache_clear()
    full = plotly.offline.get_plotlyjs()
    version = plotly.offline.get_plotlyjs_version()
    assert name == f"plotly-{version}-{chart_element.revision(full)[:12]}.min.js"
    assert (tmp_path / "vendor" / name).read_text(encoding="utf-8") == full
    assert "run scripts/build-plotly-bundle" in caplog.text


def test_a_bars_interval_shows_against_the_bar_and_the_page() -> None:
    """Helper 86: the intervals on the "DA and non-DA" bars were drawn in Plotly's #444 (and
    the shares' in #4D4D4D) on bars of #4D4D4D, so an interval's lower end vanished inside its
    bar. Every bar now stands 3:1 or more against the page and against its interval lines."""
    rates = pl.DataFrame(
        {
            "label": ["Arrest rate"] * 3,
            "category": ["domestic", "non_domestic", "all"],
            "rate": [0.2, 0.1, 0.18],
            "lower": [0.18, 0.07, 0.16],
            "upper": [0.22, 0.14, 0.2],
            "numerator": [200, 10, 210],
            "denominator": [1000, 100, 1100],
        }
    )
    shares = rates.rename({"label": "level", "rate": "share", "numerator": "offences"})
    rated = charts.rate_comparison_figure(rates, "Rates")
    shared = charts.share_bar_figure(shares, "level", "Shares")
    for bar in [*rated.data, *shared.data]:
        line = (bar.error_y if bar.orientation != "h" else bar.error_x).color
        assert contrast(line, bar.marker.color) >= 3, (bar.name, line, bar.marker.color)
        assert contrast(bar.marker.color) >= 3  # the bar against the page
