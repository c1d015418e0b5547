"""Map figures (maps.py): choropleths and hot/cold spot markers drawn offline from ward polygons."""

from __future__ import annotations

from datetime import date

import polars as pl

from stalking_profile import geography, map_panels
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter


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
