"""Time to a fully rendered page in a real browser, against a bare Streamlit page in the same run.

Starts two Streamlit servers: the dashboard on a database (default: the demo) and a bare app with
one Plotly chart (bench/bare_app.py, the floor: what Streamlit itself costs). For each, Debian's
Chromium opens a new session on every page and waits until it is fully rendered - no running
indicator, no skeleton, every chart drawn - and then moves to another page with a changed
filter. Prints a table and writes bench/browser_results.json. Usage:

    uv run python bench/browser_pages.py [--db data/profile.duckdb] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "": "Overview",
    "trends": "Trends",
    "outcomes": "Outcomes",
    "risk": "Risk & flags",
    "maps": "Hotspot maps",
    "quality": "Data quality",
    "data": "Data",
    "definitions": "Definitions",
}
RENDERED = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('.stPlotlyChart, [data-testid="stPlotlyChart"]')]
        .every(c => c.querySelector('.main-svg'))"""


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(script: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{script} did not start")


def _render(page, url: str, heading: str | None) -> float:
    started = time.perf_counter()
    page.goto(url)
    if heading:
        page.get_by_role("heading", name=heading, level=1).wait_for(timeout=120_000)
    page.wait_for_function(RENDERED, timeout=120_000)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "profile.duckdb")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "STALKING_PROFILE_DB": str(args.db.resolve())}
    app, app_url = _serve(ROOT / "app.py", env)
    bare, bare_url = _serve(ROOT / "bench" / "bare_app.py", env)
    results: dict[str, dict[str, float]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            _render(browser.new_page(), f"{app_url}/", "Overview")  # a fresh server's first page
            floor_new = [_render(browser.new_page(), bare_url, None) for _ in range(args.repeats)]
            bare_page = browser.new_page()
            _render(bare_page, bare_url, None)
            floor_move = [
                _render(bare_page, f"{bare_url}/?n={i}", None) for i in range(args.repeats)
            ]
            results["bare Streamlit page"] = {
                "new session": statistics.median(floor_new),
                "move": statistics.median(floor_move),
            }
            for path, title in PAGES.items():
                new = [
                    _render(browser.new_page(), f"{app_url}/{path}", title)
                    for _ in range(args.repeats)
                ]
                moving = browser.new_page()
                _render(moving, f"{app_url}/", "Overview")
                move = [
                    _render(moving, f"{app_url}/{path}?to=Sep+{2019 + i}", title)
                    for i in range(args.repeats)
                ]
                results[title] = {
                    "new session": statistics.median(new),
                    "move": statistics.median(move),
                }
            browser.close()
    finally:
        app.terminate()
        bare.terminate()
    floor = results["bare Streamlit page"]
    print(f"{'page':<22} {'new session':>12} {'x floor':>8} {'move':>8} {'floor+0.2':>10}")
    for name, times in results.items():
        print(
            f"{name:<22} {times['new session']:>11.2f}s {times['new session'] / floor['new session']:>7.2f}x "
            f"{times['move']:>7.2f}s {floor['move'] * 1.25 + 0.2:>9.2f}s"
        )
    (ROOT / "bench" / "browser_results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
