"""Column mapping: how a records system's headers and code values map onto the data contract.

A small TOML file (see data/templates/mapping_example.toml):

    [source]
    name = "Niche extract"          # for the import log
    date_formats = ["%d/%m/%Y"]     # tried before the built-in formats
    encoding = "cp1252"             # optional: otherwise detected
    delimiter = ";"                 # optional: otherwise detected

    [columns]                       # contract column = "header in the file"
    crime_ref = "Crime Number"

    [values.is_domestic]            # "value in the file" = contract value
    "DA" = true
    "Non-DA" = false

    [defaults]                      # a constant for a column the file lacks
    offence_type = "stalking"

Without a mapping, headers match contract columns by name (case, spaces and hyphens ignored).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from stalking_profile import contract
from stalking_profile.importing.readers import ROW_NUMBER, ReadError


@dataclass(frozen=True)
class ColumnMapping:
    """A parsed mapping file (or the identity mapping)."""

    name: str = "no mapping (headers match the contract)"
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, object]] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1  # the spreadsheet row holding the headers (a title may sit above)
    blanks: dict[str, object] = field(default_factory=dict)  # what an empty cell means


def _known_columns() -> set[str]:
    names = {column.name for table in contract.TABLES for column in table.columns}
    return names | {"outcome_key", "outcome_date"}


def load_mapping(path: Path | str) -> ColumnMapping:
    """Read and check a TOML mapping file; unknown contract columns are a clear error."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ReadError(f"cannot read the mapping file {path.name}: {error}") from error
    _check_types(data, path.name)
    known = _known_columns()
    for section in ("columns", "values", "defaults", "blanks"):
        unknown = sorted(set(data.get(section, {})) - known)
        if unknown:
            raise ReadError(
                f"mapping {path.name} [{section}] names columns the contract does not have: {unknown}"
            )
    source = data.get("source", {})
    return ColumnMapping(
        name=str(source.get("name", path.name)),
        columns={str(k): str(v) for k, v in data.get("columns", {}).items()},
        values={
            str(k): {str(a): b for a, b in v.items()} for k, v in data.get("values", {}).items()
        },
        defaults=dict(data.get("defaults", {})),
        date_formats=tuple(source.get("date_formats", ())),
        encoding=source.get("encoding"),
        delimiter=source.get("delimiter"),
        sheet=source.get("sheet"),
        header_row=int(source.get("header_row", 1)),
        blanks=dict(data.get("blanks", {})),
    )


# [source] settings and what each must be (a number where text belongs stopped the import
# with a traceback: `encoding = 5`, `sheet = 3`, `source = 3`)
SOURCE_TYPES: dict[str, tuple[type, str]] = {
    "name": (str, "text"),
    "encoding": (str, 'text, such as "cp1252"'),
    "delimiter": (str, 'text, such as ";"'),
    "sheet": (str, 'text: the sheet\'s name, such as "Sheet1"'),
    "header_row": (int, "a whole number from 1 (the spreadsheet row of the headers)"),
    "date_formats": (list, 'a list of formats, such as ["%d.%m.%Y"]'),
}


def _check_types(data: dict, name: str) -> None:
    """Each section a table, each [source] setting of its kind, each [values] column a table
    of file value = contract value: a ReadError saying which, not a traceback."""
    for section in ("source", "columns", "values", "defaults", "blanks"):
        if not isinstance(data.get(section, {}), dict):
            raise ReadError(f"mapping {name}: {section} must be a [{section}] table")
    for key, value in data.get("source", {}).items():
        kind, wanted = SOURCE_TYPES.get(key, (object, ""))
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ReadError(f"mapping {name} [source] {key} = {value!r}: must be {wanted}")
    formats = data.get("source", {}).get("date_formats", [])
    if not all(isinstance(item, str) for item in formats):
        raise ReadError(
            f"mapping {name} [source] date_formats = {formats!r}: must be "
            f"{SOURCE_TYPES['date_formats'][1]}"
        )
    header_row = data.get("source", {}).get("header_row", 1)
    if header_row < 1:
        raise ReadError(f"mapping {name} [source] header_row = {header_row}: must be 1 or more")
    for column, table in data.get("values", {}).items():
        if not isinstance(table, dict):
            raise ReadError(
                f'mapping {name} [values] {column} = {table!r}: must be a table of "value in '
                f'the file" = contract value, under [values.{column}]'
            )


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def apply_mapping(frame: pl.DataFrame, mapping: ColumnMapping) -> tuple[pl.DataFrame, list[str]]:
    """Rename the file's columns to contract names, apply value maps and defaults.

    Returns the frame (text columns plus the row number) and the file's columns that map to
    nothing (reported, not an error).
    """
    headers = [name for name in frame.columns if name != ROW_NUMBER]
    by_normalised = {_normalise(name): name for name in headers}
    known = _known_columns()
    for normalised in sorted(known & by_normalised.keys()):
        # "crime_ref" and "CRIME_REF ": the last one silently won
        alike = [
            h for h in headers if _normalise(h) == normalised and h not in mapping.columns.values()
        ]
        if len(alike) > 1:
            raise ReadError(
                f"the file has {len(alike)} columns that each read as {normalised} "
                f"({', '.join(map(repr, alike))}): keep one, or name the one to use in a "
                "mapping file"
            )
    renames: dict[str, str] = {}
    for target, header in mapping.columns.items():
        if header not in frame.columns:
            raise ReadError(
                f"the mapping expects a column {header!r} for {target}, but the file has: {sorted(by_normalised.values())}"
            )
        renames[header] = target
    for normalised, header in by_normalised.items():
        if header not in renames and normalised in known and normalised not in renames.values():
            renames[header] = normalised
    unused = sorted(
        header or "(a column with no header)" for header in headers if header not in renames
    )
    mapped = frame.select(
        [pl.col(header).alias(target) for header, target in renames.items()] + [pl.col(ROW_NUMBER)]
    )
    for column, constant in mapping.defaults.items():
        if column not in mapped.columns:
            mapped = mapped.with_columns(
                pl.lit(
                    str(constant).lower() if isinstance(constant, bool) else str(constant)
                ).alias(column)
            )
    for column, meaning in mapping.blanks.items():
        if column in mapped.columns:
            text = str(meaning).lower() if isinstance(meaning, bool) else str(meaning)
            blank = pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")
            mapped = mapped.with_columns(
                pl.when(blank).then(pl.lit(text)).otherwise(pl.col(column)).alias(column)
            )
    for column, table in mapping.values.items():
        if column in mapped.columns:
            lookup = {
                key: (str(value).lower() if isinstance(value, bool) else str(value))
                for key, value in table.items()
            }
            mapped = mapped.with_columns(pl.col(column).replace(lookup))
    return mapped, unused
