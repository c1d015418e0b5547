"""Importing a file: read, map, validate, then write the accepted rows in one transaction.

Nothing lost: rows read = rows accepted + rows refused, and refused rows are kept in the
quarantine table with their reasons. Nothing doubled: offences are upserted by crime
reference, outcome histories appended without repeats, and a file already imported (same
SHA-256) changes nothing. A newer extract's outcomes supersede the stored ones they correct:
for each offence it states, stored outcomes dated on or after its earliest are replaced, and
an offence it states open loses its outcomes (sql/queries/outcomes_superseded.sql). Offences
a file leaves out stay, unless it is imported as the force's whole extract (`whole_extract`),
when they are removed (sql/writes/remove_offences.sql). A crash or kill part-way leaves the
database as it was, because the writes, the log and the refreshed marts commit together.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from stalking_profile import contract, queries
from stalking_profile.access import Permission
from stalking_profile.db import Gateway
from stalking_profile.importing import extracts
from stalking_profile.importing.extracts import ImportRefused
from stalking_profile.importing.mapping import ColumnMapping, apply_mapping, load_mapping
from stalking_profile.importing.readers import ROW_NUMBER, Progress, RawTable, ReadError, read_table
from stalking_profile.importing.validate import (
    Reference,
    Validated,
    as_key,
    detect_kind,
    polars_type,
    validate,
    warnings_for,
)
from stalking_profile.store import create_schema, refresh_marts

ALREADY_IMPORTED = "already imported (same file, same contents); nothing changed."


@dataclass(frozen=True)
class ImportReport:
    """What an import did, for the command line, the Data page and the tests."""

    import_id: str | None
    file_name: str
    kind: str
    status: str  # loaded | unchanged
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_inserted: int
    rows_updated: int
    outcomes_added: int
    rejects: pl.DataFrame
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    outcomes_superseded: int = 0  # stored outcome rows the newer extract corrected or reopened
    offences_removed: int = 0  # stored offences a whole extract no longer holds

    def _written(self) -> str:
        """What the import wrote: offences (or other records) new, updated and unchanged; outcome
        history rows added, already held and superseded."""
        unchanged = self.rows_accepted - self.rows_inserted - self.rows_updated
        superseded = (
            f"; {extracts.plural(self.outcomes_superseded, 'stored one was', 'stored ones were')} "
            "superseded (corrected, or the case reopened, in this file)"
            if self.outcomes_superseded
            else ""
        )
        if self.kind == "outcomes":
            return (
                f"Outcome histories: {extracts.plural(self.outcomes_added, 'row')} added, "
                f"{unchanged:,} already held{superseded}."
            )
        records = (
            f"{self.rows_inserted:,} new, {self.rows_updated:,} updated, {unchanged:,} unchanged"
        )
        if self.kind != "offences":
            return records + "."
        return (
            f"Offences: {records} (their details, outcomes apart). Outcome histories: "
            f"{extracts.plural(self.outcomes_added, 'row')} added{superseded}."
        )

    def text(self) -> str:
        if self.status == "unchanged":
            return f"{self.file_name}: {ALREADY_IMPORTED}"
        lines = [
            f"{self.file_name}: {self.kind}; {self.rows_read:,} rows read = {self.rows_accepted:,} accepted + "
            f"{self.rows_rejected:,} refused (quarantined).",
            self._written(),
        ]
        for row in self.rejects.head(20).iter_rows(named=True):
            lines.append(f"  {extracts.refusal_line(row)}")
        if self.rejects.height > 20:
            lines.append(
                f"  ... and {self.rejects.height - 20:,} more reasons (see the quarantine table)"
            )
        lines.extend(self.warnings)
        lines.extend(self.notes)
        return "\n".join(lines)


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_key(
    path: Path,
    mapping: ColumnMapping,
    kind: str | None,
    extract_date: date | None,
    whole_extract: bool = False,
) -> str:
    """What decides an import's result: the file's bytes, the mapping (every part of it) and
    the options. The same key twice means nothing would change; a corrected mapping or another
    kind or extract date is a new import."""
    options = json.dumps(
        {
            "file": file_hash(path),
            "mapping": dataclasses.asdict(mapping),
            "kind": kind,
            "extract_date": extract_date.isoformat() if extract_date else None,
            **({"whole_extract": True} if whole_extract else {}),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(options.encode()).hexdigest()


def prepare_database(gateway: Gateway) -> None:
    """Create the schema and the outcome framework in a new database (no-op otherwise)."""
    create_schema(gateway)
    if gateway.query("table_counts")["outcome_types"].item() == 0:
        gateway.insert(
            "outcome_type",
            pl.DataFrame(list(contract.outcome_type_rows())).with_columns(
                pl.col("sort_order").cast(pl.Int32)
            ),
        )


def _reference(gateway: Gateway) -> Reference:
    codes = gateway.query("validation_reference")
    return Reference(
        districts=frozenset(codes.filter(pl.col("kind") == "district")["code"].to_list()),
        wards=frozenset(codes.filter(pl.col("kind") == "ward")["code"].to_list()),
        offence_recorded=gateway.query("offence_recorded_dates"),
        orders=gateway.query("order_dates"),
        ward_districts=codes.filter(pl.col("kind") == "ward").select(
            pl.col("code").alias("ward_code"),
            pl.col("district_code").alias("ward_district"),
            "has_boundary",
        ),
    )


def _refuse_synthetic(gateway: Gateway) -> None:
    latest = gateway.query("current_dataset")
    if latest.height and latest["is_synthetic"][0]:
        raise ImportRefused(
            "this database holds the synthetic demonstration force: import a force's records into a new "
            "database file instead (--db force.duckdb), so that real and synthetic records never mix"
        )


def _changed_offences(gateway: Gateway, accepted: pl.DataFrame) -> tuple[pl.DataFrame, int, int]:
    """The accepted offences that are new or differ from what is stored, with the counts."""
    columns = [c.name for c in contract.OFFENCE.columns if c.name in accepted.columns]
    stored = gateway.query(
        "offences_by_ref", frames={"incoming_refs": accepted.select("crime_ref")}
    )
    stored = stored.select(columns)

    incoming = accepted.select(columns)
    if stored.is_empty():
        return incoming, incoming.height, 0
    incoming_types = incoming.schema  # built anew on each access
    stored = stored.cast({name: incoming_types[name] for name in columns})
    existing = incoming.filter(pl.col("crime_ref").is_in(stored["crime_ref"].implode()))
    unchanged = existing.join(stored, on=columns, how="semi", nulls_equal=True)
    changed = incoming.join(unchanged, on="crime_ref", how="anti")
    inserted = incoming.height - existing.height
    return changed, inserted, changed.height - inserted


# what each kind's stored rows are read by, to keep their values in columns a file does not have
STORED_ROWS = {
    "offences": ("offences_by_ref", "incoming_refs"),
    "orders": ("orders_by_id", "incoming_ids"),
    "breaches": ("breaches_by_id", "incoming_ids"),
}


def with_stored_columns(
    gateway: Gateway, frame: pl.DataFrame, kind: str
) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """A mapped file (text columns) with the columns of its table it does not have, as text:
    an offence, order or breach already stored keeps its stored values there, a new one has
    none; and those columns. Before validation, so its rules see each row as it will be
    stored (an order re-imported as refused, without its granted date, was accepted with
    the stored grant beside the refusal; one re-imported as granted was refused for want of
    the granted date it had). A blank cell in a column the file has still clears the value.
    A file without them had set them to null for every row it updated (helper 73: repeat
    victims and the ward map lost the offences of a file without victim and ward columns).
    An offence's Home Office code is its type's: not kept where the file gives the type."""
    table = contract.IMPORT_KINDS[kind] if kind in STORED_ROWS else None
    keys = list(table.primary_key) if table else []
    if table is None or not set(keys) <= set(frame.columns):
        return frame, ()
    absent = [
        c.name
        for c in table.columns
        if c.nullable and c.name not in frame.columns and c.name not in keys
    ]
    if not absent:
        return frame, ()
    query, frame_name = STORED_ROWS[kind]
    incoming = frame.select(pl.col(keys).cast(pl.String)).unique()
    stored = gateway.query(query, frames={frame_name: incoming}).select(*keys, *absent)
    if stored.is_empty():
        return frame, ()
    as_text = stored.with_columns(pl.col(name).cast(pl.String) for name in absent)
    merged = frame.join(as_text, on=keys, how="left", maintain_order="left")
    if "ho_offence_code" in absent and "offence_type" in frame.columns:  # one fact with the type:
        # kept where it is the file's type's code, not where the file changes the type
        of_type = pl.col("ho_offence_code").replace_strict(
            contract.OFFENCE_TYPE_OF_CODE, default=None, return_dtype=pl.String
        )
        same = of_type == pl.col("offence_type").str.strip_chars().str.to_lowercase()
        merged = merged.with_columns(pl.when(same).then(pl.col("ho_offence_code")))
    return merged, tuple(absent)


def _stored_said(rejects: pl.DataFrame, kept: tuple[str, ...]) -> pl.DataFrame:
    """Refusals of a value the file does not have, the stored one it keeps, saying so: "expiry
    date 2025-02-20: expires on or before the day it was granted" named a column the file
    has not got (helper 77)."""
    if not kept or rejects.is_empty():
        return rejects
    return rejects.with_columns(
        pl.when(pl.col("column_name").is_in(list(kept)))
        .then(
            pl.col("reason")
            + pl.lit(" (the stored value: this file has no ")
            + pl.col("column_name")
            + pl.lit(" column; give the column, blank, to clear it)")
        )
        .otherwise(pl.col("reason"))
        .alias("reason")
    )


def _kept_note(validated: Validated, stored_before: int) -> tuple[str, ...]:
    """The report's note of the columns a file did not have, which rows already stored kept
    (with_stored_columns)."""
    kept = validated.kept_from_store
    if not kept or not stored_before:
        return ()
    one = {"offences": "offence", "orders": "order", "breaches": "breach"}[validated.kind]
    rows = extracts.plural(
        stored_before,
        f"{one} already stored keeps its",
        f"{validated.kind} already stored keep their",
    )
    return (f"{rows} values in the columns this file does not have: {', '.join(kept)}",)


def _outcome_rows(gateway: Gateway) -> int:
    return int(gateway.query("table_counts")["outcomes"].item())


# the write script and its frame's name for each kind of protection record
PROTECTION_WRITES: dict[str, tuple[str, str]] = {
    "orders": ("upsert_orders", "incoming_orders"),
    "breaches": ("upsert_breaches", "incoming_breaches"),
    "contacts": ("replace_contacts", "incoming_contacts"),
    "population": ("upsert_population", "incoming_population"),
}


def _stored_keys(gateway: Gateway, kind: str) -> pl.Series | None:
    """The keys already stored for orders and breaches (None for contacts, which replace
    each offence's log)."""
    if kind == "orders":
        return gateway.query("order_dates")["order_id"]
    if kind == "breaches":
        return gateway.query("breach_ids")["breach_id"]
    if kind == "population":
        keys = gateway.query("population_keys")
        return keys.select(pl.concat_str(keys.columns, separator="|"))["district_code"]
    return None


def _write(gateway: Gateway, validated: Validated, source: str) -> tuple[int, int, int, int]:
    """Write the accepted rows; returns (inserted, updated, outcome rows added, stored outcome
    rows superseded)."""
    accepted = validated.accepted.drop(ROW_NUMBER)
    superseded = extracts.outcomes_superseded(gateway, validated)
    if superseded.height:
        gateway.write("supersede_outcomes", superseded_outcomes=superseded)
    outcomes_before = _outcome_rows(gateway)
    inserted = updated = 0
    if validated.kind == "offences":
        full = accepted.with_columns(
            pl.lit(None, dtype=pl.String).alias(c.name)
            for c in contract.OFFENCE.columns
            if c.name not in accepted.columns
        ).select(contract.OFFENCE.column_names)
        changed, inserted, updated = _changed_offences(gateway, full)
        if changed.height:
            gateway.write(
                "upsert_offences", incoming_offences=changed.select(contract.OFFENCE.column_names)
            )
        if validated.outcomes is not None and validated.outcomes.height:
            gateway.write("append_outcomes", incoming_outcomes=validated.outcomes)
    elif validated.kind == "outcomes":
        gateway.write(
            "append_outcomes",
            incoming_outcomes=accepted.select("crime_ref", "outcome_key", "outcome_date"),
        )
        inserted = _outcome_rows(gateway) - outcomes_before
    elif validated.kind == "districts":
        existing = set(gateway.query("districts")["district_code"].to_list())
        inserted = accepted.filter(~pl.col("district_code").is_in(sorted(existing))).height
        updated = accepted.height - inserted
        optional = [c for c in contract.DISTRICT.columns if c.name not in accepted.columns]
        complete = accepted.with_columns(
            pl.lit(None, dtype=polars_type(c.dtype)).alias(c.name) for c in optional
        )
        gateway.write("upsert_districts", incoming_districts=complete)
    elif validated.kind == "wards":
        existing = set(gateway.query("ward_names")["ward_code"].to_list())
        inserted = accepted.filter(~pl.col("ward_code").is_in(sorted(existing))).height
        updated = accepted.height - inserted
        frame = accepted.with_columns(
            *[pl.lit(None, dtype=pl.Int32).alias("population")]
            * ("population" not in accepted.columns),
            pl.lit(None, dtype=pl.String).alias("geometry"),
        ).select("ward_code", "ward_name", "district_code", "population", "geometry")
        gateway.write("upsert_wards", incoming_wards=frame)
    elif validated.kind in PROTECTION_WRITES:
        script, frame_name = PROTECTION_WRITES[validated.kind]
        table = contract.IMPORT_KINDS[validated.kind]
        stored = _stored_keys(gateway, validated.kind)
        if stored is not None:
            key = pl.concat_str(table.primary_key, separator="|")
            updated = accepted.filter(key.is_in(stored.implode())).height
        inserted = accepted.height - updated
        gateway.write(script, **{frame_name: accepted.select(table.column_names)})
    else:
        frame = accepted.with_columns(
            *[pl.lit(source).alias("source")] * ("source" not in accepted.columns)
        ).select(contract.COMPARISON_COUNT.column_names)
        inserted = accepted.height
        gateway.write("upsert_comparison", incoming_comparison=frame)
    outcomes_added = _outcome_rows(gateway) - outcomes_before
    return inserted, updated, outcomes_added, superseded.height


def _quarantine(
    validated: Validated, raw: pl.DataFrame, ragged: pl.DataFrame, import_id: str
) -> pl.DataFrame:
    """Refused rows with reasons and the whole raw row as JSON, for the quarantine table."""
    raw_rows = raw.select(
        pl.col(ROW_NUMBER).alias("row_number"),
        pl.struct([c for c in raw.columns if c != ROW_NUMBER])
        .struct.json_encode()
        .alias("raw_row"),
    )
    reasons = validated.rejects.join(raw_rows, on="row_number", how="left")
    ragged_rows = ragged.select(
        "row_number",
        pl.lit("(row)").alias("column_name"),
        pl.lit(None, dtype=pl.String).alias("value"),
        "reason",
        "raw_row",
    )
    combined = pl.concat([reasons, ragged_rows], how="vertical_relaxed")
    combined = combined.group_by("row_number", "column_name", maintain_order=True).agg(
        pl.col("value").first(), pl.col("reason").str.join("; "), pl.col("raw_row").first()
    )
    return combined.with_columns(
        pl.lit(import_id).alias("import_id"), pl.col("row_number").cast(pl.Int32)
    ).select(contract.QUARANTINE.column_names)


def _empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "row_number": pl.Int64,
            "column_name": pl.String,
            "value": pl.String,
            "reason": pl.String,
        }
    )


