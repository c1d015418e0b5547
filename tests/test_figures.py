"""What the figures look like: axes, ticks, limits, contrast and table labels (charts, tables,
geography), each a fault a meeting would have noticed."""

from __future__ import annotations

from datetime import date

import polars as pl

from stalking_profile import charts, formatting, geography, map_panels, tables
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter
from stalking_profile.measures import spc
from stalking_profile.panels import trends_volume

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
        }
    )
    assert formatting.scorecard_display(card, {})["Process limits"][0] == "0.0% to 100.0%"


def test_count_limits_keep_a_decimal_so_they_agree_with_the_flag() -> None:
    """Fault 5: limits rounded to '2 to 4' beside a latest value of 4 flagged higher."""
    card = pl.DataFrame(
        {
            "label": ["Offences"],
            "latest_month": [MONTHS[-1]],
            "latest_value": [4.0],
            "mean": [3.06],
            "lower_limit": [2.2],
            "upper_limit": [3.85],
            "is_rate": [False],
            "variation": ["special cause - high"],
            "improvement": ["neither"],
            "assurance": [""],
        }
    )
    shown = formatting.scorecard_display(card, {}).row(0, named=True)
    assert (shown["Latest"], shown["Mean"], shown["Process limits"]) == ("4", "3.1", "2.2 to 3.9")


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
    figure = charts.spc_figure(_small_count_chart(), "Offences", 6)
    assert contrast(figure.layout.xaxis.tickfont.color) >= 4.5
    assert contrast(figure.layout.yaxis.tickfont.color) >= 4.5
    assert contrast(figure.layout.font.color) >= 4.5
    assert figure.layout.legend.y < 0  # below the plot: a wrapping legend cannot cover the title


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


def test_one_month_is_labelled_as_a_month(demo_gateway: Gateway) -> None:
    """Fault 7: a one-month series was labelled '23:59:59.9996 ... 00:00:00.0004'."""
    flt = ProfileFilter(date(2021, 6, 1), date(2021, 6, 1), ("BD", "CD", "KD", "LD", "WD"))
    figure = trends_volume(demo_gateway, flt).figure
    assert figure.layout.xaxis.tickformat == "%b %Y"
    low, high = figure.layout.xaxis.range
    assert (high - low).days == 40


def test_p_values_read_as_people_read_them() -> None:
    frame = pl.DataFrame({"p_value": [1.8e-20, 0.0344, None], "significant": [True, False, None]})
    shown = tables.for_display(frame)
    assert shown["p-value"].to_list() == ["< 0.001", "0.034", ""]
    assert shown["More than chance? (p < 0.05)"].to_list() == [
        "yes: more than chance",
        "no: could be chance",
        "no test",
    ]


def test_one_precision_per_column() -> None:
    """Fault 8: '14.2%' beside '13.87%'. Rates are percentages to one place; ward rates per
    1,000 to two; counts whole; keys for code never shown."""
    frame = pl.DataFrame(
        {
            "indicator": ["a", "b"],
            "rate": [0.142, 0.13871],
            "rate_per_1000": [12.0812, 3.1],
            "numerator": [142, 1387],
        }
    )
    shown = tables.for_display(frame)
    assert shown.columns == ["Rate (%)", "Offences per 1,000 residents", "Offences counted"]
    assert shown["Rate (%)"].to_list() == [14.2, 13.9]
    assert shown["Offences per 1,000 residents"].to_list() == [12.08, 3.1]
    formats = tables.display_formats(frame)
    assert formats == {
        "Rate (%)": "%.1f",
        "Offences per 1,000 residents": "%.2f",
        "Offences counted": "localized",
    }


def test_every_registered_column_has_a_label_in_words() -> None:
    for name, column in tables.COLUMNS.items():
        assert "_" not in column.label and column.label != name, name


def test_district_outlines_have_no_stray_rings(demo_gateway: Gateway) -> None:
    """Fault 8: slivers and holes between wards drew dashes inside districts (118 rings for
    five districts); now one outer ring per district part."""
    frame = geography.ward_geodataframe(demo_gateway, None)
    lon, _ = geography.district_outlines(frame)
    rings = sum(1 for value in lon if value is None)
    assert rings == 5


def test_hot_and_cold_spots_are_marked_by_shape(demo_gateway: Gateway) -> None:
    """Fault 9: hot and cold spots were told apart by colour alone."""
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "rate", correct=False)
    hot = view.wards.filter(pl.col("hotspot").str.contains("Hot spot")).height
    assert hot > 0
    markers = {
        trace.marker.symbol: len(trace.lon)
        for trace in view.hotspot_figure.data
        if trace.type == "scattergeo" and trace.mode == "markers"
    }
    assert markers["triangle-up"] == hot
