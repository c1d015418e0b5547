"""Hostile workbooks (importing/excel.py): refused with a clear reason, never a dead process."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl
import pytest

from stalking_profile.importing import excel
from stalking_profile.importing.excel import (
    SHEET_ROW,
    WorkbookRefused,
    declared_cells,
    read_workbook,
)
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]


def _workbook(path: Path) -> Path:
    pl.DataFrame(
        {"district_code": ["AY"], "district_name": ["Ayton"], "force_name": ["P"]}
    ).write_excel(path)
    return path


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the workbook with each member's bytes passed through change(name, data)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, change(item.filename, old.read(item.filename)))
    return target


FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def huge_dimension(tmp_path: Path) -> Path:
    """A 6 KB workbook whose sheet declares A1:XFD1048576 (17 billion cells) and has a cell in
    the far corner: the Excel reader tries to allocate the whole range and aborts (exit 134)."""

    def declare(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            data = data.replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:XFD1048576"/>')
            return data.replace(b"</sheetData>", FAR_CELL + b"</sheetData>")
        return data

    return _rewrite(_workbook(tmp_path / "plain.xlsx"), tmp_path / "huge-dimension.xlsx", declare)


def zip_bomb(tmp_path: Path) -> Path:
    """A workbook with a sheet that inflates about a thousand-fold (60 MB of padding)."""

    def pad(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return data.replace(b"</worksheet>", b"<!--" + b" " * 60_000_000 + b"--></worksheet>")
        return data

    return _rewrite(_workbook(tmp_path / "plain.xlsx"), tmp_path / "bomb.xlsx", pad)


def test_declared_dimension_is_read_from_the_sheet(tmp_path: Path) -> None:
    path = huge_dimension(tmp_path)
    assert path.stat().st_size < 10_000
    with zipfile.ZipFile(path) as archive:
        head = archive.read("xl/worksheets/sheet1.xml")[:4096]
    assert declared_cells(head) == 16384 * 1048576


@pytest.mark.parametrize("make", [huge_dimension, zip_bomb])
def test_hostile_workbooks_are_refused_before_parsing(tmp_path: Path, make) -> None:
    with pytest.raises(WorkbookRefused, match=r"declares|zip bomb"):
        read_workbook(make(tmp_path))


def test_a_plain_workbook_still_reads(tmp_path: Path) -> None:
    sheet = read_workbook(_workbook(tmp_path / "plain.xlsx"))
    assert sheet.frame.drop(SHEET_ROW).rows() == [("AY", "Ayton", "P")]
    assert sheet.frame[SHEET_ROW].to_list() == [2]  # its row on the sheet, below the header
    assert sheet.errors.is_empty()


def _with_errors(tmp_path: Path) -> Path:
    """Four offences' ages, two of them Excel errors: a formula's #DIV/0! (row 3) and a
    lookup's #N/A (row 5), as Excel saves them (t="e", the error as the cached value)."""
    pl.DataFrame(
        {"crime_ref": ["A1", "A2", "A3", "A4"], "victim_age": ["34", "x", "41", "y"]}
    ).write_excel(tmp_path / "ages.xlsx")

    def errors(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            for cell, error in ((b"B3", b"#DIV/0!"), (b"B5", b"#N/A")):
                data = re.sub(
                    rb'<c r="' + cell + rb'"([^>]*) t="s"><v>\d+</v></c>',
                    rb'<c r="' + cell + rb'"\1 t="e"><f>1/0</f><v>' + error + rb"</v></c>",
                    data,
                )
        return data

    return _rewrite(tmp_path / "ages.xlsx", tmp_path / "errors.xlsx", errors)


def test_a_cell_holding_an_excel_error_refuses_its_row_by_number(tmp_path: Path) -> None:
    """A helper agent's trial: a cell holding #DIV/0! was read as empty, so an age that was a
    failed formula was imported as an unknown age, and nothing said so."""
    from stalking_profile.importing.readers import read_table

    path = _with_errors(tmp_path)
    sheet = read_workbook(path)
    assert sheet.errors.rows() == [(3, "victim_age", "#DIV/0!"), (5, "victim_age", "#N/A")]
    raw = read_table(path)
    assert raw.frame["crime_ref"].to_list() == ["A1", "A3"]
    assert raw.ragged["row_number"].to_list() == [3, 5]
    assert raw.ragged["reason"][0] == (
        "victim_age holds #DIV/0!, an Excel error, not a value: correct the cell in the "
        "workbook (or clear it if the value is unknown)"
    )
    assert '"victim_age": "#N/A"' in raw.ragged["raw_row"][1]
    assert raw.rows_read == 4


def test_the_child_process_contains_what_inspection_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the inspection switched off, the huge declaration reaches the Excel reader - in a
    child process with a memory limit, which dies alone; this process carries on."""
    monkeypatch.setattr(excel, "inspect_workbook", lambda path: None)
    with pytest.raises(WorkbookRefused, match=r"cannot read huge-dimension\.xlsx .*memory"):
        read_workbook(huge_dimension(tmp_path))


@pytest.mark.parametrize("make", [huge_dimension, zip_bomb])
def test_the_command_line_refuses_them_in_a_sentence(tmp_path: Path, make) -> None:
    done = run_cli("import", make(tmp_path), "--db", tmp_path / "force.duckdb", "--quiet")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "The database is unchanged" in done.stderr


def test_excel_errors_below_a_title_row_name_their_own_row_and_column(tmp_path: Path) -> None:
    """The errors' places as the reader gives them count from the header row and from the
    sheet's first used column: read as the sheet's, they named the record above and the
    column beside (a #DIV/0! in row 5's age was reported as row 4's note)."""
    import xlsxwriter

    from stalking_profile.importing.readers import read_table

    path = tmp_path / "titled.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write(0, 0, "Stalking extract, produced 31/12/2021")
    sheet.write_row(2, 1, ["crime_ref", "victim_age", "note"])  # the header on row 3, from B
    for row, values in enumerate((["R1", "30", "x"], ["R2", "31", "y"], ["R3", "32", "z"]), 3):
        sheet.write_row(row, 1, values)
    sheet.write_formula(4, 2, "=1/0", None, "#DIV/0!")  # R2's age, sheet row 5
    sheet.write_formula(5, 3, "=NA()", None, "#N/A")  # R3's note, sheet row 6
    book.close()
    raw = read_table(path, header_row=3)
    assert raw.frame["crime_ref"].to_list() == ["R1"]
    refused = [(n, reason.split(",")[0]) for n, reason, _ in raw.ragged.rows()]
    assert refused == [(5, "victim_age holds #DIV/0!"), (6, "note holds #N/A")]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"crime_ref,recorded_date\nX-1,2021-01-01\n", "It reads as text, like a CSV file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "It is an old Excel workbook (.xls)"),
    ],
)
def test_a_file_named_xlsx_that_is_not_one_says_what_it_seems_to_be(
    tmp_path: Path, content: bytes, said: str
) -> None:
    """Helper 47's trial: a CSV renamed .xlsx was refused with "File is not a zip file" alone."""
    path = tmp_path / "offences.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookRefused, match=re.escape(said)):
        excel.inspect_workbook(path)


def test_a_hidden_first_sheet_is_passed_over_and_the_sheet_read_is_named(tmp_path: Path) -> None:
    """Helper 62: a workbook whose first sheet ("Old", an old copy) is hidden and whose second
    ("Data") is the one shown had the hidden sheet's rows imported, and the report said only
    "format xlsx". The first visible sheet is read, and the report names it; a sheet named
    is read, hidden or not."""
    import xlsxwriter

    from stalking_profile.importing.readers import read_table

    path = tmp_path / "hidden.xlsx"
    workbook = xlsxwriter.Workbook(path)
    old, data = workbook.add_worksheet("Old"), workbook.add_worksheet("Data")
    for sheet, ref in ((old, "EX-31"), (data, "EX-32")):
        sheet.write_row(0, 0, ["crime_ref", "recorded_date"])
        sheet.write_row(1, 0, [ref, "2021-03-01"])
    data.activate()
    old.hide()
    workbook.close()
    table = read_table(path)
    assert table.frame["crime_ref"].to_list() == ["EX-32"]
    assert table.format == "xlsx, sheet 'Data'"
    assert read_table(path, sheet="Old").frame["crime_ref"].to_list() == ["EX-31"]