def read_and_validate(
    gateway: Gateway,
    path: Path,
    kind: str | None,
    mapping: ColumnMapping,
    progress: Progress = lambda fraction, message: None,
) -> tuple[RawTable, Validated, list[str]]:
    """Read, map and validate a file without writing anything (also the Data page's check);
    only for those who may import."""
    gateway.require(Permission.IMPORT)
    progress(0.02, f"reading {path.name}")
    try:
        raw = read_table(
            path,
            mapping.encoding,
            mapping.delimiter,
            mapping.sheet,
            lambda f, m: progress(0.02 + 0.5 * f, m),
            mapping.header_row,
        )
        mapped, unused = apply_mapping(raw.frame, mapping)
        mapped = refs_as_stored(gateway, codes_from_names(gateway, mapped))
        headers = [name for name in raw.frame.columns if name != ROW_NUMBER]
        kind = kind or detect_kind(mapped.columns, headers)
        if raw.rows_read == 0:
            raise ImportRefused(f"{path.name} has a header but no data rows")
        progress(0.55, f"validating {raw.rows_read:,} rows")
        mapped, kept = with_stored_columns(gateway, mapped, kind)
        validated = validate(mapped, kind, _reference(gateway), mapping.date_formats, kept)
        validated = dataclasses.replace(
            validated, kept_from_store=kept, rejects=_stored_said(validated.rejects, kept)
        )
    except ImportRefused:
        raise
    except (ReadError, ValueError) as error:
        raise ImportRefused(str(error)) from error
    return raw, validated, unused


