"""A newer extract against what is stored: the stored outcomes its own supersede, the stored
offences it leaves out (removed only when it is the force's whole extract, and refused as one
where that would remove offences it holds or newer ones), its extract date, and the dataset
row that says what every figure is as at."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import cast

import polars as pl

from stalking_profile.db import Gateway
from stalking_profile.formatting import plural
from stalking_profile.importing.validate import EARLIEST, ROW_NUMBER, Validated


class ImportRefused(ValueError):
    """The whole file was refused; the message says why. The database is unchanged."""


SHOWN_VALUE = 60  # the characters of a refused value a report line quotes


def refusal_line(row: dict) -> str:
    """A refused row as a report line: its row number, column, value (quoted; a long one cut,
    with its length) and reason. A 2-million-character cell was printed whole, and the Data
    page's report of it was never drawn.

    >>> refusal_line({"row_number": 7, "column_name": "victim_age", "value": "250",
    ...               "reason": "impossible age (outside 0-110)"})
    "row 7: victim_age = '250': impossible age (outside 0-110)"
    >>> refusal_line({"row_number": 9, "column_name": "district_code", "value": None,
    ...               "reason": "required value missing"})
    'row 9: district_code is blank: required value missing'
    >>> line = refusal_line({"row_number": 4, "column_name": "victim_ethnicity",
    ...                      "value": "X" * 10**6, "reason": "not a known value"})
    >>> len(line), line[-47:]
    (133, "X'... (1,000,000 characters): not a known value")
    """
    value = row["value"]
    if value is None:  # a merged or error cell of a workbook ("= None" read as Python's word)
        return f"row {row['row_number']}: {row['column_name']} is blank: {row['reason']}"
    if isinstance(value, str) and len(value) > SHOWN_VALUE:
        quoted = f"{value[:SHOWN_VALUE]!r}... ({len(value):,} characters)"
    else:
        quoted = repr(value)
    return f"row {row['row_number']}: {row['column_name']} = {quoted}: {row['reason']}"


def outcomes_superseded(gateway: Gateway, validated: Validated) -> pl.DataFrame:
    """The stored outcomes the file's own supersede (sql/queries/outcomes_superseded.sql:
    crime_ref, outcome_key, outcome_date, reopened); none where it states no outcome."""
    incoming = _incoming_outcomes(validated)
    stated = validated.stated
    if validated.kind == "outcomes" and incoming is not None:
        stated = incoming.group_by("crime_ref").agg(
            pl.col("outcome_date").min().alias("first_date")
        )
    if incoming is None or stated is None or stated.is_empty():
        return pl.DataFrame(
            schema={
                "crime_ref": pl.String,
                "outcome_key": pl.String,
                "outcome_date": pl.Date,
                "reopened": pl.Boolean,
            }
        )
    frames = {"stated_outcomes": stated, "incoming_outcomes": incoming}
    return gateway.query("outcomes_superseded", frames=frames)


def _incoming_outcomes(validated: Validated) -> pl.DataFrame | None:
    """The outcome rows a file brings: an outcome history's rows, an offence file's outcomes."""
    if validated.kind == "outcomes":
        return validated.accepted.select("crime_ref", "outcome_key", "outcome_date")
    return validated.outcomes


def superseded_summary(superseded: pl.DataFrame) -> str:
    """What a file's outcomes would do to the stored ones (sql/queries/outcomes_superseded.sql):
    rows corrected, and offences with a stored outcome and none in the file, open again."""
    reopened = superseded.filter("reopened")
    corrected = superseded.height - reopened.height
    cases = reopened["crime_ref"].n_unique()
    parts = [f"correct {plural(corrected, 'stored outcome row')}"] if corrected else []
    if cases:
        parts.append(
            f"reopen {plural(cases, 'offence')} with a stored outcome and none in this file "
            f"({plural(reopened.height, 'stored row')})"
        )
    return " and ".join(parts)


def absent_summary(absent: pl.DataFrame) -> str:
    """How many stored offences a file leaves out, and when they were recorded."""
    first, last = (f"{day:%b %Y}" for day in absent["recorded_date"].sort()[[0, -1]])
    when = f"in {first}" if first == last else f"{first} to {last}"
    return f"{plural(absent.height, 'stored offence')} (recorded {when})"


def absent_to_remove(
    gateway: Gateway, validated: Validated, unreadable: int, whole_extract: bool
) -> pl.DataFrame:
    """The stored offences a whole extract removes (none when the file is not one). Refused
    (ImportRefused) where the file cannot be the whole extract or which offences it holds is
    not known: rows that could not be read or name no crime reference (a malformed row's
    offence was removed as "not in this file"), or a district with stored offences and none
    in the file (one district's file removed the other's 155)."""
    empty = pl.DataFrame(schema={"crime_ref": pl.String, "recorded_date": pl.Date})
    if not whole_extract:
        return empty
    if validated.kind != "offences" or validated.absent is None:
        raise ImportRefused(
            f"only a file of offences can be imported as the whole extract (this file holds "
            f"{validated.kind})"
        )
    if validated.accepted.is_empty():
        raise ImportRefused(
            "no row of the file would be accepted, so as the whole extract it would remove "
            "every stored offence: fix the file first"
        )
    unknown = unreadable + validated.rows_without_ref
    if unknown:
        raise ImportRefused(
            f"{plural(unknown, 'row')} of the file could not be read, or named no crime "
            "reference, so which offences it holds is not known, and as the whole extract it "
            "could remove offences it holds: fix them (the check lists them), or import it as "
            "a file of some offences (without the whole-extract box or --whole-extract)"
        )
    stored = set(gateway.query("offence_districts")["district_code"].to_list())
    missing = sorted(stored - set(validated.accepted["district_code"].to_list()))
    if missing:
        raise ImportRefused(
            f"the file holds no offence of {', '.join(missing)}, where offences are stored: a "
            "whole extract holds every district's offences. Import it as a file of some "
            "offences (without the whole-extract box or --whole-extract) (offences it leaves "
            "out stay)"
        )
    if older := older_note(validated):
        raise ImportRefused(
            older[0].removesuffix(".") + "; as the whole extract it would remove the newer offences"
        )
    return validated.absent


def older_note(validated: Validated) -> tuple[str, ...]:
    """A file of offences that ends before stored offences it leaves out looks like an older
    extract: imported, it takes outcomes back and brings back offences since deleted (the
    analyst's June extract over July's reopened cases, silently)."""
    latest = validated.absent_latest
    held = cast(date | None, validated.accepted["recorded_date"].max()) if latest else None
    if latest is None or held is None or held >= latest:
        return ()
    return (
        f"This file's offences were recorded up to {held:%d %B %Y}, the stored ones up to "
        f"{latest:%d %B %Y}. If it is an older extract, importing it takes the figures back: "
        "its outcomes supersede newer ones, and offences since deleted come back. Import "
        "extracts oldest first.",
    )


def absent_warning(validated: Validated, whole_extract: bool | None) -> tuple[str, ...]:
    """What is said of the stored offences the file leaves out: by the report of an import as
    the whole extract (`whole_extract` True) or not (False), or by the check, before either
    (None)."""
    absent = validated.absent
    if absent is None or absent.is_empty():
        return ()
    one = absent.height == 1

    def agree(single: str, several: str) -> str:
        return single if one else several

    if whole_extract:
        return (
            f"Whole extract: {absent_summary(absent)} not in this file {agree('was', 'were')} "
            "removed, with their outcome histories and victim-contact logs.",
        )
    if whole_extract is None:
        return (
            f"{absent_summary(absent)} {agree('is', 'are')} not in this file: imported as it "
            f"is, {agree('it stays', 'they stay')} counted; imported as the force's whole "
            f"extract, {agree('it is', 'they are')} removed with {agree('its', 'their')} "
            "outcome history and victim-contact log.",
        )
    return (
        f"{absent_summary(absent)} {agree('is', 'are')} not in this file and "
        f"{agree('stays', 'stay')} counted. If this file is the force's whole extract, import it "
        "again as the whole extract (the Data page's box, or --whole-extract on the command "
        f"line) to remove {agree('it', 'them')}.",
    )


def refuse_an_earlier_extract_date(gateway: Gateway, extract_date: date | None) -> None:
    """An extract date stated before the one stored would move every "as at" figure back
    (outcomes dated after it ignored, open cases up): refused, not taken silently; so is one
    after today or before 1990 (a typo of 2029 then refused every later extract)."""
    if extract_date is None:
        return
    after_today = extract_date > date.today()
    if after_today or extract_date < EARLIEST:
        raise ImportRefused(
            f"the extract date given, {extract_date:%d %B %Y}, is "
            + ("after today" if after_today else "before 1990")
            + ": state the date the records system's extract was taken (YYYY-MM-DD)"
        )
    stored = gateway.query("extract_date_candidates")["stored_extract_date"][0]
    if stored is not None and extract_date < stored:
        raise ImportRefused(
            f"the extract date given, {extract_date:%d %B %Y}, is before the stored extract's "
            f"({stored:%d %B %Y}): import extracts oldest first, so that the newest sets the "
            "date every figure is as at"
        )


def refuse_records_after(validated: Validated, extract_date: date | None) -> None:
    """A file whose offences or outcomes are dated after the extract date stated for it is
    refused (ImportRefused, naming the first such row): no record is dated after its extract
    was taken, so the date is mistyped. Taken silently, a date a month early left an offence's
    outcome dated after it out, and the case read as open (helper 73)."""
    if extract_date is None or validated.kind not in ("offences", "outcomes"):
        return
    accepted = validated.accepted
    if validated.outcomes is not None and "outcome_date" not in accepted.columns:
        outcomes = validated.outcomes.group_by("crime_ref").agg(pl.col("outcome_date").max())
        accepted = accepted.join(outcomes, on="crime_ref", how="left")
    dated = [c for c in ("recorded_date", "outcome_date") if c in accepted.columns]
    later = accepted.filter(pl.any_horizontal(pl.col(c) > extract_date for c in dated))
    if later.is_empty():
        return
    first = later.sort(ROW_NUMBER).row(0, named=True)
    which = next(c for c in dated if first[c] is not None and first[c] > extract_date)
    raise ImportRefused(
        f"{plural(later.height, 'row of the file is', 'rows of the file are')} dated after "
        "the extract date given, "
        f"{extract_date:%d %B %Y} (row {first[ROW_NUMBER]}: {which.replace('_', ' ')} "
        f"{first[which].day} {first[which]:%B %Y}): no record is dated after its extract was taken. State the "
        "date the records system's extract was taken (YYYY-MM-DD)"
    )


def as_at_note(as_at: date | None, stated: date | None) -> tuple[str, ...]:
    """The report's line on the date the figures are now as at."""
    if as_at is None:
        return ()
    how = (
        "as stated"
        if stated
        else "the latest date in the data; the command line's --extract-date states another"
    )
    return (f"Figures are now as at {as_at:%d %B %Y} ({how}).",)


def record_dataset(
    gateway: Gateway, validated: Validated, extract_date: date | None, file_name: str
) -> date | None:
    """A new dataset row: the extract date stated, or the latest date in the data so far
    (never earlier than the latest extract date already recorded); returns that date (None:
    nothing dated is stored yet, no load to describe)."""
    candidates = gateway.query("extract_date_candidates").row(0, named=True)
    if extract_date is None:
        known = [candidates["latest_date"], candidates["stored_extract_date"]]
        extract_date = max((d for d in known if d is not None), default=None)
    if extract_date is None:  # nothing dated is stored yet: no load to describe
        return None
    forces = candidates["force_name"] or "Force"
    gateway.insert(
        "dataset",
        pl.DataFrame(
            {
                "loaded_at": [datetime.now()],
                "extract_date": [extract_date],
                "source": [f"import of {file_name}"],
                "is_synthetic": [False],
                "force_name": [forces],
                "notes": [json.dumps({"kind": validated.kind, "rows": validated.accepted.height})],
            }
        ),
    )
    return extract_date
