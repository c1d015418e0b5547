"""Reading Excel workbooks safely: an .xlsx is a zip of XML that can declare or inflate to far
more than it holds, and the Excel reader trusts it (a 1.6 KB file declaring `A1:XFD1048576`
makes it try to allocate about 512 GB and abort the whole process).

So a workbook is inspected before it is parsed - its zip structure, every member's inflated
size and compression ratio, and each sheet's declared dimension - and then parsed in a child
process with a memory and a time limit. The worst a hostile file can do is be refused with a
clear reason; the dashboard and the command line keep running.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from stalking_profile.importing.limited import limit_memory, run_limited

MAX_INFLATED_BYTES = 1 << 30  # 1 GiB of XML in all: a million-row extract is a few hundred MB
MAX_RATIO = 200  # a member inflating more than this is a zip bomb, not a spreadsheet
MAX_CELLS = 100_000_000  # declared rows x columns of one sheet
CHILD_MEMORY_BYTES = 4 << 30  # the parsing process's address space
CHILD_SECONDS = 300
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


class WorkbookRefused(ValueError):
    """The workbook is not safe or not possible to read; the message says why."""


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def declared_cells(head: bytes) -> int | None:
    """Rows x columns a sheet's XML declares in its <dimension>, from its first bytes.

    >>> declared_cells(b'<worksheet><dimension ref="A1:XFD1048576"/>')
    17179869184
    >>> declared_cells(b'<dimension ref="A1"/>'), declared_cells(b"<sheetData/>")
    (1, None)
    """
    match = DIMENSION.search(head)
    if match is None:
        return None
    first_col, first_row, last_col, last_row = match.groups()
    if last_col is None:
        return 1
    rows = int(last_row) - int(first_row) + 1
    columns = _column_number(last_col.decode()) - _column_number(first_col.decode()) + 1
    return max(rows, 0) * max(columns, 0)


def _looks_like(path: Path) -> str:
    """What a file that is not a workbook seems to be, for its refusal: a CSV renamed .xlsx
    read only "File is not a zip file"."""
    try:
        head = path.read_bytes()[:4096]
    except OSError:
        return ""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ". It is an old Excel workbook (.xls): save it as .xlsx or CSV in Excel"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ""
    if any(mark in text for mark in (",", ";", "\t")) and "\x00" not in text:
        return ". It reads as text, like a CSV file: give it the name .csv"
    return ""


def inspect_workbook(path: Path) -> None:
    """Refuse (WorkbookRefused) a workbook that is not a zip, inflates beyond the limits or
    declares a sheet larger than MAX_CELLS, without inflating more than a sheet's first bytes."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise WorkbookRefused(
            f"{path.name} is not an Excel workbook (.xlsx): {error}{_looks_like(path)}"
        ) from error
    with archive:
        members = archive.infolist()
        inflated = sum(member.file_size for member in members)
        if inflated > MAX_INFLATED_BYTES:
            raise WorkbookRefused(
                f"{path.name} would inflate to {inflated / 2**20:,.0f} MB, over the "
                f"{MAX_INFLATED_BYTES / 2**20:,.0f} MB limit: save it as CSV instead"
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1 << 20 and ratio > MAX_RATIO:
                raise WorkbookRefused(
                    f"{path.name}: {member.filename} inflates {ratio:,.0f}-fold, which no "
                    "spreadsheet does: the file is refused as a possible zip bomb"
                )
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                with archive.open(member) as sheet:
                    cells = declared_cells(sheet.read(4096))
                if cells is not None and cells > MAX_CELLS:
                    raise WorkbookRefused(
                        f"{path.name}: {member.filename} declares {cells:,} cells, over the "
                        f"{MAX_CELLS:,} limit (a sheet range such as A1:XFD1048576): save the "
                        "sheet's used range as CSV instead"
                    )


SHEET_ROW = "__sheet_row"  # a row's number on the sheet, read beside its cells


# Excel's error values as a sheet shows them, by the reader's names for them
EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Value": "#VALUE!",
    "Ref": "#REF!",
    "Name": "#NAME?",
    "Num": "#NUM!",
    "Null": "#NULL!",
    "GettingData": "#GETTING_DATA",
}
# every error value a sheet may show, newer Excel's too: a CSV saved from a sheet keeps them
# as text (validate.py refuses them there)
EXCEL_ERROR_TEXTS: tuple[str, ...] = (
    *EXCEL_ERRORS.values(),
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
)
ERROR_CELLS = "error_cells.parquet"  # beside the sheet: (SHEET_ROW, column, shown)


