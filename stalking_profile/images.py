"""Charts as images for slides and papers, rendered on the server: PNG and SVG at slide size
(16:9), each carrying its title, the filter in words, the data's extract date, a source line,
the classification marking and, for the demo, a synthetic-data notice.

Rendering uses kaleido with Debian's Chromium through one persistent browser (started on the
first image, 0.1-0.3 s an image after that), no MathJax, and the project's own empty world
topology, so nothing is fetched from the internet. A render that fails or stalls raises
`ImageRenderingError` within `RENDER_TIMEOUT_S`; it never leaves a page waiting for ever.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any

import kaleido
import plotly.graph_objects as go
from choreographer.errors import ChromeNotFoundError

from stalking_profile.charts import with_text_as_written
from stalking_profile.config import STATIC_DIR
from stalking_profile.exports import Provenance
from stalking_profile.formatting import drawn_literal

SLIDE_SIZE = (1600, 900)
FORMATS = ("png", "svg")
RENDER_TIMEOUT_S = 60.0
"""The longest one image may take, the browser's start included."""
_CLOSE_TIMEOUT_S = 10.0
_TOPOLOGY = (STATIC_DIR / "topojson").resolve().as_uri() + "/"


class ImageRenderingError(RuntimeError):
    """A chart could not be drawn as an image: no Chromium, or the browser failed or stalled."""


def for_slide(figure: go.Figure, provenance: Provenance) -> go.Figure:
    """A copy of the figure sized for a slide with readable text (14 px dark ticks, long
    labels given room) and its provenance as a footer."""
    out = go.Figure(figure)
    fields = {name: drawn_literal(value) for name, value in provenance.fields()}
    marking = fields["Marking"]
    if provenance.synthetic:
        marking += " · SYNTHETIC DATA: no row describes a real person or crime"
    lines = [f"Filter: {fields['Filter']}", f"{fields['Data']} · Source: {fields['Source']}"]
    lines.append(marking)
    if provenance.suppressed_below:  # a line of its own: it ran off a bar chart's right edge,
        # its long labels having moved the plot, and the footer with it, right (helper 83)
        control = f"Counts under {provenance.suppressed_below} suppressed"
        if provenance.rounded_to:  # said, as the pack's title slide says it
            control += f", the others rounded to the nearest {provenance.rounded_to}"
        # a month of 612 left out read as under 5 (helper 64)
        control += "; others withheld so that none can be worked out: a gap is not a small count"
        lines.append(control)
    footer = "<br>".join(lines)
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
        margin={"l": 90, "r": 40, "t": 120, "b": 170 + 20 * (len(lines) - 3)},
        font={"size": 15, "color": "#222222"},
        title_font_size=22,
        title_x=0.02,  # the page's 0 put the title against the image's edge (helper 84)
        # beside the plot, of the plot, one entry a line (the page's legend is at the figure's
        # foot, "container": kept so, the SPC chart's lay on the provenance lines; over the
        # plot, its three rows lay on the title: helper 91)
        legend={
            "orientation": "v",
            "yref": "paper",
            "yanchor": "top",
            "y": 1,
            "xanchor": "left",
            "x": 1.01,
        },
        paper_bgcolor="white",
    )
    out.update_xaxes(tickfont={"size": 14, "color": "#222222"}, automargin=True)
    out.update_yaxes(tickfont={"size": 14, "color": "#222222"}, automargin=True)
    return out


def render(figure: go.Figure, image_format: str) -> bytes:
    """The figure as PNG or SVG bytes at its layout size (one browser for the process)."""
    if image_format not in FORMATS:
        raise ValueError(f"an image is one of {', '.join(FORMATS)}")
    options = {
        "format": image_format,
        "width": figure.layout.width or SLIDE_SIZE[0],
        "height": figure.layout.height or SLIDE_SIZE[1],
        "scale": 1,
    }
    return _RENDERER.render(with_text_as_written(figure.to_dict()), options)


class _Renderer:
    """One kaleido browser driven from an event loop in its own thread. Each image waits at most
    `RENDER_TIMEOUT_S`. A failure closes the browser (the next image opens a new one); an image
    that fails in a browser opened for an earlier one is tried once more in a new browser, since
    that browser may have died in between."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._browser: kaleido.Kaleido | None = None

    def render(self, figure: dict[str, Any], options: dict[str, Any]) -> bytes:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="images", daemon=True).start()
                atexit.register(self.close)
            if self._browser is not None and not _alive(self._browser):
                self._close_browser()  # killed or crashed since the last image: open anew
            attempts = 2 if self._browser is not None else 1
            for attempt in range(attempts):
                try:
                    return self._run(self._calc(figure, options), RENDER_TIMEOUT_S)
                except concurrent.futures.TimeoutError as error:
                    self._close_browser()
                    raise ImageRenderingError(
                        f"the chart was not drawn within {RENDER_TIMEOUT_S:.0f} s"
                    ) from error
                except ChromeNotFoundError as error:
                    self._browser = None
                    raise ImageRenderingError(
                        "Chromium was not found on the server (chromium on the PATH, or "
                        "BROWSER_PATH)"
                    ) from error
                except (Exception, asyncio.CancelledError) as error:
                    self._close_browser()
                    if attempt + 1 == attempts:
                        raise ImageRenderingError(
                            f"the chart could not be drawn: {error}"
                        ) from error
            raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the browser (at exit)."""
        with self._lock:
            if self._loop is not None:
                self._close_browser()

    async def _calc(self, figure: dict[str, Any], options: dict[str, Any]) -> bytes:
        if self._browser is None:
            browser = kaleido.Kaleido(n=1, mathjax=False, timeout=RENDER_TIMEOUT_S)
            self._browser = browser
            await browser.open()
        return await self._browser.calc_fig(figure, opts=options, topojson=_TOPOLOGY)

    def _run(self, coroutine: Coroutine[Any, Any, Any], timeout: float) -> Any:
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def _close_browser(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None:
            # It may have died or stalled already; the next image opens a new one.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                self._run(browser.close(), _CLOSE_TIMEOUT_S)


def _alive(browser: kaleido.Kaleido) -> bool:
    """Whether the browser's process is still running (a dead one can leave an image waiting
    the whole timeout instead of failing, so it is not asked)."""
    process = getattr(browser, "subprocess", None)
    return process is None or process.poll() is None


_RENDERER = _Renderer()
