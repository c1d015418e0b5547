"""Time to a fully rendered page in a real browser, against a bare Streamlit app in the same run.

Starts two Streamlit servers: the dashboard on a database (default: the demo) and a bare app
(bench/bare_app.py, the floor: what Streamlit itself costs: one Plotly chart a page, two pages,
one sidebar widget of each kind the dashboard's filters use). Debian's Chromium (offline: every
host but the local servers unresolvable) times, for every page:

- a new session: a new browser context (empty cache) opening the page's address;
- a move: a click on the page's link in the navigation, from another page;
- filter changes on the page: DA (the segmented control), one district fewer (a chip of the
  multiselect removed), the period (another month in the "12 months to" select box);
- with `--mbps`, every page's network (the websocket too) is held to that speed each way, with
  `--latency-ms` (default 20) added to each request: as a force's network or VPN would;
- on a page whose sections are lazy tabs, a tab: a click on its second tab, timed until the
  tab's contents are drawn (each tab is its own rerun; the floor's page has no tabs, so this
  is reported beside the others, with no ratio).

Each waits until the page is fully rendered: the script no longer running, no stale element or
skeleton, every chart drawn; a filter change first waits for the page's caption (which says
the filter) to change. The floor does the same moves on its own widgets. Medians of the
repeats; prints a table and writes bench/browser_results.json. Usage:

    uv run python bench/browser_pages.py [--db data/profile.duckdb] [--repeats 3] [--pages ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "": "Overview",
    "trends": "Trends",
    "outcomes": "Outcomes",
    "risk": "Risk & flags",
    "maps": "Hotspot maps",
    "repeats": "Repeat victims and suspects",
    "people": "Victims and suspects",
    "orders": "Civil orders and breaches",
    "contact": "Victim contact",
    "quality": "Data quality",
    "data": "Data",
    "definitions": "Definitions",
}
UNFILTERED = ("data", "definitions")  # pages that show no filtered figure
# One cheap check, polled every 50 ms in the page (the heading too: a role selector would
# compute every element's role on each poll, on the main thread of the page being timed). The
# heading is matched whole: "Data" is part of "Data quality". A chart counts as drawn once it
# is visible: Streamlit draws it first hidden, at Plotly's own size, then again, shown, at
# the column's width (its SVG alone was there after the hidden draw, before the one a user
# sees). A map counts as drawn once its wards are: Plotly fetches their outlines (by address,
# ui/ward_outlines.py) after it has made the chart's SVG, and draws them when they arrive (the
# check of 6 December 2026, second session, counted a map drawn up to 0.8 s before its wards
# were).
# The dashboard's charts (ui/chart_element.py) stay on the page when the filter changes:
# one counts as drawn once it has drawn the figure last sent, after `since` (the page's clock
# when a change began: its old figure is still there until the new one arrives).
RENDERED = """(arg) => {
    const [heading, since] = Array.isArray(arg) ? arg : [arg, 0];
    const drawn = (plot) => plot?.querySelector('.main-svg')
        && getComputedStyle(plot).visibility !== 'hidden'
        && plot._fullData !== undefined
        && (!plot._fullData.some(t => t.type === 'choropleth' && t._length > 0)
            || plot.querySelector('.choroplethlocation') !== null);
    return [...document.querySelectorAll('h1')]
        .some(h => h.innerText.trim() === heading)
    && document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState
        === 'notRunning'
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('.stPlotlyChart, [data-testid="stPlotlyChart"]')]
        .every(c => drawn(c.querySelector('.js-plotly-plot')))
    && [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
        .every(c => {
            const chart = c.shadowRoot?.querySelector('.chart-element');
            return drawn(chart) && chart.dataset.drawn === chart.dataset.wanted
                && Number(chart.dataset.drawnAt) > since;
        });
}"""
CAPTION = '[data-testid="stMain"] [data-testid="stCaptionContainer"]'
CAPTION_CHANGED = f"""(before) => {{
    const caption = document.querySelector('{CAPTION}');
    return caption !== null && caption.innerText !== before;
}}"""
MAIN_TAB = '[data-testid="stMain"] [role="tab"]'
# the open tab's panel holds its elements (a lazy tab's panel is empty until its rerun sends them)
TAB_DRAWN = """(label) => {
    const tab = [...document.querySelectorAll('[data-testid="stMain"] [role="tab"]')]
        .find(t => t.innerText.trim() === label);
    const panel = tab && document.getElementById(tab.getAttribute('aria-controls'));
    return tab?.getAttribute('aria-selected') === 'true' && panel !== null
        && panel.querySelector('[data-testid="stElementContainer"]') !== null;
}"""
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
TIMEOUT = 300_000


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(script: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _port()
    # The dashboard starts as the README's first command starts it (modules loaded first).
    launch = (
        ["stalking_profile.ui.serve"]
        if script == ROOT / "app.py"
        else ["streamlit", "run", str(script)]
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            *launch,
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
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{script} did not start")


def _settled(page, heading: str, since: float = 0) -> None:
    page.wait_for_function(RENDERED, arg=[heading, since], timeout=TIMEOUT, polling=50)


NETWORK: dict[str, float] = {}  # --mbps: Chrome's network emulation for every page


def _new_page(browser):
    """A page in a new browser context (an empty cache), its network held to NETWORK's."""
    page = browser.new_context().new_page()
    if NETWORK:
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": NETWORK["latency_ms"],
                "downloadThroughput": NETWORK["mbps"] * 1e6 / 8,  # bytes a second
                "uploadThroughput": NETWORK["mbps"] * 1e6 / 8,
            },
        )
    return page


