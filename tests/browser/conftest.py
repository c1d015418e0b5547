"""The real app on a free local port, driven by Debian's Chromium through Playwright, with every
request to any other address aborted and recorded, so that a hidden CDN fetch fails the test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class RunningApp:
    url: str
    startup_seconds: float
    log: Path | None = None
    blocked: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: scripts/test installs it with apt-get")
        pytest.skip("Chromium is not installed (bash scripts/test installs it)")
    return CHROMIUM


@contextmanager
def serving(
    database: Path, extra_env: dict[str, str] | None = None, *, as_started: bool = False
) -> Iterator[RunningApp]:
    """The app on `database`, on a free local port, until the block ends. `as_started`: as
    scripts/start runs it (`python -m stalking_profile.ui.serve`, every module loaded before the
    server answers); otherwise `streamlit run app.py`, which starts faster."""
    with serving_replicas(database, 1, extra_env, as_started=as_started) as (app,):
        yield app


@contextmanager
def serving_replicas(
    database: Path, count: int, extra_env: dict[str, str] | None = None, *, as_started: bool = False
) -> Iterator[list[RunningApp]]:
    """`count` app processes on `database`, each on its own free port, started together (each
    takes seconds to import its modules) and stopped when the block ends."""
    env = {**os.environ, "STALKING_PROFILE_DB": str(database), **(extra_env or {})}
    launch = (
        ["stalking_profile.ui.serve"] if as_started else ["streamlit", "run", str(ROOT / "app.py")]
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    running: list[tuple[subprocess.Popen, str, Path]] = []
    try:
        for _ in range(count):
            port = _free_port()
            command = [sys.executable, "-m", *launch, "--server.port", str(port)]
            command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
            command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
            log = ARTIFACTS / f"streamlit-{database.stem}-{port}.log"
            with log.open("w") as log_file:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
                )
            running.append((process, f"http://127.0.0.1:{port}", log))
        apps = [_healthy(process, url, log, started) for process, url, log in running]
        yield apps
    finally:
        for process, _, _ in running:
            process.terminate()
        for process, _, _ in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _healthy(process: subprocess.Popen, url: str, log: Path, started: float) -> RunningApp:
    """Wait until the app answers its health check (failing the test if it dies or takes over
    a minute)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the app did not start; see {log}:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    app = RunningApp(url=url, startup_seconds=time.perf_counter() - started, log=log)
    print(f"\n[browser] app start-up to healthy: {app.startup_seconds:.2f} s")
    return app


@pytest.fixture(scope="session")
def running_app(demo_db_path: Path, chromium_path: str) -> Iterator[RunningApp]:
    with serving(demo_db_path, as_started=True) as app:
        yield app


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@contextmanager
def guarded_page(browser, app: RunningApp):
    """A fresh browser page that may talk only to `app`; anything else is aborted and kept
    (the test fails if anything was)."""
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    blocked: list[str] = []

    def guard(route) -> None:
        if route.request.url.startswith(app.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.blocked = blocked
    try:
        yield tab
    finally:
        context.close()
    assert blocked == [], f"requests outside the app were attempted: {blocked}"


@pytest.fixture
def page(browser, running_app: RunningApp):
    """A fresh browser page that may talk only to the demo app."""
    with guarded_page(browser, running_app) as tab:
        yield tab
