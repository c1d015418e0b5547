"""Issue 13, the replica story: two dashboard processes on different ports serve one snapshot
of a force database and share one PostgreSQL operational store. An import publishes a new
snapshot while both serve; both then show the new figures; an operational write made through
one (an administrator adding a user) is read through the other (that user signs in there)."""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import expect

from stalking_profile.access import Access
from stalking_profile.operational import accounts, open_store
from tests.browser.conftest import (
    ARTIFACTS,
    RunningApp,
    guarded_page,
    serving,
    serving_replicas,
)
from tests.browser.test_login_in_browser import PASSWORD, _open_from_menu, _sign_in
from tests.browser.test_pages_in_browser import _metric, _wait_for_page
from tests.conftest import OFFENCE_HEADER, run_cli

pytestmark = pytest.mark.browser  # this module's tests on one worker (tests/conftest.py)

NEW_OFFENCES = 7


def _more_offences(path: Path) -> Path:
    """Seven more stalking offences in March 2023 (inside the default twelve months)."""
    rows = [OFFENCE_HEADER] + [
        f"R-{n:04d},2023-03-{10 + n:02d},stalking,8Q,AY,Y,N,Y,standard,N,N,,"
        for n in range(NEW_OFFENCES)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _signed_in_overview(page, app: RunningApp, username: str) -> int:
    _sign_in(page, app, username)
    try:
        _wait_for_page(page, "Overview")
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"replica-{username}.png"), full_page=True)
        raise
    return int(_metric(page, "Offences").replace(",", ""))


def _shows_offences_after_moving(page, expected: int) -> None:
    """Move to another page and back (the session's next runs); the Offences tile comes to
    show `expected` (waiting on that state: the old tile stays on screen while a run is on)."""
    _open_from_menu(page, "Trends")
    _open_from_menu(page, "Overview")
    tile = page.locator('[data-testid="stMetric"]', has_text="Offences").first
    expect(tile.locator('[data-testid="stMetricValue"]')).to_have_text(
        f"{expected:,}", timeout=60_000
    )


