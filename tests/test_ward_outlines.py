"""Ward outlines sent to the browser once, at an address (ui/ward_outlines.py)."""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path

import pytest

from stalking_profile import geography, map_panels
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter
from stalking_profile.ui import ward_outlines, widgets


@pytest.fixture
def outlines_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(ward_outlines, "OUTLINES_DIR", tmp_path)
    return tmp_path


def _sent(figure) -> dict:
    """The figure's JSON as the browser is sent it."""
    return json.loads(widgets.sent(figure).json)


def test_a_maps_outlines_go_by_address_and_draw_the_same_wards(
    demo_gateway: Gateway, outlines_dir: Path
) -> None:
    """One district's map, cut from the force's wards: the browser gets the address of the
    force's outlines, not the outlines; the file there holds every ward of the force, and each
    ward the map locates has the outline the figure itself carries (which slide images and
    packs draw from, unchanged)."""
    force = geography.ForceWards(geography.ward_geodataframe(demo_gateway))
    geometry = geography.ward_geometry(demo_gateway, ("BD",), force)
    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), ("BD",), "all", ("stalking",))
    figure = map_panels.hotspot_panel(demo_gateway, flt, geometry, "rate", True).map_figure

    trace = _sent(figure)["data"][0]
    assert trace["type"] == "choropleth"
    assert trace["geojson"].startswith("/app/static/wards/")
    written = json.loads((outlines_dir / trace["geojson"].rsplit("/", 1)[1]).read_text())
    assert len(written["features"]) == 124  # the force's wards, however few the map shows
    by_code = {feature["id"]: feature for feature in written["features"]}
    own = figure.data[0].geojson
    assert isinstance(own, geography.SharedGeoJSON) and len(own["features"]) < 124
    assert {f["id"]: f for f in own["features"]} == {c: by_code[c] for c in trace["locations"]}


def test_outlines_are_written_once_and_again_if_cleared(outlines_dir: Path) -> None:
    whole = geography.SharedGeoJSON(type="FeatureCollection", features=[_square("W1", 0)])
    address = ward_outlines.address_of(whole.cut(["W1"]).whole)
    file = outlines_dir / address.rsplit("/", 1)[1]
    made = file.stat().st_mtime_ns
    assert ward_outlines.address_of(whole) == address and file.stat().st_mtime_ns == made
    file.unlink()  # cleared away (by another server process keeping its newest)
    assert ward_outlines.address_of(whole) == address
    assert json.loads(file.read_text()) == whole
    assert [p.name for p in outlines_dir.iterdir()] == [file.name]  # no temporary file left


def test_only_the_newest_collections_are_kept(outlines_dir: Path) -> None:
    """The newest KEPT collections are kept, and the one just written always, whatever the
    times the others carry (files written within the file system's tick share one; here the
    others are dated an hour ahead, as another machine's clock might date them)."""

    def collection(n: int) -> geography.SharedGeoJSON:
        return geography.SharedGeoJSON(type="FeatureCollection", features=[_square("W", n)])

    for n in range(ward_outlines.KEPT + 2):
        ward_outlines.address_of(collection(n))
    ahead = time.time_ns() + 3_600 * 10**9
    for path in outlines_dir.iterdir():
        os.utime(path, ns=(ahead, ahead))
    last = ward_outlines.address_of(collection(999)).rsplit("/", 1)[1]
    kept = {p.name for p in outlines_dir.glob("*.json")}
    assert len(kept) == ward_outlines.KEPT and last in kept


def _square(code: str, x: float) -> dict:
    ring = [[x, 0.0], [x + 1, 0.0], [x + 1, 1.0], [x, 1.0], [x, 0.0]]
    return {
        "type": "Feature",
        "id": code,
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
