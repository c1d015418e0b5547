"""The operational store (SQLite in WAL mode and a real PostgreSQL server), accounts, sessions,
lock-out and the append-only audit trail: every test runs against both implementations."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stalking_profile.access import Access, AccessDenied, Role
from stalking_profile.operational import OperationalError, accounts, audit, open_store, settings
from stalking_profile.operational.accounts import AccountError
from stalking_profile.operational.store import OperationalStore

ADMIN = Access.command_line("test administrator")
PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> OperationalStore:
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'app.operational.sqlite'}")
    return open_store(request.getfixturevalue("postgres_url"))


def _url(store: OperationalStore) -> str:
    return getattr(store, "url", None) or f"sqlite:///{store.location}"


def test_the_schema_is_created_once_and_reopening_keeps_the_data(store: OperationalStore):
    accounts.add_user(store, "ana", Role.ANALYST, PASSWORD, ADMIN)
    again = open_store(_url(store))
    assert accounts.users(again, ADMIN)["username"].to_list() == ["ana"]


def test_sqlite_runs_in_wal_mode(tmp_path: Path):
    open_store(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with sqlite3.connect(tmp_path / "x.sqlite") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_password_signs_in_and_is_stored_only_as_argon2id(store: OperationalStore):
    accounts.add_user(store, "ana", "analyst", PASSWORD, ADMIN, display_name="Ana Lyst")
    signed = accounts.sign_in(store, "ana", PASSWORD)
    assert signed is not None
    assert signed.access.role is Role.ANALYST and signed.display_name == "Ana Lyst"
    stored = store.fetch_one("user_by_name", username="ana")
    assert stored is not None and stored["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in stored["password_hash"]
    assert "password_hash" not in accounts.users(store, ADMIN).columns


def test_wrong_unknown_and_disabled_give_the_same_refusal(store: OperationalStore):
    accounts.add_user(store, "sam", "strategic", PASSWORD, ADMIN)
    assert accounts.sign_in(store, "sam", "not the password") is None
    assert accounts.sign_in(store, "nobody", PASSWORD) is None
    accounts.set_disabled(store, "sam", True, ADMIN)
    assert accounts.sign_in(store, "sam", PASSWORD) is None
    trail = audit.events(store, ADMIN)
    failed = trail.filter(action="login failed")
    assert sorted(failed["detail"].to_list()) == ["disabled", "unknown user", "wrong password"]
    # what was typed as an unknown name is not kept: it may be a password typed in that box
    assert "nobody" not in failed["username"].to_list()
    assert "(a user name of 6 characters no account has)" in failed["username"].to_list()


def test_five_failures_lock_the_account_until_reset(store: OperationalStore):
    accounts.add_user(store, "cara", "commissioner", PASSWORD, ADMIN)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert accounts.sign_in(store, "cara", "guess" * 3) is None
    assert accounts.sign_in(store, "cara", PASSWORD) is None  # locked: right password refused
    assert audit.events(store, ADMIN)["detail"][0] == "locked"
    accounts.reset_password(store, "cara", "a brand new password", ADMIN)
    assert accounts.sign_in(store, "cara", "a brand new password") is not None


def test_sign_ins_sent_at_once_check_no_more_guesses_than_the_limit(store: OperationalStore):
    """An audit sent ten sign-ins to the login form at once, nine wrong passwords and the
    right one: all nine guesses were checked (each read the account unlocked before any failure
    was written) and the right one signed in. Each check is now claimed first."""
    from concurrent.futures import ThreadPoolExecutor

    accounts.add_user(store, "vic", "analyst", PASSWORD, ADMIN)
    guesses = [f"wrong guess number {n}" for n in range(12)]
    with ThreadPoolExecutor(len(guesses)) as pool:
        signed = list(pool.map(lambda guess: accounts.sign_in(store, "vic", guess), guesses))
    assert signed == [None] * len(guesses)
    details = audit.events(store, ADMIN).filter(action="login failed")["detail"].to_list()
    assert details.count("wrong password") == accounts.MAX_FAILED_LOGINS
    assert details.count("locked") == len(guesses) - accounts.MAX_FAILED_LOGINS
    assert accounts.sign_in(store, "vic", PASSWORD) is None  # locked: the right one refused


def test_after_a_lock_ends_five_more_failures_lock_again_not_one(store: OperationalStore):
    """The count of failures was never cleared when a lock ended, so the first wrong password
    after it (the sixth) locked the account for another 15 minutes."""
    accounts.add_user(store, "cara", "commissioner", PASSWORD, ADMIN)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert accounts.sign_in(store, "cara", "guess" * 3) is None
    with store.transaction() as transaction:  # the lock ends (as it does 15 minutes on)
        transaction._cursor.execute("UPDATE app_user SET locked_until = '2000-01-01T00:00:00'")
    assert accounts.sign_in(store, "cara", "guess" * 3) is None
    assert accounts.sign_in(store, "cara", PASSWORD) is not None  # one failure does not lock
    row = store.fetch_one("user_by_name", username="cara")
    assert row is not None and row["failed_logins"] == 0 and row["locked_until"] is None


def test_a_session_expires_after_inactivity_and_ends_at_sign_out(store: OperationalStore):
    accounts.add_user(store, "ana", "analyst", PASSWORD, ADMIN)
    signed = accounts.sign_in(store, "ana", PASSWORD)
    assert signed is not None
    assert accounts.session_access(store, signed.token) == signed.access
    assert accounts.session_access(store, "a forged token") is None
    # Idle longer than allowed (a negative allowance: the last activity is already too old).
    assert accounts.session_access(store, signed.token, idle_minutes=-1) is None
    assert accounts.session_access(store, signed.token) is None  # ended for good
    second = accounts.sign_in(store, "ana", PASSWORD)
    assert second is not None
    accounts.sign_out(store, second.token, second.access)
    assert accounts.session_access(store, second.token) is None
    actions = audit.events(store, ADMIN)["action"].to_list()
    assert actions[:3] == ["logout", "login", "session expired"]


def test_a_role_change_ends_open_sessions(store: OperationalStore):
    accounts.add_user(store, "ana", "analyst", PASSWORD, ADMIN)
    signed = accounts.sign_in(store, "ana", PASSWORD)
    assert signed is not None
    accounts.set_role(store, "ana", Role.COMMISSIONER, ADMIN)
    assert accounts.session_access(store, signed.token) is None
    again = accounts.sign_in(store, "ana", PASSWORD)
    assert again is not None and again.access.role is Role.COMMISSIONER


def test_a_download_made_after_its_user_was_disabled_is_refused(store: OperationalStore):
    """A record download is made when clicked, outside the page's run: it was made for a user
    disabled (or signed out, or idle too long) since the page was drawn. `still_signed_in`
    is the check it now makes first (ui/auth.session_check)."""
    accounts.add_user(store, "ana", "analyst", PASSWORD, ADMIN)
    signed = accounts.sign_in(store, "ana", PASSWORD)
    assert signed is not None
    assert accounts.still_signed_in(store, signed.token, signed.access)
    assert not accounts.still_signed_in(
        store, signed.token, Access.for_role("ana", Role.ADMINISTRATOR)
    )
    accounts.set_disabled(store, "ana", True, ADMIN)
    assert not accounts.still_signed_in(store, signed.token, signed.access)
    accounts.set_disabled(store, "ana", False, ADMIN)
    again = accounts.sign_in(store, "ana", PASSWORD)
    assert again is not None and accounts.still_signed_in(store, again.token, again.access)
    assert not accounts.still_signed_in(store, again.token, again.access, idle_minutes=-1)


def test_only_administrators_manage_users_and_read_the_audit(store: OperationalStore):
    for role in (Role.COMMISSIONER, Role.STRATEGIC, Role.ANALYST):
        who = Access.for_role("someone", role)
        with pytest.raises(AccessDenied, match="may not manage users"):
            accounts.add_user(store, "x" + role.value, Role.ANALYST, PASSWORD, who)
        with pytest.raises(AccessDenied, match="may not view the audit trail"):
            audit.events(store, who)
    audit.events(store, Access.for_role("root", Role.ADMINISTRATOR))  # allowed


def test_bad_account_requests_are_explained(store: OperationalStore):
    with pytest.raises(AccountError, match="at least 12 characters"):
        accounts.add_user(store, "ana", "analyst", "short", ADMIN)
    with pytest.raises(AccountError, match="without spaces"):
        accounts.add_user(store, "an a", "analyst", PASSWORD, ADMIN)
    with pytest.raises(ValueError, match="'sheriff' is not a valid Role"):
        accounts.add_user(store, "ana", "sheriff", PASSWORD, ADMIN)
    accounts.add_user(store, "ana", "analyst", PASSWORD, ADMIN)
    with pytest.raises(AccountError, match="already a user 'ana'"):
        accounts.add_user(store, "ana", "analyst", PASSWORD, ADMIN)
    with pytest.raises(AccountError, match="no user 'bob'"):
        accounts.set_role(store, "bob", "analyst", ADMIN)


def test_a_user_name_is_data_never_sql(store: OperationalStore):
    hostile = "x';DROP_TABLE_app_user;--"
    accounts.add_user(store, hostile, "analyst", PASSWORD, ADMIN)
    assert accounts.sign_in(store, hostile, PASSWORD) is not None
    assert accounts.sign_in(store, "' OR '1'='1", "' OR '1'='1") is None
    assert accounts.users(store, ADMIN)["username"].to_list() == [hostile]


def test_an_administrator_reads_who_viewed_records_but_not_the_records(store: OperationalStore):
    """A helper agent's trial: administrators, who may not read records, read crime
    references and reviewers' answers in the audit trail's detail."""
    analyst = Access.for_role("ana", Role.ANALYST)
    audit.record(store, audit.Action.REVIEW, analyst, "s1 SYN-CD-2107-00012 dash: no")
    audit.record(store, audit.Action.RECORDS_VIEWED, analyst, "suspect history: SYN-S-CD-1")
    audit.record(store, audit.Action.EXPORT, analyst, "a table")
    administrator = Access.for_role("admin", Role.ADMINISTRATOR)
    trail = audit.events(store, administrator).sort("event_id")
    assert trail["action"].to_list() == ["review answer", "records viewed", "export"]
    assert trail["username"].to_list() == ["ana"] * 3
    assert trail["detail"].to_list() == [audit.RECORD_DETAIL_WITHHELD] * 2 + ["a table"]
    assert "SYN-CD-2107-00012" in audit.events(store, ADMIN)["detail"].to_list()[-1]


def test_the_audit_trail_is_append_only(store: OperationalStore):
    audit.record(store, audit.Action.EXPORT, ADMIN, "a table")
    if store.dialect == "sqlite":
        with (
            sqlite3.connect(store.location) as raw,
            pytest.raises(sqlite3.Error, match="append-only"),
        ):
            raw.execute("DELETE FROM audit_event")
    else:
        import psycopg

        for statement in ("UPDATE audit_event SET detail = 'changed'", "TRUNCATE audit_event"):
            with (  # TRUNCATE fires no row trigger: it emptied the trail (helper 74)
                psycopg.connect(_url(store)) as raw,
                pytest.raises(psycopg.Error, match="append-only"),
            ):
                raw.execute(statement)
    assert audit.events(store, ADMIN)["detail"].to_list() == ["a table"]


def test_login_is_required_for_force_data_unless_turned_off(store: OperationalStore):
    assert settings.login_required(store, synthetic=False)
    assert not settings.login_required(store, synthetic=True)
    with pytest.raises(AccessDenied):
        settings.set_login_required(store, False, Access.for_role("a", Role.ANALYST))
    settings.set_login_required(store, False, ADMIN)
    assert not settings.login_required(store, synthetic=False)
    assert audit.events(store, ADMIN)["detail"][0] == "login off"


WRITER = """
import sys
from stalking_profile.access import Access
from stalking_profile.operational import audit, open_store
store = open_store(sys.argv[1])
for n in range(40):
    audit.record(store, audit.Action.EXPORT, Access.command_line(sys.argv[2]), str(n))
