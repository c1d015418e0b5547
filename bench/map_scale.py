"""Map scale benchmark: about 10,000 wards with real ward-boundary detail.

    uv run python bench/map_scale.py

Tiles the demo's 124 real West Yorkshire ward polygons 81 times (a 9 x 9 grid of copies), then
measures what the map page does with them: display simplification, the choropleth's JSON
payload, contiguity weights and Gi*, and the time Debian's Chromium takes to draw every ward
offline (plotly.js from the plotly package, no network).
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.io as pio
import polars as pl
import shapely
from shapely import affinity

from stalking_profile import geography, maps
from stalking_profile.config import DEMO_DIR
from stalking_profile.measures import hotspots

COPIES = 9


def tiled_wards() -> gpd.GeoDataFrame:
    base = gpd.read_file(DEMO_DIR / "wards.geojson")
    minx, miny, maxx, maxy = base.total_bounds
    frames = []
    for row in range(COPIES):
        for column in range(COPIES):
            copy = base.copy()
            copy["geometry"] = copy.geometry.apply(
                lambda g, r=row, c=column: affinity.translate(
                    g, c * (maxx - minx), r * (maxy - miny)
                )
            )
            copy["ward_code"] = copy["ward_code"] + f"-{row}{column}"
            copy["district_code"] = copy["district_code"] + f"{row}{column}"
            frames.append(copy)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)


def main() -> None:
    wards = tiled_wards()
    vertices = int(shapely.get_num_coordinates(wards.geometry.values).sum())
    started = time.perf_counter()
    geojson = geography.display_geojson(wards)
    simplify_s = time.perf_counter() - started
    shown = int(
        sum(
            shapely.get_num_coordinates(shapely.from_geojson(json.dumps(f["geometry"])))
            for f in geojson["features"]
        )
    )
    started = time.perf_counter()
    weights = geography.contiguity_weights(wards)
    weights_s = time.perf_counter() - started
    rates = np.random.default_rng(1).gamma(2, 2, len(wards))
    started = time.perf_counter()
    hotspots.hotspot_classes(*hotspots.gi_star(rates, weights))
    gi_ms = (time.perf_counter() - started) * 1000
    lon, lat = geography.district_outlines(wards)
    geometry = geography.WardGeometry(
        pl.DataFrame(
            {
                "ward_code": wards["ward_code"],
                "ward_name": wards["ward_name"],
                "district_code": wards["district_code"],
            }
        ),
        geojson,
        lon,
        lat,
        weights,
        1,
    )
    values = geometry.wards.with_columns(
        pl.Series("offences", rates.round().astype(int)), pl.Series("rate", rates)
    )
    figure = maps.choropleth_figure(geometry, values, "rate", "10,000-ward benchmark", "per 1,000")
    payload = json.dumps(figure.to_plotly_json(), default=str)
    folder = Path(tempfile.gettempdir()) / "stalking-profile-map-bench"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(
        Path(__file__).resolve().parents[1] / "static" / "topojson", folder / "topojson"
    )
    html = folder / "map.html"
    html.write_text(
        pio.to_html(
            figure, include_plotlyjs=True, full_html=True, config={"topojsonURL": "topojson/"}
        ),
        encoding="utf-8",
    )

    render_s = browser_render_seconds(folder, len(wards))
    print(
        f"| {len(wards):,} wards ({vertices:,} vertices; {shown:,} after simplifying in {simplify_s:.1f} s) | "
        f"figure JSON {len(payload) / 2**20:.1f} MB | weights {weights_s:.1f} s (once per database) | "
        f"Gi* {gi_ms:.0f} ms | drawn in Chromium in {render_s:.1f} s |"
    )


def browser_render_seconds(folder: Path, wards: int) -> float:
    """Serve the page on loopback (browsers refuse file:// fetches) and time the drawing."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/map.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--disable-dev-shm-usage", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("requestfailed", lambda request: problems.append("failed " + request.url))

        local = url.rsplit("/", 1)[0]
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(local) else route.abort()
            ),
        )
        started = time.perf_counter()
        page.goto(url)

        page.wait_for_timeout(100)
        if problems:
            print("page problems:", problems[:5])
        page.wait_for_function(
            f"() => document.querySelectorAll('.choroplethlocation').length >= {wards}",
            timeout=120_000,
        )
        elapsed = time.perf_counter() - started
        browser.close()
    server.shutdown()
    return elapsed


if __name__ == "__main__":
    main()
