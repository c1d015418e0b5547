"""Validation against the data contract, vectorised: every refused row with its row number,
column, value and reason; every accepted row typed as the contract says.

Invariant: rows read = rows accepted + rows refused (a row refused for several reasons is one
refused row with several reasons).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import cast

import polars as pl

from stalking_profile import contract
from stalking_profile.formatting import plural, shortened
from stalking_profile.importing.excel import EXCEL_ERROR_TEXTS
from stalking_profile.importing.readers import ROW_NUMBER

DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%Y%m%d",
    "%d/%m/%y",
    "%d-%m-%y",
    "%d-%b-%y",
)
DATETIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
)
# Written before an outcome's number ("Outcome 15", "OC15", "Outcome type 15"), any case.
OUTCOME_PREFIXES = ("outcome ", "outcome", "outcome type ", "oc", "oc ", "ho outcome ")
TRUE_WORDS = ("y", "yes", "true", "t", "1", "da", "domestic")
FALSE_WORDS = ("n", "no", "false", "f", "0", "non-da", "non da", "non-domestic", "not domestic")
SEX_WORDS = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "u": "unknown",
    "unknown": "unknown",
    "not stated": "unknown",
    "x": "other",
    "other": "other",
}
ORDER_TYPE_WORDS: dict[str, str] = {
    **{code.lower(): code for code in contract.ORDER_TYPES},
    **{name.split(" (")[0].lower(): code for code, name in contract.ORDER_TYPES.items()},
    "interim spo": "SPO",
    "stalking protection order": "SPO",
    "non molestation order": "NMO",
}
EARLIEST = date(1990, 1, 1)
KIND_TABLES: dict[str, contract.Table] = contract.IMPORT_KINDS
REJECT_SCHEMA = pl.Schema(
    {
        "row_number": pl.Int64(),
        "column_name": pl.String(),
        "value": pl.String(),
        "reason": pl.String(),
    }
)


@dataclass(frozen=True)
class Reference:
    """What validation checks codes against: the database's districts, wards and offences."""

    districts: frozenset[str]
    wards: frozenset[str]
    offence_recorded: pl.DataFrame  # crime_ref, recorded_date of offences already stored
    today: date = field(default_factory=date.today)
    orders: pl.DataFrame = field(  # order_id, made_date, ended_date of civil orders stored
        default_factory=lambda: pl.DataFrame(
            schema={"order_id": pl.String, "made_date": pl.Date, "ended_date": pl.Date}
        )
    )
    # the wards stored with their district, and whether each has its boundary loaded
    ward_districts: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"ward_code": pl.String, "ward_district": pl.String, "has_boundary": pl.Boolean}
        )
    )


@dataclass(frozen=True)
class Validated:
    """The outcome of validating one file."""

    kind: str
    accepted: pl.DataFrame  # contract columns, contract types, plus __row_number
    outcomes: pl.DataFrame | None  # outcome rows carried by an offence file
    rejects: pl.DataFrame  # row_number, column_name, value, reason
    warnings: tuple[str, ...]
    rows_read: int
    # the offences whose outcome an offence file states: crime_ref and first_date, the outcome
    # date it gives (null: the file says the offence is open); None when it states no outcomes
    stated: pl.DataFrame | None = None
    # stored offences (crime_ref, recorded_date) an offence file does not hold, accepted or
    # refused: what importing it as the whole extract would remove; None for other kinds
    absent: pl.DataFrame | None = None
    rows_without_ref: int = 0  # rows of an offence file with no crime reference to read
    # the table's columns the file does not have, which the offences, orders or breaches it
    # updates keep from the store (a file of fewer columns wiped them: load.with_stored_columns)
    kept_from_store: tuple[str, ...] = ()

    @property
    def absent_latest(self) -> date | None:
        """The latest recorded date of the stored offences the file leaves out (None: none)."""
        if self.absent is None or self.absent.is_empty():
            return None
        return cast(date | None, self.absent["recorded_date"].max())

    @property
    def rows_rejected(self) -> int:
        return self.rejects["row_number"].n_unique() if self.rejects.height else 0


# Columns only an offences file has: with a crime reference and no recorded date, such a file
# is offences missing a required column, not outcome histories.
OFFENCE_ONLY_COLUMNS = frozenset(
    {"offence_type", "is_domestic", "district_code", "ho_offence_code"}
)


STORED_RECORDED = "__stored_recorded_date"  # the stored offence's, beside outcomes or contacts


