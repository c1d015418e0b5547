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
from stalking_profile.importing.extracts import absent_summary, outcomes_superseded
from stalking_profile.importing.load import read_and_validate, refused_rows
from stalking_profile.importing.mapping import ColumnMapping
from stalking_profile.importing.validate import Validated


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
    refused = refused_rows(raw, validated)
    absent = validated.absent if validated.absent is not None else pl.DataFrame()
    left_out = (
        (
            f"{absent_summary(absent)} are not in this file: imported as it is, they stay "
            "counted; imported as the force's whole extract, they are removed with their "
            "outcome histories and victim-contact logs.",
        )
        if absent.height
        else ()
    )
    report = CheckReport(
        file_name=path.name,
        kind=validated.kind,
        rows_read=raw.rows_read,
        accepted=validated.accepted.height,
        refused=validated.rows_rejected + raw.ragged.height,
        warnings=(*validated.warnings, *left_out, *_superseded_note(gateway, validated)),
        unused_columns=tuple(unused),
        absent=absent.height,
    )
    return report, refused


def _superseded_note(gateway: Gateway, validated: Validated) -> tuple[str, ...]:
    """What importing the file would do to stored outcomes: how many rows its own supersede,
    and how many offences with a stored outcome it states open (reopened); nothing for none."""
    superseded = outcomes_superseded(gateway, validated)
    if superseded.is_empty():
        return ()
    reopened = superseded.filter("reopened")["crime_ref"].n_unique()
    return (
        f"Importing it would supersede {superseded.height:,} stored outcome "
        f"row{'s' * (superseded.height != 1)} (corrected in this file"
        + (
            f"; {reopened:,} offence{'s' * (reopened != 1)} with a stored outcome and none "
            "here would be open again"
            if reopened
            else ""
        )
        + ").",
    )
