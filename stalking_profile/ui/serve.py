"""Start the dashboard (the README's first command does): load everything the pages use, then
hand over to Streamlit. Streamlit imports a page's modules when the first session runs it, so
without this the first person to open a freshly started server waits for Python's imports
(about 6 s of the 8.7 s that first page took on the demo, bench/load_sessions.py); with it the
server answers its health check only once they are loaded.

    python -m stalking_profile.ui.serve [streamlit run options, e.g. --server.port 8501]
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time

from stalking_profile.config import PROJECT_ROOT

APP = PROJECT_ROOT / "app.py"


def preload() -> float:
    """Import every module of the package and serialise one figure with each kind of trace the
    charts draw (Plotly loads a trace's validators on its first use); returns the seconds."""
    started = time.perf_counter()
    import stalking_profile

    for module in pkgutil.walk_packages(stalking_profile.__path__, "stalking_profile."):
        if not module.name.endswith(("__main__", ".ui.serve")):
            importlib.import_module(module.name)
    import plotly.graph_objects as go

    go.Figure([go.Scatter(x=[0], y=[0]), go.Bar(x=[0], y=[0]), go.Choropleth()]).to_json()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    options = sys.argv[1:] if argv is None else argv
    os.umask(0o077)  # what the server and its imports write holds records: its owner's alone
    print("==> loading the dashboard's modules", file=sys.stderr, flush=True)
    print(f"==> loaded in {preload():.1f} s", file=sys.stderr, flush=True)
    from stalking_profile.config import Settings
    from stalking_profile.snapshots import remove_leftovers

    if removed := remove_leftovers(Settings.from_env().db_path):
        print(f"==> removed {removed} file(s) a stopped import left", file=sys.stderr, flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *options]
    cli.main()


if __name__ == "__main__":
    main()
