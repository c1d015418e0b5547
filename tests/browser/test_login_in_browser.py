"""End-to-end: a database that requires login, signed in as each role in a real browser; a
record-level download link tried again after its session ended."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from stalking_profile.access import Access, Role
from stalking_profile.operational import accounts, audit, open_store
from stalking_profile.operational import settings as app_settings
from stalking_profile.ui.auth import WATCH_SECONDS
from tests.browser.conftest import RunningApp, guarded_page, serving
from tests.browser.test_pages_in_browser import _open_tab, _wait_for_page

RECORDS = "Check the records behind an indicator"  # the Data quality page's tab

pytestmark = pytest.mark.browser  # this module's tests on one worker (tests/conftest.py)
PASSWORD = "browser test password"


# Session-scoped: this module's tests share one worker, which may run them between others, and
# a module-scoped server was then started again (7 s each time).
@pytest.fixture(scope="session")
def login_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the login app's database and operational store are."""
    return tmp_path_factory.mktemp("login")


@pytest.fixture(scope="session")
def login_app(demo_db_path: Path, chromium_path: str, login_folder: Path) -> Iterator[RunningApp]:
    """The demo database with login turned on and one account per role."""
    folder = login_folder
    database = folder / "profile.duckdb"
    shutil.copy(demo_db_path, database)
    store = open_store(f"sqlite:///{folder / 'profile.operational.sqlite'}")
    operator = Access.command_line("browser test")
    app_settings.set_login_required(store, True, operator)
    for role in Role:
        accounts.add_user(store, role.value, role, PASSWORD, operator)
    with serving(database) as app:
        yield app


@pytest.fixture
def page(browser, login_app: RunningApp):
    """A fresh browser page that may talk only to the app that requires login."""
    with guarded_page(browser, login_app) as tab:
        yield tab


def _open_sign_in(page, app: RunningApp) -> None:
    page.goto(app.url)
    # A freshly started server's first page imports the whole stack: wait for the form itself.
    page.get_by_role("button", name="Sign in").wait_for(timeout=120_000)


def _sign_in(page, app: RunningApp, username: str, password: str = PASSWORD) -> None:
    _open_sign_in(page, app)
    _submit(page, username, password)