def detect_kind(columns: list[str], file_headers: list[str] | None = None) -> str:
    """Which table a file feeds, from its (mapped) columns; the error names the file's own
    headers (`file_headers`, default the columns) so a user can see what was read."""
    present = set(columns)
    outcomes = {"crime_ref", "outcome_key", "outcome_date"}
    if outcomes <= present and not present & OFFENCE_ONLY_COLUMNS:
        return "outcomes"  # a recorded_date beside them does not make them offences
    if {"crime_ref", "recorded_date"} <= present:
        return "offences"
    if {"breach_id", "order_id"} <= present:
        return "breaches"
    if {"order_id", "order_type"} <= present:
        return "orders"
    if {"crime_ref", "agreed_interval_days"} <= present:
        return "contacts"
    if {"age_band", "population"} <= present:
        return "population"
    offence_only = sorted(present & OFFENCE_ONLY_COLUMNS)
    if "crime_ref" in present and offence_only:  # not outcome histories with extra columns
        raise ValueError(
            f"the file looks like offences (it has {', '.join(offence_only)}) but has no "
            "recorded_date column: offences need crime_ref and recorded_date. Add the column, "
            "or map the file's own header to it (a mapping file)"
        )
    if {"crime_ref", "outcome_key", "outcome_date"} <= present:
        return "outcomes"
    if {"layer", "ward_code", "offences"} <= present:
        return "comparison"
    if {"ward_code", "ward_name"} <= present:
        return "wards"
    if {"district_code", "district_name"} <= present:
        return "districts"
    raise ValueError(
        "cannot tell what the file holds: offences need crime_ref and recorded_date; outcomes crime_ref, "
        "outcome_key and outcome_date; districts district_code and district_name; orders order_id and "
        "order_type; breaches breach_id and order_id; victim contacts crime_ref and "
        "agreed_interval_days; population district_code, sex, age_band and population. The "
        "file's columns: "
        + columns_said(file_headers if file_headers is not None else sorted(present))
    )


SHOWN_COLUMNS, SHOWN_NAME = 50, 60  # the columns an error names, and each name's characters


def columns_said(names: list[str]) -> str:
    """A file's columns as an error names them: the first SHOWN_COLUMNS, each cut to
    SHOWN_NAME characters (300 names of 5,000 characters each made a 1.5 MB message for the
    page: helper 96).

    >>> said = columns_said(["crime_ref", "x" * 100, *map(str, range(60))])
    >>> said[:14], len(said.split(", ")[1]), said[-30:]
    ('crime_ref, xxx', 60, '46, 47 ... and 12 more columns')
    """
    shown = ", ".join(shortened(name, SHOWN_NAME) for name in names[:SHOWN_COLUMNS])
    more = len(names) - SHOWN_COLUMNS
    return shown + (f" ... and {more:,} more columns" if more > 0 else "")


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def _parse_date(column: str, extra_formats: tuple[str, ...]) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    # a four-digit-year form reads "04/11/23" as the year 23: it is tried only on four digits
    four_digits = text.str.contains(r"\d{4}")
    # digits alone are a date of eight ("2021031" read as 1 March 2021, "2021123" as 3 December)
    eight_digits = text.str.contains(r"^\d{8}$")
    attempts = [
        pl.when(eight_digits if fmt == "%Y%m%d" else four_digits).then(
            text.str.to_date(fmt, strict=False)
        )
        if "%Y" in fmt
        else text.str.to_date(fmt, strict=False)
        for fmt in (*extra_formats, *DATE_FORMATS)
        if "%H" not in fmt
    ]
    attempts += [
        text.str.to_datetime(fmt, strict=False).dt.date()
        for fmt in (*extra_formats, *DATETIME_FORMATS)
        if "%H" in fmt
    ]
    return pl.coalesce(attempts)


def _parse_boolean(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.is_in(TRUE_WORDS))
        .then(True)
        .when(text.is_in(FALSE_WORDS))
        .then(False)
        .otherwise(None)
    )


# a whole number as a spreadsheet writes one: digits, commas only between thousands, and a
# ".0" a float column adds; at most nine digits (the store's whole numbers are 32-bit). "NaN",
# "inf" and "99999999999999999999" stopped an import with Polars' error; "3,1" read as 31.
WHOLE_NUMBER = r"^[+-]?(?:[0-9]{1,9}|[0-9]{1,3}(?:,[0-9]{3}){1,2})(?:\.0*)?$"


def _parse_integer(column: str) -> pl.Expr:
    """A whole number (WHOLE_NUMBER), or null.

    >>> text = pl.DataFrame({"n": ["27", "1,024", "12.0", "3,1", "NaN", "inf", "1" * 20]})
    >>> text.select(_parse_integer("n"))["n"].to_list()
    [27, 1024, 12, None, None, None, None]
    """
    text = pl.col(column).str.strip_chars()
    digits = text.str.replace_all(",", "", literal=True).str.replace(r"\.0*$", "")
    return pl.when(text.str.contains(WHOLE_NUMBER)).then(digits.cast(pl.Int64, strict=False))


def _outcome_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for row in contract.outcome_type_rows():
        key, code, label = str(row["outcome_key"]), str(row["outcome_code"]), str(row["label"])
        for text in (key, f"{code}: {label}", f"{code} {label}", f"{code} - {label}"):
            lookup.setdefault(text.lower(), key)
        if key == code:  # "Outcome 15", "OC15": the forms extracts and spreadsheets write
            for prefix in OUTCOME_PREFIXES:
                lookup.setdefault(f"{prefix}{key}".lower(), key)
    for row in contract.outcome_type_rows():  # a bare label only where it is unambiguous
        label = str(row["label"]).lower()
        if (
            label not in lookup
            and sum(str(r["label"]).lower() == label for r in contract.outcome_type_rows()) == 1
        ):
            lookup[label] = str(row["outcome_key"])
    return lookup


