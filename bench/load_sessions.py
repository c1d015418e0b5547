"""Concurrent sessions against the dashboard's server: the server's share of what users wait for.

Browsers sharing this machine's two cores with the server would time themselves, not the
server. So this benchmark first **records** what a real browser sends: Debian's Chromium
(offline, as in bench/browser_pages.py) goes through each page as a user does (a new session
on the Overview, a click to the page in the navigation, then the DA, district and period
filters changed in the sidebar) and every `rerun_script` message it sends on the websocket is
kept, with the widget states and query string exactly as the browser sent them. Each of
`--variants` recordings removes a different district and picks a different period, so the
sessions do not all ask for the same figures.

It then **replays** them: `--sessions` simulated clients (asyncio websockets in one process,
which parse only the server's small messages), each taking a recording, connecting as a
browser does, sending each message in turn, waiting for the server's `script_finished` and
"thinking" for a random 1-3 s (`--think`) before the next, and starting a new session for each
page, for `--minutes`. The time of a step is from sending the message to the script finished
and every message of the run received. The server's resident memory is read from /proc every
second. Prints the percentiles per kind of step and the memory, and writes
bench/load_results.json. Usage:

    uv run python bench/load_sessions.py --db PATH [--sessions 20] [--minutes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.browser_pages import (  # noqa: E402
    OFFLINE,
    PAGES,
    _change,
    _choose,
    _serve,
    _settled,
)

TIMED = ("trends", "outcomes", "risk", "maps", "quality")
STEP_TIMEOUT = 120  # seconds without a message from the server: the session counts as dropped
KINDS = ("new session", "move", "DA", "district", "period")


@dataclass
class Session:
    """One browser session as recorded: the kind and message of each step, in order."""

    steps: list[tuple[str, bytes]] = field(default_factory=list)


def _reruns(frames: list[bytes]) -> list[bytes]:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    kept = []
    for frame in frames:
        message = BackMsg()
        message.ParseFromString(frame)
        if message.WhichOneof("type") == "rerun_script":
            kept.append(frame)
    return kept


def _record(url: str, pages: tuple[str, ...], variants: int) -> list[list[Session]]:
    """Per variant, one recorded session per page."""
    from playwright.sync_api import sync_playwright

    recordings: list[list[Session]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[OFFLINE])
        for variant in range(variants):
            recordings.append([_record_session(browser, url, path, variant) for path in pages])
            print(f"recorded variant {variant + 1} of {variants}", flush=True)
        browser.close()
    return recordings


def _recordings(args, url: str) -> list[list[Session]]:
    """Record, or read what `--recording` holds (from a run on the same database)."""
    saved = args.recording
    if saved is not None and saved.exists():
        data = json.loads(saved.read_text())
        return [
            [Session([(kind, base64.b64decode(m)) for kind, m in steps]) for steps in variant]
            for variant in data
        ]
    recordings = _record(url, tuple(args.pages), args.variants)
    if saved is not None:
        data = [
            [[(kind, base64.b64encode(m).decode()) for kind, m in s.steps] for s in variant]
            for variant in recordings
        ]
        saved.write_text(json.dumps(data))
    return recordings


def _record_session(browser, url: str, path: str, variant: int) -> Session:
    """A new session on the Overview, a move to the page, then DA, district and period
    changes there: the one `rerun_script` message the browser sends for each."""
    context = browser.new_context()
    page = context.new_page()
    frames: list[bytes] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framesent",
            lambda payload: frames.append(payload) if isinstance(payload, bytes) else None,
        ),
    )
    session = Session()

    def step(kind: str, act: Callable[[], object]) -> None:
        before = len(frames)
        act()
        reruns = _reruns(frames[before:])
        if len(reruns) != 1:
            raise SystemExit(f"{kind}: expected one rerun, the browser sent {len(reruns)}")
        session.steps.append((kind, reruns[0]))

    heading = PAGES[path]
    link = page.get_by_test_id("stSidebarNav").locator(f'a[href="{url}/{path}"]')
    chip = page.get_by_role("button", name=re.compile(r"^Remove ")).nth(variant)
    step("new session", lambda: (page.goto(f"{url}/"), _settled(page, "Overview")))
    step("move", lambda: (link.click(), _settled(page, heading)))
    step(
        "DA", lambda: _change(page, heading, _choose(page, "DA" if variant % 2 == 0 else "Non-DA"))
    )
    step("district", lambda: _change(page, heading, chip.click))
    step("period", lambda: _change(page, heading, _month_back(page, variant)))
    context.close()
    return session


def _month_back(page, variant: int):
    def act() -> None:
        page.get_by_label("12 months to").click()
        options = page.get_by_role("option")
        options.nth(max(options.count() - 13 - variant, 0)).click()

    return act


@dataclass
class Timing:
    kind: str
    started: float
    seconds: float
    received: int


async def _client(
    number: int,
    ws_url: str,
    origin: str,
    sessions: list[Session],
    think: tuple[float, float],
    until: float,
    timings: list[Timing],
) -> None:
    """One simulated user: its recorded sessions in turn, again and again, until `until`. A
    session the server drops is kept as an error and the user starts the next."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    rng = random.Random(number)
    await asyncio.sleep(rng.uniform(0, think[1]))  # users do not all arrive at once
    while time.monotonic() < until:
        for session in sessions:
            started = time.monotonic()
            try:
                async with connect(
                    ws_url,
                    origin=origin,
                    subprotocols=["streamlit"],
                    max_size=None,
                    compression=None,
                    ping_interval=None,  # browsers send no websocket pings
                    close_timeout=1,
                ) as ws:
                    await _steps(ws, session, until, rng, think, timings)
            except (WebSocketException, OSError, TimeoutError):
                timings.append(Timing("error", started, time.monotonic() - started, 0))
            if time.monotonic() >= until:
                return


