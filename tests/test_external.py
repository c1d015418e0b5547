"""Imports run in their own process for the Data page (importing/external.py): the report or
the error comes back in words, with progress on the way, and the store is published."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from stalking_profile.access import Access
from stalking_profile.db import connect
from stalking_profile.importing.external import (
    CHECK_KILLED,
    KILLED,
    check_in_child,
    import_in_child,
    stopped_because,
)
from tests.test_import import TEMPLATES, offences


def test_an_import_in_a_child_process_reports_progress_and_publishes(tmp_path: Path) -> None:
    database = tmp_path / "force.duckdb"
    assert import_in_child(Access.command_line(), database, TEMPLATES / "districts.csv").ok
    extract = tmp_path / "extract.csv"
    offences(40).write_csv(extract)
    seen: list[tuple[float, str]] = []
    outcome = import_in_child(
        Access.command_line(), database, extract, progress=lambda f, m: seen.append((f, m))
    )
    assert outcome.ok, outcome.text
    assert "40" in outcome.text
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("validating" in message for _, message in seen)
    gateway = connect(database)
    try:
        assert gateway.sql("SELECT count(*) AS n FROM offence")["n"].item() == 40
    finally:
        gateway.close()
    assert outcome.changed
    # the same file again: nothing changed, and the Data page no longer says every page shows
    # new data beside "already imported ... nothing changed" (helper 64)
    again = import_in_child(Access.command_line(), database, extract)
    assert again.ok and not again.changed
    assert again.text.endswith("already imported (same file, same contents); nothing changed.")


def _children(command_part: str) -> list[int]:
    """This process's children whose command line holds `command_part`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and command_part in command:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/oom_score_adj").exists(), reason="Linux only")
def test_an_import_that_runs_the_machine_out_of_memory_goes_first_and_says_so(tmp_path):
    """An import child asks the kernel to end it first if memory runs out (so a file that
    takes all the memory ends the import, not the dashboard), and killed so, the Data page
    says what happened, not "the import stopped"; the store is as it was."""
    database = tmp_path / "force.duckdb"
    assert import_in_child(Access.command_line(), database, TEMPLATES / "districts.csv").ok
    extract = tmp_path / "extract.csv"
    offences(40).write_csv(extract)
    scores: list[str] = []

    def kill_it(fraction: float, message: str) -> None:
        for pid in _children("stalking_profile import"):
            scores.append(Path(f"/proc/{pid}/oom_score_adj").read_text().strip())
            os.kill(pid, signal.SIGKILL)  # as the kernel's out-of-memory killer does

    outcome = import_in_child(Access.command_line(), database, extract, progress=kill_it)
    assert scores and set(scores) == {"1000"}
    assert not outcome.ok and outcome.text == KILLED
    gateway = connect(database)
    try:
        assert gateway.sql("SELECT count(*) AS n FROM offence")["n"].item() == 0
    finally:
        gateway.close()


def test_a_check_killed_from_outside_says_so(tmp_path: Path) -> None:
    database = tmp_path / "force.duckdb"
    assert import_in_child(Access.command_line(), database, TEMPLATES / "districts.csv").ok
    extract = tmp_path / "extract.csv"
    offences(40).write_csv(extract)
    killed: list[int] = []

    def kill_the_check() -> None:  # the check starts Python and the package first: seconds
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            for pid in _children("stalking_profile check"):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.01)

    killer = threading.Thread(target=kill_the_check)
    killer.start()
    outcome = check_in_child(Access.command_line(), database, extract, tmp_path)
    killer.join()
    assert killed and outcome.report is None and outcome.error == CHECK_KILLED


def test_why_a_child_import_stopped_is_said_from_what_it_left():
    assert stopped_because(2, ["reading", "error: the file is empty"]) == "the file is empty"
    assert stopped_because(-signal.SIGKILL, []) == KILLED
    assert stopped_because(1, ["Segmentation fault"]) == "Segmentation fault"
    assert stopped_because(1, []) == "the import stopped"


def test_a_refused_import_comes_back_as_a_sentence(tmp_path: Path) -> None:
    database = tmp_path / "force.duckdb"
    mystery = tmp_path / "mystery.csv"
    mystery.write_text("Ref,When\nA,2021-01-01\n", encoding="utf-8")
    outcome = import_in_child(Access.command_line(), database, mystery)
    assert not outcome.ok
    assert "cannot tell what the file holds" in outcome.text
    assert "The database is unchanged" in outcome.text
    assert "Traceback" not in outcome.text


def test_a_check_in_a_child_process_reports_and_keeps_the_refused_rows(tmp_path: Path) -> None:
    """The Data page's check runs outside the dashboard's process (issue 13, fault 8): the
    report comes back as data, every refused row with its reason in a Parquet file, and
    nothing is written."""
    import polars as pl

    from stalking_profile.importing.external import check_in_child

    database = tmp_path / "force.duckdb"
    assert import_in_child(Access.command_line(), database, TEMPLATES / "districts.csv").ok
    extract = tmp_path / "extract.csv"
    rows = offences(10).with_columns(
        pl.when(pl.int_range(pl.len()) < 3)
        .then(pl.lit("ZZ"))
        .otherwise(pl.col("district_code"))
        .alias("district_code")
    )
    rows.write_csv(extract)
    before = database.stat().st_mtime_ns
    outcome = check_in_child(Access.command_line(), database, extract, tmp_path)
    assert outcome.report is not None, outcome.error
    assert (outcome.report.rows_read, outcome.report.accepted, outcome.report.refused) == (
        10,
        7,
        3,
    )
    refused = pl.read_parquet(outcome.refused_rows)
    assert refused["row_number"].to_list() == [2, 3, 4]
    assert set(refused["column_name"]) == {"district_code"}
    assert database.stat().st_mtime_ns == before  # nothing written