def _parse_code(column: contract.Column) -> pl.Expr:
    text = pl.col(column.name).str.strip_chars()
    if column.name in ("victim_sex", "suspect_sex"):
        return text.str.to_lowercase().replace_strict(SEX_WORDS, default=None)
    if column.name == "sex":  # population: female or male only
        sex = text.str.to_lowercase().replace_strict(SEX_WORDS, default=None)
        return pl.when(sex.is_in(contract.POPULATION_SEXES)).then(sex)
    if column.name == "age_band":  # "25 to 34", "25–34", "65 and over" are the same bands
        band = (
            text.str.to_lowercase()
            .str.replace_all(r"\s*(to|–|—)\s*", "-")
            .str.replace(r"\s*(and over|plus)$", "+")
            .str.replace_all(r"\s+", "")
        )
        return pl.when(band.is_in(contract.AGE_BANDS)).then(band)
    if column.name in ("victim_ethnicity", "suspect_ethnicity"):
        return text.replace_strict(
            {g.lower(): g for g in contract.ETHNIC_GROUPS}, default=None, return_dtype=pl.String
        ).fill_null(
            text.str.to_lowercase().replace_strict(
                {g.lower(): g for g in contract.ETHNIC_GROUPS}, default=None
            )
        )
    if column.name == "order_type":
        return text.str.to_lowercase().replace_strict(ORDER_TYPE_WORDS, default=None)
    if column.name == "ho_offence_code":
        return text.str.to_uppercase().replace_strict(
            {c: c for c in contract.HO_OFFENCE_CODES}, default=None
        )
    return text.str.to_lowercase().replace_strict(
        {a.lower(): a for a in (column.allowed or ())}, default=None
    )


def _parsed(
    frame: pl.DataFrame, table: contract.Table, date_formats: tuple[str, ...]
) -> tuple[pl.DataFrame, list[tuple[str, pl.Expr, str | pl.Expr]]]:
    """Typed columns (suffix _parsed) and, per column that can fail to parse, its name, the
    expression that flags an unparseable value and the reason."""
    expressions: list[pl.Expr] = []
    problems: list[tuple[str, pl.Expr, str | pl.Expr]] = []
    extra = (
        {"outcome_key": "VARCHAR_OUTCOME", "outcome_date": "DATE"}
        if table is contract.OFFENCE
        else {}
    )
    columns = [(c.name, c.dtype, c) for c in table.columns] + [
        (name, dtype, None) for name, dtype in extra.items()
    ]
    for name, dtype, column in columns:
        if name not in frame.columns:
            continue
        reason: str | pl.Expr | None
        if name == "outcome_key" or dtype == "VARCHAR_OUTCOME":
            parsed = (
                pl.col(name)
                .str.strip_chars()
                .str.to_lowercase()
                .str.replace(r"^(\d+)\.0+$", "${1}")  # 16.0: a spreadsheet's number as written
                .replace_strict(_outcome_lookup(), default=None)
            )
            reason = "unknown outcome type (use a Home Office outcome 1-22, e.g. 16 or '16: VICTIM DECLINES...')"
        elif dtype == "DATE":
            parsed = _parse_date(name, date_formats)
            reason = _not_a_date(name)
        elif dtype == "BOOLEAN":
            parsed = _parse_boolean(name)
            reason = "not yes/no (expected Y/N, Yes/No, True/False or 1/0)"
        elif dtype == "INTEGER":
            parsed = _parse_integer(name)
            # a number of too many digits, or a sign, is a whole number out of range, not "not
            # a whole number" (-2147483649 and 99999999999999999999 read so)
            reason = (
                pl.when(
                    pl.col(name)
                    .str.strip_chars()
                    .str.contains(r"^[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)$")
                )
                .then(pl.lit("a whole number out of range (0 to 999,999,999)"))
                .otherwise(pl.lit("not a whole number (up to 999,999,999)"))
            )
        elif column is not None and column.allowed:
            parsed = _parse_code(column)
            reason = f"unknown code (allowed: {', '.join(column.allowed)})"
        elif name in REFERENCE_COLUMNS:  # a key: the same key however it was typed
            parsed = as_key(name)
            reason = None
        else:
            parsed = pl.col(name).str.strip_chars()
            reason = None  # free text: anything but control characters
        expressions.append(
            pl.when(_blank(name)).then(None).otherwise(parsed).alias(f"{name}__parsed")
        )
        if reason is not None:
            # an Excel error written as text is said to be one: "#N/A" in an age had read "not
            # a whole number (up to 999,999,999)" (helper 93)
            said = pl.when(_is_excel_error(pl.col(name))).then(_excel_error_said(pl.col(name)))
            reason = said.otherwise(reason if isinstance(reason, pl.Expr) else pl.lit(reason))
            problems.append((name, pl.col(f"{name}__parsed").is_null() & ~_blank(name), reason))
        else:
            problems.append(
                (name, pl.col(name).str.contains(CONTROL).fill_null(False), CONTROL_REASON)
            )
    return frame.with_columns(expressions), problems


# Control characters no record holds (tab, line feed and carriage return are text): a NUL
# byte past the first 64 KB was stored inside a crime reference, a second offence beside the
# first; an escape code in a force name stopped a pack's charts; a right-to-left override
# (U+202E) shows a district's name reversed on every page and export, a name spoofed.
# (the characters themselves, so Python's re and Polars read the one pattern alike)
CONTROL = f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{contract.DIRECTION_CONTROLS}]"
CONTROL_REASON = (
    "holds a control character (such as a NUL byte, an escape code or a text-direction "
    "override), which no record holds: check the file's encoding, or the cell in the records "
    "system"
)
INVISIBLE = r"[\u200B-\u200F\u2060\uFEFF]"  # zero-width spaces, joiners and marks