def _key(column: str) -> pl.Expr:
    """An identifier as the same key however it was typed: as validation reads it (as_key:
    full-width letters, invisible characters, spaces) and in any letter case. Trimmed and in
    lower case alone, a full-width "ＥＸ-2" matched no stored offence before validation read
    it as EX-2, and the stored values a file without their columns keeps were written over
    with nulls (helper 77)."""
    return as_key(column).str.to_lowercase()


def codes_from_names(gateway: Gateway, frame: pl.DataFrame) -> pl.DataFrame:
    """District and ward names given where codes belong, turned into the codes: a district
    matches a loaded district's name or code (any case: "bd" was refused while "Bradford"
    was taken), a ward a loaded ward's name within its district. Anything else is left as it
    is, for validation to report."""
    if "district_code" in frame.columns:
        loaded = gateway.query("districts")
        districts = (
            pl.concat(
                loaded.select(_key(column).alias("__name"), pl.col("district_code").alias("__code"))
                for column in ("district_name", "district_code")
            )
            .unique()
            .unique("__name", keep="none")  # a name that is another district's code: neither
        )
        frame = (
            frame.with_columns(_key("district_code").alias("__name"))
            .join(districts, on="__name", how="left", maintain_order="left")
            .with_columns(pl.coalesce("__code", "district_code").alias("district_code"))
            .drop("__name", "__code")
        )
    if {"ward_code", "district_code"} <= set(frame.columns):
        wards = (
            gateway.query("ward_names")
            .select(
                _key("ward_name").alias("__name"),
                pl.col("district_code").alias("__district"),
                pl.col("ward_code").alias("__code"),
            )
            .unique(["__name", "__district"], keep="none")
        )  # an ambiguous name maps to nothing
        frame = (
            frame.with_columns(
                _key("ward_code").alias("__name"), pl.col("district_code").alias("__district")
            )
            .join(wards, on=["__name", "__district"], how="left", maintain_order="left")
            .with_columns(pl.coalesce("__code", "ward_code").alias("ward_code"))
            .drop("__name", "__district", "__code")
        )
    return frame


