"""Importing a force's records: good files in every format, bad files with clear messages, and
the database unchanged or changed by exactly the accepted rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from stalking_profile.db import Gateway, connect
from stalking_profile.importing.load import ImportRefused, import_file
from stalking_profile.importing.mapping import load_mapping
from stalking_profile.importing.readers import ReadError, read_table
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "data" / "templates"
TABLES = ("offence", "outcome", "quarantine", "import_log", "district")


def offences(n: int, start: int = 1, **overrides: object) -> pl.DataFrame:
    """n valid offence rows with contract headers (text, as an extract would hold them)."""
    numbers = list(range(start, start + n))
    frame = pl.DataFrame(
        {
            "crime_ref": [f"T-{i:06d}" for i in numbers],
            "recorded_date": [f"{1 + i % 28:02d}/{1 + i % 12:02d}/2021" for i in numbers],
            "offence_type": ["stalking" if i % 3 else "harassment" for i in numbers],
            "ho_offence_code": ["8Q" if i % 3 else "8L" for i in numbers],
            "district_code": ["BD" if i % 2 else "CD" for i in numbers],
            "is_domestic": ["Y" if i % 4 else "N" for i in numbers],
            "is_cyber": ["N"] * n,
            "dash_completed": ["Yes"] * n,
            "dash_risk": ["standard"] * n,
            "sash_completed": ["No"] * n,
            "arrest_made": ["false"] * n,
            "victim_age": [str(18 + i % 60) for i in numbers],
            "victim_sex": ["F"] * n,
            "outcome_key": ["16" if i % 5 else "" for i in numbers],
            "outcome_date": ["2021-12-31" if i % 5 else "" for i in numbers],
        }
    )
    return frame.with_columns(
        pl.lit(str(value)).alias(column) for column, value in overrides.items()
    )


def _imported(gateway: Gateway, path: Path, frame: pl.DataFrame) -> Path:
    """`frame` written to `path` as CSV and imported: a first extract to correct."""
    frame.write_csv(path)
    import_file(gateway, path)
    return path


def counts(gateway: Gateway) -> dict[str, int]:
    """Rows in each table (table names from the fixed TABLES tuple, never from input)."""
    statements = {table: "SELECT count(*) AS n FROM " + table for table in TABLES}
    return {table: gateway.sql(statement)["n"].item() for table, statement in statements.items()}


@pytest.fixture
def force(tmp_path: Path) -> Gateway:
    gateway = connect(tmp_path / "force.duckdb", read_only=False, create=True)
    import_file(gateway, TEMPLATES / "districts.csv")
    yield gateway
    gateway.close()


def test_a_file_without_some_columns_keeps_their_stored_values(
    force: Gateway, tmp_path: Path
) -> None:
    """Helper 73: a second extract without the victim, age and ward columns reported "2
    updated" and set them to null for both offences (repeat victims and the ward map lost
    them). A column the file does not have keeps what is stored; a blank cell in a column the
    file has still clears it; a new offence has none."""
    first = offences(3).with_columns(victim_id=pl.Series(["V1", "V2", "V3"]))
    _imported(force, tmp_path / "first.csv", first)
    second = (
        offences(4)
        .drop("victim_age", "victim_sex", "dash_risk")
        .with_columns(
            arrest_made=pl.lit("true"),
            victim_id=pl.Series(["V1", "", "V3", "V4"]),  # the second's is cleared
        )
    )
    second.write_csv(tmp_path / "second.csv")
    report = import_file(force, tmp_path / "second.csv")
    assert (report.rows_inserted, report.rows_updated) == (1, 3)
    assert (
        "3 offences already stored keep their values in the columns this file does not have: "
        "committed_date, ward_code, dash_risk, stalking_screen_negative, suspect_id, victim_age"
    ) in " ".join(report.notes)
    stored = force.sql(
        "SELECT crime_ref, arrest_made, victim_id, victim_age, victim_sex, dash_risk "
        "FROM offence ORDER BY crime_ref"
    )
    assert stored.rows() == [
        ("T-000001", True, "V1", 19, "female", "standard"),
        ("T-000002", True, None, 20, "female", "standard"),
        ("T-000003", True, "V3", 21, "female", "standard"),
        ("T-000004", True, "V4", None, None, None),
    ]


def test_a_reference_typed_otherwise_keeps_the_stored_values_and_the_code_its_type(
    force: Gateway, tmp_path: Path
) -> None:
    """Helper 77: a reference typed in full-width letters (or with a zero-width space) matched
    no stored offence until validation read it, so the values of the columns the file lacked
    were written over with nulls; and a file with the offence type but no Home Office code
    cleared every stored code. A code is kept where it is the file's type's."""
    _imported(force, tmp_path / "first.csv", offences(3).with_columns(victim_id=pl.lit("V")))
    second = (
        offences(3)
        .drop("victim_age", "ho_offence_code")
        .with_columns(
            crime_ref=pl.Series(["\uff34-000001", "\u200bT-000002", "T-000003"]),
            offence_type=pl.Series(["harassment", "stalking", "harassment"]),  # T-000001 changed
        )
    )
    second.write_csv(tmp_path / "second.csv")
    report = import_file(force, tmp_path / "second.csv")
    assert (report.rows_inserted, report.rows_rejected) == (0, 0)
    stored = force.sql(
        "SELECT crime_ref, offence_type, ho_offence_code, victim_id, victim_age FROM offence "
        "ORDER BY crime_ref"
    )
    assert stored.rows() == [
        ("T-000001", "harassment", None, "V", 19),  # the type changed: its code is not known
        ("T-000002", "stalking", "8Q", "V", 20),
        ("T-000003", "harassment", "8L", "V", 21),
    ]


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx"])
def test_good_file_in_each_format(force: Gateway, tmp_path: Path, suffix: str) -> None:
    frame = offences(50)
    path = tmp_path / f"extract.{suffix}"
    {"csv": frame.write_csv, "parquet": frame.write_parquet, "xlsx": frame.write_excel}[suffix](
        path
    )
    report = import_file(force, path)
    assert (report.kind, report.rows_read, report.rows_accepted, report.rows_rejected) == (
        "offences",
        50,
        50,
        0,
    )
    assert counts(force)["offence"] == 50
    assert counts(force)["outcome"] == 40  # every fifth row has no outcome
    stored = force.sql("SELECT * FROM offence WHERE crime_ref = 'T-000001'").row(0, named=True)
    assert (
        stored["recorded_date"] == date(2021, 2, 2)
        and stored["is_domestic"]
        and stored["victim_sex"] == "female"
    )


def test_a_huge_refused_value_is_quoted_short_and_kept_whole(force: Gateway, tmp_path: Path):
    """A cell of 2,000,000 characters was quoted whole in the import report (the Data page's
    report of it was never drawn) and by `check`. The report now quotes its start and length;
    the quarantine keeps it whole (nothing is lost)."""
    frame = offences(3).with_columns(
        pl.when(pl.col("crime_ref") == "T-000002")
        .then(pl.lit("X" * 2_000_000))
        .otherwise(pl.col("victim_sex"))
        .alias("victim_sex")
    )
    path = tmp_path / "extract.csv"
    frame.write_csv(path)
    beside = connect(tmp_path / "beside.duckdb", read_only=False, create=True)
    import_file(beside, TEMPLATES / "districts.csv")
    beside.close()  # the command opens it in its own process
    checked = run_cli("check", path, "--db", tmp_path / "beside.duckdb")
    # exit status 1: a row would be refused (a script stops there; helper 93 had 0 for 15
    # refused of 1,416), 0 for the same rows without it
    assert checked.returncode == 1, checked.stderr
    offences(3).write_csv(tmp_path / "clean.csv")
    assert (
        run_cli("check", tmp_path / "clean.csv", "--db", tmp_path / "beside.duckdb").returncode == 0
    )
    assert len(checked.stdout) < 5_000
    assert "row 3: victim_sex = 'XXXX" in checked.stdout
    assert "... (2,000,000 characters): " in checked.stdout
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (2, 1)
    assert len(report.text()) < 5_000 and "(2,000,000 characters)" in report.text()
    kept = force.sql("SELECT value FROM quarantine WHERE column_name = 'victim_sex'")
    assert len(kept["value"][0]) == 2_000_000


def test_reimporting_the_same_file_changes_nothing(force: Gateway, tmp_path: Path) -> None:
    path = tmp_path / "extract.csv"
    offences(30).write_csv(path)
    import_file(force, path)
    before = counts(force)
    again = import_file(force, path)
    assert again.status == "unchanged"
    assert counts(force) == before
    renamed = tmp_path / "same-contents-other-name.csv"
    renamed.write_bytes(path.read_bytes() + b"")
    assert import_file(force, renamed).status == "unchanged"


def test_rows_refused_for_what_the_store_lacked_are_loaded_by_importing_the_file_again(
    force: Gateway, tmp_path: Path
) -> None:
    """A helper agent's trial: an outcomes file imported before its offences had every row
    refused ("no offence with this crime reference"); once the offences were in, importing it
    again said "already imported; nothing changed", and the check that 2 rows would be
    accepted. The outcomes never arrived. Now the rows refused then are read again (alone: a
    row loaded the first time is not, so an older file cannot undo a newer extract), and the
    file is unchanged once every row is in."""
    from stalking_profile.importing.check import check_file
    from stalking_profile.importing.mapping import ColumnMapping

    first = _imported(force, tmp_path / "first.csv", offences(2))  # T-000001 and T-000002
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(
        "crime_ref,outcome_key,outcome_date\n"
        "T-000001,15,2022-01-20\n"  # its offence is in: loaded now
        "T-000003,15,2022-01-20\n"  # refused: no such offence yet
        "T-000004,16,2022-13-01\n"  # refused whatever the store holds: no 13th month
    )
    report = import_file(force, outcomes)
    assert (report.rows_accepted, report.rows_rejected) == (1, 2)
    # a newer extract corrects T-000001's outcome, and adds T-000003
    newer = _with_outcome(offences(3), "T-000001", "1", "2022-01-25")
    _imported(force, first.with_name("newer.csv"), newer)
    assert _outcome_of(force, "T-000001")[1] == "1"
    checked, refused = check_file(force, outcomes, None, ColumnMapping())
    assert (checked.rows_read, checked.accepted, checked.refused) == (2, 1, 1)
    assert set(refused["row_number"]) == {4}
    assert any("only those rows are read again" in w for w in checked.warnings)
    again = import_file(force, outcomes)
    assert again.status == "loaded"
    assert (again.rows_read, again.rows_accepted, again.rows_rejected) == (2, 1, 1)
    assert set(again.rejects["row_number"]) == {4}
    assert ("15", "2022-01-20") in _outcome_of(force, "T-000003")[0]
    assert _outcome_of(force, "T-000001")[1] == "1"  # the newer extract's stands
    third = import_file(force, outcomes)
    assert third.status == "loaded" and third.rows_read == 1  # the bad month, still refused
    fixed = outcomes.with_name("fixed.csv")
    fixed.write_text("crime_ref,outcome_key,outcome_date\nT-000001,1,2022-01-25\n")
    import_file(force, fixed)
    assert import_file(force, fixed).status == "unchanged"


def test_a_file_imported_again_notes_only_the_rows_read_again(force: Gateway, tmp_path: Path):
    """Helper 93: importing a file again read only its rows refused the first time ("15 rows
    read = 0 accepted + 15 refused"), yet its report still said the whole file's "75 accepted
    offences have no ward". The notes are now of the rows read again."""
    import_file(force, TEMPLATES / "wards_template.csv")
    frame = offences(3).with_columns(
        pl.Series("recorded_date", ["01/02/2021", "31/02/2021", "03/02/2021"]),
        pl.Series("ward_code", ["", "", ""]),
    )
    path = tmp_path / "extract.csv"
    frame.write_csv(path)
    first = import_file(force, path)
    assert (first.rows_accepted, first.rows_rejected) == (2, 1)
    assert "2 accepted offences have no ward" in first.warnings
    again = import_file(force, path)
    assert (again.rows_read, again.rows_accepted, again.rows_rejected) == (1, 0, 1)
    assert not any("have no ward" in note for note in again.warnings), again.warnings


def test_newer_extract_updates_offences_and_appends_outcomes(
    force: Gateway, tmp_path: Path
) -> None:
    _imported(force, tmp_path / "january.csv", offences(20))
    newer = offences(20).with_columns(
        pl.when(pl.col("crime_ref") == "T-000002")
        .then(pl.lit("true"))
        .otherwise(pl.col("arrest_made"))
        .alias("arrest_made"),
        pl.when(pl.col("crime_ref") == "T-000002")
        .then(pl.lit("1-charged"))
        .otherwise(pl.col("outcome_key"))
        .alias("outcome_key"),
        pl.when(pl.col("crime_ref") == "T-000002")
        .then(pl.lit("2022-01-20"))
        .otherwise(pl.col("outcome_date"))
        .alias("outcome_date"),
    )
    second = tmp_path / "february.csv"
    pl.concat([newer, offences(5, start=100)]).write_csv(second)
    report = import_file(force, second)
    assert (report.rows_inserted, report.rows_updated) == (5, 1)
    assert report.outcomes_added == 1 + 4  # T-000002's new outcome, and the new offences' outcomes
    history = force.sql(
        "SELECT outcome_key FROM outcome WHERE crime_ref = 'T-000002' ORDER BY outcome_date"
    )
    assert history["outcome_key"].to_list() == ["16", "1-charged"]
    latest = force.sql(
        "SELECT outcome_key, arrest_made FROM offence_fact WHERE crime_ref = 'T-000002'"
    ).row(0)
    assert latest == ("1-charged", True)
    assert counts(force)["offence"] == 25


def _outcome_of(gateway: Gateway, ref: str) -> tuple[list[tuple[str, str]], object]:
    """An offence's stored outcome history (key, ISO date) and its outcome as the marts hold it."""
    history = gateway.sql(
        "SELECT outcome_key, strftime(outcome_date, '%Y-%m-%d') AS day FROM outcome "
        "WHERE crime_ref = $ref ORDER BY outcome_date, outcome_key",
        {"ref": ref},
    ).rows()
    latest = gateway.sql(
        "SELECT outcome_key FROM offence_fact WHERE crime_ref = $ref", {"ref": ref}
    ).item()
    return history, latest


def _with_outcome(frame: pl.DataFrame, ref: str, key: str, day: str) -> pl.DataFrame:
    chosen = pl.col("crime_ref") == ref
    return frame.with_columns(
        pl.when(chosen).then(pl.lit(key)).otherwise("outcome_key").alias("outcome_key"),
        pl.when(chosen).then(pl.lit(day)).otherwise("outcome_date").alias("outcome_date"),
    )


def test_a_newer_extract_corrects_and_reopens_outcomes(force: Gateway, tmp_path: Path) -> None:
    """The analyst's corrected extract: outcome 16 corrected to 15 on the same date stayed 16
    (the higher key won the tie), and a reopened case stayed closed."""
    _imported(force, tmp_path / "october.csv", offences(20))
    assert _outcome_of(force, "T-000002") == ([("16", "2021-12-31")], "16")
    newer = _with_outcome(offences(20), "T-000002", "15-police", "2021-12-31")
    newer = _with_outcome(newer, "T-000003", "", "")
    second = tmp_path / "november.csv"
    newer.write_csv(second)
    report = import_file(force, second)
    assert _outcome_of(force, "T-000002") == ([("15-police", "2021-12-31")], "15-police")
    assert _outcome_of(force, "T-000003") == ([], None)  # reopened: open again
    assert (report.outcomes_added, report.outcomes_superseded) == (1, 2)
    assert "Outcome histories: 1 row added; 2 stored ones were superseded" in report.text()
    assert _outcome_of(force, "T-000004") == ([("16", "2021-12-31")], "16")  # unchanged


def test_an_offence_file_with_blank_outcome_columns_leaves_outcomes_alone(
    force: Gateway, tmp_path: Path
) -> None:
    _imported(force, tmp_path / "with-outcomes.csv", offences(10))
    blank = tmp_path / "offences-only.csv"
    offences(10, arrest_made="true", outcome_key="", outcome_date="").write_csv(blank)
    report = import_file(force, blank)
    assert (report.rows_updated, report.outcomes_superseded) == (10, 0)
    assert counts(force)["outcome"] == 8  # outcomes come in their own file: kept


def test_a_newer_outcome_history_replaces_what_it_corrects(force: Gateway, tmp_path: Path) -> None:
    offences(3, outcome_key="", outcome_date="").write_csv(tmp_path / "offences.csv")
    import_file(force, tmp_path / "offences.csv")
    (tmp_path / "history-1.csv").write_text(
        "crime_ref,outcome_key,outcome_date\n"
        "T-000001,18,2021-06-01\nT-000001,1-charged,2021-09-01\nT-000002,16,2021-07-01\n"
    )
    import_file(force, tmp_path / "history-1.csv")
    # the charge withdrawn and outcome 16 recorded; T-000002 absent: kept; T-000003 new
    (tmp_path / "history-2.csv").write_text(
        "crime_ref,outcome_key,outcome_date\n"
        "T-000001,18,2021-06-01\nT-000001,16,2021-10-01\nT-000003,14,2021-08-01\n"
    )
    report = import_file(force, tmp_path / "history-2.csv")
    assert _outcome_of(force, "T-000001") == ([("18", "2021-06-01"), ("16", "2021-10-01")], "16")
    assert _outcome_of(force, "T-000002") == ([("16", "2021-07-01")], "16")
    assert _outcome_of(force, "T-000003") == ([("14", "2021-08-01")], "14")
    assert (report.rows_inserted, report.outcomes_added, report.outcomes_superseded) == (2, 2, 1)
    # the same history again under another name: nothing superseded, nothing added
    again = tmp_path / "history-2-resent.csv"
    again.write_text((tmp_path / "history-2.csv").read_text() + "T-000002,16,2021-07-01\n")
    repeat = import_file(force, again)
    assert (repeat.outcomes_added, repeat.outcomes_superseded) == (0, 0)


def test_offences_a_newer_extract_leaves_out_stay_unless_it_is_the_whole_extract(
    force: Gateway, tmp_path: Path
) -> None:
    """The analyst's third finding: offences deleted from the records system (merged, no
    crime) stayed counted after the newer extract was loaded."""
    _imported(force, tmp_path / "october.csv", offences(20))
    # the newer extract lacks T-000001 and T-000005 (outcome 16 and open) and refuses T-000007
    newer = offences(20).filter(~pl.col("crime_ref").is_in(["T-000001", "T-000005"]))
    newer = newer.with_columns(
        pl.when(pl.col("crime_ref") == "T-000007")
        .then(pl.lit("ZZ"))
        .otherwise("district_code")
        .alias("district_code")
    )
    second = tmp_path / "november.csv"
    newer.write_csv(second)
    kept = import_file(force, second)
    assert counts(force)["offence"] == 20
    assert kept.offences_removed == 0
    assert (
        "2 stored offences (recorded Feb 2021 to Jun 2021) are not in this file and stay counted"
        in kept.text()
    )
    whole = import_file(force, second, whole_extract=True)  # the same file, as the whole extract
    assert whole.status == "loaded" and whole.offences_removed == 2
    assert (
        "Whole extract: 2 stored offences (recorded Feb 2021 to Jun 2021) not in this file were removed"
        in whole.text()
    )
    refs = force.sql("SELECT crime_ref FROM offence_fact")["crime_ref"].to_list()
    assert len(refs) == 18 and "T-000007" in refs  # refused in the file, so not removed
    assert "T-000001" not in refs and "T-000005" not in refs
    assert counts(force)["outcome"] == 15  # T-000001's outcome went with it (T-000005 had none)
    with pytest.raises(ImportRefused, match="only a file of offences"):
        import_file(force, TEMPLATES / "districts.csv", whole_extract=True)
    nothing = tmp_path / "all-refused.csv"
    offences(3, district_code="ZZ").write_csv(nothing)
    before = counts(force)
    with pytest.raises(ImportRefused, match="would remove every stored offence"):
        import_file(force, nothing, whole_extract=True)
    assert counts(force) == before


def test_a_whole_extract_refuses_what_would_remove_offences_it_holds(
    force: Gateway, tmp_path: Path
) -> None:
    """The analyst's trial: a row with one field too many (unreadable, so its reference
    unknown) had its offence removed as "not in this file"; one district's file removed the
    other district's offences; an older extract removed the newer offences. Each is refused
    as a whole extract, and nothing changes."""
    _imported(force, tmp_path / "october.csv", offences(12))
    before = counts(force)
    lines = (tmp_path / "october.csv").read_text().splitlines()
    lines[3] += ",an extra field"  # T-000003's row
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        ImportRefused, match="1 row of the file could not be read, or named no crime"
    ):
        import_file(force, ragged, whole_extract=True)
    one_district = tmp_path / "bradford.csv"
    offences(12).filter(pl.col("district_code") == "BD").write_csv(one_district)
    with pytest.raises(ImportRefused, match="the file holds no offence of CD, where offences"):
        import_file(force, one_district, whole_extract=True)
    # the check says so beforehand (the Data page offered its whole-extract box for it)
    from stalking_profile.importing.check import check_file
    from stalking_profile.importing.mapping import ColumnMapping

    checked, _ = check_file(force, one_district, None, ColumnMapping())
    assert checked.whole_refused.startswith("the file holds no offence of CD")
    fewer = tmp_path / "fewer.csv"
    offences(11, start=2).write_csv(fewer)
    assert check_file(force, fewer, None, ColumnMapping())[0].whole_refused == ""
    older = tmp_path / "september.csv"  # an older extract: its offences end in July 2021
    offences(6).write_csv(older)
    with pytest.raises(
        ImportRefused, match="recorded up to 07 July 2021, the stored ones up to 12 December 2021"
    ):
        import_file(force, older, whole_extract=True)
    assert counts(force) == before
    kept = import_file(force, ragged)  # as a file of some offences, it loads
    assert kept.rows_rejected == 1 and counts(force)["offence"] == 12