async def _steps(ws, session: Session, until: float, rng, think, timings: list[Timing]) -> None:
    """Send each step's message; time it until the server says the script finished."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    for kind, message in session.steps:
        started = time.monotonic()
        await ws.send(message)
        received = 0
        while True:
            frame = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
            received += len(frame)
            if len(frame) > 512:
                continue  # deltas and figures: counted, not parsed
            reply = ForwardMsg()
            reply.ParseFromString(frame)
            finished = reply.WhichOneof("type") == "script_finished"
            if finished and reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                break
        timings.append(Timing(kind, started, time.monotonic() - started, received))
        if time.monotonic() >= until:
            return
        await asyncio.sleep(rng.uniform(*think))


async def _memory(
    pid: int, until: float, samples: list[tuple[float, int]], timings: list[Timing]
) -> None:
    """The server's resident memory every second; progress every minute."""
    status = Path(f"/proc/{pid}/status")
    started = time.monotonic()
    while time.monotonic() < until:
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                samples.append((time.monotonic(), int(line.split()[1]) // 1024))
        if len(samples) % 60 == 0:
            done = [t.seconds for t in timings if t.kind != "error"]
            print(
                f"{(time.monotonic() - started) / 60:.0f} min: {len(done)} steps, "
                f"{sum(t.kind == 'error' for t in timings)} dropped, "
                f"p95 so far {_percentile(done, 0.95) if done else 0:.2f} s, "
                f"server {samples[-1][1]} MB",
                flush=True,
            )
        await asyncio.sleep(1)


def _ws(url: str) -> str:
    return url.replace("http://", "ws://") + "/_stcore/stream"


async def _replay(url, pid, recordings, sessions, think, minutes, timings, memory) -> None:
    ws_url = _ws(url)
    until = time.monotonic() + minutes * 60
    await asyncio.gather(
        _memory(pid, until, memory, timings),
        *(
            _client(n, ws_url, url, recordings[n % len(recordings)], think, until, timings)
            for n in range(sessions)
        ),
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _summary(timings: list[Timing], start: float, warm_up: float) -> dict[str, dict]:
    """Median, p95 and max seconds per kind of step, after the warm-up."""
    steady = [t for t in timings if t.started - start >= warm_up and t.kind != "error"]
    table = {}
    for kind in (*KINDS, "all"):
        values = [t.seconds for t in steady if kind in (t.kind, "all")]
        if values:
            table[kind] = {
                "steps": len(values),
                "median": statistics.median(values),
                "p95": _percentile(values, 0.95),
                "max": max(values),
                "mean_mb_received": statistics.mean(
                    t.received for t in steady if kind in (t.kind, "all")
                )
                / 1e6,
            }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "profile.duckdb")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--variants", type=int, default=4)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0))
    parser.add_argument("--warm-up", type=float, default=60, help="seconds left out of the table")
    parser.add_argument("--pages", nargs="+", default=list(TIMED))
    parser.add_argument("--recording", type=Path, help="keep the browser's messages here")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "load_results.json")
    args = parser.parse_args()

    import os

    env = {**os.environ, "STALKING_PROFILE_DB": str(args.db.resolve())}
    app, url = _serve(ROOT / "app.py", env)
    try:
        recordings = _recordings(args, url)
    finally:
        app.terminate()
        app.wait()
    app, url = _serve(ROOT / "app.py", env)  # a fresh server: no import done, no cache
    try:
        first: list[Timing] = []
        first_page = Session(recordings[0][0].steps[:1])
        asyncio.run(_client(-1, _ws(url), url, [first_page], (0, 0), time.monotonic() + 1, first))
        print(f"fresh server's first page (server's share): {first[0].seconds:.2f} s", flush=True)
        timings: list[Timing] = []
        memory: list[tuple[float, int]] = []
        start = time.monotonic()
        asyncio.run(
            _replay(
                url,
                app.pid,
                recordings,
                args.sessions,
                tuple(args.think),
                args.minutes,
                timings,
                memory,
            )
        )
    finally:
        app.terminate()
    dropped = sum(t.kind == "error" for t in timings)
    table = _summary(timings, start, args.warm_up)
    _report(args, table, memory, start, first[0].seconds, dropped, timings)


def _report(
    args,
    table: dict[str, dict],
    memory: list[tuple[float, int]],
    start: float,
    first: float,
    dropped: int,
    timings: list[Timing],
) -> None:
    print(
        f"\n{args.sessions} sessions, {args.minutes:g} minutes, think {args.think[0]:g}-"
        f"{args.think[1]:g} s, first {args.warm_up:g} s left out"
    )
    print(f"sessions the server dropped: {dropped}")
    print(f"{'step':<14}{'steps':>8}{'median':>10}{'p95':>10}{'max':>10}{'MB sent':>10}")
    for kind, row in table.items():
        print(
            f"{kind:<14}{row['steps']:>8}{row['median']:>9.3f}s{row['p95']:>9.3f}s"
            f"{row['max']:>9.3f}s{row['mean_mb_received']:>10.2f}"
        )
    minute = [(t - start, mb) for t, mb in memory]
    after_warm = [mb for t, mb in minute if t >= args.warm_up]
    marks = {
        f"{m} min": next((mb for t, mb in minute if t >= m * 60), None)
        for m in range(0, int(args.minutes) + 1)
    }
    print("server memory (MB):", marks, "peak", max(mb for _, mb in minute))
    args.out.write_text(
        json.dumps(
            {
                "database": str(args.db),
                "sessions": args.sessions,
                "minutes": args.minutes,
                "think": args.think,
                "warm_up": args.warm_up,
                "fresh_server_first_page": first,
                "sessions_dropped": dropped,
                "steps": table,
                "timings": [
                    [t.kind, round(t.started - start, 3), round(t.seconds, 4)] for t in timings
                ],
                "memory_mb": {
                    "by_minute": marks,
                    "peak": max(mb for _, mb in minute),
                    "after_warm_up_min": min(after_warm, default=None),
                    "after_warm_up_max": max(after_warm, default=None),
                },
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