# each stored identifier a file may write in another letter case, and the query that lists it
STORED_IDS = {
    "crime_ref": ("offence_recorded_dates", "crime_ref"),
    "order_id": ("order_dates", "order_id"),
    "breach_id": ("breach_ids", "breach_id"),
}


def refs_as_stored(gateway: Gateway, frame: pl.DataFrame) -> pl.DataFrame:
    """A crime reference, order id or breach id written in another letter case than a stored
    one's (ex-0005 for EX-0005) taken as that one's, as they are within a file: it was stored
    as a second offence (or order: orders counted twice), and an outcome history or breach
    naming it was refused. Identifiers that two stored rows share in any case are left as they
    are."""
    for column, (query, stored_column) in STORED_IDS.items():
        if column not in frame.columns:
            continue
        stored = (
            gateway.query(query)
            .select(_key(stored_column).alias("__id"), pl.col(stored_column).alias("__stored"))
            .unique("__id", keep="none")
        )
        if stored.is_empty():
            continue
        frame = (
            frame.with_columns(_key(column).alias("__id"))
            .join(stored, on="__id", how="left", maintain_order="left")
            .with_columns(pl.coalesce("__stored", column).alias(column))
            .drop("__id", "__stored")
        )
    return frame


def refused_rows(raw: RawTable, validated: Validated) -> pl.DataFrame:
    """Every refused row of a checked file with its reasons, in file order: rows that failed
    validation (one line per problem: row, column, value, reason) and rows that could not be
    read at all (the wrong number of fields; the value is the row as read)."""
    failed = validated.rejects.select("row_number", "column_name", "value", "reason")
    unreadable = raw.ragged.select(
        "row_number",
        pl.lit("(whole row)").alias("column_name"),
        pl.col("raw_row").alias("value"),
        "reason",
    )
    return pl.concat([failed, unreadable]).sort("row_number", maintain_order=True)


