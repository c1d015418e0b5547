"""Reading a records-system extract into text columns with the row number of every record.

CSV in any common encoding and delimiter (detected, or stated), Parquet and Excel (.xlsx).
Everything is read as text so that validation, not the reader, decides what a value means and
can report it as found. A CSV record with the wrong number of fields is not read into the frame
but reported with its row number, so nothing is lost silently.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from stalking_profile.importing.excel import SHEET_ROW, WorkbookRefused, read_workbook

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS = ",;\t|"
CHUNK_ROWS = 200_000
ROW_NUMBER = "__row_number"
# more columns than any extract has: a file of a million columns and one row took 16.7 GB to
# read, so a file of more is refused from its header
MAX_COLUMNS = 1_000

Progress = Callable[[float, str], None]


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why and what to do."""


@dataclass(frozen=True)
class RawTable:
    """A file's records as text columns, plus what could not be read."""

    frame: pl.DataFrame  # text columns plus __row_number (the header is row 1)
    format: str
    encoding: str | None
    delimiter: str | None
    ragged: pl.DataFrame  # row_number, reason, raw_row: records with the wrong field count

    @property
    def rows_read(self) -> int:
        return self.frame.height + self.ragged.height


def _no_progress(fraction: float, message: str) -> None:
    return None


def utf16_encoding(sample: bytes, stated: str | None = None) -> str | None:
    """UTF-16 (Excel's "Unicode Text", with or without its byte-order mark), stated or found
    in the bytes, else None: its text holds a NUL byte beside every ASCII character, which
    would otherwise read as a binary file.

    >>> utf16_encoding("crime_ref".encode("utf-16")), utf16_encoding("a,b".encode("utf-16-le"))
    ('utf-16', 'utf-16-le')
    >>> utf16_encoding(b"crime_ref,recorded_date"), utf16_encoding(bytes([80, 75, 3, 4, 0, 0, 20, 0]))
    (None, None)
    """
    if stated:
        name = stated.lower().replace("_", "-")
        return stated if name.startswith(("utf-16", "utf16")) else None
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = sample[:4096]
    for encoding, text, zeros in (
        ("utf-16-le", head[0::2], head[1::2]),
        ("utf-16-be", head[1::2], head[0::2]),
    ):
        if len(zeros) >= 2 and zeros.count(0) >= 0.9 * len(zeros) and 0 not in text:
            return encoding
    return None


def detect_encoding(sample: bytes, stated: str | None = None) -> str:
    """The stated encoding, else UTF-8 (with or without BOM) if the bytes decode, else
    Windows-1252, the usual encoding of spreadsheets saved as CSV on Windows."""
    if stated:
        return stated
    for encoding in ENCODINGS[:2]:
        try:
            sample.decode(encoding)
            return encoding
        except UnicodeDecodeError as error:
            if encoding == "utf-8-sig" and error.start > len(sample) - 4:
                return encoding  # a multi-byte character cut by the end of the sample
    return ENCODINGS[-1]