def as_key(name: str) -> pl.Expr:
    """A reference as the same key however it was typed: Unicode compatibility forms read as
    their plain letters (full-width "ＥＸ" as "EX") and invisible characters dropped (a
    leading zero-width space made a second offence of EX-BD-2101-00002).

    >>> keys = pl.DataFrame({"k": ["\u200bEX-1", "ＥＸ-1", " EX-1 "]})
    >>> keys.select(as_key("k"))["k"].to_list()
    ['EX-1', 'EX-1', 'EX-1']
    """
    return pl.col(name).str.normalize("NFKC").str.replace_all(INVISIBLE, "").str.strip_chars()


NOT_A_DATE = "not a date (expected e.g. 31/01/2022 or 2022-01-31)"


def _not_a_date(name: str) -> pl.Expr:
    """Why a value is not a date; for a number such as 44473, that it is how Excel stores
    a date in a cell formatted as a number (it was "'44473': not a date", unexplained)."""
    serial = pl.col(name).str.strip_chars().str.contains(r"^[1-9][0-9]{4}(?:\.0*)?$")
    return (
        pl.when(serial)
        .then(
            pl.lit(
                NOT_A_DATE + ": a number like this is Excel's count of days for a date; format "
                "the column as dates in the workbook and save it again"
            )
        )
        .otherwise(pl.lit(NOT_A_DATE))
    )


def _rejects(frame: pl.DataFrame, column: str, bad: pl.Expr, reason: str | pl.Expr) -> pl.DataFrame:
    value = (
        pl.col(column).cast(pl.String) if column in frame.columns else pl.lit(None, dtype=pl.String)
    )
    return frame.filter(bad.fill_null(False)).select(
        pl.col(ROW_NUMBER).alias("row_number"),
        pl.lit(column).alias("column_name"),
        value.alias("value"),
        (reason if isinstance(reason, pl.Expr) else pl.lit(reason)).alias("reason"),
    )


def validate(
    frame: pl.DataFrame,
    kind: str,
    reference: Reference,
    date_formats: tuple[str, ...] = (),
    kept: tuple[str, ...] = (),
) -> Validated:
    """Check a mapped frame (text columns, contract names, __row_number) against the contract;
    `kept` names the columns the file has not got that hold stored values
    (load.with_stored_columns)."""
    table = KIND_TABLES[kind]
    if kind in ("offences", "wards", "orders", "population") and not reference.districts:
        raise ValueError(
            "no districts are loaded yet, so district codes cannot be checked: import the "
            "force's districts first (the districts.csv template)"
        )
    if (
        kind == "offences"
        and "offence_type" not in frame.columns
        and "ho_offence_code" in frame.columns
    ):
        frame = frame.with_columns(
            pl.col("ho_offence_code")
            .str.strip_chars()
            .str.to_uppercase()
            .replace_strict(contract.OFFENCE_TYPE_OF_CODE, default=None)
            .alias("offence_type")
        )
    if kind in ("orders", "breaches", "contacts", "population"):  # rules see every column
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias(c.name)
            for c in table.columns
            if c.nullable and c.name not in frame.columns
        )
    wanted = [c.name for c in table.columns if not c.nullable and c.name not in ("geometry",)]
    if kind == "wards":
        wanted = ["ward_code", "ward_name", "district_code"]
    outcome = [name for name in ("outcome_key", "outcome_date") if name in frame.columns]
    if kind == "offences" and len(outcome) == 1:  # every outcome was dropped, unsaid
        (other,) = {"outcome_key", "outcome_date"} - set(outcome)
        raise ValueError(
            f"the file has {outcome[0]} but no {other} column: an outcome is its type and its "
            f"date. Name the file's column for {other} in a mapping file, or leave "
            f"{outcome[0]} out"
        )
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        raise ValueError(
            f"required columns missing for {kind}: {', '.join(missing)} (map them in a mapping file)"
        )
    typed, problems = _parsed(frame, table, date_formats)
    parts: list[pl.DataFrame] = [
        _rejects(typed, name, bad, reason) for name, bad, reason in problems
    ]
    for name in wanted:
        parts.append(_rejects(typed, name, _blank(name), "required value missing"))
    parts.extend(_rule_checks(typed, kind, reference, kept))
    rejects = (
        pl.concat(parts, how="vertical_relaxed").unique(maintain_order=True)
        if parts
        else pl.DataFrame(schema=REJECT_SCHEMA)
    )
    refused = rejects["row_number"].unique()
    accepted_rows = typed.filter(~pl.col(ROW_NUMBER).is_in(refused.implode()))
    columns = [c for c in table.columns if f"{c.name}__parsed" in accepted_rows.columns]
    accepted = accepted_rows.select(
        *[pl.col(f"{c.name}__parsed").cast(polars_type(c.dtype)).alias(c.name) for c in columns],
        pl.col(ROW_NUMBER),
    )
    outcomes, stated = _stated_outcomes(accepted_rows) if kind == "offences" else (None, None)
    warnings = warnings_for(accepted, kind, reference)
    absent = (
        reference.offence_recorded.filter(
            ~pl.col("crime_ref").is_in(typed["crime_ref__parsed"].drop_nulls().implode())
        )
        if kind == "offences"
        else None
    )
    return Validated(
        kind,
        accepted,
        outcomes,
        rejects.cast(REJECT_SCHEMA).sort("row_number"),
        warnings,
        frame.height,
        stated,
        absent,
        typed["crime_ref__parsed"].null_count() if kind == "offences" else 0,
    )