@dataclass(frozen=True)
class Sheet:
    """A sheet as read: its cells as text, and the cells holding an Excel error (#DIV/0!,
    #N/A ...), which the reader reads as empty."""

    frame: pl.DataFrame  # text columns and SHEET_ROW (each row's number on the sheet)
    errors: pl.DataFrame  # SHEET_ROW, column, shown ("#DIV/0!")
    name: str = ""  # the sheet read (the first visible one, unless one was named)


def read_workbook(path: Path, sheet: str | None = None, header_row: int = 1) -> Sheet:
    """A sheet as text columns (headers from spreadsheet row `header_row`) and each row's
    number on the sheet (SHEET_ROW; empty rows kept), with its cells that hold an Excel
    error, read in a child process with memory and time limits after `inspect_workbook` has
    passed it. WorkbookRefused if it cannot be read within them."""
    inspect_workbook(path)
    with tempfile.TemporaryDirectory(prefix="workbook-") as folder:
        out = Path(folder) / "sheet.parquet"
        arguments = [str(path), str(out), str(header_row), *([sheet] if sheet else [])]
        try:
            done = run_limited("stalking_profile.importing.excel", arguments, CHILD_SECONDS, folder)
        except subprocess.TimeoutExpired as error:
            raise WorkbookRefused(
                f"{path.name} could not be read within {CHILD_SECONDS} s: save it as CSV instead"
            ) from error
        if done.returncode != 0 or not out.is_file():
            reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
            if done.returncode < 0 or "MemoryError" in reason or "memory" in reason.lower():
                reason = f"it needs more than {CHILD_MEMORY_BYTES / 2**30:.0f} GB of memory"
            # the reader names the file by its path on the server (an upload's temporary folder)
            reason = reason.replace(str(path), path.name)
            raise WorkbookRefused(f"cannot read {path.name} as an Excel workbook ({reason})")
        return Sheet(
            pl.read_parquet(out),
            pl.read_parquet(out.with_name(ERROR_CELLS)),
            out.with_name(SHEET_NAME).read_text(encoding="utf-8"),
        )


SHEET_NAME = "sheet_name.txt"  # beside the sheet: the name of the sheet read


def first_visible_sheet(path: str) -> str | None:
    """The name of the workbook's first sheet that is not hidden (the one Excel opens on
    first, whatever was active), or None where every sheet is hidden."""
    import fastexcel

    reader = fastexcel.read_excel(path)
    for name in reader.sheet_names:
        if reader.load_sheet(name, n_rows=0).visible == "visible":
            return name
    return None


def _child(path: str, out: str, header_row: int, sheet: str | None) -> None:
    """In the child process: limit memory, read the sheet as text, write it as Parquet."""
    limit_memory(CHILD_MEMORY_BYTES)
    if sheet is None:  # a hidden first sheet (an old copy) was read in silence (helper 62)
        sheet = first_visible_sheet(path)
    from stalking_profile.importing.readers import repeated_names  # it reads workbooks by this

    whole, errors = _whole_sheet(path, sheet)
    if header_row == 1:  # not stated: the first row that holds anything, as the reader takes it
        header_row = first_row_used(whole)
    if header_row > whole.height or not whole.width:
        sys.exit(f"{'sheet ' + repr(sheet) if sheet else 'its first sheet'} is empty")
    cells = whole.row(header_row - 1)
    refusal = repeated_names(Path(path).name, [(value or "").strip() for value in cells])
    if refusal:  # a name twice: refused, as in a CSV
        sys.exit(refusal.removeprefix(f"{Path(path).name} "))
    names = header_names(cells)
    # empty rows kept, so that each row has its number on the sheet (readers leaves them out):
    # dropped here, they moved every refused row after one a row up in the report
    frame = whole.slice(header_row).rename(dict(zip(whole.columns, names, strict=True)))
    frame = frame.drop(
        name
        for name in names
        if (name == "" or UNNAMED.fullmatch(name)) and frame[name].null_count() == frame.height
    )
    frame.with_row_index(SHEET_ROW, offset=header_row + 1).write_parquet(out)
    Path(out).with_name(SHEET_NAME).write_text(sheet or "", encoding="utf-8")
    below = errors.filter(pl.col(SHEET_ROW) > header_row)
    named = below.with_columns(
        pl.col("column").replace_strict(dict(enumerate(names)), return_dtype=pl.String)
    )
    named.write_parquet(Path(out).with_name(ERROR_CELLS))