def test_a_reference_in_another_case_than_the_stored_offences_is_that_offence(
    force: Gateway, tmp_path: Path
) -> None:
    """ex-style references: "t-000005" in a newer extract was stored as a second offence
    beside T-000005, and an outcome history naming "t-000006" was refused as "no offence
    with this crime reference"."""
    _imported(force, tmp_path / "october.csv", offences(8))
    lower = offences(1, start=5, arrest_made="true").with_columns(
        pl.col("crime_ref").str.to_lowercase()
    )
    lower.write_csv(tmp_path / "lower.csv")
    report = import_file(force, tmp_path / "lower.csv")
    assert (report.rows_inserted, report.rows_updated) == (0, 1)
    assert counts(force)["offence"] == 8
    history = tmp_path / "history.csv"
    history.write_text("crime_ref,outcome_key,outcome_date\nt-000006,14,2022-01-05\n")
    assert import_file(force, history).rows_accepted == 1
    assert _outcome_of(force, "T-000006")[1] == "14"


def test_a_reference_with_invisible_or_full_width_letters_is_the_stored_offence(
    force: Gateway, tmp_path: Path
) -> None:
    """Helper 47's trial: "\u200bEX-..." (a leading zero-width space) and full-width "ＥＸ-..."
    were each stored as a new offence beside the one they name."""
    _imported(force, tmp_path / "first.csv", offences(8))
    again = offences(2, start=5, arrest_made="true").with_columns(
        pl.Series("crime_ref", ["\u200bT-000005", "Ｔ-000006"])
    )
    again.write_csv(tmp_path / "again.csv")
    report = import_file(force, tmp_path / "again.csv")
    assert (report.rows_inserted, report.rows_updated) == (0, 2)
    assert counts(force)["offence"] == 8


