"""Publication mode: how long a commissioner's office waits for each page's panels on a store.

    uv run python bench/publication.py --db data/profile.duckdb --out bench/publication_demo.json

For each disclosure rule (counts under 5 withheld; the ONS style, under 10 withheld and the rest
rounded to 5), times each panel for the whole force over the latest twelve months, read as a
commissioner's office reads it (primary and secondary suppression, and the attacker's audit),
from an empty cache: what the first person to open that page for that filter waits for. One
run each (the panels are built once per filter and then shared; the pages protected beside
the first four come after them). Then what a commissioner's office waits for next: the
slowest pages for DA alone after the page for both (`changed`), and on a fresh connection, the
Overview, the background preparation of the slowest pages (`prepared.prepare_pages`), and each
of those pages opened after it (`prepared`). Writes the timings as JSON, with the counts
withheld in the Outcomes page's tables by district (how much protection hides).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RULES = {"under 5 withheld": (5, 0), "ONS style (under 10, rounded to 5)": (10, 5)}


def main() -> None:
    from stalking_profile import map_panels, panels, people_panels, prepared, protection_panels
    from stalking_profile.access import Access
    from stalking_profile.db import connect
    from stalking_profile.geography import ward_geometry
    from stalking_profile.pack.build import pack_filter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the DuckDB store")
    parser.add_argument("--out", type=Path, help="write the timings here (JSON)")
    args = parser.parse_args()
    gateway = connect(args.db, read_only=True)
    flt, _ = pack_filter(gateway, "force", domestic="all")
    geometry = ward_geometry(gateway, flt.districts)
    builders: dict[str, Callable] = {
        "Overview": lambda reader, flt: panels.overview(reader, flt, 30, 6),
        "Risk & flags": lambda reader, flt: panels.risk_panel(reader, flt, 30),
        "Data quality": lambda reader, flt: panels.quality_panel(reader, flt, 30),
        "Outcomes": lambda reader, flt: (  # the page shows both
            panels.outcomes_panel(reader, flt, 30),
            panels.outcome_districts(reader, flt),
        ),
        # the pages protected beside those four (and the Trends and Repeats pages)
        "Hotspot maps": lambda reader, flt: map_panels.hotspot_panel(
            reader, flt, geometry, "rate", True
        ),
        "Victims and suspects": lambda reader, flt: people_panels.people_panel(reader, flt),
        "Civil orders": lambda reader, flt: protection_panels.orders_panel(reader, flt, "SPO"),
        "Victim contact": lambda reader, flt: protection_panels.contact_panel(reader, flt),
    }
    results: dict[str, dict[str, float]] = {}
    changed: dict[str, dict[str, float]] = {}
    ahead: dict[str, dict[str, float]] = {}
    withheld: dict[str, dict[str, int]] = {}
    for rule, (below, rounded_to) in RULES.items():
        access = Access.command_line().for_publication().with_threshold(below, rounded_to)
        reader = gateway.scoped(access)
        results[rule] = {}
        for page, build in builders.items():
            seconds, built = _timed(build, reader, flt)
            results[rule][page] = seconds
            print(f"{rule}: {page} {seconds:.2f} s", flush=True)
            if page == "Outcomes":
                withheld[rule] = _withheld(built[1].tables)
                print(f"{rule}: withheld in the tables by district {withheld[rule]}", flush=True)
        domestic = replace(flt, domestic="domestic")
        changed[rule] = {
            page: _timed(builders[page], reader, domestic)[0] for page in prepared.PAGES
        }
        print(f"{rule}: DA alone after both {changed[rule]}", flush=True)
        fresh = connect(args.db, read_only=True).scoped(access)
        ahead[rule] = {"Overview": _timed(builders["Overview"], fresh, flt)[0]}
        ahead[rule]["preparing (in the background)"] = _timed(prepared.prepare_pages, fresh, flt)[0]
        ahead[rule].update({page: _timed(builders[page], fresh, flt)[0] for page in prepared.PAGES})
        print(f"{rule}: prepared ahead {ahead[rule]}", flush=True)
    record = {
        "database": str(args.db),
        "districts": len(flt.districts),
        "period": f"{flt.start_month:%b %Y} to {flt.end_month:%b %Y}",
        "seconds": results,
        "seconds, DA alone after the page for both": changed,
        "seconds, a fresh server: the Overview, the pages prepared, then each opened": ahead,
        "withheld in the Outcomes tables by district": withheld,
        "machine": platform.platform(),
        "when": datetime.now().isoformat(timespec="seconds"),
    }
    if args.out:
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _timed(work: Callable, *args: object) -> tuple[float, Any]:
    """How long `work(*args)` took (seconds, to a hundredth), and what it gave."""
    started = time.perf_counter()
    built = work(*args)
    return round(time.perf_counter() - started, 2), built


def _withheld(tables: dict) -> dict[str, int]:
    """Each table's counts withheld (null), and of how many counts, for the record of how much
    protection hides."""
    import polars as pl

    found = {}
    for name, table in tables.items():
        counts = table.select(pl.exclude(pl.String))
        nulls = int(counts.null_count().sum_horizontal()[0])
        found[name] = nulls
        found[f"{name}: counts"] = counts.width * counts.height
    return found


if __name__ == "__main__":
    main()