UNNAMED = re.compile(r"(_duplicated_|__UNNAMED__)\d+")  # as Polars names (and drops) them


def header_names(cells: tuple[str | None, ...]) -> list[str]:
    """A header row's cells (as text) as the columns' names, as Polars' reader names them: an
    empty cell `__UNNAMED__` and its place, a name given before with `_1`, `_2` ... (only
    blanks can be: a name twice is refused). A date or a true/false in a header cell is named
    by its text, where Polars made it unnamed.

    >>> header_names(("crime_ref", None, "", "", "2021"))
    ['crime_ref', '__UNNAMED__1', '', '_1', '2021']
    """
    names: list[str] = []
    for place, cell in enumerate(cells):
        name = f"__UNNAMED__{place}" if cell is None else cell
        given, suffix = name, 1
        while name in names:
            name, suffix = f"{given}_{suffix}", suffix + 1
        names.append(name)
    return names


def _whole_sheet(path: str, sheet: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The sheet from row 1 as text columns, one per column of the sheet, read once; and its
    cells that hold an Excel error (a formula's #DIV/0!, a lookup's #N/A: the reader gives
    them as empty, and a value that is an error is not a blank - an age of #DIV/0! is not an
    unknown age), each by its row on the sheet (SHEET_ROW), its column's place and how Excel
    shows it. The sheet was read three times: for its first rows, its cells and its errors
    (the child's reads of a 100,000-row, 20-column workbook took 4.3 s, 1.9 s now; reading
    it for an import, 4.2 s and 2.5 s)."""
    import fastexcel  # Polars' reader for Excel; with no header row it reads from row 1

    reader = fastexcel.read_excel(path)
    if sheet is not None and sheet not in reader.sheet_names:
        names = ", ".join(map(repr, reader.sheet_names))
        sys.exit(f"it has no sheet {sheet!r}: its sheets are {names}")
    loaded = reader.load_sheet(
        sheet if sheet is not None else 0, header_row=None, skip_rows=0, dtypes="string"
    )
    batch, problems = loaded.to_arrow_with_errors()
    whole = pl.DataFrame(batch)
    found = []
    for problem in problems.errors if problems is not None else []:
        row, column = problem.offset_position  # from row 1, among the sheet's columns
        kind = re.search(r"Error\((\w+)\)", problem.detail)
        if kind is None or not 0 <= column < whole.width:
            continue
        shown = EXCEL_ERRORS.get(kind.group(1), f"#{kind.group(1).upper()}")
        found.append({SHEET_ROW: row + 1, "column": column, "shown": shown})
    schema = {SHEET_ROW: pl.Int64, "column": pl.Int64, "shown": pl.String}
    return whole, pl.DataFrame(found, schema=schema)


def first_row_used(top: pl.DataFrame) -> int:
    """The first of a sheet's rows (`_whole_sheet`) that holds a value (1 if none does). The
    reader takes the first such row as the headers when told the first row, and every row
    was then numbered from row 1: with rows 1 and 2 empty, a bad date on row 6 was reported
    as row 4 (helper 73)."""
    for number, row in enumerate(top.iter_rows(), start=1):
        if any(value is not None and value.strip() for value in row):
            return number
    return 1


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)
