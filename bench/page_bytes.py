"""What a page sends to the browser: bytes of a new session and of a filter change.

Starts the dashboard on a database (default: the demo) and, in Debian's Chromium (offline),
opens each page in a new session. It records every HTTP response (Streamlit's page code, the
maps' ward outlines) as sent and as gzip would send it (each fetched again and compressed at
level 6: Streamlit's server compresses nothing), and the websocket's bytes; then the websocket's
bytes of a DA change on the page. The websocket's frames are counted as Chromium reports them,
uncompressed. Nothing here is timed. Usage:

    uv run python bench/page_bytes.py [--db data/profile.duckdb] [--pages "" maps ...]
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.browser_pages import (
    CAPTION,
    CAPTION_CHANGED,
    OFFLINE,
    PAGES,
    ROOT,
    UNFILTERED,
    _serve,
    _settled,
)


def _websocket_bytes(page) -> list[int]:
    """A running count of the websocket bytes the page receives (one list, added to)."""
    received = [0]
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.on(
        "Network.webSocketFrameReceived",
        lambda event: received.__setitem__(0, received[0] + len(event["response"]["payloadData"])),
    )
    return received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "profile.duckdb")
    parser.add_argument("--pages", nargs="+", help="page paths ('' for Overview); default all")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "STALKING_PROFILE_DB": str(args.db.resolve())}
    app, url = _serve(ROOT / "app.py", env)
    pages = {p: PAGES[p] for p in args.pages} if args.pages else PAGES
    print(
        f"{'page':30} {'new session: HTTP as sent':>26} {'gzipped':>9} {'websocket':>10} {'DA change':>10}"
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=[OFFLINE]
            )
            for path, heading in pages.items():
                page = browser.new_context().new_page()
                responses: list[str] = []
                page.on(
                    "response",
                    lambda response, kept=responses: (
                        kept.append(response.url) if response.status == 200 else None
                    ),
                )
                received = _websocket_bytes(page)
                page.goto(f"{url}/{path}", wait_until="commit")
                _settled(page, heading)
                time.sleep(0.5)
                sent = packed = 0
                for address in responses:
                    with urllib.request.urlopen(address, timeout=30) as response:
                        body = response.read()
                    sent, packed = sent + len(body), packed + len(gzip.compress(body, 6))
                session = received[0]
                change = ""
                if path not in UNFILTERED:
                    received[0] = 0
                    before = page.locator(CAPTION).first.inner_text()
                    page.get_by_role("radio", name="DA", exact=True).click()
                    page.wait_for_function(CAPTION_CHANGED, arg=before, polling=50)
                    _settled(page, heading)
                    time.sleep(0.5)
                    change = f"{received[0] / 1e3:,.0f} KB"
                print(
                    f"{heading:30} {sent / 1e6:>23.2f} MB {packed / 1e6:>6.2f} MB "
                    f"{session / 1e3:>7,.0f} KB {change:>10}",
                    flush=True,
                )
                page.context.close()
            browser.close()
    finally:
        app.terminate()


if __name__ == "__main__":
    main()