def _open(browser, url: str, heading: str):
    """A new session on a page, fully rendered (not timed)."""
    page = _new_page(browser)
    page.goto(url, wait_until="commit")  # then until rendered (the load event can wait on
    # the chart code, fetched once a chart arrives: over a slow network, past goto's 30 s)
    _settled(page, heading)
    return page


def _new_session(browser, url: str, heading: str) -> float:
    page = _new_page(browser)
    started = time.perf_counter()
    page.goto(url, wait_until="commit")  # then until rendered (the load event can wait on
    # the chart code, fetched once a chart arrives: over a slow network, past goto's 30 s)
    _settled(page, heading)
    elapsed = time.perf_counter() - started
    page.context.close()
    return elapsed


def _move(page, link, heading: str) -> float:
    started = time.perf_counter()
    link.click()
    _settled(page, heading)
    return time.perf_counter() - started


def _change(page, heading: str, act: Callable[[], None]) -> float:
    """Time a filter change: until the page's caption says the new filter and it is rendered."""
    before = page.locator(CAPTION).first.inner_text()
    since = page.evaluate("performance.now()")
    started = time.perf_counter()
    act()
    page.wait_for_function(CAPTION_CHANGED, arg=before, timeout=TIMEOUT, polling=50)
    _settled(page, heading, since)
    return time.perf_counter() - started


def _tab(page, heading: str) -> float | None:
    """Time a click on the page's second tab until its contents are drawn (None: no tabs)."""
    tabs = page.locator(MAIN_TAB)
    if tabs.count() < 2:
        return None
    label = tabs.nth(1).inner_text().strip()
    started = time.perf_counter()
    tabs.nth(1).click()
    page.wait_for_function(TAB_DRAWN, arg=label, timeout=TIMEOUT, polling=50)
    _settled(page, heading)
    return time.perf_counter() - started


def _year_earlier(shown: str) -> str:
    """The option a year before `shown`: "Jan 2022" -> "Jan 2021"; the floor's "Month 24" ->
    "Month 12"."""
    if shown.startswith("Month "):
        return f"Month {int(shown.split()[1]) - 12}"
    month = datetime.strptime(shown, "%b %Y")
    return f"{month:%b} {month.year - 1}"


def _period(page, label: str) -> Callable[[], None]:
    """Choose the month a year before the one chosen in the period select box, by typing it
    (the list's options are drawn only near the one shown, so picking the 13th from the end
    of those drawn chose the first month, April 2018, a page of one month's figures)."""

    def act() -> None:
        said = page.locator(CAPTION).first.inner_text().split(" · ")[0]
        shown = re.findall(r"[A-Z][a-z]{2} \d{4}|Month \d+", said)[-1]  # the period's end
        page.get_by_label(label).click()
        page.keyboard.type(_year_earlier(shown))
        page.keyboard.press("Enter")

    return act


