"""Shared fixtures: the demo database built once per session, a tiny hand-made database, the
path to ../shared (tests that need it skip with a reason where it is absent) and AppTest."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import settings
from streamlit.testing.v1 import AppTest

from stalking_profile import contract
from stalking_profile.db import Gateway, connect
from stalking_profile.demo.build import build_demo_database
from stalking_profile.store import create_schema, refresh_marts
from stalking_profile.ui import chart_element
from stalking_profile.ui.widgets import PAGE_TAB

# Property tests search new examples on every local run (one that fails is kept in .hypothesis
# and tried first next time); CI runs the same examples each time, so a red CI is a change.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Publication mode's pages prepared in the background (stalking_profile/prepared.py) would
# work out, beside every commissioner's page a test opens, protection no test then reads: the
# dashboards the tests start (in this process and as servers) do not, but tests/test_prepared.py.
os.environ.setdefault("STALKING_PROFILE_PREPARE_AHEAD", "0")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DISTRICTS = ("BD", "CD", "KD", "LD", "WD")


def run_cli(
    *args: str | Path, timeout: float = 300, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """`python -m stalking_profile ARGS` in a fresh process, as a user runs it; output captured
    (and `stdin` typed in, if given)."""
    return subprocess.run(
        [sys.executable, "-m", "stalking_profile", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


# The quick run (README: `bash scripts/test -m "not slow and not browser"`) leaves out the
# tests tests/slow.txt names: those that took a second or more in a recorded run of the whole
# suite or of the quick run itself (`--record-slow 1`), nearly all publication mode's audits.
SLOW_TESTS = ROOT / "tests" / "slow.txt"
_durations: dict[str, float] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-slow",
        type=float,
        metavar="SECONDS",
        help="write tests/slow.txt: the tests of this run whose setup, call and teardown took "
        "at least SECONDS (run the whole suite)",
    )


def slow_tests() -> set[str]:
    """The test ids tests/slow.txt names."""
    lines = SLOW_TESTS.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `slow` the tests tests/slow.txt names."""
    slow = slow_tests()
    for item in items:
        if item.nodeid in slow:
            item.add_marker(pytest.mark.slow)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """With --record-slow, write tests/slow.txt (in the run's main process: with xdist, the
    workers' reports come to it)."""
    over = session.config.getoption("--record-slow")
    if over is None or hasattr(session.config, "workerinput"):
        return
    # a test not run keeps its entry: the quick run itself records the tests that are slow
    # without the answers a slow test before them worked out on the same worker
    kept = {name for name in slow_tests() if name not in _durations}
    slow = sorted(kept | {name for name, seconds in _durations.items() if seconds >= over})
    header = (
        f"# Tests that took {over:g} s or more (setup, call and teardown) in a run of the whole\n"
        "# suite, or of the quick run (tests/conftest.py), which leaves them out. Written by\n"
        f"# `uv run pytest --record-slow {over:g}` ({len(slow)} tests).\n"
    )
    SLOW_TESTS.write_text(header + "".join(f"{name}\n" for name in slow), encoding="utf-8")