def test_the_audit_trail_keeps_an_imports_summary_not_its_refused_values(tmp_path: Path):
    """The Data page wrote the whole report to the audit trail, refused rows' values and all
    ("row 3: district_code = 'Anne Example, 7 Mill Lane'"), which administrators (who may not
    read records) read on the Users and audit page."""
    import polars as pl

    database = tmp_path / "force.duckdb"
    assert import_in_child(Access.command_line(), database, TEMPLATES / "districts.csv").ok
    extract = tmp_path / "extract.csv"
    rows = offences(4).with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit("Anne Example, 7 Mill Lane"))
        .otherwise(pl.col("district_code"))
        .alias("district_code")
    )
    rows.write_csv(extract)
    outcome = import_in_child(Access.command_line(), database, extract)
    assert outcome.ok and "Anne Example" in outcome.text  # the user sees the value refused
    kept = outcome.for_audit("extract.csv")
    assert "Anne Example" not in kept and "row 3" not in kept
    assert "extract.csv" in kept and "1 refused" in kept.replace(",", "")


def test_a_refused_check_comes_back_as_a_sentence(tmp_path: Path) -> None:
    from stalking_profile.importing.external import check_in_child

    mystery = tmp_path / "mystery.csv"
    mystery.write_text("Ref,When\nA,2021-01-01\n", encoding="utf-8")
    database = tmp_path / "force.duckdb"
    assert import_in_child(Access.command_line(), database, TEMPLATES / "districts.csv").ok
    outcome = check_in_child(Access.command_line(), database, mystery, tmp_path)
    assert outcome.report is None
    assert "cannot tell what the file holds" in outcome.error
    assert "Traceback" not in outcome.error


def test_a_whole_extract_is_checked_then_imported_in_a_child_process(tmp_path: Path) -> None:
    """The Data page's path: the check says how many stored offences the file leaves out (the
    count behind its "whole extract" box), and the import with the box ticked removes them."""
    from stalking_profile.importing.external import check_in_child

    database = tmp_path / "force.duckdb"
    assert import_in_child(Access.command_line(), database, TEMPLATES / "districts.csv").ok
    first, newer = tmp_path / "first.csv", tmp_path / "newer.csv"
    offences(12).write_csv(first)
    offences(9, start=4).write_csv(newer)  # T-000001 to T-000003 deleted in the records system
    assert import_in_child(Access.command_line(), database, first).ok
    checked = check_in_child(Access.command_line(), database, newer, tmp_path)
    assert checked.report is not None and checked.report.absent == 3
    assert any("3 stored offences (recorded" in note for note in checked.report.warnings)
    outcome = import_in_child(Access.command_line(), database, newer, whole_extract=True)
    assert outcome.ok, outcome.text
    assert "Whole extract: 3 stored offences" in outcome.text
    gateway = connect(database)
    try:
        assert gateway.sql("SELECT min(crime_ref) AS ref FROM offence")["ref"].item() == "T-000004"
    finally:
        gateway.close()


def test_an_import_from_the_dashboard_is_audited_once_under_its_user(tmp_path: Path) -> None:
    """Every import from the Data page was in the audit trail twice: under the signed-in user
    (the page) and as "root (command line), administrator" (the child process). The child now
    leaves it to the page; the command line on its own still records its imports."""
    import subprocess
    import sys
    from dataclasses import replace

    from stalking_profile.access import Role
    from stalking_profile.config import Settings
    from stalking_profile.operational import audit, open_store

    database = tmp_path / "force.duckdb"
    assert import_in_child(Access.command_line(), database, TEMPLATES / "districts.csv").ok
    settings = replace(Settings.from_env(), db_path=database, store_url=None)
    admin = Access.for_role("root", Role.ADMINISTRATOR)

    def imports() -> int:  # landed (each is recorded as started first, then as done)
        trail = audit.events(open_store(settings.operational_store_url), admin)
        return trail.filter(
            trail["action"].cast(str).str.contains("import") & (trail["outcome"] == "ok")
        ).height

    assert imports() == 0
    command = [sys.executable, "-m", "stalking_profile", "import", str(TEMPLATES / "districts.csv")]
    done = subprocess.run([*command, "--db", str(database), "--kind", "districts"], check=False)
    assert done.returncode == 0 and imports() == 1


def test_a_check_that_stops_unexplained_says_the_error_it_stopped_on() -> None:
    """A file that stopped the reader (helper 73: a lone carriage return, a byte-order mark
    alone) was reported on the Data page as "the check stopped", with no reason at all."""
    from stalking_profile.importing.external import _stopped

    stderr = (
        'Traceback (most recent call last):\n  File "x.py"\nIndexError: list index out of range\n'
    )
    said = _stopped(stderr)
    assert "(IndexError: list index out of range)" in said
    assert "the database is unchanged" in said