def test_a_control_character_anywhere_in_a_file_refuses_its_row(
    force: Gateway, tmp_path: Path
) -> None:
    """Helper 47's trial: a NUL byte past the file's first 64 KB was stored inside a crime
    reference (a second offence beside the first when a clean extract came) and a victim key;
    an escape code in a name stopped a pack. The row is refused, with its row number."""
    frame = offences(1200).with_columns(
        pl.when(pl.col("crime_ref") == "T-001100")
        .then(pl.lit("T-001100\x00"))
        .otherwise(pl.col("crime_ref"))
        .alias("crime_ref"),
        pl.when(pl.col("crime_ref") == "T-001150")
        .then(pl.lit("18\x1b[31m"))
        .otherwise(pl.col("victim_age"))
        .alias("victim_age"),
    )
    path = tmp_path / "late.csv"
    frame.write_csv(path)
    assert path.stat().st_size > 65_536 and path.read_bytes().index(b"\x00") > 65_536
    report = import_file(force, path)
    refused = {row["row_number"]: row for row in report.rejects.iter_rows(named=True)}
    assert report.rows_accepted == 1198 and set(refused) == {1101, 1151}
    assert refused[1101]["column_name"] == "crime_ref"
    assert "control character" in refused[1101]["reason"]
    stored = force.sql("SELECT crime_ref FROM offence WHERE crime_ref LIKE 'T-0011%'")
    assert "T-001100" not in stored["crime_ref"].to_list()


def test_a_text_direction_override_in_a_name_is_refused(force: Gateway, tmp_path: Path) -> None:
    """Helper 62: a district named "\u202eBradford" was stored, and shows reversed on every
    page and export that names it (a name spoofed). Its row is refused, saying why."""
    districts = pl.read_csv(TEMPLATES / "districts.csv", infer_schema=False)
    spoofed = districts.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("\u202e") + pl.col("district_name"))
        .otherwise(pl.col("district_name"))
        .alias("district_name")
    )
    report = import_file(force, _write(tmp_path, "districts.csv", spoofed.write_csv()))
    refused = report.rejects.row(0, named=True)
    assert (refused["row_number"], refused["column_name"]) == (2, "district_name")
    assert "text-direction override" in refused["reason"]


def test_an_extract_date_before_the_stored_one_is_refused_and_the_date_used_is_said(
    force: Gateway, tmp_path: Path
) -> None:
    """--extract-date 15 February after 26 February moved every "as at" figure back, silently;
    and no report said which date the figures were as at."""
    first = tmp_path / "february.csv"
    offences(6).write_csv(first)
    report = import_file(force, first, extract_date=date(2022, 2, 26))
    assert "Figures are now as at 26 February 2022 (as stated)." in report.notes
    second = tmp_path / "older.csv"
    offences(7).write_csv(second)
    with pytest.raises(ImportRefused, match="15 February 2022, is before the stored extract's"):
        import_file(force, second, extract_date=date(2022, 2, 15))
    later = import_file(force, second)
    assert later.notes[-1] == (
        "Figures are now as at 26 February 2022 (the latest date in the data; the command "
        "line's --extract-date states another)."
    )


def test_records_dated_after_the_extract_date_given_refuse_the_file(
    force: Gateway, tmp_path: Path
) -> None:
    """Helper 73: --extract-date 2021-04-30 for a file holding an offence recorded on 20 May
    2021 and an outcome dated 1 June 2021 was taken, and the outcome, after the extract
    date, left out of every figure: the case read as open. No record is dated after its
    extract was taken: the date is mistyped, and the file is refused with the first such row."""
    path = tmp_path / "extract.csv"
    offences(3).with_columns(
        recorded_date=pl.Series(["01/03/2021", "20/04/2021", "02/04/2021"]),
        outcome_key=pl.Series(["", "", "16"]),
        outcome_date=pl.Series(["", "", "2021-06-01"]),
    ).write_csv(path)
    before = counts(force)
    with pytest.raises(
        ImportRefused,
        match=(
            r"1 row of the file is dated after the extract date given, 30 April 2021 \(row 4: "
            r"outcome date 1 June 2021\)"
        ),
    ):
        import_file(force, path, extract_date=date(2021, 4, 30))
    assert counts(force) == before
    assert import_file(force, path, extract_date=date(2021, 6, 30)).rows_accepted == 3


def test_the_check_says_what_a_newer_extract_would_supersede_and_reopen(
    force: Gateway, tmp_path: Path
) -> None:
    """The analyst's trial: a file giving outcomes for some rows and none for others reopened
    30 cases on import, and the check had said nothing of it."""
    from stalking_profile.importing.check import check_file
    from stalking_profile.importing.mapping import ColumnMapping

    offences(10).write_csv(tmp_path / "october.csv")
    import_file(force, tmp_path / "october.csv")
    newer = _with_outcome(offences(10), "T-000002", "15-police", "2021-12-31")
    newer = _with_outcome(_with_outcome(newer, "T-000003", "", ""), "T-000004", "", "")
    newer.write_csv(tmp_path / "november.csv")
    report, _ = check_file(force, tmp_path / "november.csv", None, ColumnMapping())
    assert (
        "Importing it would correct 1 stored outcome row and reopen 2 offences with a stored "
        "outcome and none in this file (2 stored rows)."
    ) in report.warnings
    assert import_file(force, tmp_path / "november.csv").outcomes_superseded == 3


