"""Charts as images for slides and papers, rendered on the server: PNG and SVG at slide size
(16:9), each carrying its title, the filter in words, the data's extract date, a source line,
the classification marking and, for the demo, a synthetic-data notice.

Rendering uses kaleido with Debian's Chromium through one persistent renderer (started on the
first image, 0.1-0.3 s an image after that), no MathJax, and the project's own empty world
topology, so nothing is fetched from the internet.
"""

from __future__ import annotations

import atexit
import threading
import warnings

import kaleido
import plotly.graph_objects as go
import plotly.io as pio

from stalking_profile.config import STATIC_DIR
from stalking_profile.exports import Provenance

SLIDE_SIZE = (1600, 900)
FORMATS = ("png", "svg")
_RENDERER = threading.Lock()
_started = False


def for_slide(figure: go.Figure, provenance: Provenance) -> go.Figure:
    """A copy of the figure sized for a slide with readable text (14 px dark ticks, long
    labels given room) and its provenance as a footer."""
    out = go.Figure(figure)
    fields = dict(provenance.fields())
    marking = fields["Marking"]
    if provenance.synthetic:
        marking += " · SYNTHETIC DATA: no row describes a real person or crime"
    if provenance.suppressed_below:
        marking += f" · counts under {provenance.suppressed_below} suppressed"
    footer = "<br>".join(
        [f"Filter: {fields['Filter']}", f"{fields['Data']} · Source: {fields['Source']}", marking]
    )
    out.add_annotation(
        text=footer,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.14,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font={"size": 13, "color": "#333333"},
    )
    out.update_layout(
        width=SLIDE_SIZE[0],
        height=SLIDE_SIZE[1],
        margin={"l": 90, "r": 40, "t": 120, "b": 170},
        font={"size": 15, "color": "#222222"},
        title_font_size=22,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "right", "x": 1},
        paper_bgcolor="white",
    )
    out.update_xaxes(tickfont={"size": 14, "color": "#222222"}, automargin=True)
    out.update_yaxes(tickfont={"size": 14, "color": "#222222"}, automargin=True)
    return out


def render(figure: go.Figure, image_format: str) -> bytes:
    """The figure as PNG or SVG bytes at its layout size (one renderer for the process)."""
    if image_format not in FORMATS:
        raise ValueError(f"an image is one of {', '.join(FORMATS)}")
    global _started
    with _RENDERER:
        if not _started:
            pio.defaults.topojson = (STATIC_DIR / "topojson").resolve().as_uri() + "/"
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _started = True
        width = figure.layout.width or SLIDE_SIZE[0]
        height = figure.layout.height or SLIDE_SIZE[1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "kopts ignored with a server": sizes are set
            return pio.to_image(figure, format=image_format, width=width, height=height)