def _remove_last_chip(page) -> Callable[[], None]:
    return lambda: page.get_by_role("button", name=re.compile(r"^Remove ")).last.click()


def _choose(page, radio: str) -> Callable[[], None]:
    return lambda: page.get_by_role("radio", name=radio, exact=True).click()


def _time_site(browser, url, pages, home, radio, period_label, repeats, titles=None) -> dict:
    """Every timing for one site: `pages` maps path to heading; moves start from `home`, the
    site's default page (whose address is the bare URL); `titles`: every page's heading
    (default `pages`)."""
    titles = pages if titles is None else titles
    results: dict[str, dict[str, float]] = {}

    def address(path: str) -> str:
        return f"{url}/" if path == home else f"{url}/{path}"

    for path, heading in pages.items():
        times: dict[str, list[float]] = {"new session": [], "move": []}
        for _ in range(repeats):
            times["new session"].append(_new_session(browser, address(path), heading))
            start_path = home if path != home else next(p for p in titles if p != home)
            page = _open(browser, address(start_path), titles[start_path])
            link = page.get_by_test_id("stSidebarNav").locator(f'a[href="{address(path)}"]')
            times["move"].append(_move(page, link, heading))
            changes = (
                ()
                if path in UNFILTERED
                else (
                    ("DA", _choose(page, radio)),
                    ("district", _remove_last_chip(page)),
                    ("period", _period(page, period_label)),
                )
            )
            for name, act in changes:
                times.setdefault(name, []).append(_change(page, heading, act))
            if (tab := _tab(page, heading)) is not None:  # last: the changes time the first tab
                times.setdefault("tab", []).append(tab)
            page.context.close()
        results[heading] = {name: statistics.median(values) for name, values in times.items()}
        print(heading, {k: round(v, 2) for k, v in results[heading].items()}, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "profile.duckdb")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pages", nargs="+", help="page paths ('' for Overview); default all")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "browser_results.json")
    parser.add_argument(
        "--mbps",
        type=float,
        help="hold every page's network (websocket included) to this many megabits a second "
        "each way, with --latency-ms (Chrome's emulation; default: loopback, unlimited)",
    )
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    if args.mbps:
        NETWORK.update(mbps=args.mbps, latency_ms=args.latency_ms)
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "STALKING_PROFILE_DB": str(args.db.resolve())}
    pages = {p: PAGES[p] for p in args.pages} if args.pages else PAGES
    app, app_url = _serve(ROOT / "app.py", env)
    bare, bare_url = _serve(ROOT / "bench" / "bare_app.py", env)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=[OFFLINE]
            )
            started = time.perf_counter()
            _open(browser, f"{app_url}/", "Overview").context.close()
            first = time.perf_counter() - started
            floor = _time_site(
                browser,
                bare_url,
                {"bare": "Bare page", "second": "Second page"},
                "bare",
                "B",
                "Month",
                args.repeats,
            )["Bare page"]
            results = _time_site(
                browser, app_url, pages, "", "DA", "12 months to", args.repeats, PAGES
            )
            browser.close()
    finally:
        app.terminate()
        bare.terminate()
    _report(floor, results, first, args)


def _report(floor: dict, results: dict, first: float, args) -> None:
    columns = ("new session", "move", "DA", "district", "period", "tab")
    print(f"\nfresh server's first page: {first:.2f} s")
    print(f"{'page':<30}" + "".join(f"{c:>16}" for c in columns))
    for name, times in {"bare Streamlit page (floor)": floor, **results}.items():
        cells = []
        for column in columns:
            if column not in times:
                cells.append(f"{'':>16}")
            elif column not in floor:  # no floor to compare with
                cells.append(f"{times[column]:>7.2f}s {'':>6} ")
            else:
                ratio = times[column] / floor[column]
                cells.append(f"{times[column]:>7.2f}s {ratio:>5.2f}x ")
        print(f"{name:<30}" + "".join(cells))
    args.out.write_text(
        json.dumps(
            {
                "database": str(args.db),
                "network": NETWORK or "loopback",
                "first_page": first,
                "floor": floor,
                "pages": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