def test_two_outcomes_on_one_date_are_pointed_out(force: Gateway, tmp_path: Path) -> None:
    """Outcome 16 and a charge on one date: 16 is taken as the latest (the higher key), and
    nothing said so."""
    offences(2, outcome_key="", outcome_date="").write_csv(tmp_path / "offences.csv")
    import_file(force, tmp_path / "offences.csv")
    history = tmp_path / "history.csv"
    history.write_text(
        "crime_ref,outcome_key,outcome_date\nT-000001,1-charged,2021-09-01\n"
        "T-000001,16,2021-09-01\nT-000002,16,2021-09-01\nT-000002,8,2021-09-01\n"
    )
    report = import_file(force, history)
    assert report.warnings[0].startswith(
        "2 offences have two or more outcomes on one date (e.g. T-000001): the file cannot say "
        "which came last, so the outcome type latest in the Home Office list is taken as the "
        "latest (16 over 8 or 1-charged)"
    )
    assert _outcome_of(force, "T-000001")[1] == "16"
    assert _outcome_of(force, "T-000002")[1] == "16"  # as text, '8' was over '16' (helper 76)


def test_an_older_or_repeated_extract_is_pointed_out_before_and_after_import(
    force: Gateway, tmp_path: Path
) -> None:
    """The Data page trial: June's extract uploaded over July's was checked and imported with
    no warning (deleted offences came back, cases reopened); the check of a file imported
    before listed what it would supersede, then the import changed nothing; and the import
    log did not record a whole extract's removals."""
    from stalking_profile.importing.check import check_file
    from stalking_profile.importing.mapping import ColumnMapping

    july = _imported(force, tmp_path / "july.csv", offences(12))
    checked, _ = check_file(force, july, None, ColumnMapping())
    assert checked.warnings[0].startswith("This file was imported on ")
    assert "importing it again changes nothing" in checked.warnings[0]
    june = tmp_path / "june.csv"
    offences(6).write_csv(june)
    older = (
        "This file's offences were recorded up to 07 July 2021, the stored ones up to 12 "
        "December 2021. If it is an older extract, importing it takes the figures back"
    )
    checked, _ = check_file(force, june, None, ColumnMapping())
    assert checked.warnings[0].startswith(older)
    assert import_file(force, june).warnings[0].startswith(older)
    newer = tmp_path / "august.csv"
    offences(11).write_csv(newer)  # T-000012 deleted in the records system
    import_file(force, newer, whole_extract=True)
    message = force.sql("SELECT message FROM import_log WHERE file_name = 'august.csv'")
    assert message["message"].item().endswith("1 stored offence removed (whole extract)")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_file_is_read_not_refused_as_binary(
    force: Gateway, tmp_path: Path, encoding: str
) -> None:
    """Excel's "Unicode Text" export is UTF-16 (with a byte-order mark), tab-delimited. A user
    trial found it refused as "a binary file ... (is it an Excel or zip file renamed .csv?)",
    with or without its mark, and stating --encoding utf-16 did not help."""
    path = tmp_path / "unicode-text.csv"
    frame = offences(4, victim_id="Zoë 中文")
    path.write_bytes(frame.write_csv(separator="\t").encode(encoding))
    report = import_file(force, path)
    assert report.rows_accepted == 4
    assert f"encoding {encoding}, delimiter '\\t'" in report.notes[0]
    stored = force.sql("SELECT DISTINCT victim_id FROM offence")["victim_id"].to_list()
    assert stored == ["Zoë 中文"]
    stated = read_table(path, encoding="utf-16" if encoding == "utf-16" else "UTF_16_LE")
    assert stated.frame.height == 4
    with pytest.raises(ReadError, match="'utf16-xx' is not a text encoding Python knows"):
        read_table(path, encoding="utf16-xx")
    # cut short by a byte: it was told to state its encoding, which was right (helper 73)
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ReadError, match="odd number of bytes: it ends part-way through"):
        read_table(path)


def test_windows_encoding_and_semicolons_are_detected(force: Gateway, tmp_path: Path) -> None:
    path = tmp_path / "excel-export.csv"
    frame = offences(5, victim_id="Zoë Renée")
    path.write_bytes(frame.write_csv(separator=";").encode("cp1252"))
    report = import_file(force, path)
    assert report.rows_accepted == 5
    assert "encoding cp1252, delimiter ';'" in report.notes[0]
    assert force.sql("SELECT DISTINCT victim_id FROM offence")["victim_id"].to_list() == [
        "Zoë Renée"
    ]


def test_windows_encoding_found_past_the_first_megabyte(force: Gateway, tmp_path: Path) -> None:
    """Excel's "CSV" on Windows with its first "£" past the first megabyte (read as UTF-8
    from the sample) stopped the import with Polars' "invalid utf-8 sequence"."""
    rows = offences(14_000, victim_id="V")
    plain = rows.head(13_999).write_csv().encode("ascii")
    last = rows.tail(1).with_columns(pl.lit("Zoë – £").alias("victim_id"))
    path = tmp_path / "windows.csv"
    path.write_bytes(plain + last.write_csv(include_header=False).encode("cp1252"))
    assert len(plain) > 1 << 20
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (14_000, 0)
    assert "encoding cp1252" in report.notes[0]
    stored = force.sql("SELECT victim_id FROM offence WHERE victim_id <> 'V'")
    assert stored["victim_id"].to_list() == ["Zoë – £"]


def test_a_record_over_two_lines_is_one_row_as_a_spreadsheet_numbers_it(
    force: Gateway, tmp_path: Path
) -> None:
    """A quoted line break in row 3 moved every later refused row's number one on (the file's
    line, not the row a spreadsheet shows): row 5 named the record on row 4."""
    frame = offences(4).with_columns(
        pl.Series("victim_id", ["V1", "line one\nline two", "V3", "V4"]),
        pl.Series("recorded_date", ["01/01/2021", "01/01/2021", "bad", "worse"]),
    )
    path = tmp_path / "line-break.csv"
    frame.write_csv(path)
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (2, 2)
    refused = force.query("quarantine", import_id=report.import_id)
    assert refused.sort("row_number")["raw_row"].str.contains("T-00000[34]").all()
    assert refused["row_number"].sort().to_list() == [4, 5]


def test_a_delimiter_of_more_than_one_character_is_explained() -> None:
    from stalking_profile.importing.readers import detect_delimiter

    assert detect_delimiter("a;b", "tab") == "\t"
    with pytest.raises(ReadError, match="the delimiter is one character"):
        detect_delimiter("a,b", "ab")


def test_outcome_histories_with_a_recorded_date_column_are_outcomes(
    force: Gateway, tmp_path: Path
) -> None:
    """A file of outcomes with a recorded_date column beside them was taken for offences and
    refused ("required columns missing for offences"); as outcomes (stated) it stopped with
    Polars' "cannot compare 'date/datetime/time' to a string value"."""
    import_file(
        force,
        _write(tmp_path, "first.csv", offences(3, outcome_key="", outcome_date="").write_csv()),
    )
    histories = _write(
        tmp_path,
        "outcomes.csv",
        "crime_ref,outcome_key,outcome_date,recorded_date\n"
        "T-000001,16,2021-12-31,2021-02-02\nT-000002,15,2000-01-01,2021-03-03\n",
    )
    for kind in (None, "outcomes"):
        report = import_file(force, histories, kind=kind)
        assert report.kind == "outcomes"
        refused = force.query("quarantine", import_id=report.import_id)
        assert refused["reason"].to_list() == ["outcome dated before the offence was recorded"]
    # an offences file stated to be outcomes: refused row by row, not a stopped import
    stated = import_file(
        force, _write(tmp_path, "offences.csv", offences(2).write_csv()), kind="outcomes"
    )
    assert stated.rows_read == 2


@pytest.mark.parametrize("quoted", [False, True])  # the fast reader, and the general one
def test_empty_columns_at_the_end_of_a_csv_are_columns_not_used(
    force: Gateway, tmp_path: Path, quoted: bool
) -> None:
    """Helper 73: a CSV with two empty columns at its end (Excel saves them) was refused as
    "repeats the column names ['']"; with one, it was read. Each is a column with no name,
    not used."""
    lines = offences(3).drop("outcome_key", "outcome_date").write_csv().splitlines()
    text = "\n".join(line + ",," for line in lines) + "\n"
    if quoted:
        text = text.replace("T-000002", '"T-000002\nX"')  # a record over two lines
    report = import_file(force, _write(tmp_path, "wide.csv", text))
    assert (report.rows_read, report.rows_accepted) == (3, 3)
    assert "(column 14, no name)" in " ".join(report.notes)


def test_two_columns_that_read_as_one_are_refused(force: Gateway, tmp_path: Path) -> None:
    """ "crime_ref" and "CRIME_REF": the last silently won (and neither was reported unused)."""
    frame = offences(2).with_columns(pl.lit("OTHER").alias("CRIME_REF"))
    path = _write(tmp_path, "twice.csv", frame.write_csv())
    with pytest.raises(
        ImportRefused, match=r"2 columns that each read as crime_ref \('crime_ref', 'CRIME_REF'\)"
    ):
        import_file(force, path)


def test_a_file_of_more_columns_than_any_extract_is_refused_from_its_header(
    tmp_path: Path,
) -> None:
    """Helper 62: the offence template's columns and a million more, one row (8.9 MB), took
    211 s and 16.7 GB to import. It is refused from its header's first megabyte, before any
    row is read, and so is a header naming one column 200,000 times (it took 37 s to say the
    name repeats)."""
    header = ",".join([*offences(1).columns, *(f"c{i}" for i in range(200_000))])
    wide = _write(tmp_path, "wide.csv", header + "\n" + "x," * 200_000 + "x\n")
    with pytest.raises(ReadError, match=r"more than 1,000 columns \(\d+,\d{3} read\)"):
        read_table(wide)
    same = _write(tmp_path, "same.csv", ",".join(["a"] * 200_000) + "\n1\n")
    with pytest.raises(ReadError, match="more than 1,000 columns"):
        read_table(same)
    repeated = _write(tmp_path, "repeated.csv", "a,b,a,c,b\n1,2,3,4,5\n")
    with pytest.raises(ReadError, match=r"repeats the column names \['a', 'b'\]$"):
        read_table(repeated)
    frame = pl.DataFrame({f"c{i}": [1] for i in range(1_001)})
    frame.write_parquet(tmp_path / "wide.parquet")
    with pytest.raises(ReadError, match="more than 1,000 columns"):
        read_table(tmp_path / "wide.parquet")


