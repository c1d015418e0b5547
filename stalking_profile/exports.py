"""Table downloads that carry where they came from: every table downloads as CSV and as an
Excel workbook of exactly what is shown (values rounded as displayed), with its provenance -
what it is, the filter in words, the extract date, the source, the classification marking,
the disclosure control applied and a synthetic-data notice while demo data are loaded.

- CSV: provenance as leading comment lines (`# Field: value`), then the table; spreadsheet
  programs and `pandas.read_csv(..., comment="#")` skip or show them as text.
- Excel: a header block of the same fields above the table on one sheet.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import xlsxwriter

from stalking_profile.tables import spreadsheet_safe, spreadsheet_safe_text

FORCE_MARKING = "OFFICIAL-SENSITIVE"
PUBLICATION_MARKING = "OFFICIAL (publication mode: small numbers suppressed)"
DEMO_MARKING = "OFFICIAL (synthetic demonstration data)"
SYNTHETIC_NOTICE = "SYNTHETIC DATA: no row describes a real person or crime"


def report_marking(synthetic: bool) -> str:
    """The marking a record-level report prints on every page: OFFICIAL-SENSITIVE, or for the
    demo's synthetic records the demo's marking and its notice (the panel reports listed
    crime references and findings with the marking in the file's properties alone: helper
    90)."""
    return f"{DEMO_MARKING} · {SYNTHETIC_NOTICE}" if synthetic else FORCE_MARKING


@dataclass(frozen=True)
class Provenance:
    """Where a downloaded table came from."""

    title: str
    filter_text: str
    force_name: str
    extract_date: date | None
    source: str
    synthetic: bool
    suppressed_below: int  # 0: not suppressed
    exported_by: str
    exported_at: datetime
    rounded_to: int = 0  # counts rounded to a multiple of this (0: not rounded)
    coverage: str = ""  # the extract's last months hold no offence (DatasetInfo.coverage_warning)
    compared: str = ""  # a change's periods compared, where not the filter's (like for like)
    data: str = ""  # what the rows are, where not the dataset's extract (a tracker)

    @property
    def marking(self) -> str:
        if self.synthetic:
            return DEMO_MARKING
        return PUBLICATION_MARKING if self.suppressed_below else FORCE_MARKING

    @property
    def _by(self) -> str:
        """Who exported it: named inside the force; for publication, where the audit trail
        keeps the name, not printed on what goes into public papers (helper 51)."""
        return " (who: in the audit trail)" if self.suppressed_below else f" by {self.exported_by}"

    def fields(self) -> list[tuple[str, str]]:
        """The provenance as (field, value) pairs, in the order both formats show them."""
        extract = f"{self.extract_date:%d %B %Y}" if self.extract_date else "not known"
        control = (
            f"primary suppression: non-zero counts under {self.suppressed_below} withheld "
            "(blank or 'suppressed'), with the rates that would give them back; secondary "
            "suppression: further counts withheld alike (blank or 'suppressed', so a reader "
            "cannot tell which are small) where the published counts and their sums would "
            "give a small one back"
            + (
                f"; other counts rounded to the nearest {self.rounded_to}"
                if self.rounded_to
                else ""
            )
            if self.suppressed_below
            else "none (not for publication)"
        )
        rows = [
            ("Table", self.title),
            ("Filter", self.filter_text),
            *([("Compared", self.compared)] if self.compared else []),
            ("Data", self.data or f"{self.force_name}, extract of {extract}"),
            ("Source", f"{self.source}; Stalking Profile"),
            ("Marking", self.marking),
            ("Disclosure control", control),
            ("Exported", f"{self.exported_at:%d %B %Y %H:%M} UTC{self._by}"),
        ]
        if self.coverage:
            rows.append(("Coverage", self.coverage))
        if self.synthetic:
            rows.append(("Notice", SYNTHETIC_NOTICE))
        return rows


def new_deck(title: str, subject: str) -> Any:
    """An empty PowerPoint presentation whose document properties are its own: python-pptx's
    template gave every deck its author's name as "last modified by", dates of January 2013
    and "generated using python-pptx", and no title (helper 51)."""
    from pptx import Presentation

    deck = Presentation()
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    properties = deck.core_properties
    properties.author = properties.last_modified_by = "Stalking Profile"
    properties.title, properties.subject = title, subject
    properties.comments = properties.keywords = properties.category = ""
    properties.created = properties.modified = now
    properties.last_printed = now
    properties.revision = 1
    return deck


def exported_now(provenance: Provenance) -> Provenance:
    """The provenance stamped with the time now: a download is made when its button is
    clicked, which may be long after the page was drawn."""
    return replace(provenance, exported_at=datetime.now(UTC))


# a number as a table writes it in text ("1,431", "15", "-3.2"; not "01", a code): a count
# beside "suppressed" in publication mode, or a headline figure. Downloads give it as a number.
NUMBER_AS_TEXT = r"^-?(0|[1-9]\d{0,2}(,\d{3})+|[1-9]\d*)(\.\d+)?$"


def _number(text: str) -> float | None:
    """`text` as a number where it is one as a table writes it (NUMBER_AS_TEXT), else None."""
    return float(text.replace(",", "")) if re.match(NUMBER_AS_TEXT, text) else None


def csv_bytes(shown: pl.DataFrame, provenance: Provenance, as_written: bool = False) -> bytes:
    """The table as CSV (formula-like text cells and column names neutralised) after
    `# Field: value` lines (`_comment_line`). In a table of figures, a number written as text
    has no thousands separators ("1431", not "1,431": helper 64, publication mode's counts
    beside "suppressed" read as text in a spreadsheet). `as_written`: the text is what a
    person or a file wrote (records, a tracker's progress), kept as it is (a progress of
    "1,500" was exported as 1500, and re-imported as a change: helper 74)."""
    header = "".join(_comment_line(field, value) for field, value in provenance.fields())
    plain = shown.with_columns(
        pl.when(pl.col(name).str.contains(NUMBER_AS_TEXT))
        .then(pl.col(name).str.replace_all(",", ""))
        .otherwise(pl.col(name))
        .alias(name)
        for name, kind in shown.schema.items()
        if kind == pl.String and not as_written
    )
    return (header + spreadsheet_safe(plain).write_csv()).encode("utf-8")


def _comment_line(field: str, value: str) -> str:
    """`# Field: value` as a spreadsheet reads it safely: a spreadsheet splits the line at its
    commas, so a force or file name with ",=WEBSERVICE(...)" in it began a cell of its own,
    which it would run. Every piece after a comma is neutralised as a cell is, and double
    quotes (which would open a quoted cell across the commas) become single ones.

    >>> _comment_line("Data", 'Evil,=WEBSERVICE("x"), extract')
    "# Data: Evil,'=WEBSERVICE('x'), extract\\n"
    """
    text = f"# {field}: {' '.join(value.splitlines())}".replace('"', "'")
    first, *rest = text.split(",")
    return ",".join([first, *spreadsheet_safe_text(rest)]) + "\n"


def xlsx_bytes(shown: pl.DataFrame, provenance: Provenance, as_written: bool = False) -> bytes:
    """The table as an Excel workbook: the provenance block, a blank row, then the table. Text
    cells are written as text (write_string), which Excel never runs as a formula, so they are
    written as shown, not with the CSV's quote before a leading "-" ("-31.0% to 81.7%"); a
    number written as text ("1,431" beside "suppressed", a headline's "6,620") as a number
    (helper 64: an analyst could not sum them); `as_written` (text people wrote, as
    csv_bytes), as text."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
        sheet = workbook.add_worksheet("Table")
        bold = workbook.add_format({"bold": True})
        for row, (field, value) in enumerate(provenance.fields()):
            sheet.write_string(row, 0, field, bold)
            sheet.write_string(row, 1, value)
        start = len(provenance.fields()) + 1
        for column, name in enumerate(shown.columns):
            sheet.write_string(start, column, name, bold)
            for offset, value in enumerate(shown[name].to_list(), start=1):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_string(start + offset, column, "yes" if value else "no")
                elif isinstance(value, int | float):
                    sheet.write_number(start + offset, column, value)
                elif not as_written and (number := _number(str(value))) is not None:
                    sheet.write_number(start + offset, column, number)
                else:
                    sheet.write_string(start + offset, column, str(value))
        sheet.set_column(0, max(len(shown.columns) - 1, 1), 18)
    return buffer.getvalue()


def digest(content: bytes) -> str:
    """The SHA-256 of a file, for the export log."""
    return hashlib.sha256(content).hexdigest()