def _as_mapping(mapping: ColumnMapping | Path | str | None) -> ColumnMapping:
    if mapping is None:
        return ColumnMapping()
    return mapping if isinstance(mapping, ColumnMapping) else load_mapping(mapping)


def _unchanged(path: Path, previous: pl.DataFrame) -> ImportReport:
    """The report for a file imported before, byte for byte: nothing is written."""
    return ImportReport(
        None,
        path.name,
        str(previous["kind"][0]),
        "unchanged",
        int(previous["rows_read"][0]),
        0,
        0,
        0,
        0,
        0,
        _empty_rejects(),
        (),
        (f"first imported {previous['imported_at'][0]:%d %b %Y %H:%M}",),
    )


LOG_COUNTS = ("rows_read", "rows_accepted", "rows_rejected", "rows_inserted", "rows_updated")


def _log_row(
    import_id: str,
    path: Path,
    digest: str,
    counts: dict[str, int],
    kind: str,
    changes: tuple[int, int] = (0, 0),
) -> pl.DataFrame:
    """The import log's row for a loaded file; `changes`: stored outcome rows superseded and
    stored offences removed (a whole extract's removals had gone unrecorded)."""
    superseded, removed = changes
    parts = [f"{counts['rows_accepted']:,} accepted", f"{counts['rows_rejected']:,} quarantined"]
    if superseded:
        parts.append(f"{extracts.plural(superseded, 'stored outcome row')} superseded")
    if removed:
        parts.append(f"{extracts.plural(removed, 'stored offence')} removed (whole extract)")
    message = ", ".join(parts)
    row = {
        "import_id": import_id,
        "file_name": path.name,
        "file_hash": digest,
        "kind": kind,
        "imported_at": datetime.now().replace(microsecond=0),
        **counts,
        "status": "loaded",
        "message": message,
    }
    return pl.DataFrame([row]).cast({name: pl.Int32 for name in LOG_COUNTS})


