"""Checking a file without writing anything: what would be accepted and refused, and why.

The Data page runs the check in a child process (`python -m stalking_profile check --json`,
see importing/external.py), so a large upload is parsed outside the dashboard's process and
its memory goes back when the check ends.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from stalking_profile.db import Gateway
from stalking_profile.importing.extracts import (
    ImportRefused,
    absent_to_remove,
    absent_warning,
    older_note,
    outcomes_superseded,
    superseded_summary,
)
from stalking_profile.importing.load import (
    import_key,
    read_and_validate,
    refused_rows,
    rows_refused_before,
)
from stalking_profile.importing.mapping import ColumnMapping
from stalking_profile.importing.validate import Validated

CHECK_FOUND_REFUSALS = 1  # the `check` command's exit status when some rows would be refused


@dataclass(frozen=True)
class CheckReport:
    """The result of checking one file (nothing written)."""

    file_name: str
    kind: str
    rows_read: int
    accepted: int
    refused: int
    warnings: tuple[str, ...]
    unused_columns: tuple[str, ...]
    absent: int = 0  # stored offences an offence file leaves out
    whole_refused: str = ""  # why importing it as the whole extract would be refused ('' if not)

    def text(self) -> str:
        return (
            f"{self.file_name}: {self.kind}; {self.rows_read:,} rows read = {self.accepted:,} "
            f"would be accepted + {self.refused:,} refused."
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CheckReport:
        data = json.loads(text)
        data["warnings"] = tuple(data["warnings"])
        data["unused_columns"] = tuple(data["unused_columns"])
        return cls(**data)


def check_file(
    gateway: Gateway, path: Path, kind: str | None, mapping: ColumnMapping
) -> tuple[CheckReport, pl.DataFrame]:
    """Read, map and validate `path` against the store; the report and every refused row with
    its reasons (row, column, value, reason)."""
    raw, validated, unused = read_and_validate(gateway, path, kind, mapping)
    previous = gateway.query("import_by_hash", file_hash=import_key(path, mapping, kind, None))
    again: tuple[str, ...] = ()
    if previous.height and previous["rows_rejected"][0]:  # as importing it again would read it
        raw, validated, again = rows_refused_before(gateway, previous, raw, validated)
    refused = refused_rows(raw, validated)
    left_out = absent_warning(validated, None)
    report = CheckReport(
        file_name=path.name,
        kind=validated.kind,
        rows_read=raw.rows_read,
        accepted=validated.accepted.height,
        refused=validated.rows_rejected + raw.ragged.height,
        warnings=(
            *again,
            *_imported_before(previous),
            *older_note(validated),
            *validated.warnings,
            *left_out,
            *_superseded_note(gateway, validated),
        ),
        unused_columns=tuple(unused),
        absent=0 if validated.absent is None else validated.absent.height,
        whole_refused=_whole_refused(gateway, validated, raw.ragged.height),
    )
    return report, refused


def _whole_refused(gateway: Gateway, validated: Validated, unreadable: int) -> str:
    """Why importing the file as the whole extract would be refused ('' where it would not, or
    where it leaves no stored offence out): the Data page offered its box for a file the
    import then refused."""
    if not validated.absent_latest:
        return ""
    try:
        absent_to_remove(gateway, validated, unreadable, True)
    except ImportRefused as error:
        return str(error)
    return ""


def _imported_before(previous: pl.DataFrame) -> tuple[str, ...]:
    """Whether this very file (contents, mapping, options; `previous`: its last import) was
    imported with every row accepted: then importing it again changes nothing, whatever the
    rest of the check says (the check had listed what it would supersede, and the import then
    said nothing changed). With rows refused, only those are read again (rows_refused_before)."""
    if previous.is_empty() or previous["rows_rejected"][0]:
        return ()
    return (
        f"This file was imported on {previous['imported_at'][0]:%d %B %Y at %H:%M}, with the "
        "same contents and options: importing it again changes nothing (as the whole extract, "
        "it is a new import).",
    )


def _superseded_note(gateway: Gateway, validated: Validated) -> tuple[str, ...]:
    """What importing the file would do to stored outcomes: how many rows its own supersede,
    and how many offences with a stored outcome it states open (reopened); nothing for none."""
    superseded = outcomes_superseded(gateway, validated)
    if superseded.is_empty():
        return ()
    return (f"Importing it would {superseded_summary(superseded)}.",)
