"""Issue 13, the replica story: two dashboard processes on different ports serve one snapshot
of a force database and share one PostgreSQL operational store. An import publishes a new
snapshot while both serve; both then show the new figures; an operational write made through
one (an administrator adding a user) is read through the other (that user signs in there)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from stalking_profile.access import Access
from stalking_profile.operational import accounts, open_store
from tests.browser.conftest import ARTIFACTS, RunningApp, guarded_page, serving
from tests.browser.test_login_in_browser import PASSWORD, _open_from_menu, _sign_in
from tests.browser.test_pages_in_browser import _metric, _wait_for_page
from tests.conftest import OFFENCE_HEADER, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

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
    with serving(database, shared) as first, serving(database, shared) as second:
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
