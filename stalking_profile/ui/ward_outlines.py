"""Ward outlines sent to the browser once, at an address, not inside every map.

A map of 7,056 wards carried about 1.4 MB of outlines in its figure (8 MB for 10,000 real
wards), and every filter change sent them again: the browser parsed them, Streamlit's chart
turned the figure into text and back twice more, and Plotly read them again. Plotly fetches a
GeoJSON given as an address once per page and keeps it (`window.PlotlyGeoAssets`), so each
collection of outlines is written once under `static/wards/`, named by its content, and a map
names it there. Each map's figure on the server keeps its outlines (slide images, packs and
downloads draw from them), and its wards and colours are the same either way: a choropleth
draws only the features its `locations` name.

Streamlit serves `static/` to anyone who can reach the server, as it serves the page's own
code. What is written there is the boundaries the force loaded, public geography (ONS's ward
boundaries), with the ward codes as ids and nothing else: no count, name or record.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from stalking_profile.config import STATIC_DIR
from stalking_profile.geography import SharedGeoJSON

OUTLINES_DIR = STATIC_DIR / "wards"
OUTLINES_ADDRESS = "/app/static/wards/"  # where Streamlit serves OUTLINES_DIR
KEPT = 24  # collections kept: about three a database (one per display tolerance)


def by_address(spec: dict) -> list[SharedGeoJSON]:
    """Give each map trace's outlines in a figure's dict (as it leaves the server for the
    browser) as the address of the collection they were cut from; the collections sent so.
    Changes `spec`, not the outlines."""
    sent = []
    for trace in spec.get("data", ()):
        outlines = trace.get("geojson")
        if isinstance(outlines, SharedGeoJSON):
            trace["geojson"] = address_of(outlines.whole)
            sent.append(outlines.whole)
    return sent


def address_of(collection: SharedGeoJSON) -> str:
    """The address the browser fetches `collection` from, written there first if it is not
    (once per collection object, and again if it was cleared away)."""
    folder = OUTLINES_DIR
    name = collection.__dict__.get("_file_name")
    if name is None or not (folder / name).exists():
        text = json.dumps(collection, separators=(",", ":"))
        name = f"{hashlib.sha256(text.encode()).hexdigest()[:40]}.json"
        _write(folder, name, text)
        collection._file_name = name  # type: ignore[attr-defined]
    return OUTLINES_ADDRESS + name


def _write(folder: Path, name: str, text: str) -> None:
    """Write `text` as `folder/name`, then keep the KEPT newest collections."""
    if (folder / name).exists():
        return
    write_whole(folder, name, text)
    # the one just written is kept whatever the others' times (files written within the file
    # system's tick share one; another machine's clock may date them ahead)
    others = sorted((p for p in folder.glob("*.json") if p.name != name), key=_modified)
    for old in others[: max(0, len(others) - (KEPT - 1))]:
        old.unlink(missing_ok=True)


def write_whole(folder: Path, name: str, text: str) -> None:
    """Write `text` as `folder/name` whole or not at all (another server process may be
    writing the same file: each writes its own temporary file and renames it)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # cleared away by another server process meanwhile
        return 0.0
