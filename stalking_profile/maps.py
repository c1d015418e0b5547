"""Map figures: ward choropleths drawn from the polygons alone (no tile server, nothing fetched).

Plotly's GeoJSON choropleths ask for a world topology from a CDN even when the base map is
hidden; the app serves an empty one from `static/topojson/` (`ui.plotly_chart` points Plotly
at it), so maps draw offline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import polars as pl

from stalking_profile.charts import FONT, not_counts
from stalking_profile.geography import WardGeometry
from stalking_profile.measures.hotspots import CLASS_ORDER

SEQUENTIAL = "YlOrRd"  # readable with the common colour-vision deficiencies
HOTSPOT_COLOURS: dict[str, str] = {
    "Hot spot (99%)": "#b2182b",
    "Hot spot (95%)": "#ef8a62",
    "Hot spot (90%)": "#fddbc7",
    "Not significant": "#f0f0f0",
    "Cold spot (90%)": "#d1e5f0",
    "Cold spot (95%)": "#67a9cf",
    "Cold spot (99%)": "#2166ac",
}
EMERGING_COLOURS: dict[str, str] = {
    "New hot spot": "#67000d",
    "Consecutive hot spot": "#a50f15",
    "Intensifying hot spot": "#cb181d",
    "Persistent hot spot": "#ef3b2c",
    "Diminishing hot spot": "#fb6a4a",
    "Sporadic hot spot": "#fc9272",
    "Oscillating hot spot": "#fcbba1",
    "Historical hot spot": "#fee0d2",
    "New cold spot": "#08306b",
    "Consecutive cold spot": "#08519c",
    "Intensifying cold spot": "#2171b5",
    "Persistent cold spot": "#4292c6",
    "Diminishing cold spot": "#6baed6",
    "Sporadic cold spot": "#9ecae1",
    "Oscillating cold spot": "#c6dbef",
    "Historical cold spot": "#deebf7",
    "No pattern detected": "#f0f0f0",
}


def _base(figure: go.Figure, geometry: WardGeometry, title: str, height: int = 640) -> go.Figure:
    figure.add_scattergeo(
        lon=geometry.outline_lon,
        lat=geometry.outline_lat,
        mode="lines",
        line={"color": "#222222", "width": 1.4},
        hoverinfo="skip",
        name="District boundary",
        showlegend=False,
    )
    figure.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 0, "r": 0, "t": 60, "b": 0},
        paper_bgcolor="white",
    )
    return figure


HOVER = (
    "<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[2]:,} offences<br>"
    "%{customdata[3]:.2f} per 1,000 residents in the period<extra></extra>"
)


RATE_COLUMN = "customdata[3]"  # of _hover's columns, the one that is no count


def _hover(values: pl.DataFrame):
    """Ward, district, count and rate for the hover label."""
    return values.select(
        "ward_name",
        "district_code",
        pl.col("offences").fill_null(0),
        pl.col("rate").fill_null(float("nan")),
    ).to_numpy()


def _category_hover(part: pl.DataFrame, category: str, counted: str | None) -> tuple[object, str]:
    """The customdata and hover template of one category's wards (see category_map_figure)."""
    named = "<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
    if counted is None:
        return part.select(
            "ward_name", "district_code"
        ).to_numpy(), f"{named}{category}<extra></extra>"
    if counted == "offences":
        return _hover(part), HOVER.replace("<extra></extra>", f"<br>{category}<extra></extra>")
    return _hover(part), f"{named}%{{customdata[2]:,}} {counted}<br>{category}<extra></extra>"


def colour_bar_top(values: list) -> float:
    """The top of a map's colour bar: the largest value drawn, 1 where every value is 0 (or
    none is drawn)."""
    return max([*values, 0]) or 1


def choropleth_figure(
    geometry: WardGeometry, values: pl.DataFrame, column: str, title: str, colour_title: str
) -> go.Figure:
    """Wards coloured by `column` (offences or rate), district outlines on top; hover shows
    ward, district, count and rate. `values`: ward_code, ward_name, district_code, offences, rate."""
    z = values[column].fill_null(0).to_numpy()
    figure = go.Figure(
        go.Choropleth(
            geojson=geometry.geojson,
            # arrays, not lists: Plotly checks a list item by item (7,056 wards: 40 ms a map)
            locations=values["ward_code"].to_numpy(),
            z=z,
            # from 0: where every ward shown had none, Plotly's own range ran from -0.4 to 0.4
            # and drew those wards mid-scale, as if they had offences
            zmin=0,
            zmax=colour_bar_top(z.tolist()),
            featureidkey="id",
            colorscale=SEQUENTIAL,
            marker_line_color="#ffffff",
            marker_line_width=0.3,
            colorbar={"title": {"text": colour_title}},
            customdata=_hover(values),
            hovertemplate=HOVER,
            # the rate (and the map's colour, unless it is offences) is no count
            meta=not_counts(RATE_COLUMN, *(["z"] if column != "offences" else [])),
        )
    )
    return _base(figure, geometry, title)