def _submit(page, username: str, password: str = PASSWORD) -> None:
    """Fill in the sign-in form on screen and send it."""
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _open_from_menu(page, title: str) -> None:
    """Move to a page through the sidebar (a new address would be a new, signed-out session:
    the login lives with the session, not in a cookie)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).click()
    _wait_for_page(page, title)


def _navigation(page) -> set[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    links.first.wait_for()
    return {text.strip().splitlines()[-1] for text in links.all_inner_texts()}  # icon first


@pytest.fixture(scope="module")
def shared_tab(browser, login_app: RunningApp):
    """One browser tab that each role signs into in turn, after the one before signed out (an
    office's shared machine: nothing of one user's session may show to the next)."""
    with guarded_page(browser, login_app) as tab:
        _open_sign_in(tab, login_app)
        yield tab


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_each_role_signs_in_and_sees_only_its_share(shared_tab, login_app, role: Role) -> None:
    page = shared_tab
    if page.get_by_role("button", name="Sign out").count():  # the role before this one
        _open_from_menu(page, "Overview")
        page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator('[data-testid="stMetric"]').count() == 0  # nothing before login
    _submit(page, role.value)
    _wait_for_page(page, "Overview")
    page.get_by_text(f"Signed in as {role.value}").wait_for()
    shown = _navigation(page)
    assert ("Data" in shown) == (role is Role.ANALYST)
    assert ("Users and audit" in shown) == (role is Role.ADMINISTRATOR)
    banner = page.locator('[data-testid="stAlertContentInfo"]', has_text="Publication mode")
    assert banner.count() == (role is Role.COMMISSIONER)
    _open_from_menu(page, "Data quality")
    _open_tab(page, RECORDS)
    records = page.get_by_role("button", name="Download these records (CSV)")
    if role is Role.ANALYST:
        records.wait_for()
    else:
        page.get_by_text("Record-level lists are for analysts").wait_for()
        assert records.count() == 0


def test_a_shared_address_opens_its_page_and_filters_after_signing_in(
    page, login_app, login_folder
) -> None:
    """A colleague's link to Trends for DA offences to September 2021 opened the Overview
    after signing in (the login form runs before any page is known), though the filters
    survived. A page the role is not offered falls back to the Overview, which says so (it
    did so silently), and the refusal is in the audit trail (it was not)."""
    page.goto(f"{login_app.url}/trends?da=DA&to=Sep+2021&district=CD+Calderdale")
    page.get_by_role("button", name="Sign in").wait_for(timeout=120_000)
    _submit(page, "strategic")
    _wait_for_page(page, "Trends")
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first
    assert caption.inner_text().startswith("Stalking, DA, CD, Oct 2020 to Sep 2021"), (
        caption.inner_text()
    )
    assert "/trends?" in page.url and "da=DA" in page.url
    # analysts only: a new session, signed out; the district by its code, which the sidebar
    # writes in full with a rerun that wiped the page's warning (helper 84)
    page.goto(f"{login_app.url}/data?district=CD")
    page.get_by_role("button", name="Sign in").wait_for()
    _submit(page, "strategic")
    _wait_for_page(page, "Overview")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("CD Calderdale").wait_for()  # the run after the address was mended
    _wait_for_page(page, "Overview")
    said = "names a page, “data”, that your role (Strategic lead) is not offered: this is Overview"
    page.get_by_text(said).wait_for()
    store = open_store(f"sqlite:///{login_folder / 'profile.operational.sqlite'}")
    refused = audit.events(store, Access.command_line("test")).filter(action="access refused")
    assert refused.select("username", "detail").rows()[:1] == [("strategic", "page data")]


def test_a_wrong_password_is_refused_without_saying_why(page, login_app) -> None:
    _sign_in(page, login_app, "analyst", "not the password")
    page.get_by_text("Sign-in failed").wait_for()
    _sign_in(page, login_app, "no-such-user", PASSWORD)
    page.get_by_text("Sign-in failed").wait_for()
    assert page.locator('[data-testid="stMetric"]').count() == 0


def test_a_record_download_link_dies_with_its_session(browser, login_app, login_folder) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    page = context.new_page()
    download = _records_downloaded(page, login_app)
    link = download.url
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    provenance = [line for line in lines if line.startswith("# ")]
    # the provenance block every download carries (a record list had none), then the records
    assert "# Marking: OFFICIAL (synthetic demonstration data)" in provenance
    assert any(line.startswith("# Filter: Stalking") for line in provenance)
    assert lines[len(provenance)].startswith("Crime reference")
    assert link.startswith(login_app.url)
    assert urllib.request.urlopen(link, timeout=10).status == 200
    # signing out lets go of the file at once, with the tab still open (it was served until
    # the tab closed, or two script runs of any session later)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    assert _link_dies(link) == 404
    # a session that ended on the server (idle too long) lets go of its files on its next run
    link = _records_downloaded(page, login_app).url
    with sqlite3.connect(login_folder / "profile.operational.sqlite") as store:
        store.execute(
            "UPDATE app_session SET last_seen = ? WHERE username = ? AND ended_at IS NULL",
            ("2020-01-01T00:00:00+00:00", "analyst"),
        )
    page.get_by_role("button", name="Sign out").click()  # any rerun: it finds the session over
    page.get_by_text("Your session has ended").wait_for()
    assert _link_dies(link) == 404
    context.close()


def _records_downloaded(page, app: RunningApp):
    """Sign in as the analyst and download the Data quality page's records: the download."""
    _sign_in(page, app, "analyst")
    _wait_for_page(page, "Overview")
    _open_from_menu(page, "Data quality")
    _open_tab(page, RECORDS)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these records (CSV)").click()
    return download.value


def _link_dies(link: str) -> int:
    """The status a download link answers once it no longer serves its file (waiting for the
    server's run after signing out to finish letting go of it), or 200 if it never stops."""
    for _ in range(100):
        try:
            urllib.request.urlopen(link, timeout=10)
        except urllib.error.HTTPError as refused:
            return refused.code
        time.sleep(0.1)
    return 200


class _Socket:
    """A page's websocket to the server, passed through, with every message the server sent
    read as Streamlit's ForwardMsg: the session's id, the download buttons drawn, and the
    answers to backend requests."""

    def __init__(self, page) -> None:
        self.page, self.server, self.session = page, None, ""
        self.downloads: dict[str, str] = {}  # button label -> its download's id
        self.answers: dict[str, object] = {}  # request id -> BackendOperationResponse
        page.route_web_socket(re.compile(r".*/_stcore/stream.*"), self._route)

    def _route(self, socket) -> None:
        self.server = socket.connect_to_server()
        socket.on_message(self.server.send)

        def from_server(message) -> None:
            self._read(message)
            socket.send(message)

        self.server.on_message(from_server)

    def _read(self, message) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(message, bytes):
            return
        msg = ForwardMsg.FromString(message)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session = msg.new_session.initialize.session_id
        elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "download_button":
            button = msg.delta.new_element.download_button
            self.downloads[button.label] = button.deferred_file_id
        elif kind == "backend_operation_response":
            self.answers[msg.backend_operation_response.request_id] = msg.backend_operation_response

    def ask_for_download(self, file_id: str, request_id: str):
        """Ask the server, as this page's session, to make the download `file_id`; its answer."""
        from streamlit.proto.BackMsg_pb2 import (
            BackendOperationRequest,
            BackMsg,
            DeferredFileRequestPayload,
        )

        request = BackendOperationRequest(
            request_id=request_id,
            session_id=self.session,
            deferred_file=DeferredFileRequestPayload(file_id=file_id),
        )
        self.server.send(BackMsg(backend_operation_request=request).SerializeToString())
        deadline = time.monotonic() + 30
        while request_id not in self.answers and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)  # lets Playwright deliver the messages it holds
        return self.answers.get(request_id)


