"""A commissioner's office in a real browser: its first pages in publication mode, with the
slowest pages prepared in the background (`stalking_profile/prepared.py`) and without.

For each of `--prepare 1 0`, copies the database (default: the demo) to a temporary folder,
adds an office account and turns login on there, starts the dashboard as the README's first
command starts it, and in Debian's Chromium (offline) signs in, waits for the Overview, reads
it for `--reading` seconds, then opens the Outcomes page, its "Outcomes by district" tab and
the Hotspot maps, each timed until fully rendered (bench/browser_pages.py's check). Prints the
timings and writes them as JSON with `--out`. Usage:

    uv run python bench/publication_browser.py [--db data/profile.duckdb] [--reading 20 0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.browser_pages import OFFLINE, RENDERED, TAB_DRAWN, TIMEOUT, _serve  # noqa: E402

ACCOUNT, PASSWORD = "pcc.office", "a benchmark password 1"


def _office_database(source: Path, folder: Path) -> Path:
    """A copy of `source` with an office account and login required (its own store)."""
    database = folder / "profile.duckdb"
    shutil.copy(source, database)
    command = [sys.executable, "-m", "stalking_profile"]
    add = ["users", "add", ACCOUNT, "--role", "commissioner", "--password-stdin"]
    subprocess.run(
        [*command, *add, "--db", str(database)],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    subprocess.run(
        [*command, "login", "on", "--db", str(database)], check=True, cwd=ROOT, capture_output=True
    )
    return database


def _visit(browser, url: str, reading: float) -> dict[str, float]:
    """Sign in, then the pages in turn, each timed until fully rendered."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(url)
    page.get_by_role("button", name="Sign in").wait_for(timeout=TIMEOUT)
    page.get_by_role("textbox", name="User name").fill(ACCOUNT)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function(RENDERED, arg="Overview", timeout=TIMEOUT, polling=50)
    timings["Overview, signed in"] = time.perf_counter() - started
    time.sleep(reading)  # the office reads its first page
    for title in ("Outcomes", "Hotspot maps"):
        started = time.perf_counter()
        page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
        page.wait_for_function(RENDERED, arg=title, timeout=TIMEOUT, polling=50)
        timings[title] = time.perf_counter() - started
        if title == "Outcomes":
            tab = "Outcomes by district"
            started = time.perf_counter()
            page.locator('[data-testid="stMain"] [role="tab"]', has_text=tab).click()
            page.wait_for_function(TAB_DRAWN, arg=tab, timeout=TIMEOUT, polling=50)
            page.wait_for_function(RENDERED, arg=title, timeout=TIMEOUT, polling=50)
            timings[f"{title}: {tab}"] = time.perf_counter() - started
    page.context.close()
    return {name: round(seconds, 2) for name, seconds in timings.items()}


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "profile.duckdb")
    parser.add_argument("--prepare", nargs="+", default=["1", "0"], choices=["1", "0"])
    parser.add_argument("--reading", nargs="+", type=float, default=[20.0, 0.0])
    parser.add_argument("--out", type=Path, help="write the timings here (JSON)")
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=[OFFLINE]
        )
        for reading in args.reading:
            for prepare in args.prepare:
                with tempfile.TemporaryDirectory() as folder:
                    database = _office_database(args.db, Path(folder))
                    env = {
                        **os.environ,
                        "STALKING_PROFILE_DB": str(database),
                        "STALKING_PROFILE_PREPARE_AHEAD": prepare,
                    }
                    server, url = _serve(ROOT / "app.py", env)
                    try:
                        run = f"read {reading:g} s, prepare ahead {prepare}"
                        results[run] = _visit(browser, url, reading)
                        print(run, results[run], flush=True)
                    finally:
                        server.terminate()
                        server.wait(timeout=60)
        browser.close()
    if args.out:
        record = {
            "command": "uv run python bench/publication_browser.py",
            "database": str(args.db),
            "seconds": results,
            "machine": platform.platform(),
            "when": datetime.now().isoformat(timespec="seconds"),
        }
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
