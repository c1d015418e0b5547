"""Charts drawn by an element that stays on the page between reruns.

Streamlit's own chart (st.plotly_chart) names its element by the figure's content, so each
filter change mounts a new element, and draws it twice (hidden at Plotly's own size, then at
the column's width). This element (st.components.v2, `chart_element.js`) is named by its
place on the page, and a new figure is drawn into it with Plotly.react, once. Its drawing
sits in a shadow root: the page's tab panel looks for something to focus among every element
it holds each time any changes (all 7,056 ward outlines of a map), and the page's style
rules are not matched against them. docs/performance.md has what each part saved.

The figure sent is the JSON st.plotly_chart would send, with ward outlines by address
(ward_outlines.py); the toolbar is st.plotly_chart's without theming: the PNG export sized
for a slide, and a fullscreen button.

Plotly's code is Plotly's own, of the version that draws the slide images (the plotly
package's), built with only the traces the dashboard draws (TRACES) by
`scripts/build-plotly-bundle` and kept in `vendor/`: 1.4 MB where the full bundle is 4.8 MB.
A new session waited about 1 s for the full one to be ready (docs/performance.md). It is
written once under `static/vendor/` and fetched once a page.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import cache
from pathlib import Path

import plotly.offline
import streamlit as st

from stalking_profile.config import STATIC_DIR
from stalking_profile.ui.ward_outlines import write_whole

VENDOR_DIR = STATIC_DIR / "vendor"
VENDOR_ADDRESS = "/app/static/vendor/"  # where Streamlit serves VENDOR_DIR
NAME = "stalking_profile.chart"
_log = logging.getLogger(__name__)
_CODE = Path(__file__).with_name("chart_element.js")
# The traces Plotly's code is built with (scripts/build-plotly-bundle): every figure the
# dashboard draws is made of these (tests/test_app.py checks every page's).
TRACES = frozenset({"bar", "choropleth", "scatter", "scattergeo"})
BUNDLE = _CODE.with_name("vendor") / f"plotly-charts-{plotly.offline.get_plotlyjs_version()}.min.js"
# The page's rules that reached Plotly's toolbar and SVG outside a shadow root (Streamlit's
# global `svg { vertical-align: middle }` and border-box sizing), so it is laid out as before;
# and a white ground in fullscreen.
STYLE = """
.chart-element *, .chart-element *::before, .chart-element *::after { box-sizing: border-box; }
.chart-element svg { vertical-align: middle; }
:host(:fullscreen) { background: white; }
"""


@cache
def _element():
    return st.components.v2.component(
        NAME,
        js=_CODE.read_text(encoding="utf-8"),
        css=STYLE,
        isolate_styles=True,  # drawn in a shadow root (the module's docstring says why)
    )


def plotly_code() -> tuple[str, str]:
    """Plotly's code for the pages and the start of its file name: the bundle of TRACES built
    for the installed plotly package's version; where none was (the package was upgraded
    without running scripts/build-plotly-bundle), the package's full bundle, which draws the
    same charts and takes about 1 s longer to start in a new session."""
    version = plotly.offline.get_plotlyjs_version()
    if BUNDLE.is_file():
        return BUNDLE.read_text(encoding="utf-8"), BUNDLE.name.removesuffix(".min.js")
    _log.warning(
        "No Plotly bundle for plotly.js %s (%s): the pages load the full one; "
        "run scripts/build-plotly-bundle",
        version,
        BUNDLE,
    )
    return plotly.offline.get_plotlyjs(), f"plotly-{version}"


@cache
def plotly_address() -> str:
    """The address of Plotly's code (plotly_code), written under VENDOR_DIR first if it is not
    there; its name holds its content's hash, so a rebuilt bundle is never taken for the last
    one."""
    code, stem = plotly_code()
    name = f"{stem}-{revision(code)[:12]}.min.js"
    if not (VENDOR_DIR / name).exists():
        write_whole(VENDOR_DIR, name, code)
    return VENDOR_ADDRESS + name


def revision(figure_json: str) -> str:
    """A short name for a figure's JSON: what the element says it has drawn."""
    return hashlib.sha256(figure_json.encode()).hexdigest()[:16]


def payload(figure_json: str, figure_revision: str, config: dict) -> bytes:
    """What the element is sent: the figure's JSON as made (not encoded again inside a
    string), Plotly's config, the figure's revision and the address of Plotly's code."""
    rest = json.dumps(
        {"config": config, "revision": figure_revision, "plotly": plotly_address()},
        separators=(",", ":"),
    )
    return ('{"figure":' + figure_json + "," + rest[1:]).encode()


def chart(figure_json: str, figure_revision: str, config: dict, place: str) -> None:
    """Show a figure (its JSON as st.plotly_chart would send it) at `place`: a name unique
    on the page that stays the same when the filter changes."""
    _element()(
        key=f"chart-{place}",
        data=payload(figure_json, figure_revision, config),
        width="stretch",
        height="content",
    )