def test_an_outcome_type_without_its_date_column_is_refused(force: Gateway, tmp_path: Path):
    """Without an outcome_date column every outcome was dropped and nothing said."""
    path = _write(tmp_path, "no-dates.csv", offences(3).drop("outcome_date").write_csv())
    before = counts(force)
    with pytest.raises(ImportRefused, match="has outcome_key but no outcome_date column"):
        import_file(force, path)
    assert counts(force) == before


@pytest.mark.parametrize("stated", [date(2999, 11, 30), date(1900, 1, 1)])
def test_an_extract_date_after_today_or_before_1990_is_refused(
    force: Gateway, tmp_path: Path, stated: date
) -> None:
    """A typo of 2029 was taken, and then refused every later extract as "earlier"."""
    path = _write(tmp_path, "extract.csv", offences(2).write_csv())
    with pytest.raises(ImportRefused, match=r"after today|before 1990"):
        import_file(force, path, extract_date=stated)


def test_a_reference_longer_than_100_characters_is_refused(force: Gateway, tmp_path: Path):
    """A 5 MB crime_ref and a 10 MB suspect_id were stored (the latter ranked first on the
    Perpetrator prioritisation page)."""
    path = _write(tmp_path, "long.csv", offences(2, suspect_id="S" * 101).write_csv())
    report = import_file(force, path)
    assert report.rows_rejected == 2
    refused = force.query("quarantine", import_id=report.import_id)
    assert set(refused["reason"]) == {"longer than 100 characters: not a reference"}


def test_an_excel_error_in_a_reference_refuses_its_row_and_says_so(force: Gateway, tmp_path: Path):
    """Helper 93: a CSV saved from a sheet keeps #N/A and #REF! as text, and they were stored
    as keys: three offences with suspect "#N/A" in three districts were one suspect with three
    victims on the Perpetrator prioritisation page, a repeat suspect on the Repeats page. A
    workbook's error cells were refused; a CSV's are too, now, naming the error (in an age,
    one had read "not a whole number")."""
    frame = offences(5).with_columns(
        pl.Series("suspect_id", ["#N/A", " #n/a ", "S-3", "S-4", "S-5"]),
        pl.Series("victim_id", ["V-1", "V-2", "#REF!", "V-4", "V-5"]),
        pl.Series("victim_age", ["30", "31", "32", "33", "#DIV/0!"]),
    )
    report = import_file(force, _write(tmp_path, "errors.csv", frame.write_csv()))
    assert (report.rows_accepted, report.rows_rejected) == (1, 4)
    refused = force.query("quarantine", import_id=report.import_id).sort("row_number")
    assert refused["row_number"].to_list() == [2, 3, 4, 6]
    assert refused["reason"].to_list() == [
        "holds #N/A, an Excel error, not a value: correct the cell in the source (or clear "
        "it if the value is unknown)",
        "holds #n/a, an Excel error, not a value: correct the cell in the source (or clear "
        "it if the value is unknown)",
        "holds #REF!, an Excel error, not a value: correct the cell in the source (or clear "
        "it if the value is unknown)",
        "holds #DIV/0!, an Excel error, not a value: correct the cell in the source (or clear "
        "it if the value is unknown)",
    ]
    assert force.sql("SELECT count(*) AS n FROM offence WHERE suspect_id LIKE '#%'")["n"][0] == 0


def test_unreadable_parts_of_a_workbook_or_parquet_file_are_explained(tmp_path: Path) -> None:
    import xlsxwriter

    workbook = tmp_path / "empty.xlsx"
    book = xlsxwriter.Workbook(str(workbook))
    book.add_worksheet("Offences")
    book.close()
    with pytest.raises(ReadError, match=r"\(sheet 'Offences' is empty\)$"):
        read_table(workbook)
    with pytest.raises(ReadError, match=r"no sheet 'Nope': its sheets are 'Offences'"):
        read_table(workbook, sheet="Nope")
    # a list column (not even used) stopped the reading with "cannot cast List type"
    parquet = tmp_path / "nested.parquet"
    offences(2).with_columns(pl.lit([1, 2]).alias("tags")).write_parquet(parquet)
    assert read_table(parquet).frame["tags"].to_list() == ["[1, 2]", "[1, 2]"]


def test_mapping_file_maps_headers_and_codes(force: Gateway) -> None:
    report = import_file(
        force, TEMPLATES / "offences_niche_example.csv", mapping=TEMPLATES / "mapping_example.toml"
    )
    assert (report.rows_accepted, report.rows_rejected) == (2, 0)
    rows = force.sql(
        "SELECT crime_ref, offence_type, is_domestic, victim_sex FROM offence ORDER BY crime_ref"
    ).rows()
    assert rows == [
        ("EX/21/000101", "stalking", True, "female"),
        ("EX/21/000102", "harassment", False, "male"),
    ]
    assert force.sql("SELECT outcome_key FROM outcome")["outcome_key"].to_list() == ["16"]


def test_mapping_with_unknown_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[columns]\ncrime_reference = "Crime Number"\n', encoding="utf-8")
    with pytest.raises(
        ReadError, match=r"names columns the contract does not have: \['crime_reference'\]"
    ):
        load_mapping(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[source]\nencoding = 5\n", r"\[source\] encoding = 5: must be text"),
        ("[source]\ndelimiter = 5\n", r"\[source\] delimiter = 5: must be text"),
        ("[source]\nsheet = 3\n", r"\[source\] sheet = 3: must be text"),
        ('[source]\nheader_row = "abc"\n', r"header_row = 'abc': must be a whole number"),
        ("[source]\nheader_row = 0\n", r"header_row = 0: must be 1 or more"),
        ("source = 3\n", r"source must be a \[source\] table"),
        ("[values]\nvictim_sex = 5\n", r"\[values\] victim_sex = 5: must be a table"),
        ("[source]\ndate_formats = [1]\n", r"date_formats = \[1\]: must be a list of formats"),
    ],
)
def test_a_mapping_setting_of_the_wrong_kind_is_a_clear_error(
    tmp_path: Path, text: str, message: str
) -> None:
    """Helper 47's trial: each of these stopped `check` and `import` with a traceback
    (AttributeError, TypeError), and the Data page said only "the check stopped"."""
    path = tmp_path / "odd.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match=message):
        load_mapping(path)