def category_map_figure(
    geometry: WardGeometry,
    values: pl.DataFrame,
    column: str,
    colours: dict[str, str],
    title: str,
    counted: str | None = "offences",
) -> go.Figure:
    """Wards coloured by a category (hotspot class, emerging-hotspot category) with a legend;
    hover shows each ward's offences and rate (HOVER), or with `counted` its offences in those
    words and no rate (the emerging hotspots' offences over the quarters), or with None, no
    count (publication mode withholds them)."""
    figure = go.Figure()
    for category, colour in colours.items():
        part = values.filter(pl.col(column) == category)
        if part.is_empty():
            continue
        codes = part["ward_code"]
        figure.add_trace(
            wards_in_one_colour(
                geometry.geojson_of(codes.to_list()),
                codes.to_numpy(),
                colour,
                f"{category} ({part.height})",
                *_category_hover(part, category, counted),
                line_colour="#bbbbbb",
            )
        )
    figure = _base(figure, geometry, title)
    figure.update_layout(
        legend={"orientation": "v", "x": 0, "y": 0, "bgcolor": "rgba(255,255,255,0.8)"}
    )
    return figure


def wards_in_one_colour(
    geojson: dict,
    codes: Sequence[str] | np.ndarray,
    colour: str,
    name: str,
    customdata: object,
    hovertemplate: str,
    line_colour: str = "#ffffff",
    featureidkey: str = "id",
) -> go.Choropleth:
    """Wards drawn in one colour as a layer of their own, named in the legend (a hotspot
    class; the wards a published map withholds). The value carried is 0 whatever the wards':
    the colour says it all."""
    return go.Choropleth(
        geojson=geojson,
        locations=codes,
        z=np.zeros(len(codes), dtype=np.int8),
        featureidkey=featureidkey,
        colorscale=[[0, colour], [1, colour]],
        showscale=False,
        marker_line_color=line_colour,
        marker_line_width=0.3,
        name=name,
        showlegend=True,
        customdata=customdata,
        hovertemplate=hovertemplate,
        meta=not_counts(RATE_COLUMN),
    )


def hotspot_figure(geometry: WardGeometry, values: pl.DataFrame, title: str) -> go.Figure:
    """Getis-Ord Gi* hot and cold spots at 99/95/90% confidence, each hot spot also marked
    by an upward triangle and each cold spot by a downward one (not colour alone)."""
    figure = category_map_figure(
        geometry, values, "hotspot", {c: HOTSPOT_COLOURS[c] for c in CLASS_ORDER}, title
    )
    return mark_by_shape(figure, geometry, values, "hotspot")


def mark_by_shape(
    figure: go.Figure, geometry: WardGeometry, values: pl.DataFrame, column: str
) -> go.Figure:
    """A triangle on each ward whose `column` names a hot spot (up) or a cold spot (down):
    "Hot spot 99%" and "New hot spot" alike (the emerging categories, in lower case, were
    never marked, so told hot from cold by colour alone)."""
    located = values.select("ward_code", "ward_name", column).join(
        geometry.points, on="ward_code", how="inner"
    )
    for word, symbol in (("Hot", "triangle-up"), ("Cold", "triangle-down")):
        part = located.filter(
            pl.col(column).str.to_lowercase().str.contains(f"{word.lower()} spot")
        )
        if part.is_empty():
            continue
        figure.add_scattergeo(
            lon=part["lon"].to_numpy(),
            lat=part["lat"].to_numpy(),
            mode="markers",
            # a white edge: a dark triangle on a consecutive hot spot's dark red was lost
            marker={
                "symbol": symbol,
                "size": 10,
                "color": "#222222",
                "line": {"width": 1.5, "color": "white"},
            },
            name=f"{word} spot (marked ▲)" if word == "Hot" else f"{word} spot (marked ▼)",
            text=part["ward_name"].to_numpy(),
            hoverinfo="skip",
            showlegend=True,
        )
    return figure


def emerging_figure(
    geometry: WardGeometry, values: pl.DataFrame, title: str, counted: bool = True
) -> go.Figure:
    """Emerging hot and cold spot categories, hot ones also marked ▲ and cold ones ▼; hover
    gives each ward's offences over the quarters (not with `counted` False)."""
    figure = category_map_figure(
        geometry,
        values,
        "category",
        EMERGING_COLOURS,
        title,
        "offences over the quarters" if counted else None,
    )
    return mark_by_shape(figure, geometry, values, "category")