def _notes(raw: RawTable, unused: list[str]) -> tuple[str, ...]:
    read = f"format {raw.format}" + (
        f", encoding {raw.encoding}, delimiter {raw.delimiter!r}" if raw.encoding else ""
    )
    return (read, *([f"columns not used: {', '.join(unused)}"] if unused else []))


def _coverage(gateway: Gateway) -> tuple[str, ...]:
    """The database's coverage warning and its note on a month the extract covers in part,
    once the file is in (queries.DatasetInfo)."""
    try:
        info = queries.dataset_info(gateway)
    except LookupError:  # no offences yet (outcomes imported first)
        return ()
    return tuple(note for note in (info.coverage_warning(), info.partial_month_note()) if note)


def import_file(
    gateway: Gateway,
    path: Path | str,
    kind: str | None = None,
    mapping: ColumnMapping | Path | str | None = None,
    extract_date: date | None = None,
    progress: Progress = lambda fraction, message: None,
    whole_extract: bool = False,
) -> ImportReport:
    """Import one CSV, Parquet or Excel file of offences, outcomes, districts, wards or
    comparison-layer counts. Raises ImportRefused (database unchanged) when the whole file
    cannot be used; otherwise quarantines the refused rows and loads the rest atomically.
    `whole_extract`: the file is the force's whole extract of offences, and stored offences
    it does not hold are removed."""
    path, mapping = Path(path), _as_mapping(mapping)
    prepare_database(gateway)
    _refuse_synthetic(gateway)
    digest = import_key(path, mapping, kind, extract_date, whole_extract) if path.is_file() else ""
    previous = gateway.query("import_by_hash", file_hash=digest) if digest else pl.DataFrame()
    if previous.height and not previous["rows_rejected"][0]:
        return _unchanged(path, previous)
    extracts.refuse_an_earlier_extract_date(gateway, extract_date)
    raw, validated, unused = read_and_validate(gateway, path, kind, mapping, progress)
    extracts.refuse_records_after(validated, extract_date)
    again: tuple[str, ...] = ()
    if previous.height:  # imported before with rows refused: those rows alone, as they are now
        raw, validated, again = rows_refused_before(gateway, previous, raw, validated)
        whole_extract = False  # the stored offences it left out were removed the first time
    absent = extracts.absent_to_remove(gateway, validated, raw.ragged.height, whole_extract)
    import_id = uuid.uuid4().hex[:12]
    quarantine = _quarantine(validated, raw.frame, raw.ragged, import_id)
    rows_rejected = quarantine["row_number"].n_unique()
    if validated.accepted.height + rows_rejected != raw.rows_read:
        raise AssertionError("rows read must equal rows accepted plus rows refused")
    progress(0.7, f"writing {validated.accepted.height:,} accepted rows")
    with gateway.transaction():
        if absent.height:
            gateway.write("remove_offences", absent_offences=absent.select("crime_ref"))
        inserted, updated, outcomes_added, superseded = _write(
            gateway, validated, mapping.name if mapping.columns else path.name
        )
        if quarantine.height:
            gateway.insert("quarantine", quarantine)
        as_at = None
        if validated.kind in ("offences", "outcomes") and validated.accepted.height:
            as_at = extracts.record_dataset(gateway, validated, extract_date, path.name)
        progress(0.85, "refreshing the derived tables")
        refresh_marts(gateway)
        counts = dict(
            zip(
                LOG_COUNTS,
                (raw.rows_read, validated.accepted.height, rows_rejected, inserted, updated),
                strict=True,
            )
        )
        row = _log_row(import_id, path, digest, counts, validated.kind, (superseded, absent.height))
        gateway.insert("import_log", row)
    progress(1.0, "done")
    return ImportReport(
        import_id,
        path.name,
        validated.kind,
        "loaded",
        raw.rows_read,
        validated.accepted.height,
        rows_rejected,
        inserted,
        updated,
        outcomes_added,
        refused_rows(raw, validated),
        (
            *extracts.older_note(validated),
            *validated.warnings,
            *extracts.absent_warning(validated, whole_extract),
            *(_coverage(gateway) if validated.kind in ("offences", "outcomes") else ()),
        ),
        (
            *again,
            *_notes(raw, unused),
            *_kept_note(validated, validated.accepted.height - inserted),
            *extracts.as_at_note(as_at, extract_date),
        ),
        superseded,
        absent.height,
    )