def detect_delimiter(text_sample: str, stated: str | None = None) -> str:
    """The stated delimiter, else the one the header line splits on most."""
    if stated:
        delimiter = "\t" if stated in ("\\t", "tab") else stated
        if len(delimiter) != 1:
            raise ReadError(f"the delimiter is one character (',', ';', tab), not {stated!r}")
        return delimiter
    header = text_sample.splitlines()[0] if text_sample else ""
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _fast_read(path: Path, encoding: str, delimiter: str) -> RawTable | None:
    """Polars' reader for the common case: UTF-8, every record on one line. Field counts are
    checked line by line first (exactly for lines without quotes, with the csv module for the
    few with quotes), so ragged records are still reported. None when the file needs the slow,
    general reader (another encoding, or quoted fields spanning lines)."""
    if encoding != "utf-8-sig" or delimiter in '\x1f"':
        return None
    try:
        lines = pl.read_csv(
            path,
            has_header=False,
            separator="\x1f",
            quote_char=None,
            new_columns=["line"],
            infer_schema=False,
        )
    except pl.exceptions.PolarsError:  # not UTF-8 after all, past the sample: the slow reader
        return None
    lines = lines.with_columns(
        pl.col("line").fill_null("").str.strip_suffix("\r").str.strip_prefix("\ufeff")
    )
    if lines.height < 2:
        return None
    if lines.select(pl.col("line").str.contains("\r", literal=True).any()).item():
        return None  # a line ending in a lone carriage return (mixed endings): the csv module's
    lines = lines.with_row_index("line_number", offset=1)
    has_quote = pl.col("line").str.contains('"', literal=True)
    if lines.select((pl.col("line").str.count_matches('"', literal=True) % 2 == 1).any()).item():
        return None  # a quoted field may span lines
    header = named(
        [name.strip() for name in next(csv.reader([lines["line"][0]], delimiter=delimiter))]
    )
    width = len(header)
    fields = pl.col("line").str.count_matches(delimiter, literal=True) + 1
    body = lines.slice(1).filter(pl.col("line") != "")
    plain_bad = body.filter(~has_quote & (fields != width))
    quoted = body.filter(has_quote)
    quoted_counts = [
        len(next(csv.reader([text], delimiter=delimiter))) for text in quoted["line"].to_list()
    ]
    quoted_bad = (
        quoted.filter(pl.Series(quoted_counts, dtype=pl.Int64) != width)
        if quoted.height
        else quoted
    )
    ragged = pl.concat([plain_bad, quoted_bad]).sort("line_number")
    try:
        frame = pl.read_csv(
            path,
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
            encoding="utf8",
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != body.height or frame.width != width:
        return None  # Polars and the line scan disagree: use the general reader
    frame = (
        frame.rename(dict(zip(frame.columns, header, strict=True)))
        .fill_null("")
        .with_columns(body["line_number"].cast(pl.Int64).alias(ROW_NUMBER))
    )
    frame = frame.filter(~pl.col(ROW_NUMBER).is_in(ragged["line_number"].cast(pl.Int64).implode()))
    report = pl.DataFrame(
        {
            "row_number": ragged["line_number"].cast(pl.Int64),
            "reason": [
                f"expected {width} fields, found {len(next(csv.reader([t], delimiter=delimiter)))}"
                for t in ragged["line"].to_list()
            ],
            "raw_row": ragged["line"],  # whole: the quarantine keeps the row as read
        },
        schema={"row_number": pl.Int64, "reason": pl.String, "raw_row": pl.String},
    )
    return RawTable(frame, "csv", encoding, delimiter, report)


def read_csv(
    path: Path,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Progress = _no_progress,
) -> RawTable:
    """Read a delimited text file; records are read in chunks to keep memory bounded."""
    stated, size = encoding, path.stat().st_size
    if size == 0:
        raise ReadError(f"{path.name} is empty")
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    wide = utf16_encoding(sample, encoding)
    if wide is None and b"\x00" in sample[:65536]:
        raise ReadError(
            f"{path.name} is a binary file, not a delimited text file (is it an Excel or zip file renamed .csv?)"
        )
    if wide and re.sub(r"[-_]", "", wide.lower()).startswith("utf16") and size % 2:
        raise ReadError(  # it was told to state its encoding, which was right (helper 73)
            f"{path.name} is UTF-16 text (two bytes a character) of an odd number of bytes: it "
            "ends part-way through a character, cut short when copied or saved; export it again"
        )
    encoding = wide or detect_encoding(sample, encoding)
    try:  # a codec that is not a text encoding ("hex", "rot13") stopped the check
        known = codecs.lookup(encoding)._is_text_encoding
    except LookupError:
        known = False
    if not known:
        raise ReadError(
            f"{encoding!r} is not a text encoding Python knows (e.g. utf-8, cp1252, utf-16)"
        )
    delimiter = detect_delimiter(sample.decode(encoding, errors="replace"), delimiter)
    csv.field_size_limit(1 << 30)
    header_problem = _header_problem(path, sample, encoding, delimiter)
    if header_problem:
        raise ReadError(header_problem)
    fast = _fast_read(path, encoding, delimiter)
    if fast is not None:
        progress(0.99, f"read {fast.rows_read:,} rows")
        return fast
    try:
        return _read_records(path, encoding, delimiter, progress)
    except _Undecodable as error:
        # found, not stated: the sample was plain ASCII and the file is not UTF-8 further on
        # (Excel's "CSV" on Windows, its first "£" past the first megabyte)
        if stated or not sample.isascii():
            raise ReadError(str(error)) from None
    try:
        return _read_records(path, ENCODINGS[1], delimiter, progress)
    except _Undecodable:  # one of the five bytes Windows-1252 leaves undefined
        return _read_records(path, ENCODINGS[2], delimiter, progress)


class _Undecodable(ReadError):
    """The file is not valid in the encoding found for (or stated of) it."""


def _read_records(path: Path, encoding: str, delimiter: str, progress: Progress) -> RawTable:
    """The general reader (any encoding, quoted fields over several lines). A row number is
    the row a spreadsheet shows the record on: a record whose quoted field holds a line break
    is one row, not two; a quote opened and never closed (which swallowed the rest of the file
    into one refused row) refuses the file, naming the row it opens on."""
    size = path.stat().st_size
    chunks: list[pl.DataFrame] = []
    ragged: list[dict[str, object]] = []
    with (
        path.open("rb") as raw_handle,
        io.TextIOWrapper(raw_handle, encoding=encoding, errors="strict", newline="") as handle,
    ):
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise ReadError(f"{path.name} is empty") from None
        except UnicodeDecodeError as error:
            raise ReadError(
                f"{path.name} is not valid {encoding}: state its encoding (--encoding)"
            ) from error
        header = named([name.strip() for name in header])
        refusal = header_refusal(path.name, header)
        if refusal:
            raise ReadError(refusal)
        width = len(header)
        rows: list[list[str]] = []
        numbers: list[int] = []
        line_before = reader.line_num
        joined = reader.line_num - 1  # lines a spreadsheet shows as part of an earlier row
        try:
            for record in reader:
                row_number = line_before + 1 - joined
                lines = reader.line_num - line_before
                joined += lines - 1
                line_before = reader.line_num
                if len(record) != width and lines > 1 and _holds_rows(record, width, delimiter):
                    raise ReadError(
                        f'{path.name} has a quote (") that opens on row {row_number} and is '
                        f"not closed before line {reader.line_num} of the file"
                        + (" (its end)" if raw_handle.tell() >= size else "")
                        + ": close it, or remove it, and import the file again"
                    )
                if len(record) == width:
                    rows.append(record)
                    numbers.append(row_number)
                elif record:  # a blank line is not a record
                    ragged.append(
                        {
                            "row_number": row_number,
                            "reason": f"expected {width} fields, found {len(record)}",
                            "raw_row": _as_line(record, delimiter),
                        }
                    )
                if len(rows) >= CHUNK_ROWS:
                    chunks.append(_chunk(header, rows, numbers))
                    rows, numbers = [], []
                    progress(
                        min(0.99, raw_handle.tell() / size),
                        f"read {row_number:,} rows",
                    )
        except UnicodeDecodeError as error:
            raise _Undecodable(
                f"{path.name} is not valid {encoding} near row {line_before + 1 - joined}: "
                "state its encoding (--encoding; on the Data page, in a mapping file)"
            ) from error
        except csv.Error as error:
            raise ReadError(
                f"{path.name} cannot be parsed near row {line_before + 1 - joined}: {error}"
            ) from error
    chunks.append(_chunk(header, rows, numbers))
    frame = pl.concat(chunks) if chunks else pl.DataFrame()
    return RawTable(frame, "csv", encoding, delimiter, _ragged_frame(ragged))


def _holds_rows(record: list[str], width: int, delimiter: str) -> bool:
    """Whether a record read over several lines has whole rows of the file inside a field: a
    quote opened and not closed, which swallows the lines after it. A record whose quoted
    text breaks a line and that lacks a field (`R-4,...,"x<newline>y"`, 10 fields of 12) is one
    row with the wrong number of fields, not that: it refused the whole file."""
    enough = max(width - 1, 1)
    return any(
        line.count(delimiter) >= enough for field in record for line in field.splitlines()[1:]
    )


def _as_line(record: list[str], delimiter: str) -> str:
    """A record as a line of the file (quoted where a field needs it): a refused row's text
    for the quarantine (joined with the delimiter alone, its quotes were lost)."""
    line = io.StringIO()
    csv.writer(line, delimiter=delimiter, lineterminator="\r\n").writerow(record)
    return line.getvalue().removesuffix("\r\n")  # a field holding a line break is quoted


def _chunk(header: list[str], rows: list[list[str]], numbers: list[int]) -> pl.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    data = {
        name: pl.Series(name, values, dtype=pl.String)
        for name, values in zip(header, columns, strict=True)
    }
    data[ROW_NUMBER] = pl.Series(ROW_NUMBER, numbers, dtype=pl.Int64)
    return pl.DataFrame(data)


def _ragged_frame(records: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(
        records, schema={"row_number": pl.Int64, "reason": pl.String, "raw_row": pl.String}
    )


def _as_text(frame: pl.DataFrame, first_row: int) -> pl.DataFrame:
    """A Parquet file's columns as text (a list or struct column as Python writes its values:
    casting one stopped the import, whether or not the column was used)."""
    text = pl.DataFrame([_column_as_text(frame[name]) for name in frame.columns])
    return text.with_columns(
        pl.int_range(first_row, first_row + text.height, dtype=pl.Int64).alias(ROW_NUMBER)
    )


def _column_as_text(column: pl.Series) -> pl.Series:
    """One Parquet column as text: a time with a time zone as its wall-clock time there (each
    was refused as "not a date"); a column that cannot be cast (a duration, bytes that are not
    UTF-8) as Python writes its values, as a list or struct column is (casting one stopped
    the import, whether or not the column was used)."""
    if isinstance(column.dtype, pl.Datetime) and column.dtype.time_zone is not None:
        column = column.dt.replace_time_zone(None)
    if not column.dtype.is_nested():
        try:
            return column.cast(pl.String)
        except pl.exceptions.PolarsError:
            pass
    values = [None if v is None else str(v) for v in column.to_list()]
    return pl.Series(column.name, values, pl.String)


# what a Parquet file may declare before it is read: its rows are read whole, as text, so a
# 2.5 MB file of 400 million one-letter rows took over 5.5 GB and aborted (helper 96)
MAX_PARQUET_ROWS = 20_000_000
MAX_PARQUET_BYTES = 4 << 30  # its columns' size uncompressed, as its footer states it
# rows x columns: the footer's size counts values as encoded (a constant column is a few
# bytes), so 19 million rows of 40 such columns passed it and took 21 GB as text (helper 97);
# a million-row extract of 25 columns (25 million cells) is read in about 1.5 GB
MAX_PARQUET_CELLS = 100_000_000


def parquet_refusal(path: Path) -> None:
    """Refuse a Parquet file from its footer alone, before a row is read: unreadable, more
    than MAX_COLUMNS columns, MAX_PARQUET_ROWS rows or MAX_PARQUET_BYTES uncompressed."""
    import pyarrow.parquet as pq

    try:
        footer = pq.ParquetFile(path).metadata
    except Exception as error:  # pyarrow raises several error types for corrupt files
        raise ReadError(f"cannot read {path.name} as Parquet ({error})") from error
    if footer.num_columns > MAX_COLUMNS:
        raise ReadError(
            f"{path.name} has more than {MAX_COLUMNS:,} columns ({footer.num_columns:,}), more "
            "than any extract holds: check it is the right file"
        )
    size = sum(footer.row_group(i).total_byte_size for i in range(footer.num_row_groups))
    cells = footer.num_rows * footer.num_columns
    if footer.num_rows > MAX_PARQUET_ROWS or size > MAX_PARQUET_BYTES or cells > MAX_PARQUET_CELLS:
        raise ReadError(
            f"{path.name} holds {footer.num_rows:,} rows of {footer.num_columns:,} columns "
            f"({size / 2**30:,.1f} GB uncompressed), more than one import takes "
            f"({MAX_PARQUET_ROWS:,} rows, {MAX_PARQUET_CELLS:,} cells, "
            f"{MAX_PARQUET_BYTES / 2**30:.0f} GB): split it into several files"
        )


def read_table(
    path: Path | str,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    progress: Progress = _no_progress,
    header_row: int = 1,
) -> RawTable:
    """Read CSV, Parquet or Excel by the file's suffix (a CSV may also be .txt or .tsv)."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"no file at {path}")
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        parquet_refusal(path)
        try:
            frame = pl.read_parquet(path)
        except Exception as error:  # polars raises several error types for corrupt files
            raise ReadError(f"cannot read {path.name} as Parquet ({error})") from error
        refusal = header_refusal(path.name, frame.columns)
        if refusal:
            raise ReadError(refusal)
        return RawTable(_as_text(frame, 1), "parquet", None, None, _ragged_frame([]))
    if suffix in EXCEL_SUFFIXES:
        try:  # inspected first, then parsed in a child process with limits (importing/excel.py)
            sheet_read = read_workbook(path, sheet, header_row)
        except WorkbookRefused as error:
            raise ReadError(str(error)) from error
        frame = sheet_read.frame
        headers = [name for name in frame.columns if name != SHEET_ROW]
        if len(headers) > MAX_COLUMNS:
            raise ReadError(header_refusal(path.name, headers) or "")
        unnamed = [name for name in headers if name.startswith("__UNNAMED__")]
        if headers and len(unnamed) * 2 > len(headers):
            raise ReadError(
                f"{path.name}: row {header_row} of the sheet is not a header row (most of its "
                "cells are empty): if a title sits above the headers, say which row holds them "
                "in a mapping file ([source] header_row = 3)"
            )
        text = frame.select(
            pl.exclude(SHEET_ROW).cast(pl.String),
            pl.col(SHEET_ROW).cast(pl.Int64).alias(ROW_NUMBER),
        )
        text, erroneous = _without_error_cells(text, sheet_read.errors)
        read = f"xlsx, sheet {sheet_read.name!r}" if sheet_read.name else "xlsx"
        return _without_empty_rows(RawTable(text, read, None, None, erroneous))
    if suffix in CSV_SUFFIXES:
        return _without_empty_rows(read_csv(path, encoding, delimiter, progress))
    raise ReadError(
        f"{path.name}: unsupported file type {suffix!r}; use CSV, Parquet or Excel (.xlsx)"
    )


def _without_error_cells(
    frame: pl.DataFrame, errors: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The sheet's rows without those with a cell holding an Excel error, and those rows
    refused (`RawTable.ragged`), each naming its cells and errors: the reader gives an error as
    empty, and an age of #DIV/0! or a date of #N/A is not a value left blank."""
    if errors.is_empty():
        return frame, _ragged_frame([])
    rows = (
        errors.rename({SHEET_ROW: ROW_NUMBER})
        .group_by(ROW_NUMBER, maintain_order=True)
        .agg(
            pl.format("{} holds {}", "column", "shown").str.join(" and ").alias("cells"),
            pl.struct("column", "shown").alias("errors"),
        )
    )
    bad = frame.join(rows, on=ROW_NUMBER, how="inner")
    refused = []
    for record in bad.iter_rows(named=True):
        shown = {e["column"]: e["shown"] for e in record.pop("errors")}
        cells = record.pop("cells")
        number = record.pop(ROW_NUMBER)
        raw_row = json.dumps({k: shown.get(k, v) for k, v in record.items()}, ensure_ascii=False)
        refused.append(
            {
                "row_number": number,
                "reason": f"{cells}, an Excel error, not a value: correct the cell in the "
                "workbook (or clear it if the value is unknown)",
                "raw_row": raw_row[:2000],
            }
        )
    kept = frame.filter(~pl.col(ROW_NUMBER).is_in(rows[ROW_NUMBER].implode()))
    return kept, _ragged_frame(refused)


def _without_empty_rows(raw: RawTable) -> RawTable:
    """The table without rows that hold no value: a line of delimiters alone (",,,," where a
    spreadsheet saved a blank row), or an empty row of a sheet (a cell of spaces too), is no
    record, as a blank line is not; it had counted as a row read and refused, with a reason
    for each of its empty fields."""
    cells = [name for name in raw.frame.columns if name != ROW_NUMBER]
    frame = raw.frame
    if cells and frame.height:
        filled = (pl.col(c).fill_null("").str.strip_chars().str.len_chars() > 0 for c in cells)
        frame = frame.filter(pl.any_horizontal(filled))
    ragged = raw.ragged.filter(~pl.col("raw_row").fill_null("").str.contains(r'^[\s,;|"]*$'))
    return dataclasses.replace(raw, frame=frame, ragged=ragged)


def _header_problem(path: Path, sample: bytes, encoding: str, delimiter: str) -> str | None:
    """Why the header row is unusable (empty, blank names, repeated names), or None."""
    try:
        first_line = next(iter(sample.decode(encoding).splitlines()), "")  # a BOM alone: none
    except UnicodeDecodeError:
        return None  # the general reader reports the encoding problem with its row
    header = [
        name.strip().lstrip("\ufeff")
        for name in next(csv.reader([first_line], delimiter=delimiter), [])
    ]
    return header_refusal(path.name, header)


def named(header: list[str]) -> list[str]:
    """The header with a name for each column that has none: "(column 14, no name)". Excel
    saves a sheet's empty columns at its end as columns with no name; two of them were refused
    as "repeats the column names ['']", where one was read as a column not used (helper 73).

    >>> named(["crime_ref", "", ""])
    ['crime_ref', '(column 2, no name)', '(column 3, no name)']
    """
    return [name or f"(column {number}, no name)" for number, name in enumerate(header, 1)]


def header_refusal(file_name: str, header: list[str]) -> str | None:
    """Why a header row cannot be read (no names, more than `MAX_COLUMNS` columns, a name
    repeated), or None. Each name is counted once (counting each in the whole header took
    37 s for 200,000 names)."""
    if not any(header):
        return f"{file_name} has no header row"
    if len(header) > MAX_COLUMNS:
        return (
            f"{file_name} has more than {MAX_COLUMNS:,} columns ({len(header):,} read), more "
            "than any extract: export only the columns the template names"
        )
    return repeated_names(file_name, header)


def repeated_names(file_name: str, header: list[str]) -> str | None:
    """The refusal of a header that names a column twice (a column with no name is none), or
    None (a CSV's, in header_refusal, and a workbook's)."""
    repeated = sorted(name for name, times in Counter(header).items() if times > 1 and name)
    if not repeated:
        return None
    shown = repeated[:20]
    more = f" and {len(repeated) - 20:,} more" if len(repeated) > 20 else ""
    return f"{file_name} repeats the column names {shown}{more}"