@pytest.mark.parametrize("encoding", ["hex", "rot13", "no-such-codec"])
def test_an_encoding_that_is_not_a_text_encoding_is_a_clear_error(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "offences.csv"
    offences(2).write_csv(path)
    with pytest.raises(ReadError, match=f"'{encoding}' is not a text encoding Python knows"):
        read_table(path, encoding=encoding)


def _write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


REFUSED_FILES = {
    "wrong encoding": (
        lambda tmp: _write(
            tmp, "latin.csv", offences(3, victim_id="Zoë").write_csv().encode("cp1252")
        ),
        "latin.toml",
        r"is not valid utf-8.*: state its encoding",
    ),
    "missing required column": (
        lambda tmp: _write(tmp, "no-district.csv", offences(3).drop("district_code").write_csv()),
        None,
        "required columns missing for offences: district_code",
    ),
    "empty file": (lambda tmp: _write(tmp, "empty.csv", b""), None, "is empty"),
    "header only": (
        lambda tmp: _write(tmp, "header.csv", offences(1).head(0).write_csv()),
        None,
        "has a header but no data rows",
    ),
    "binary renamed .csv": (
        lambda tmp: _write(tmp, "workbook.csv", b"PK\x03\x04" + bytes(range(256)) * 50),
        None,
        "binary file, not a delimited text file",
    ),
    "not a table at all": (
        lambda tmp: _write(tmp, "notes.txt", "meeting notes\nnothing tabular here\n"),
        None,
        "cannot tell what the file holds",
    ),
    "unsupported type": (
        lambda tmp: _write(tmp, "extract.json", "{}"),
        None,
        "unsupported file type",
    ),
    # a quote opened on row 4 and never closed swallowed the rest of the file into one refused
    # row ("3 rows read = 2 accepted + 1 refused" for 12 records): the other 9 went unsaid
    "a quote never closed": (
        lambda tmp: _write(
            tmp,
            "stray-quote.csv",
            offences(12)
            .with_columns(
                pl.when(pl.int_range(pl.len()) == 2)
                .then(pl.lit("STRAY"))
                .otherwise(pl.col("victim_sex"))
                .alias("victim_sex")
            )
            .write_csv()
            .replace("STRAY", '"F'),
        ),
        None,
        r"a quote \(\"\) that opens on row 4 and is not closed before line 13 of the file \(its end\)",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED_FILES))
def test_refused_files_leave_the_database_unchanged(
    force: Gateway, tmp_path: Path, case: str
) -> None:
    make, mapping_name, message = REFUSED_FILES[case]
    path = make(tmp_path)
    mapping = None
    if mapping_name:
        mapping = _write(tmp_path, mapping_name, '[source]\nencoding = "utf-8"\n')
    before = counts(force)
    with pytest.raises((ImportRefused, ReadError), match=message):
        import_file(force, path, mapping=mapping)
    assert counts(force) == before


QUARANTINED_ROWS = {
    "garbage dates": ({"recorded_date": "31/02/2021"}, "recorded_date", "not a date"),
    # a date cell formatted as a number: it was "'44473': not a date", unexplained
    "an Excel date number": (
        {"recorded_date": "44473"},
        "recorded_date",
        "not a date (expected e.g. 31/01/2022 or 2022-01-31): a number like this is Excel's "
        "count of days for a date",
    ),
    "future dates": ({"recorded_date": "2099-01-01"}, "recorded_date", "date in the future"),
    "unknown outcome codes": (
        {"outcome_key": "99: NOT AN OUTCOME"},
        "outcome_key",
        "unknown outcome type",
    ),
    "unknown district": (
        {"district_code": "ZZ"},
        "district_code",
        "unknown district (known: BD, CD",
    ),
    "impossible age": ({"victim_age": "212"}, "victim_age", "impossible age"),
    # the next two stopped the import with Polars' conversion error; the last read as 31
    "not a number": ({"victim_age": "NaN"}, "victim_age", "not a whole number"),
    "too many digits": ({"victim_age": "9" * 20}, "victim_age", "a whole number out of range"),
    "below zero": ({"victim_age": "-2147483649"}, "victim_age", "a whole number out of range"),
    "a comma inside a number": ({"victim_age": "3,1"}, "victim_age", "not a whole number"),
    "not yes or no": ({"is_domestic": "perhaps"}, "is_domestic", "not yes/no"),
    "outcome before recording": (
        {"outcome_date": "2020-01-01"},
        "outcome_date",
        "outcome dated before the offence was recorded",
    ),
    # the first stopped the whole import with a database error and no row number
    "outcome with no date": (
        {"outcome_key": "16", "outcome_date": ""},
        "outcome_date",
        "outcome type given with no outcome date",
    ),
    "outcome date with no type": (
        {"outcome_key": "", "outcome_date": "2021-12-31"},
        "outcome_key",
        "outcome date given with no outcome type",
    ),
}


@pytest.mark.parametrize("case", list(QUARANTINED_ROWS))
def test_bad_rows_are_quarantined_with_row_number_and_reason(
    force: Gateway, tmp_path: Path, case: str
) -> None:
    overrides, column, reason = QUARANTINED_ROWS[case]
    bad = offences(2, start=500, **overrides)
    path = tmp_path / "mixed.csv"
    pl.concat([offences(8), bad]).write_csv(path)
    before = counts(force)
    report = import_file(force, path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (10, 8, 2)
    assert counts(force)["offence"] == before["offence"] + 8
    quarantined = force.query("quarantine", import_id=report.import_id)
    assert quarantined["row_number"].unique().sort().to_list() == [10, 11]  # header = row 1
    assert (quarantined["column_name"] == column).any()
    assert (
        quarantined.filter(pl.col("column_name") == column)["reason"]
        .str.contains(reason, literal=True)
        .all()
    )
    assert quarantined["raw_row"].str.contains("T-000500").any()


@pytest.mark.parametrize(
    "written",
    ["04/11/21", "4-Nov-2021", "04-Nov-21", "04-11-21", "20211104", "2021-11-04 14:30:00.000"],
)
def test_common_date_forms_are_read(force: Gateway, tmp_path: Path, written: str) -> None:
    """A two-digit year was read by the four-digit form as the year 21 and refused as "date
    before 1990"; the other forms, common in extracts, were refused as "not a date"."""
    path = tmp_path / "dates.csv"
    offences(3, recorded_date=written, outcome_key="", outcome_date="").write_csv(path)
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (3, 0)
    stored = force.sql("SELECT DISTINCT recorded_date FROM offence")["recorded_date"].to_list()
    assert stored == [date(2021, 11, 4)]


@pytest.mark.parametrize("written", ["2021031", "2021123", "202111"])
def test_digits_that_are_not_eight_are_not_a_date(
    force: Gateway, tmp_path: Path, written: str
) -> None:
    """Helper 73: "2021031" was read as 1 March 2021 and "2021123" as 3 December 2021: a date
    written as digits alone has eight (20211104)."""
    path = tmp_path / "dates.csv"
    offences(2, recorded_date=written, outcome_key="", outcome_date="").write_csv(path)
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (0, 2)
    assert set(report.rejects["column_name"]) == {"recorded_date"}


@pytest.mark.parametrize(  # 15.0: a spreadsheet's number, as pandas exports it (helper 73)
    "written", ["Outcome 15", "OC15", "oc 15", "Outcome type 15", "15", "15.0"]
)
def test_an_outcome_number_written_with_its_name_is_read(
    force: Gateway, tmp_path: Path, written: str
) -> None:
    """ "Outcome 15" and "OC15" refused the whole offence as "unknown outcome type"."""
    path = tmp_path / "outcomes.csv"
    offences(3, outcome_key=written, outcome_date="2021-12-31").write_csv(path)
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (3, 0)
    stored = force.sql("SELECT DISTINCT outcome_key FROM outcome")["outcome_key"].to_list()
    assert stored == ["15"]


def test_the_quarantine_counts_a_row_once_for_each_import_that_refused_it(
    force: Gateway, tmp_path: Path
) -> None:
    """The Data page counted distinct row numbers across imports: two files each refusing
    their rows 10 and 11 made "2 refused rows", not 4."""
    from stalking_profile.queries import refused_rows

    for start in (1, 20):
        path = tmp_path / f"mixed-{start}.csv"
        bad = offences(2, start=500 + start, recorded_date="2099-01-01")
        pl.concat([offences(8, start=start), bad]).write_csv(path)
        import_file(force, path)
    listing = force.query("quarantine", import_id=None)
    assert listing["row_number"].n_unique() == 2
    assert refused_rows(listing) == 4
    assert refused_rows(listing.clear()) == 0


def test_duplicate_references_keep_the_first(force: Gateway, tmp_path: Path) -> None:
    path = tmp_path / "dupes.csv"
    pl.concat([offences(5), offences(2, start=2)]).write_csv(path)
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (5, 2)
    reasons = report.rejects.filter(pl.col("column_name") == "crime_ref")
    assert reasons["reason"].to_list() == [
        "duplicate within the file (first at row 3)",
        "duplicate within the file (first at row 4)",
    ]


def test_a_reference_repeated_in_another_case_is_a_duplicate(
    force: Gateway, tmp_path: Path
) -> None:
    """NS/26/002997 and ns/26/002997 were both stored, one offence counted twice."""
    path = tmp_path / "dupes.csv"
    again = offences(1, start=2).with_columns(pl.col("crime_ref").str.to_lowercase())
    pl.concat([offences(3), again]).write_csv(path)
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (3, 1)
    assert report.rejects["reason"].to_list() == ["duplicate within the file (first at row 3)"]


def test_very_long_line_is_quarantined(force: Gateway, tmp_path: Path) -> None:
    good = offences(4).write_csv()
    long_line = ",".join(["x"] * 200_000)
    path = _write(tmp_path, "long.csv", good + long_line + "\n")
    report = import_file(force, path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (5, 4, 1)
    assert (
        report.rejects.filter(pl.col("row_number") == 6)["reason"].item()
        == "expected 15 fields, found 200000"
    )


def test_synthetic_demo_database_refuses_real_records(demo_db_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_db_path.read_bytes())
    gateway = connect(copy, read_only=False)
    with pytest.raises(ImportRefused, match="synthetic demonstration force"):
        import_file(gateway, TEMPLATES / "offences_template.csv")
    gateway.close()


def test_killed_import_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    database = tmp_path / "force.duckdb"
    gateway = connect(database, read_only=False, create=True)
    import_file(gateway, TEMPLATES / "districts.csv")
    first = tmp_path / "first.csv"
    offences(100).write_csv(first)
    import_file(gateway, first)
    gateway.close()
    big = tmp_path / "big.csv"
    offences(300_000, start=1000).write_csv(big)
    process = subprocess.Popen(
        [sys.executable, "-m", "stalking_profile", "import", str(big), "--db", str(database)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    seen = ""
    deadline = time.monotonic() + 120
    while "writing" not in seen and time.monotonic() < deadline:
        seen += process.stderr.read(64)
    assert "writing" in seen, seen
    time.sleep(0.3)  # well inside the write transaction
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    reopened = connect(database, read_only=True)
    assert reopened.sql("SELECT count(*) AS n FROM offence")["n"].item() == 100
    assert reopened.sql("SELECT count(*) AS n FROM import_log")["n"].item() == 2
    reopened.close()


def test_quoted_fields_and_row_numbers_in_both_readers(force: Gateway, tmp_path: Path) -> None:
    frame = offences(4, victim_id='Smith, "Jo"')
    one_line = tmp_path / "quoted.csv"
    frame.write_csv(one_line)  # quotes, commas inside quotes: the fast reader
    multi_line = tmp_path / "multiline.csv"
    pl.concat(
        [
            frame.with_columns(pl.lit("line one\nline two").alias("victim_id")).head(1),
            offences(3, start=10, victim_id="x"),
        ]
    ).with_columns(
        pl.when(pl.col("crime_ref") == "T-000011")
        .then(pl.lit("not a date"))
        .otherwise(pl.col("recorded_date"))
        .alias("recorded_date")
    ).write_csv(multi_line)  # a field over two lines: the general reader
    first = import_file(force, one_line)
    assert (first.rows_accepted, first.rows_rejected) == (4, 0)
    assert force.sql("SELECT DISTINCT victim_id FROM offence")["victim_id"].to_list() == [
        'Smith, "Jo"'
    ]
    second = import_file(force, multi_line)
    assert (second.rows_read, second.rows_accepted, second.rows_rejected) == (4, 3, 1)
    # header 1, a record over two lines 2 (one row in a spreadsheet), then rows 3, 4
    assert second.rejects["row_number"].to_list() == [4]


def test_files_that_stopped_the_reader_are_read_or_refused_with_a_reason(tmp_path: Path) -> None:
    """Helper 73: each of these stopped the check and the import with a traceback, and the
    Data page said only "the check stopped": a lone carriage return ending a line among
    line feeds (mixed line endings), a file of a byte-order mark alone, and a Parquet file with
    a duration or bytes column it does not use. A time with a time zone was refused as not a
    date in every row."""
    header = "crime_ref,recorded_date\n"
    mixed = read_table(_write(tmp_path, "mixed.csv", header + "A-1,2021-03-01\rA-2,2021-03-02\n"))
    assert mixed.frame["crime_ref"].to_list() == ["A-1", "A-2"]
    for name, content in (("bom.csv", b"\xef\xbb\xbf"), ("bom16.csv", b"\xff\xfe")):
        with pytest.raises(ReadError, match=f"{name} (is empty|has no header row)"):
            read_table(_write(tmp_path, name, content))
    frame = pl.DataFrame(
        {
            "crime_ref": ["A-1"],
            "recorded_date": [datetime(2021, 3, 1, 0, 30)],
            "took": [timedelta(days=2)],
            "raw": [b"\xff\xfe"],
        }
    ).with_columns(pl.col("recorded_date").dt.replace_time_zone("Europe/London"))
    frame.write_parquet(tmp_path / "odd.parquet")
    text = read_table(tmp_path / "odd.parquet").frame
    assert text.row(0)[:3] == ("A-1", "2021-03-01 00:30:00.000000", "2 days, 0:00:00")


def test_a_record_over_two_lines_lacking_a_field_refuses_that_row_alone(
    force: Gateway, tmp_path: Path
) -> None:
    """Helper 73: a record whose quoted text breaks a line and that lacks a field refused the
    whole file, "a quote that opens on row 5 and is not closed". The refused row is kept as it
    was written (quotes and all), whole: it was cut to 2,000 characters."""
    good = offences(4).drop("outcome_key", "outcome_date")
    lines = good.write_csv().splitlines()
    short = lines[1].rsplit(",", 2)[0] + ',"x\ny"'  # 13 fields, one of them over two lines
    long = ",".join(["y" * 5000, "z"])
    path = _write(tmp_path, "short.csv", "\n".join([*lines, short, long]) + "\n")
    report = import_file(force, path)
    assert (report.rows_accepted, report.rows_rejected) == (4, 2)
    reasons = dict(report.rejects.select("row_number", "reason").iter_rows())
    assert reasons == {6: "expected 13 fields, found 12", 7: "expected 13 fields, found 2"}
    kept = force.sql("SELECT row_number, raw_row FROM quarantine ORDER BY row_number")
    assert kept["raw_row"].to_list() == [short, long]


def test_the_check_reports_ragged_rows_with_the_refused(force: Gateway, tmp_path: Path) -> None:
    """Fault 6 (issue 10): a row with the wrong number of fields counted among the refused
    but was missing from the refused table and its download. The check (what the Data page's
    child process runs) reports every row read as accepted or refused, writes nothing, and
    its report comes back from JSON as it went."""
    from stalking_profile.importing.check import CheckReport, check_file
    from stalking_profile.importing.mapping import ColumnMapping

    path = tmp_path / "extract.csv"
    offences(3).write_csv(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "T-999999,01/01/2021,stalking")  # too few fields, on line 3 of the file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, refused = check_file(force, path, None, ColumnMapping())
    assert refused["row_number"].to_list() == [3]  # rows are numbered as lines, header = 1
    assert refused["reason"][0].startswith("expected")
    assert refused["value"][0].startswith("T-999999")
    assert (report.kind, report.rows_read, report.accepted, report.refused) == ("offences", 4, 3, 1)
    assert report.text() == "extract.csv: offences; 4 rows read = 3 would be accepted + 1 refused."
    assert CheckReport.from_json(report.to_json()) == report
    assert force.sql("SELECT count(*) AS n FROM offence")["n"].item() == 0  # nothing written


def test_an_unrecognised_file_names_its_own_headers(force: Gateway, tmp_path: Path) -> None:
    """Fault 6: the message listed internal names (`__row_number`), not the file's headers."""
    path = tmp_path / "mystery.csv"
    path.write_text("Ref,When,Where\nA,2021-01-01,X\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(force, path)
    assert "The file's columns: Ref, When, Where" in str(refused.value)
    assert "__row_number" not in str(refused.value)


def test_offences_without_their_recorded_date_are_named_as_such(
    force: Gateway, tmp_path: Path
) -> None:
    """An offences file missing recorded_date was read as outcome histories: every row
    refused as "no offence with this crime reference" (or, with offences stored, its open
    cases quarantined), and the missing column never named."""
    path = tmp_path / "offences.csv"
    offences(4).drop("recorded_date").write_csv(path)
    before = counts(force)
    with pytest.raises(ImportRefused) as refused:
        import_file(force, path)
    assert "no recorded_date column" in str(refused.value)
    assert "looks like offences" in str(refused.value)
    assert counts(force)["offence"] == before["offence"]


def test_districts_without_optional_columns_load(tmp_path: Path) -> None:
    """Issue 13, fault 6: a districts file without population and ons_code crashed with a
    BinderError."""
    gateway = connect(tmp_path / "force.duckdb", read_only=False, create=True)
    path = tmp_path / "districts.csv"
    path.write_text("district_code,district_name,force_name\nAY,Ayton,P\n", encoding="utf-8")
    try:
        report = import_file(gateway, path)
        assert report.rows_accepted == 1
        assert gateway.query("districts")["district_code"].to_list() == ["AY"]
    finally:
        gateway.close()


def test_offences_before_any_districts_are_refused(tmp_path: Path) -> None:
    """Issue 13, fault 6: offences imported into a database with no districts accepted any
    district code."""
    gateway = connect(tmp_path / "force.duckdb", read_only=False, create=True)
    path = tmp_path / "extract.csv"
    offences(5).write_csv(path)
    try:
        with pytest.raises(ImportRefused, match="import the force's districts first"):
            import_file(gateway, path)
        assert counts(gateway)["offence"] == 0
    finally:
        gateway.close()


def test_a_corrected_mapping_is_a_new_import(force: Gateway, tmp_path: Path) -> None:
    """Issue 13, fault 6: after an import whose every row was refused, the same file with a
    corrected mapping was 'already imported', and the failed run left a 1990 dataset row."""
    path = tmp_path / "extract.csv"
    offences(4).rename({"district_code": "Area"}).write_csv(path)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        '[columns]\ndistrict_code = "Area"\n[values.district_code]\nBD = "XX"\nCD = "XX"\n',
        encoding="utf-8",
    )
    first = import_file(force, path, mapping=wrong)
    assert (first.rows_accepted, first.status) == (0, "loaded")
    assert force.sql("SELECT count(*) AS n FROM dataset")["n"].item() == 0  # no 1990 row
    right = tmp_path / "right.toml"
    right.write_text('[columns]\ndistrict_code = "Area"\n', encoding="utf-8")
    second = import_file(force, path, mapping=right)
    assert (second.status, second.rows_accepted) == ("loaded", 4)
    again = import_file(force, path, mapping=right)
    assert again.status == "unchanged"
    assert force.query("current_dataset")["extract_date"].item() >= date(2021, 1, 1)


def test_an_excel_title_row_above_the_headers(force: Gateway, tmp_path: Path) -> None:
    """Issue 13, fault 5: a title row above the header was refused with a list of
    __UNNAMED__ columns and no hint; the header row can now be stated in the mapping."""
    import xlsxwriter

    path = tmp_path / "extract.xlsx"
    frame = offences(6)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write(0, 0, "Stalking and harassment extract, produced 31/12/2021")
    for column, name in enumerate(frame.columns):
        sheet.write(2, column, name)
        for row, value in enumerate(frame[name].to_list(), start=3):
            sheet.write(row, column, value)
    book.close()
    with pytest.raises(ImportRefused, match=r"header_row = 3"):
        import_file(force, path)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("[source]\nheader_row = 3\n", encoding="utf-8")
    report = import_file(force, path, mapping=mapping)
    assert report.rows_accepted == 6
    assert force.sql("SELECT count(*) AS n FROM offence")["n"].item() == 6


def test_an_excel_rows_number_is_its_row_on_the_sheet_after_an_empty_row(
    force: Gateway, tmp_path: Path
) -> None:
    """A helper agent's trial: with sheet row 3 empty, a bad age on row 4 and a bad date on
    row 5 were reported as rows 3 and 4 (the reader dropped empty rows, then numbered the
    rest), sending an analyst to the wrong record. An empty row is still not read."""
    import xlsxwriter

    path = tmp_path / "extract.xlsx"
    frame = offences(4).with_columns(
        pl.Series("victim_age", ["30", "250", "30", "30"]),
        pl.Series("recorded_date", ["01/10/2021", "02/10/2021", "31/13/2021", "03/10/2021"]),
    )
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, frame.columns)
    for row, values in zip((1, 3, 4, 6), frame.iter_rows(), strict=True):  # rows 3, 6 empty
        sheet.write_row(row, 0, values)
    sheet.write(5, 0, "   ")  # row 6: a blank cell, as empty as no cell
    book.close()
    report = import_file(force, path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 2, 2)
    refused = dict(zip(report.rejects["row_number"], report.rejects["column_name"], strict=True))
    assert refused == {4: "victim_age", 5: "recorded_date"}


def test_an_excel_rows_number_is_its_row_on_the_sheet_below_empty_rows(
    force: Gateway, tmp_path: Path
) -> None:
    """Helper 73: with rows 1 and 2 empty and the headers on row 3, a bad date on row 6 was
    reported as row 4 (the reader took row 3 as the headers, and rows were numbered as if
    they were on row 1), and so were the cells holding an Excel error."""
    import xlsxwriter

    path = tmp_path / "extract.xlsx"
    frame = offences(5).with_columns(
        pl.Series("recorded_date", ["01/10/2021", "02/10/2021", "31/13/2021", "03/10/2021", "x"])
    )
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(2, 0, frame.columns)  # row 3
    for row, values in enumerate(frame.iter_rows(), start=3):  # rows 4 to 8
        sheet.write_row(row, 0, values)
    sheet.write_formula("L5", "=1/0", None, "#DIV/0!")  # row 5's victim_age
    book.close()
    report = import_file(force, path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (5, 2, 3)
    refused = dict(zip(report.rejects["row_number"], report.rejects["reason"], strict=True))
    assert sorted(refused) == [5, 6, 8]
    assert refused[5].startswith("victim_age holds #DIV/0!, an Excel error")


def test_an_excel_sheet_naming_a_column_twice_is_refused_as_a_csv_is(tmp_path: Path) -> None:
    """Helper 73: a workbook with two victim_age headers was read with the first, the second
    listed as a column not used (victim_age_1); a CSV with a name twice is refused."""
    import xlsxwriter

    path = tmp_path / "twice.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["crime_ref", "victim_age", "victim_age", "", ""])
    sheet.write_row(1, 0, ["A-1", "30", "31"])
    book.close()
    with pytest.raises(ReadError, match=r"repeats the column names \['victim_age'\]"):
        read_table(path)


def test_an_excel_error_in_a_cell_refuses_its_row(force: Gateway, tmp_path: Path) -> None:
    """A cell holding #DIV/0! (a formula's error, as Excel saves it) was read as empty: the
    offence was imported with an unknown age and nothing said so. Now its row is refused,
    by its row on the sheet, naming the cell and the error."""
    import xlsxwriter

    path = tmp_path / "extract.xlsx"
    frame = offences(3)
    age = frame.columns.index("victim_age")
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, frame.columns)
    for row, values in enumerate(frame.iter_rows(), start=1):
        sheet.write_row(row, 0, values)
    sheet.write_formula(2, age, "=1/0", None, "#DIV/0!")  # sheet row 3
    book.close()
    report = import_file(force, path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (3, 2, 1)
    refused = report.rejects.row(0, named=True)
    assert refused["row_number"] == 3
    assert refused["reason"].startswith("victim_age holds #DIV/0!, an Excel error, not a value")
    assert force.sql("SELECT count(*) AS n FROM offence")["n"].item() == 2


def test_a_line_of_delimiters_alone_is_no_record(force: Gateway, tmp_path: Path) -> None:
    """A helper agent's trial: a CSV saved from a spreadsheet ends with ",,,," rows (blank rows
    of the sheet); each counted as a row read and refused, with a reason for every empty field
    (17 rows read for 16 records). Like a blank line, it is now no record, and the rows after
    one keep their line numbers."""
    path = tmp_path / "extract.csv"
    lines = offences(3, victim_age="250").write_csv().splitlines()
    blank = "," * (len(offences(1).columns) - 1)
    path.write_text("\n".join([lines[0], lines[1], blank, lines[2], lines[3], blank, ",,"]) + "\n")
    report = import_file(force, path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (3, 0, 3)
    assert sorted(set(report.rejects["row_number"])) == [2, 4, 5]


def test_a_mapping_says_what_a_blank_means(force: Gateway, tmp_path: Path) -> None:
    """Issue 13, fault 5: a blank cyber flag refused good rows; [blanks] fills them."""
    path = tmp_path / "extract.csv"
    offences(5, is_cyber="").write_csv(path)
    refused = import_file(force, path)
    assert refused.rows_accepted == 0
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("[blanks]\nis_cyber = false\n", encoding="utf-8")
    assert import_file(force, path, mapping=mapping).rows_accepted == 5


def test_wards_a_map_cannot_place_are_said_at_import_and_on_data_quality(
    force: Gateway, tmp_path: Path
) -> None:
    """Helper 93: with wards imported by name and population but no boundaries, the import
    said only "38 accepted offences name wards with no boundary loaded" (the codes not stored)
    where 1,330 had none, and Data quality's "Ward not among the loaded boundaries" read 38 of
    1,405 beside a Hotspot maps page saying no boundaries were loaded; a ward of another
    district was accepted without a word. Both now count what a district's map cannot place."""
    from datetime import date

    from stalking_profile import queries
    from stalking_profile.filters import ProfileFilter
    from stalking_profile.importing.boundaries import load_boundaries
    from stalking_profile.measures import quality

    import_file(force, TEMPLATES / "wards_template.csv")  # Baildon (BD), no boundary yet
    wards = tmp_path / "wards.csv"
    wards.write_text("ward_code,ward_name,district_code,population\nE05999990,Test,CD,900\n")
    import_file(force, wards)  # a ward of CD that no boundary file holds
    first = offences(5).with_columns(
        pl.Series("district_code", ["BD", "CD", "BD", "CD", "CD"]),
        pl.Series("ward_code", ["E05001341", "E05001341", "E09999999", "", "E05999990"]),
    )
    first.write_csv(tmp_path / "first.csv")
    report = import_file(force, tmp_path / "first.csv")
    said = " ".join(report.warnings)
    assert (
        "4 accepted offences name wards with no boundary loaded (e.g. E05001341, E09999999, E05999990)"
        in said
    )
    load_boundaries(
        force, ROOT / "tests/fixtures/boundaries/wards_WD24_E08000032_bradford_oi.geojson"
    )
    bradford = force.sql(
        "SELECT ward_code FROM ward WHERE district_code = 'BD' AND geometry IS NOT NULL "
        "ORDER BY ward_code LIMIT 1"
    )["ward_code"][0]
    second = offences(2, start=6).with_columns(
        pl.Series("district_code", ["BD", "CD"]), pl.Series("ward_code", [bradford, bradford])
    )
    second.write_csv(tmp_path / "second.csv")
    report = import_file(force, tmp_path / "second.csv")
    assert (
        f"1 accepted offence names a ward of another district (e.g. {bradford}, a ward of BD, "
        "given for CD)" in " ".join(report.warnings)
    )
    year = ProfileFilter(
        date(2021, 1, 1), date(2021, 12, 1), ("BD", "CD"), offence_types=("stalking", "harassment")
    )
    shown = {
        row["indicator"]: (row["numerator"], row["denominator"])
        for row in quality.quality_indicators(queries.quality_counts(force, year)).iter_rows(
            named=True
        )
    }
    # of 7: Baildon (BD's) in CD, a code not stored, a ward with no boundary, BD's ward in CD
    assert shown["unknown_ward"] == (4, 7) and shown["missing_ward"] == (1, 7)
    listed = queries.quality_records(force, year, "unknown_ward").records
    assert sorted(listed["crime_ref"]) == ["T-000002", "T-000003", "T-000005", "T-000007"]


def test_district_and_ward_names_are_matched_to_codes(force: Gateway, tmp_path: Path) -> None:
    """Issue 13, fault 5: district names gave 'unknown district'; ward names never reached the
    maps. Names of loaded districts, and of loaded wards within their district, now match."""
    import_file(force, TEMPLATES / "wards_template.csv")
    path = tmp_path / "extract.csv"
    offences(4).with_columns(
        pl.Series("district_code", ["Bradford", "calderdale", "bd", " Cd"]),
        pl.Series("ward_code", ["Baildon", "", "baildon ", "Nowhere"]),
    ).write_csv(path)
    report = import_file(force, path)
    assert report.rows_accepted == 4
    stored = force.sql("SELECT district_code, ward_code FROM offence ORDER BY crime_ref")
    assert stored["district_code"].to_list() == ["BD", "CD", "BD", "CD"]  # codes in any case too
    assert stored["ward_code"].to_list()[:3] == ["E05001341", None, "E05001341"]


def test_a_parquet_file_is_refused_from_its_footer_before_a_row_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 2.5 MB Parquet file of 400 million one-letter rows was read whole, as text: over
    5.5 GB, then an abort with no message (helper 96). Its footer's rows, columns and size
    are now checked first. (The limits are lowered here; the file's are 20 million rows,
    4 GB and 1,000 columns.)"""
    from stalking_profile.importing import readers

    many = tmp_path / "many.parquet"
    pl.DataFrame({"crime_ref": ["X"] * 101, "recorded_date": ["2021-06-01"] * 101}).write_parquet(
        many
    )
    monkeypatch.setattr(readers, "MAX_PARQUET_ROWS", 100)
    with pytest.raises(ReadError, match=r"many\.parquet holds 101 rows of 2 columns .* split it"):
        read_table(many)
    monkeypatch.setattr(readers, "MAX_PARQUET_ROWS", 1_000)
    assert read_table(many).frame.height == 101
    monkeypatch.setattr(readers, "MAX_PARQUET_CELLS", 201)  # 101 rows x 2 columns: 202
    with pytest.raises(ReadError, match="201 cells"):
        read_table(many)
    monkeypatch.setattr(readers, "MAX_PARQUET_CELLS", 202)
    assert read_table(many).frame.height == 101
    monkeypatch.setattr(readers, "MAX_PARQUET_BYTES", 100)
    with pytest.raises(ReadError, match="more than one import takes"):
        read_table(many)
    wide = tmp_path / "wide.parquet"
    pl.DataFrame({f"c{i}": [1] for i in range(1_001)}).write_parquet(wide)
    with pytest.raises(ReadError, match=r"more than 1,000 columns \(1,001\)"):
        read_table(wide)


def test_an_unknown_files_columns_are_named_short(tmp_path: Path) -> None:
    """300 columns of 5,000-character names made a 1.5 MB error (helper 96)."""
    path = tmp_path / "long.csv"
    pl.DataFrame({f"{i:03d}" + "y" * 5_000: ["a"] for i in range(300)}).write_csv(path)
    with pytest.raises((ImportRefused, ReadError, ValueError)) as refused:
        import_file(connect(tmp_path / "x.duckdb", read_only=False, create=True), path)
    said = str(refused.value)
    assert "cannot tell what the file holds" in said and len(said) < 5_000
    assert said.endswith("... and 250 more columns")