def _stated_outcomes(
    accepted_rows: pl.DataFrame,
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """An offence file's outcome rows, and the offences whose outcome it states. A file whose
    outcome columns are blank in every row states none (its outcomes come in another file);
    otherwise a blank outcome says the offence is open as at the extract."""
    if not {"outcome_key__parsed", "outcome_date__parsed"} <= set(accepted_rows.columns):
        return None, None
    rows = accepted_rows.select(
        pl.col("crime_ref__parsed").alias("crime_ref"),
        pl.col("outcome_key__parsed").alias("outcome_key"),
        pl.col("outcome_date__parsed").alias("outcome_date"),
    )
    outcomes = rows.filter(pl.col("outcome_key").is_not_null())
    if outcomes.is_empty():
        return outcomes, None
    return outcomes, rows.select("crime_ref", pl.col("outcome_date").alias("first_date"))


def polars_type(dtype: str) -> pl.DataType:
    """The Polars type of a contract column type (BOOLEAN, DATE, INTEGER, VARCHAR ...)."""
    return {
        "DATE": pl.Date(),
        "BOOLEAN": pl.Boolean(),
        "INTEGER": pl.Int32(),
        "TIMESTAMP": pl.Datetime("us"),
    }.get(dtype, pl.String())


def _p(name: str) -> pl.Expr:
    """A column's parsed value."""
    return pl.col(f"{name}__parsed")


Reason = str | Callable[[Reference], "str | pl.Expr"]


@dataclass(frozen=True)
class Rule:
    """A check across values: rows where `bad` holds are refused, reported against `column`
    with `reason`. It applies when every column in `needs` (default: `column`) was parsed,
    the file is one of `kinds` (default: any) and `when` holds for the reference data."""

    column: str
    reason: Reason
    bad: Callable[[Reference], pl.Expr]
    needs: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    when: Callable[[Reference], bool] = lambda reference: True

    def applies(self, frame: pl.DataFrame, kind: str, reference: Reference) -> bool:
        needed = self.needs or (self.column,)
        return (
            all(f"{name}__parsed" in frame.columns for name in needed)
            and (not self.kinds or kind in self.kinds)
            and self.when(reference)
        )

    def reason_for(self, reference: Reference) -> str | pl.Expr:
        return self.reason if isinstance(self.reason, str) else self.reason(reference)


DATE_COLUMNS = (
    "recorded_date",
    "committed_date",
    "outcome_date",
    "period_start",
    "period_end",
    "applied_date",
    "interim_date",
    "granted_date",
    "refused_date",
    "discharged_date",
    "breach_date",
    "contact_date",
)  # not expiry_date: an order in force expires in the future
LOW_AGE, HIGH_AGE = contract.AGE_RANGE
KEYS: dict[str, tuple[str, ...]] = {
    "offences": ("crime_ref",),
    "districts": ("district_code",),
    "wards": ("ward_code",),
    "orders": ("order_id",),
    "breaches": ("breach_id",),
    "contacts": ("crime_ref", "contact_date"),
    "population": ("district_code", "sex", "age_band"),
}


def _check(build: Callable[[str], pl.Expr]) -> Callable[[str], Callable[[Reference], pl.Expr]]:
    """A rule's test for one column from a test that needs only the column's name."""
    return lambda name: lambda reference: build(name)


def _in_future(name: str) -> Callable[[Reference], pl.Expr]:
    return lambda reference: _p(name) > reference.today


_too_early = _check(lambda name: _p(name) < EARLIEST)
_impossible_age = _check(lambda name: (_p(name) < LOW_AGE) | (_p(name) > HIGH_AGE))
# references and keys: a 5 MB "suspect_id" was stored, and ranked first for prioritisation
REFERENCE_COLUMNS = (
    "crime_ref",
    "victim_id",
    "suspect_id",
    "order_id",
    "breach_id",
    "subject_id",
    "protected_id",
    "district_code",
    "ward_code",
)
LONGEST_REFERENCE = 100
_too_long = _check(lambda name: _p(name).str.len_chars() > LONGEST_REFERENCE)


# an Excel error value kept as text by a CSV saved from a sheet: three offences with suspect
# "#N/A" were one suspect with three victims (helper 93)
def _is_excel_error(value: pl.Expr) -> pl.Expr:
    return value.str.strip_chars().str.to_uppercase().is_in(EXCEL_ERROR_TEXTS)


def _excel_error_said(value: pl.Expr) -> pl.Expr:
    """Why a value that is an Excel error is refused, naming the error."""
    return pl.format(
        "holds {}, an Excel error, not a value: correct the cell in the source (or clear it if "
        "the value is unknown)",
        value.str.strip_chars(),
    )


_excel_error = _check(lambda name: _is_excel_error(_p(name)))


def _excel_error_reason(name: str) -> Callable[[Reference], pl.Expr]:
    """Why a reference holding an Excel error is refused."""
    return lambda reference: _excel_error_said(_p(name))


_negative = _check(lambda name: _p(name) < 0)
_repeated = _check(
    lambda name: (pl.col(ROW_NUMBER) != pl.col("__first_row")) & _p(name).is_not_null()
)


def _before(later: str, earlier: str) -> Callable[[Reference], pl.Expr]:
    return lambda reference: _p(later) < _p(earlier)


def _status_needs(status: tuple[str, ...], date_column: str) -> Rule:
    return Rule(
        "status",
        f"status {' or '.join(status)} needs {date_column}",
        lambda r: _p("status").is_in(status) & _p(date_column).is_null(),
        needs=("status",),
        kinds=("orders",),
    )


def _known_districts(reference: Reference) -> str:
    known = ", ".join(sorted(reference.districts))
    return f"unknown district (known: {known}; import districts first)"


def _made() -> pl.Expr:
    """The date an order was first made: its interim order, else its full order."""
    return pl.min_horizontal(_p("interim_date"), _p("granted_date"))


ORDER_RULES: tuple[Rule, ...] = (
    *(
        Rule(
            later,
            f"{what} dated before the application",
            _before(later, "applied_date"),
            needs=(later, "applied_date"),
            kinds=("orders",),
        )
        for later, what in (
            ("interim_date", "interim order"),
            ("granted_date", "full order"),
            ("refused_date", "refusal"),
        )
    ),
    Rule(
        "refused_date",
        "both granted and refused: give one",
        lambda r: _p("refused_date").is_not_null() & _p("granted_date").is_not_null(),
        needs=("refused_date", "granted_date"),
        kinds=("orders",),
    ),
    Rule(
        "expiry_date",
        "expires on or before the day it was granted",
        lambda r: _p("expiry_date") <= _p("granted_date"),
        needs=("expiry_date", "granted_date"),
        kinds=("orders",),
    ),
    Rule(
        "discharged_date",
        "discharged before the order was made",
        lambda r: _p("discharged_date") < _made(),
        needs=("discharged_date", "interim_date", "granted_date"),
        kinds=("orders",),
    ),
    Rule(
        "discharged_date",
        "discharged, but no interim or full order was made",
        lambda r: (
            _p("discharged_date").is_not_null()
            & _p("interim_date").is_null()
            & _p("granted_date").is_null()
        ),
        needs=("discharged_date", "interim_date", "granted_date"),
        kinds=("orders",),
    ),
    _status_needs(("granted", "expired"), "granted_date"),
    _status_needs(("refused",), "refused_date"),
    _status_needs(("interim",), "interim_date"),
    _status_needs(("discharged",), "discharged_date"),
    # an ended order whose dates do not end it was counted in force for ever (helper 79)
    _status_needs(("expired",), "expiry_date"),
    Rule(
        "status",
        "withdrawn, but a full order was made (granted_date): give the order's status now "
        "(granted, expired or discharged)",
        lambda r: (_p("status") == "withdrawn") & _p("granted_date").is_not_null(),
        needs=("status", "granted_date"),
        kinds=("orders",),
    ),
    Rule(
        "status",
        "withdrawn after an interim order: give discharged_date, the day the interim order ended",
        lambda r: (
            (_p("status") == "withdrawn")
            & _p("interim_date").is_not_null()
            & _p("discharged_date").is_null()
        ),
        needs=("status", "interim_date", "discharged_date"),
        kinds=("orders",),
    ),
    # breaches: checked against the orders already stored (joined as made_date)
    Rule(
        "order_id",
        "no order with this order_id (import the orders first)",
        lambda r: ~pl.col("__order_known") & _p("order_id").is_not_null(),
        kinds=("breaches",),
    ),
    Rule(
        "order_id",
        "the order was never made (no interim or full order), so it cannot be breached",
        lambda r: pl.col("__order_known") & pl.col("made_date").is_null(),
        kinds=("breaches",),
    ),
    Rule(
        "breach_date",
        "breach dated before the order was made",
        lambda r: _p("breach_date") < pl.col("made_date"),
        kinds=("breaches",),
    ),
    # victim contact: checked against the offences already stored (joined as STORED_RECORDED)
    Rule(
        "crime_ref",
        "no offence with this crime reference",
        lambda r: pl.col(STORED_RECORDED).is_null() & _p("crime_ref").is_not_null(),
        kinds=("contacts",),
    ),
    Rule(
        "contact_date",
        "contact dated before the offence was recorded",
        lambda r: _p("contact_date") < pl.col(STORED_RECORDED),
        kinds=("contacts",),
    ),
    Rule(
        "agreed_interval_days",
        "the agreed interval must be at least 1 day",
        lambda r: _p("agreed_interval_days") < 1,
        kinds=("contacts",),
    ),
    Rule(
        "agreed_interval_days",
        lambda r: pl.format(
            "differs from the interval agreed for this offence at row {}", pl.col("__agreed_row")
        ),
        lambda r: _p("agreed_interval_days") != pl.col("__agreed"),
        needs=("agreed_interval_days", "crime_ref"),
        kinds=("contacts",),
    ),
)


RULES: tuple[Rule, ...] = (
    *(Rule(name, _excel_error_reason(name), _excel_error(name)) for name in REFERENCE_COLUMNS),
    *(
        Rule(name, f"longer than {LONGEST_REFERENCE} characters: not a reference", _too_long(name))
        for name in REFERENCE_COLUMNS
    ),
    *(Rule(name, "date in the future", _in_future(name)) for name in DATE_COLUMNS),
    *(Rule(name, "date before 1990: probably mistyped", _too_early(name)) for name in DATE_COLUMNS),
    Rule(
        "committed_date",
        "committed after it was recorded",
        lambda r: _p("committed_date") > _p("recorded_date"),
        needs=("committed_date", "recorded_date"),
    ),
    Rule(
        "outcome_date",
        "outcome dated before the offence was recorded",
        lambda r: _p("outcome_date") < _p("recorded_date"),
        needs=("outcome_date", "recorded_date"),
        kinds=("offences",),
    ),
    # an outcome is a type and its date: half of one is refused, not stored as open or dropped
    Rule(
        "outcome_date",
        "outcome type given with no outcome date",
        lambda r: _p("outcome_key").is_not_null() & _blank("outcome_date"),
        needs=("outcome_key", "outcome_date"),
        kinds=("offences",),
    ),
    Rule(
        "outcome_key",
        "outcome date given with no outcome type",
        lambda r: _p("outcome_date").is_not_null() & _blank("outcome_key"),
        needs=("outcome_key", "outcome_date"),
        kinds=("offences",),
    ),
    # outcome histories: checked against the offences already stored (joined as STORED_RECORDED)
    Rule(
        "crime_ref",
        "no offence with this crime reference",
        lambda r: pl.col(STORED_RECORDED).is_null() & _p("crime_ref").is_not_null(),
        kinds=("outcomes",),
    ),
    Rule(
        "outcome_date",
        "outcome dated before the offence was recorded",
        lambda r: _p("outcome_date") < pl.col(STORED_RECORDED),
        kinds=("outcomes",),
    ),
    *(
        Rule(
            name,
            f"impossible age (outside {LOW_AGE}-{HIGH_AGE})",
            _impossible_age(name),
        )
        for name in ("victim_age", "suspect_age")
    ),
    *(Rule(name, "negative count", _negative(name)) for name in ("population", "offences")),
    Rule(
        "period_end",
        "period ends before it starts",
        lambda r: _p("period_end") < _p("period_start"),
        needs=("period_end", "period_start"),
    ),
    Rule(
        "district_code",
        _known_districts,
        lambda r: (
            ~_p("district_code").is_in(sorted(r.districts)) & _p("district_code").is_not_null()
        ),
        kinds=("offences", "wards", "orders", "population"),
        when=lambda r: bool(r.districts),
    ),
    Rule(
        "ho_offence_code",
        "offence code does not match the offence type (8Q is stalking)",
        lambda r: (
            _p("ho_offence_code").replace_strict(contract.OFFENCE_TYPE_OF_CODE, default=None)
            != _p("offence_type")
        ),
        needs=("ho_offence_code", "offence_type"),
        kinds=("offences",),
    ),
    *(
        Rule(
            key[-1],
            lambda r: pl.format(
                "duplicate within the file (first at row {})", pl.col("__first_row")
            ),
            _repeated(key[-1]),
            needs=key,
            kinds=(kind,),
        )
        for kind, key in KEYS.items()
    ),
    *ORDER_RULES,
)


def _with_context(typed: pl.DataFrame, kind: str, reference: Reference) -> pl.DataFrame:
    """The rows with what the rules compare them to: the stored offence's recorded date (for
    outcome histories) and the first row of each key (for duplicates)."""
    frame = typed
    if kind in ("outcomes", "contacts") and "crime_ref__parsed" in frame.columns:
        frame = frame.join(
            # under its own name: a file of outcomes may have a recorded_date column of its own
            # (text, and not used), which the rules compared with dates and stopped the import
            reference.offence_recorded.rename({"recorded_date": STORED_RECORDED}),
            left_on="crime_ref__parsed",
            right_on="crime_ref",
            how="left",
            maintain_order="left",
        )
    if kind == "breaches" and "order_id__parsed" in frame.columns:
        frame = frame.join(
            reference.orders.with_columns(pl.lit(True).alias("__order_known")),
            left_on="order_id__parsed",
            right_on="order_id",
            how="left",
            maintain_order="left",
        ).with_columns(pl.col("__order_known").fill_null(False))
    if kind == "contacts" and {"crime_ref__parsed", "agreed_interval_days__parsed"} <= set(
        frame.columns
    ):
        first = pl.col(ROW_NUMBER).min().over(_p("crime_ref"))
        frame = frame.with_columns(
            first.alias("__agreed_row"),
            _p("agreed_interval_days")
            .sort_by(ROW_NUMBER)
            .first()
            .over(_p("crime_ref"))
            .alias("__agreed"),
        )
    key = KEYS.get(kind, ())
    if key and all(f"{name}__parsed" in frame.columns for name in key):
        # a reference in another case is the same record (NS/26/1 and ns/26/1)
        same = [
            _p(name).str.to_uppercase()
            if frame.schema[f"{name}__parsed"] == pl.String
            else _p(name)
            for name in key
        ]
        frame = frame.with_columns(pl.col(ROW_NUMBER).min().over(same).alias("__first_row"))
    return frame


def _rule_checks(
    typed: pl.DataFrame, kind: str, reference: Reference, kept: tuple[str, ...] = ()
) -> list[pl.DataFrame]:
    """Every rule of RULES that applies to this file, as refused rows with reasons."""
    frame = _with_context(typed, kind, reference)
    return [
        _rejects(frame, rule.column, rule.bad(reference), _with_stored(rule, reference, kept))
        for rule in RULES
        if rule.applies(frame, kind, reference)
    ]


def _with_stored(rule: Rule, reference: Reference, kept: tuple[str, ...]) -> str | pl.Expr:
    """A rule's reason, naming the stored value it was checked beside where a column it reads
    is one the file has not got (`kept`: an order stored as granted, imported again as refused
    without its granted date, was refused "both granted and refused" with no word of the
    stored grant). The column it reports against says so itself (load._stored_said)."""
    stored = [name for name in rule.needs if name in kept and name != rule.column]
    reason = rule.reason_for(reference)
    if not stored:
        return reason
    notes = [
        pl.when(_p(name).is_not_null())
        .then(pl.lit(f" (beside the stored {name}: this file has no {name} column)"))
        .otherwise(pl.lit(""))
        for name in stored
    ]
    return pl.concat_str([reason if isinstance(reason, pl.Expr) else pl.lit(reason), *notes])


def _ward_warnings(accepted: pl.DataFrame, reference: Reference) -> list[str]:
    """The offences whose ward their district's map cannot place: a ward with no boundary
    loaded (not stored, or stored without it: a force that imported its wards' names and
    populations first was told only of codes not stored, 38 where 1,330 had no boundary:
    helper 93), and a ward of another district (accepted without a word)."""
    named = accepted.filter(pl.col("ward_code").is_not_null()).join(
        reference.ward_districts, on="ward_code", how="left"
    )
    notes = []
    unbounded = named.filter(~pl.col("has_boundary").fill_null(False))
    if unbounded.height:
        examples = ", ".join(unbounded["ward_code"].unique(maintain_order=True).head(5).to_list())
        notes.append(
            f"{plural(unbounded.height, 'accepted offence names a ward', 'accepted offences name wards')} with no boundary loaded (e.g. "
            f"{examples}); they are kept but not mapped"
        )
    elsewhere = named.filter(
        pl.col("has_boundary").fill_null(False)
        & (pl.col("ward_district") != pl.col("district_code"))
    )
    if elsewhere.height:
        first = elsewhere.row(0, named=True)
        notes.append(
            f"{plural(elsewhere.height, 'accepted offence names', 'accepted offences name')} a ward of another district (e.g. "
            f"{first['ward_code']}, a ward of {first['ward_district']}, given for "
            f"{first['district_code']}); they are kept, but their district's map cannot place "
            "them: check the district or the ward"
        )
    return notes


def warnings_for(accepted: pl.DataFrame, kind: str, reference: Reference) -> tuple[str, ...]:
    """What the report notes about the rows accepted (kept, but worth a look): wards a map
    cannot place, offences with no ward, outcomes on one date."""
    notes: list[str] = []
    if kind == "offences" and "ward_code" in accepted.columns and reference.wards:
        notes += _ward_warnings(accepted, reference)
        missing = accepted.filter(pl.col("ward_code").is_null()).height
        if missing:
            notes.append(f"{missing:,} accepted offences have no ward")
    if kind == "outcomes" and accepted.height:
        tied = accepted.filter(pl.len().over("crime_ref", "outcome_date") > 1)
        if tied.height:
            offences = tied["crime_ref"].n_unique()
            notes.append(
                f"{offences:,} offence{'s have' if offences != 1 else ' has'} two or more "
                f"outcomes on one date (e.g. {tied['crime_ref'][0]}): the file cannot say which "
                "came last, so the outcome type latest in the Home Office list is taken as the "
                "latest (16 over 8 or 1-charged); check them in the records system"
            )
    if kind == "breaches" and accepted.height:
        ended = accepted.join(reference.orders, on="order_id").filter(
            pl.col("breach_date") >= pl.col("ended_date")
        )
        if ended.height:
            first = ended.row(0, named=True)
            notes.append(
                f"{plural(ended.height, 'breach is', 'breaches are')} dated on or after the day "
                "their order ended (expired, discharged, or refused after an interim order), so "
                "no table counts them as breaches of an order in force: check the dates, or "
                f"import the order as it now stands if it was renewed (e.g. breach "
                f"{first['breach_id']} of order {first['order_id']}, which ended on "
                f"{first['ended_date']:%d %B %Y})"
            )
    if kind == "orders" and {"order_type", "granted_date", "expiry_date"} <= set(accepted.columns):
        short = accepted.filter(
            (pl.col("order_type") == "SPO")
            & (pl.col("expiry_date") < pl.col("granted_date").dt.offset_by("2y"))
        )
        if short.height:
            notes.append(
                f"{short.height:,} full SPOs expire less than 2 years after they were made (the "
                "Stalking Protection Act 2019 sets at least 2 years unless varied): check the "
                "dates (e.g. order " + str(short["order_id"][0]) + ")"
            )
        made = pl.col("granted_date").is_not_null()
        if "interim_date" in accepted.columns:
            made = made | pl.col("interim_date").is_not_null()
        endless = accepted.filter(
            (pl.col("order_type") == "DVPO")
            & made
            & pl.col("expiry_date").is_null()
            & (
                pl.col("discharged_date").is_null()
                if "discharged_date" in accepted.columns
                else True
            )
        )
        if endless.height:
            notes.append(
                f"{endless.height:,} DVPO{'s were' if endless.height != 1 else ' was'} made with "
                "no expiry or discharge date, so counted as in force to the extract date (a "
                "DVPO lasts 14 to 28 days): add the expiry dates (e.g. order "
                + str(endless["order_id"][0])
                + ")"
            )
    return tuple(notes)
