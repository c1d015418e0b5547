"""Figure builders: frame in, Plotly figure out. One theme, fixed colours, never rendered here.

Colours are the Okabe-Ito colour-blind-safe palette; DA and non-DA keep the same colours on
every chart.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

COLOURS: dict[str, str] = {
    "domestic": "#D55E00",  # vermillion
    "non_domestic": "#0072B2",  # blue
    "all": "#4D4D4D",  # dark grey
    "rolling": "#009E73",  # bluish green
    "accent": "#E69F00",  # orange
}
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def apply_theme(figure: go.Figure, title: str) -> go.Figure:
    """The house style: white background, readable title, legend on top, no web fonts."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white",
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 60, "r": 30, "t": 80, "b": 50},
        hovermode="x unified",
    )
    return figure


def monthly_trend_figure(series: pl.DataFrame, title: str, colour_key: str = "all") -> go.Figure:
    """Monthly offences as bars with the rolling 12-month total as a line (second axis).

    `series` has recorded_month, offences and rolling_12m_total (from rolling_12m_series).
    """
    figure = go.Figure()
    figure.add_bar(
        x=series["recorded_month"].to_list(),
        y=series["offences"].to_list(),
        name="Offences per month",
        marker_color=COLOURS.get(colour_key, COLOURS["all"]),
        opacity=0.75,
    )
    figure.add_scatter(
        x=series["recorded_month"].to_list(),
        y=series["rolling_12m_total"].to_list(),
        name="Rolling 12-month total",
        mode="lines",
        line={"color": COLOURS["rolling"], "width": 3},
        yaxis="y2",
    )
    figure.update_layout(
        yaxis={"title": "Offences per month", "rangemode": "tozero"},
        yaxis2={
            "title": "Rolling 12-month total",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
        xaxis={"title": "Month recorded"},
    )
    return apply_theme(figure, title)