@pytest.hookimpl(optionalhook=True)  # a run without xdist does not know the hook
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup` with each browser test module (tests/browser/) kept on one worker:
    a module's tests share the app server it starts (the demo's, the one that requires login,
    or the replicas'), so it is started once, and the modules themselves may run on different
    workers at once (they were one group, about 160 s on one worker, the suite's longest path).
    pytest-xdist 3.8 groups tests by rewriting a test's `_nodeid`, which pytest 9 no longer
    reads, so the browser tests' `xdist_group` mark had stopped grouping anything: each worker
    started its own servers and browser. The group is named here from the module instead."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserModulesTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/"):
                return nodeid.split("::", 1)[0]
            return super()._split_scope(nodeid)

    return BrowserModulesTogether(config, log)


@pytest.fixture(autouse=True)
def umask_as_it_was() -> Iterator[None]:
    """The command line sets the process's umask (077), and tests run it in this process
    (cli.main): each test starts with the worker's own umask, as a user's shell has it."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


@pytest.fixture(scope="session", autouse=True)
def components_scanned_once() -> Iterator[None]:
    """Each new AppTest scans every installed distribution's metadata for Streamlit components
    (half a second, 40% of a page test on the demo); the server does it once at start-up. The
    installed packages cannot change during a run, so each test worker scans once."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(scan)
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "profile.duckdb"
    build_demo_database(path, progress=lambda message: None)
    return path


@pytest.fixture(scope="session")
def demo_gateway(demo_db_path: Path) -> Gateway:
    # Publication mode remembers about 60 answers a filter (the pages' shared protection for
    # each DA choice, and each page's tables); the server keeps MEMO_SIZE, about four filters'.
    # The tests come back to the same filters from module to module (the disclosure audits'
    # examples), so this worker's connection keeps all it works out: the answers are the same,
    # only not worked out again (test_disclosure.py 101 s to 84 s).
    gateway = connect(demo_db_path, read_only=True, memo_size=100_000)
    yield gateway
    gateway.close()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """A real PostgreSQL server for this test worker (skipped, with the reason, where Debian's
    `postgresql` package is not installed: scripts/test installs it)."""
    from tests.postgres import running_server, server_binaries

    if server_binaries() is None:
        pytest.skip("PostgreSQL is not installed here (scripts/test installs it)")
    with running_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A new, empty PostgreSQL database for one test."""
    import uuid

    from tests.postgres import new_database

    return new_database(postgres_server, "t_" + uuid.uuid4().hex[:12])


@pytest.fixture
def writable_demo(demo_db_path: Path, tmp_path: Path) -> Gateway:
    """A writable copy of the demo database, for tests that load into it."""
    copy = tmp_path / "demo-copy.duckdb"
    shutil.copy(demo_db_path, copy)
    gateway = connect(copy, read_only=False)
    yield gateway
    gateway.close()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(
            f"../shared is absent ({SHARED}): reference data only exists in the dev workspace"
        )
    return SHARED


def _offence(
    crime_ref: str, recorded: date, district: str, domestic: bool, **flags: object
) -> dict:
    row = {
        "crime_ref": crime_ref,
        "recorded_date": recorded,
        "committed_date": recorded,
        "offence_type": "stalking",
        "ho_offence_code": "8Q",
        "district_code": district,
        "ward_code": None,
        "is_domestic": domestic,
        "is_cyber": False,
        "dash_completed": False,
        "dash_risk": None,
        "sash_completed": False,
        "arrest_made": False,
        "stalking_screen_negative": None,
    }
    row.update(flags)
    return row


TINY_OFFENCES = [
    _offence(
        "T1", date(2021, 1, 5), "A", True, arrest_made=True, dash_completed=True, dash_risk="high"
    ),
    _offence(
        "T2", date(2021, 1, 20), "A", True, dash_completed=True, dash_risk="standard", is_cyber=True
    ),
    _offence("T3", date(2021, 2, 3), "A", False),
    _offence("T4", date(2021, 2, 10), "B", False, arrest_made=True, is_cyber=True),
    _offence(
        "T5",
        date(2021, 3, 1),
        "B",
        True,
        dash_completed=True,
        dash_risk="medium",
        stalking_screen_negative=True,
    ),
    _offence("T6", date(2020, 12, 15), "B", True),
    _offence("T7", date(2021, 3, 10), "A", True, offence_type="harassment", ho_offence_code="8L"),
    _offence("T8", date(2021, 2, 15), "A", True, dash_completed=True, dash_risk="medium"),
]
TINY_OUTCOMES = [
    ("T1", "16", date(2021, 1, 20)),
    ("T1", "1-charged", date(2021, 2, 10)),  # later outcome replaces 16
    ("T2", "16", date(2021, 2, 1)),
    ("T3", "18", date(2021, 4, 15)),  # after the extract date: T3 is still open
    ("T4", "5", date(2021, 3, 1)),  # offender died: not an outcome 1-8
    ("T6", "3-caution", date(2021, 1, 10)),
    ("T7", "8", date(2021, 3, 20)),
    ("T8", "15-police", date(2021, 3, 1)),
    ("T8", "16", date(2021, 3, 1)),  # same day: the higher key wins, deterministically
]


@pytest.fixture
def tiny_gateway(tmp_path: Path) -> Gateway:
    """A real DuckDB file with eight hand-made offences (see TINY_OFFENCES) in districts A and
    B (C has none), extract date 31 March 2021."""
    gateway = tiny_database(tmp_path / "tiny.duckdb")
    yield gateway
    gateway.close()


def tiny_database(path: Path, offences: list[dict] = TINY_OFFENCES) -> Gateway:
    """The tiny_gateway's database at `path`, with `offences` (TINY_OFFENCES, changed as a
    test needs) and TINY_OUTCOMES."""
    gateway = connect(path, read_only=False, create=True)
    create_schema(gateway)
    gateway.insert(
        "dataset",
        pl.DataFrame(
            {
                "loaded_at": [datetime(2021, 4, 1)],
                "extract_date": [date(2021, 3, 31)],
                "source": ["hand-made test fixture"],
                "is_synthetic": [True],
                "force_name": ["Test force"],
            }
        ),
    )
    gateway.insert(
        "district",
        pl.DataFrame(
            {
                "district_code": ["A", "B", "C"],
                "district_name": ["Ay", "Bee", "Sea"],
                "force_name": "Test force",
            }
        ),
    )
    gateway.insert(
        "outcome_type",
        pl.DataFrame(list(contract.outcome_type_rows())).with_columns(
            pl.col("sort_order").cast(pl.Int32)
        ),
    )
    gateway.insert("offence", pl.DataFrame(offences))
    gateway.insert(
        "outcome",
        pl.DataFrame(
            TINY_OUTCOMES, schema=["crime_ref", "outcome_key", "outcome_date"], orient="row"
        ),
    )
    refresh_marts(gateway)
    return gateway


EXTRACT_DISTRICTS = """district_code,district_name,force_name,population,ons_code
AY,Ayton,Extract-like Police,120000,
BE,Beeston,Extract-like Police,80000,
SE,Seacroft,Extract-like Police,60000,
"""
OFFENCE_HEADER = (
    "crime_ref,recorded_date,offence_type,ho_offence_code,district_code,is_domestic,is_cyber,"
    "dash_completed,dash_risk,sash_completed,arrest_made,outcome_key,outcome_date"
)


def extract_like_offences() -> str:
    """A small extract as a records system gives it: districts AY and BE (SE has none), offences
    recorded December 2022 to March 2023 with none in February, DA and non-DA, stalking and
    harassment, and outcomes dated up to 31 May 2023 - after the last recorded month."""
    rows = [OFFENCE_HEADER]
    plan = {("AY", "2022-12"): 10, ("AY", "2023-01"): 10, ("AY", "2023-03"): 10}
    plan |= {("BE", "2022-12"): 5, ("BE", "2023-01"): 3, ("BE", "2023-03"): 2}
    number = 0
    for (district, month), n in plan.items():
        for i in range(n):
            number += 1
            domestic = "Y" if number % 4 else "N"
            kind, code = ("stalking", "8Q") if number % 5 else ("harassment", "8L")
            outcome = ("16", f"{month}-28") if number % 3 == 0 else ("", "")
            if number % 7 == 0:
                outcome = ("1-charged", "2023-05-31")
            rows.append(
                f"X-{number:04d},{month}-{1 + i:02d},{kind},{code},{district},{domestic},"
                f"{'Y' if number % 6 == 0 else 'N'},{'Y' if domestic == 'Y' else 'N'},"
                f"{'standard' if domestic == 'Y' else ''},N,{'Y' if number % 2 else 'N'},"
                f"{outcome[0]},{outcome[1]}"
            )
    return "\n".join(rows) + "\n"


def import_texts(path: Path, files: dict[str, str]) -> Path:
    """A force database made by the real importer from the given CSV texts, in order."""
    from stalking_profile.importing.load import import_file

    gateway = connect(path, read_only=False, create=True)
    try:
        for name, text in files.items():
            source = path.parent / name
            source.write_text(text, encoding="utf-8")
            import_file(gateway, source)
    finally:
        gateway.close()
    return path


@pytest.fixture(scope="session")
def extract_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real-extract-like force database (see extract_like_offences), extract date 31 May 2023."""
    folder = tmp_path_factory.mktemp("extract")
    return import_texts(
        folder / "force.duckdb",
        {"districts.csv": EXTRACT_DISTRICTS, "offences.csv": extract_like_offences()},
    )


@pytest.fixture(scope="session")
def empty_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new force database: districts imported, no offences yet."""
    folder = tmp_path_factory.mktemp("empty")
    return import_texts(folder / "force.duckdb", {"districts.csv": EXTRACT_DISTRICTS})


def as_read(markdown: str) -> str:
    """Markdown as a reader sees it: its backslash escapes taken out (text from users and
    the page address is shown as written, its Markdown escaped: `formatting.literal`)."""
    return re.sub(r"\\(.)", r"\1", markdown)


TEST_PASSWORD = "a long test password"


@dataclass(frozen=True)
class Accounts:
    """The accounts store (`path`), a session token for each role's account signed in there
    (`tokens`, by role), and when they were signed in (`signed_at`, time.monotonic)."""

    path: Path
    tokens: dict[str, str]
    signed_at: float


# Signed-in sessions copied with the store are refreshed by signing in again after this long,
# well inside the sessions' idle limit (accounts.IDLE_MINUTES, 30).
FRESH_SESSION_SECONDS = 15 * 60


@pytest.fixture(scope="session")
def accounts_store(tmp_path_factory: pytest.TempPathFactory) -> Accounts:
    """An operational store holding one account per role (`test-<role>`, TEST_PASSWORD), each
    signed in once, made once per test worker with the real `add_user` and `sign_in`: argon2id
    is slow by design (0.17-0.4 s a password, hashing or checking), so each test starts from a
    copy of this store, its sessions included, instead of hashing and checking again."""
    from stalking_profile.access import Access, Role
    from stalking_profile.operational import accounts, open_store

    path = tmp_path_factory.mktemp("accounts") / "operational.sqlite"
    store = open_store(f"sqlite:///{path}")
    tokens: dict[str, str] = {}
    for role in Role:
        accounts.add_user(store, f"test-{role}", role, TEST_PASSWORD, Access.command_line("test"))
        signed = accounts.sign_in(store, f"test-{role}", TEST_PASSWORD)
        assert signed is not None
        tokens[role.value] = signed.token
    return Accounts(path, tokens, time.monotonic())


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its write-ahead log included)."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        reading.close()
        writing.close()


# Pages whose sections are lazy tabs (each drawn only when open; every page's under the one
# key PAGE_TAB): their tabs' labels.
LAZY_TABS: dict[str, tuple[str, ...]] = {
    "app_pages/overview.py": ("Monthly offences", "Headline figures", "Scorecard"),
    "app_pages/trends.py": (
        "Monthly offences",
        "Statistical process control",
        "This period against the previous equal period",
        "Districts against their size",
    ),
    "app_pages/outcomes.py": (
        "Outcome rates",
        "Within 90 and 180 days",
        "Outcomes by district",
        "Home Office outcome groups",
        "Time from recording to outcome",
    ),
    "app_pages/risk.py": (
        "Rates",
        "DA against non-DA",
        "By district",
        "DASH risk level",
        "Over time",
    ),
    "app_pages/orders.py": (
        "Orders in the period",
        "Orders by month",
        "Take-up per 100 offences",
        "Application to order",
        "Breaches",
        "Repeat suspects with no order",
    ),
    "app_pages/quality.py": (
        "Indicators",
        "Cyber-enabled flag by district",
        "Records failing validation, by import",
        "Check the records behind an indicator",
    ),
    "app_pages/repeats.py": (
        "In the period",
        "Within 12 months",
        "Days between a suspect's offences",
        "Serial perpetrators",
    ),
    "app_pages/contact.py": ("Contact kept, by district", "Contact kept, by month"),
    "app_pages/people.py": (
        "Age band",
        "Sex",
        "Ethnicity",
        "Rates per 1,000 residents",
        "How much is unknown",
    ),
    "app_pages/definitions.py": (
        "Measures",
        "Statistical methods",
        "Counting-rule and law changes",
        "Data contract",
    ),
    "app_pages/maps.py": (
        "Map",
        "Hot and cold spots",
        "Emerging hotspots",
        "Do hotspots line up?",
        "Top wards",
    ),
}


@dataclass(frozen=True)
class Chart:
    """A chart as a page sends it (ui/chart_element.py): its element's key ("chart-" and its
    place on the page) and its figure as the browser is sent it."""

    key: str
    figure: dict

    @property
    def spec(self) -> str:
        """The figure as text."""
        return json.dumps(self.figure, ensure_ascii=False)


def charts(at: AppTest) -> list[Chart]:
    """Every chart the page drew, in order."""
    found = []
    for element in at.get("bidi_component"):
        if element.proto.component_name == chart_element.NAME:
            key = element.proto.id.split("-", 2)[2]  # "$$ID-<hash>-<key>"
            found.append(Chart(key, json.loads(element.proto.bytes)["figure"]))
    return found


def open_tab(at: AppTest, page: str, tab: str) -> None:
    """Open `page`'s lazy tab `tab` in its next run (once the page is open: every page's tabs
    share one key, so a tab set before `switch_page` is another page's)."""
    assert tab in LAZY_TABS[page], f"{page} has no tab {tab!r}"
    at.session_state[PAGE_TAB] = tab


def each_tab(at: AppTest, page: str) -> Iterator[AppTest]:
    """The page with each of its lazy tabs open in turn, from the first (the page as it is, if
    that is the one open): what a user sees who clicks through them. A page without lazy
    tabs: once, as it is."""
    labels = LAZY_TABS.get(page)
    if labels is None:
        yield at
        return
    for number, label in enumerate(labels):
        if number or at.session_state[PAGE_TAB] != label:
            open_tab(at, page, label)
            at.run()
            assert not at.exception, (label, at.exception)
        assert [t.label for t in at.tabs if t.label in labels] == list(labels), page
        yield at


@pytest.fixture
def app_test(
    demo_db_path: Path, accounts_store: Accounts, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., AppTest]:
    """Make an AppTest of app.py on the demo database (or `db`), optionally with page-address
    filters as the URL holds them (labels: from="Oct 2020", district="CD Calderdale").

    Each test has its own operational store, a copy of `accounts_store`. Where login is
    required (a force database, or `require_login=True` on the demo), the session is signed in
    as the account of `role` (the token of that account's session in the copy, given to the app
    as the login form would; signed in afresh if the copied sessions are getting old);
    `role=None` leaves it signed out."""
    from stalking_profile.access import Access
    from stalking_profile.operational import accounts, open_store
    from stalking_profile.operational import settings as app_settings
    from stalking_profile.ui import cache
    from stalking_profile.ui.auth import TOKEN_KEY

    copy_sqlite(accounts_store.path, tmp_path / "app.operational.sqlite")
    fresh = time.monotonic() - accounts_store.signed_at < FRESH_SESSION_SECONDS
    store_url = f"sqlite:///{tmp_path / 'app.operational.sqlite'}"
    monkeypatch.setenv("STALKING_PROFILE_STORE", store_url)
    store = open_store(store_url)
    operator = Access.command_line("test")

    def make(
        db: Path = demo_db_path,
        role: str | None = "analyst",
        require_login: bool = False,
        **query_params: str | list[str],
    ) -> AppTest:
        monkeypatch.setenv("STALKING_PROFILE_DB", str(db))
        # Settings are read from the environment once per server: read them again. The panels'
        # caches stay warm across tests, as across a server's sessions: every key holds the
        # database's version and the settings and disclosure rule the panel was built under.
        cache.settings.clear()
        if require_login:
            app_settings.set_login_required(store, True, operator)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        if role is not None and fresh:
            at.session_state[TOKEN_KEY] = accounts_store.tokens[role]
        elif role is not None:
            signed = accounts.sign_in(store, f"test-{role}", TEST_PASSWORD)
            assert signed is not None
            at.session_state[TOKEN_KEY] = signed.token
        for key, value in query_params.items():
            at.query_params[key] = value
        return at

    return make
