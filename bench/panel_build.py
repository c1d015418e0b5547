"""The server's time to build each filtered page's panel for a new filter: what a filter change
waits for on the server beyond Streamlit's rerun (the panels are then shared from the cache).

    uv run python bench/panel_build.py [--db data/profile.duckdb] [--out FILE]

Read as an analyst reads (no publication mode). Two filters warm the connection first; then
eight filters, each new to the process (twelve-month periods ending January to October 2021
and later, all districts or all but the first, all offences or DA only), are built once each
per page. Prints and writes the median per page, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from stalking_profile import panels, queries
    from stalking_profile.config import Settings
    from stalking_profile.db import connect
    from stalking_profile.filters import ProfileFilter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "profile.duckdb")
    parser.add_argument("--out", type=Path, help="write the medians here (JSON)")
    args = parser.parse_args()
    gateway = connect(args.db, read_only=True)
    every = tuple(queries.districts(gateway)["district_code"].to_list())
    latest = queries.dataset_info(gateway).last_month
    settings = Settings.from_env()
    filters = [
        ProfileFilter(
            date(latest.year - 2, month, 1),
            date(latest.year - 1, month, 1),
            every if n % 2 else every[1:],
            "domestic" if n % 2 else "all",
        )
        for n, month in enumerate(range(1, 11))
    ]
    builders: dict[str, Callable[[ProfileFilter], object]] = {
        "Overview": lambda f: panels.overview(gateway, f, 30, 6),
        "Trends": lambda f: panels.trends_page(gateway, f, 6, True),
        "Outcomes": lambda f: (  # the page shows both
            panels.outcomes_panel(gateway, f, 30),
            panels.outcome_districts(gateway, f),
        ),
        "Risk & flags": lambda f: panels.risk_panel(gateway, f, 30),
        "Data quality": lambda f: panels.quality_panel(gateway, f, 30),
        "Repeats": lambda f: panels.repeats_panel(
            gateway, f, settings.serial_victims, settings.serial_years
        ),
    }
    for flt in filters[:2]:  # the connection's first reads
        for build in builders.values():
            build(flt)
    medians = {}
    for page, build in builders.items():
        seconds = []
        for flt in filters[2:]:
            started = time.perf_counter()
            build(flt)
            seconds.append(time.perf_counter() - started)
        medians[page] = round(statistics.median(seconds) * 1000, 1)
        print(f"{page}: {medians[page]:.0f} ms", flush=True)
    if args.out:
        args.out.write_text(json.dumps({"database": str(args.db), "ms": medians}, indent=2) + "\n")


if __name__ == "__main__":
    main()
