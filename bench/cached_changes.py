"""Time a page's filter changes and moves in one browser session with the server's panels
already cached, so that what differs between two versions of the dashboard is the browser's
part: four changes to fill the caches, then `--changes` DA changes in turn (DA, non-DA, both)
and `--moves` moves from the Overview back to the page. Medians and every time; nothing here
is a timed test.

    uv run python bench/cached_changes.py --db /tmp/spb/1000000/bench.duckdb --page maps
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from bench.browser_pages import OFFLINE, PAGES, ROOT, _change, _choose, _move, _open, _serve

CHOICES = ("DA", "Non-DA", "DA and non-DA")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "profile.duckdb")
    parser.add_argument("--page", default="maps", help="the page's path ('' for Overview)")
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument("--moves", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    heading = PAGES[args.page]
    app, url = _serve(ROOT / "app.py", {**os.environ, "STALKING_PROFILE_DB": str(args.db)})
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=[OFFLINE]
            )
            page = _open(browser, f"{url}/{args.page}", heading)
            for choice in ("DA", "DA and non-DA", "Non-DA", "DA and non-DA"):
                _change(page, heading, _choose(page, choice))
            changes = [
                _change(page, heading, _choose(page, CHOICES[n % 3])) for n in range(args.changes)
            ]
            nav = page.get_by_test_id("stSidebarNav")
            moves = []
            for _ in range(args.moves):
                _move(page, nav.locator(f'a[href="{url}/"]'), "Overview")
                moves.append(_move(page, nav.locator(f'a[href="{url}/{args.page}"]'), heading))
            browser.close()
    finally:
        app.terminate()
    for name, times in (("filter changes", changes), ("moves", moves)):
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"{heading}, {name}: median {statistics.median(times):.2f} s ({shown})")


if __name__ == "__main__":
    main()