def test_two_replicas_serve_one_snapshot_and_one_operational_store(
    browser,
    chromium_path,
    extract_db_path: Path,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = tmp_path / "force.duckdb"
    shutil.copy(extract_db_path, database)
    store = open_store(postgres_url)
    operator = Access.command_line("replica test")
    accounts.add_user(store, "admin", "administrator", PASSWORD, operator)
    accounts.add_user(store, "lead", "strategic", PASSWORD, operator)
    shared = {"STALKING_PROFILE_STORE": postgres_url}
    monkeypatch.setenv("STALKING_PROFILE_STORE", postgres_url)  # the command-line import too
    with serving_replicas(database, 2, shared) as (first, second):
        assert first.url != second.url
        with guarded_page(browser, first) as on_first, guarded_page(browser, second) as on_second:
            before = _signed_in_overview(on_first, first, "admin")
            assert _signed_in_overview(on_second, second, "lead") == before

            more = _more_offences(tmp_path / "more.csv")
            imported = run_cli(
                "import", more, "--db", database, "--extract-date", "2023-05-31", "--quiet"
            )
            assert imported.returncode == 0, imported.stderr
            # Each session sees the new snapshot on its next run, whichever process serves it.
            for page in (on_first, on_second):
                _shows_offences_after_moving(page, before + NEW_OFFENCES)

            # An operational write through the first replica ...
            _open_from_menu(on_first, "Users and audit")
            on_first.get_by_role("textbox", name="User name").first.fill("new.analyst")
            on_first.get_by_role("textbox", name="Password (at least 12 characters)").fill(PASSWORD)
            on_first.get_by_role("button", name="Add user").click()
            on_first.get_by_text("Added new.analyst").wait_for()
        # ... is read through the second: the new user signs in there.
        with guarded_page(browser, second) as fresh:
            assert _signed_in_overview(fresh, second, "new.analyst") == before + NEW_OFFENCES
    trail = store.fetch("audit_events", since="2000-01-01", max_rows=100)
    actions = [(row["action"], row["username"]) for row in trail]
    assert ("user added", "admin") in actions and ("login", "new.analyst") in actions
    assert any(action == "import" for action, _ in actions)


def _many_offences(path: Path, rows: int) -> Path:
    """`rows` stalking offences recorded January to March 2023 (inside the default period)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(OFFENCE_HEADER + "\n")
        for n in range(rows):
            day = f"2023-0{1 + n % 3}-{1 + n % 28:02d}"
            district = "AY" if n % 2 else "BE"
            handle.write(f"C-{n:07d},{day},stalking,8Q,{district},Y,N,Y,standard,N,N,,\n")
    return path


def test_an_import_of_200000_rows_while_sessions_browse(
    browser,
    chromium_path,
    extract_db_path: Path,
    tmp_path: Path,
) -> None:
    """Issue 13: several sessions keep moving between pages while a 200,000-row import runs
    in another process; no session sees an error, and each sees the new data once the import
    has published."""
    import subprocess
    import sys

    from stalking_profile.operational import settings as app_settings
    from tests.conftest import ROOT

    database = tmp_path / "force.duckdb"
    shutil.copy(extract_db_path, database)
    store = open_store(f"sqlite:///{tmp_path / 'force.operational.sqlite'}")
    app_settings.set_login_required(store, False, Access.command_line("concurrency test"))
    extract = _many_offences(tmp_path / "big.csv", 200_000)
    with serving(database) as app, ExitStack() as open_pages:
        # three sessions, each allowed to talk to the app only
        pages = [open_pages.enter_context(guarded_page(browser, app)) for _ in range(3)]
        for page in pages:  # the three sessions open together
            page.goto(app.url, wait_until="commit")
        for page in pages:
            _wait_for_page(page, "Overview")
        before = int(_metric(pages[0], "Offences").replace(",", ""))
        command = [sys.executable, "-m", "stalking_profile", "import", str(extract)]
        command += ["--db", str(database), "--extract-date", "2023-05-31", "--quiet"]
        importer = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        moves = 0
        while importer.poll() is None:
            for page in pages:
                _open_from_menu(page, "Trends" if moves % 2 == 0 else "Overview")
                assert page.locator('[data-testid="stException"]').count() == 0
                shown = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
                assert [text for text in shown if "Login is turned off" not in text] == []
            moves += 1
        output, errors = importer.communicate()
        assert importer.returncode == 0, errors
        assert "200,000 accepted" in output
        print(f"\n[browser] {moves} rounds of page moves by 3 sessions during the import")
        assert moves >= 1
        for page in pages:
            _shows_offences_after_moving(page, before + 200_000)


def test_an_upload_with_refused_rows_imports_the_rest_and_lists_each(
    browser, chromium_path, extract_db_path: Path, tmp_path: Path
) -> None:
    """A force database, login off: an upload with one bad row among four new ones is
    imported with a warning that lists the refused row (it was a green success box with the
    rows run together in one paragraph), and the other three are counted on the Overview. The
    upload is the force's whole extract less two offences deleted in the records system: the
    check offers to remove them, and ticked, they are gone. Then an empty file, refused
    outright, is offered no import button (it was, and a click repeated the refusal)."""
    from stalking_profile.operational import settings as app_settings
    from tests.browser.test_pages_in_browser import _upload
    from tests.conftest import extract_like_offences

    database = tmp_path / "force.duckdb"
    shutil.copy(extract_db_path, database)
    store = open_store(f"sqlite:///{tmp_path / 'force.operational.sqlite'}")
    app_settings.set_login_required(store, False, Access.command_line("upload test"))
    held = extract_like_offences().splitlines()[1:]
    rows = [OFFENCE_HEADER, *held[2:]] + [  # X-0001 and X-0002 deleted
        f"U-{n:04d},2023-03-{10 + n:02d},stalking,8Q,AY,Y,N,Y,standard,N,N,," for n in range(3)
    ]
    rows.append("U-0099,31/02/2023,stalking,8Q,AY,Y,N,Y,standard,N,N,,")
    upload = tmp_path / "more.csv"
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with serving(database) as app, guarded_page(browser, app) as page:
        page.goto(app.url)
        _wait_for_page(page, "Overview")
        before = int(_metric(page, "Offences").replace(",", ""))
        page.locator(f'[data-testid="stSidebarNav"] a[href="{app.url}/data"]').click()
        _wait_for_page(page, "Data")
        _upload(page, upload)
        read = f"{len(rows) - 1} rows read = {len(rows) - 2} would be accepted + 1 refused"
        page.get_by_text(read).wait_for(timeout=60_000)
        page.get_by_text("remove the 2 stored offences it does not hold").click()
        page.get_by_role("button", name="Import the accepted rows").click()
        done = "Every page now shows the new data."
        warning = page.locator('[data-testid="stAlertContentWarning"]', has_text=done)
        warning.wait_for(timeout=120_000)
        assert f"{len(rows) - 1} rows read = {len(rows) - 2} accepted + 1 refused" in (
            warning.inner_text()
        )
        assert "Whole extract: 2 stored offences (recorded in Dec 2022)" in (warning.inner_text())
        assert page.locator('[data-testid="stAlertContentSuccess"]').count() == 0
        refused = page.locator(
            '[data-testid="stMain"] li', has_text=f"row {len(rows)}: recorded_date"
        )
        assert refused.count() == 1
        _shows_offences_after_moving(page, before - 2 + 3)
        # a file refused outright has no rows to import: no import button is offered for it
        page.locator(f'[data-testid="stSidebarNav"] a[href="{app.url}/data"]').click()
        _wait_for_page(page, "Data")
        empty = tmp_path / "empty.csv"
        empty.write_text("", encoding="utf-8")
        _upload(page, empty, until=page.get_by_text("empty.csv cannot be imported"))
        _wait_for_page(page, "Data")
        assert page.get_by_role("button", name="Import the accepted rows").count() == 0
        # nor a file whose every row would be refused (its click imported nothing)
        refused_only = tmp_path / "refused.csv"
        refused_only.write_text(f"{OFFENCE_HEADER}\n{rows[-1]}\n", encoding="utf-8")
        nothing = page.get_by_text("Nothing would be imported")
        _upload(page, refused_only, until=nothing)
        _wait_for_page(page, "Data")
        assert page.get_by_role("button", name="Import the accepted rows").count() == 0