def rows_refused_before(
    gateway: Gateway, previous: pl.DataFrame, raw: RawTable, validated: Validated
) -> tuple[RawTable, Validated, tuple[str, ...]]:
    """A file imported before with rows refused, narrowed to those rows: a row refused for
    what the store lacked then (an outcome's offence, a row's district) is loaded once that is
    in, and the rows loaded the first time are not read again (an older file's outcomes would
    otherwise supersede a newer extract's). Re-importing had said "nothing changed" and left
    them out for good. With a note for the report saying so."""
    first = previous.row(0, named=True)
    refused = gateway.query("quarantine", import_id=first["import_id"])["row_number"].unique()
    rows = refused.cast(pl.Int64).implode()
    accepted = validated.accepted.filter(pl.col(ROW_NUMBER).is_in(rows))
    refs = accepted["crime_ref"].implode() if "crime_ref" in accepted.columns else None

    def of_these(frame: pl.DataFrame | None) -> pl.DataFrame | None:
        if frame is None or refs is None:
            return frame
        return frame.filter(pl.col("crime_ref").is_in(refs))

    narrowed_raw = dataclasses.replace(
        raw,
        frame=raw.frame.filter(pl.col(ROW_NUMBER).is_in(rows)),
        ragged=raw.ragged.filter(pl.col("row_number").cast(pl.Int64).is_in(rows)),
    )
    narrowed = dataclasses.replace(
        validated,
        accepted=accepted,
        rejects=validated.rejects.filter(pl.col("row_number").is_in(rows)),
        outcomes=of_these(validated.outcomes),
        stated=of_these(validated.stated),
        absent=None,
        rows_read=narrowed_raw.rows_read,
        # of these rows: the whole file's ("38 accepted offences name wards with no boundary
        # loaded") were said again over "0 accepted" (helper 93)
        warnings=warnings_for(accepted, validated.kind, _reference(gateway)),
    )
    note = (
        f"imported before on {first['imported_at']:%d %b %Y %H:%M} with "
        f"{first['rows_rejected']:,} row{'s' * (first['rows_rejected'] != 1)} refused: only "
        "those rows are read again (the rest are in)",
    )
    return narrowed_raw, narrowed, note