"""


def test_several_processes_write_at_once_and_nothing_is_lost(store: OperationalStore):
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, _url(store), f"writer{n}"])
        for n in range(4)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    trail = audit.events(store, ADMIN)
    assert trail.height == 160
    assert trail.group_by("username").len()["len"].to_list() == [40] * 4


def test_a_changed_tracker_update_and_wording_keep_what_they_replaced(
    store: OperationalStore, tmp_path: Path
):
    """The tracker's history in either store: an update changed, and a recommendation given
    another owner and a due date (from none), each keep the version replaced."""
    from datetime import date

    from stalking_profile.scrutiny import tracker

    first = tmp_path / "first.csv"
    first.write_text(
        "number,theme,text,owner,due_date,update_date,status,progress\n"
        "1,Data,Dashboards,force,,2024-01-01,Amber,Drafted\n",
        encoding="utf-8",
    )
    tracker.import_tracker(store, first, ADMIN)
    tracker.record_update(store, 1, date(2024, 1, 1), "Green", "Built", ADMIN)
    tracker.record_update(store, 1, date(2024, 1, 1), "Green", "Built and used", ADMIN)
    second = tmp_path / "second.csv"
    second.write_text(first.read_text().replace("force,,", "courts,2025-01-31,"))
    assert tracker.import_tracker(store, second, ADMIN).reworded == (1,)
    earlier_updates, earlier_wordings = tracker.revisions(store)
    assert earlier_updates.select("revision", "status", "progress").rows() == [
        (1, "Amber", "Drafted"),
        (2, "Green", "Built"),
        (3, "Green", "Built and used"),  # the file's update, imported again, replaced it
    ]
    assert earlier_wordings.select("revision", "owner", "due_date").rows() == [(1, "force", None)]
    assert tracker.tracker(store).select("owner", "due_date", "status").rows() == [
        ("courts", "2025-01-31", "Amber")
    ]


def test_an_unusable_store_is_one_sentence(tmp_path: Path):
    with pytest.raises(OperationalError, match=r"no directory .*missing"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}")
    with pytest.raises(OperationalError, match="unrecognised operational store"):
        open_store("mysql://somewhere")
    with pytest.raises(OperationalError, match="cannot open the operational store"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


def test_accounts_are_managed_from_the_command_line(tmp_path: Path):
    from tests.conftest import run_cli

    database = tmp_path / "force.duckdb"
    added = run_cli(
        "users",
        "add",
        "ana",
        "--role",
        "analyst",
        "--password-stdin",
        "--db",
        database,
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0 and "Added ana as analyst." in added.stdout
    short = run_cli("users", "add", "bob", "--password-stdin", "--db", database, stdin="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert "Traceback" not in short.stderr
    changed = run_cli("users", "role", "ana", "--role", "commissioner", "--db", database)
    assert "ana is now commissioner" in changed.stdout
    listing = run_cli("users", "list", "--db", database)
    assert "| ana " in listing.stdout and "commissioner" in listing.stdout
    assert "argon2" not in listing.stdout
    assert "not set" in run_cli("login", "status", "--db", database).stdout
    assert "OFF" in run_cli("login", "off", "--db", database).stdout
    exported = run_cli("audit", "--csv", tmp_path / "audit.csv", "--db", database)
    assert "Wrote 3 audit events" in exported.stdout
    text = (tmp_path / "audit.csv").read_text()
    assert "user added" in text and "role set to Commissioner's office" in text
    assert "login off" in text
    store = open_store(f"sqlite:///{tmp_path / 'force.operational.sqlite'}")
    assert accounts.sign_in(store, "ana", PASSWORD) is not None


def test_a_command_line_import_is_in_the_audit_trail(tmp_path: Path):
    from tests.conftest import ROOT, run_cli

    database = tmp_path / "force.duckdb"
    result = run_cli("import", ROOT / "data" / "templates" / "districts.csv", "--db", database)
    assert result.returncode == 0, result.stderr
    store = open_store(f"sqlite:///{tmp_path / 'force.operational.sqlite'}")
    trail = audit.events(store, ADMIN).sort("event_id")
    # recorded as started before it could land (helper 47: an import killed after landing and
    # before its audit entry left no trace), then with its report; a refused one as refused
    assert trail["action"].to_list() == ["import", "import"]
    assert trail["outcome"].to_list() == ["started", "ok"]
    assert trail["detail"][0] == "force.duckdb: started"
    assert trail["detail"][1].startswith("force.duckdb: ") and "rows read" in trail["detail"][1]
    assert "(command line)" in trail["username"][0]
    missing = run_cli("import", tmp_path / "no-such-file.csv", "--db", database)
    assert missing.returncode == 2
    last = audit.events(store, ADMIN).sort("event_id").tail(1).row(0, named=True)
    assert last["outcome"] == "refused" and "no-such-file.csv" in last["detail"]
    # the trail exported whole on the server is itself in the trail (helper 95: it was not)
    exported = run_cli("audit", "--db", database, "--csv", tmp_path / "trail.csv")
    assert exported.returncode == 0, exported.stderr
    last = audit.events(store, ADMIN).sort("event_id").tail(1).row(0, named=True)
    assert (last["action"], last["filter"]) == ("export", "the audit trail")
    assert last["detail"] == "trail.csv: 4 events of the last 90 days"


def test_a_pages_own_check_of_its_session_is_no_activity(store: OperationalStore):
    """The page checks every 20 s that its session stands (ui/auth.py); were that activity,
    an open tab would never time out."""
    accounts.add_user(store, "watched", Role.ANALYST, "a long enough password", ADMIN)
    signed_in = accounts.sign_in(store, "watched", "a long enough password")
    assert signed_in is not None
    token_hash = accounts._token_hash(signed_in.token)
    earlier = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    store.execute("session_touch", token_hash=token_hash, now=earlier)  # 5 minutes idle

    def last_seen() -> str:
        return store.fetch_one("session_by_token", token_hash=token_hash)["last_seen"]

    assert accounts.session_access(store, signed_in.token, touch=False) is not None
    assert last_seen() == earlier
    assert accounts.session_access(store, signed_in.token) is not None  # a page's run is
    assert last_seen() > earlier