RECORDS_DOWNLOAD = "Download these records (CSV)"


def _records_drawn(page, app: RunningApp) -> _Socket:
    """The analyst signed in on `page` with the Data quality records' download drawn, and the
    page's websocket as read (its session's id, the download's id)."""
    socket = _Socket(page)
    _sign_in(page, app, "analyst")
    _wait_for_page(page, "Overview")
    _open_from_menu(page, "Data quality")
    _open_tab(page, RECORDS)
    page.get_by_role("button", name=RECORDS_DOWNLOAD).wait_for()
    return socket


def test_another_session_cannot_have_a_records_download_made_for_it(
    browser, login_app, login_folder
) -> None:
    """Streamlit made a download for any session that asked for its id: a browser that was
    never signed in, given the id of an analyst's record-level download (a shared screen, a
    proxy's log), had it made, and the audit trail named the analyst (helper 95). Now only the
    session that drew the button has it made."""
    store = open_store(f"sqlite:///{login_folder / 'profile.operational.sqlite'}")

    def records_downloads() -> int:
        trail = audit.events(store, Access.command_line("browser test"), days=1, max_rows=10**6)
        return trail.filter(pl.col("action") == audit.Action.RECORDS_DOWNLOADED.value).height

    with guarded_page(browser, login_app) as analyst, guarded_page(browser, login_app) as other:
        analysts = _records_drawn(analyst, login_app)
        file_id = analysts.downloads[RECORDS_DOWNLOAD]
        others = _Socket(other)
        _open_sign_in(other, login_app)
        before = records_downloads()
        refused = others.ask_for_download(file_id, "from-another-session")
        assert refused is not None and refused.error_msg and not refused.deferred_file.url
        assert records_downloads() == before  # nothing made, so nothing logged
        # the same request from the session that drew the button is answered with the file
        made = analysts.ask_for_download(file_id, "from-its-session")
        assert made is not None and not made.error_msg
        assert made.deferred_file.url.startswith("/media/")
        assert records_downloads() == before + 1


def test_records_leave_the_screen_when_the_session_ends(page, login_app, login_folder) -> None:
    """An analyst's records stayed on screen after the session ended (idle too long), until
    the next click (helper 95): the page now finds it ended by itself and shows the sign-in
    form in their place."""
    _sign_in(page, login_app, "analyst")
    _wait_for_page(page, "Overview")
    _open_from_menu(page, "Data quality")
    _open_tab(page, RECORDS)
    page.get_by_role("button", name="Download these records (CSV)").wait_for()
    with sqlite3.connect(login_folder / "profile.operational.sqlite") as store:
        store.execute(
            "UPDATE app_session SET last_seen = ? WHERE username = ? AND ended_at IS NULL",
            ("2020-01-01T00:00:00+00:00", "analyst"),
        )
    # no click: the page's own check, every WATCH_SECONDS, runs it again as the sign-in form
    page.get_by_text("Your session has ended").wait_for(timeout=3 * WATCH_SECONDS * 1000)
    assert page.get_by_role("button", name="Download these records (CSV)").count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0


def test_another_browser_presenting_a_signed_in_sessions_id_is_signed_out(
    browser, login_app, login_folder
) -> None:
    """Streamlit lets a new connection take over a session by presenting its id: a browser
    that had never signed in took over an analyst's session, was shown "Signed in as analyst"
    and downloaded records, logged as the analyst (helper 97). A sign-in belongs to the
    browser that signed in: the session is signed out, the takeover is in the audit trail,
    and the download it drew is not made."""
    store = open_store(f"sqlite:///{login_folder / 'profile.operational.sqlite'}")
    with guarded_page(browser, login_app) as analyst, guarded_page(browser, login_app) as other:
        analysts = _records_drawn(analyst, login_app)
        file_id, session = analysts.downloads[RECORDS_DOWNLOAD], analysts.session
        # the other browser's websocket presents the analyst's session id, as a reconnect does
        other.add_init_script(
            """(() => { const Native = window.WebSocket;
                window.WebSocket = function (url, protocols) {
                    if (Array.isArray(protocols)) {
                        protocols = protocols.slice();
                        while (protocols.length < 3) protocols.push('');
                        protocols[2] = 'SESSION';
                    }
                    return new Native(url, protocols);
                };
                window.WebSocket.prototype = Native.prototype;
                Object.assign(window.WebSocket, Native); })()""".replace("SESSION", session)
        )
        others = _Socket(other)
        other.goto(login_app.url)
        other.get_by_text("Your session has ended").wait_for(timeout=60_000)
        assert other.get_by_text("Signed in as").count() == 0
        made = others.ask_for_download(file_id, "after-takeover")
        assert made is not None and made.error_msg and not made.deferred_file.url
    trail = audit.events(store, Access.command_line("browser test"), days=1, max_rows=10**6)
    taken = trail.filter(pl.col("detail").str.starts_with("another browser took over"))
    assert taken.height >= 1 and taken["username"][0] == "analyst"
