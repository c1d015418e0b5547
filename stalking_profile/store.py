"""The DuckDB store's structure: the schema and the derived tables (marts). Loading data into
it is the importer's job (`importing/`), building the demonstration force `demo/build.py`'s."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from stalking_profile.config import SQL_DIR
from stalking_profile.db import DatabaseError, Gateway, load_sql

MARTS: tuple[str, ...] = (
    "marts/offence_fact",
    "marts/offence_summary",
    "marts/outcome_summary",
    "marts/force_outcome_days",
    "marts/force_follow_up",
    "marts/ward_month_cube",
    "marts/quality_summary",
)


def create_schema(gateway: Gateway) -> None:
    """Create every contract table that does not exist yet."""
    gateway.run_script("schema")


def refresh_marts(gateway: Gateway) -> None:
    """Rebuild the derived tables (each offence's latest outcome; the pre-aggregated cube),
    and record which version of their SQL built them (`marts_fingerprint`)."""
    for name in MARTS:
        gateway.run_script(name)
    gateway.sql(load_sql("marts/marts_built"), {"fingerprint": marts_fingerprint()})


@cache
def marts_fingerprint() -> str:
    """A fingerprint of the SQL that builds the marts, without its comments: another
    version's marts may lack a column this version's queries read (a change of comments alone
    asks for no rebuild)."""
    digest = hashlib.sha256()
    for name in MARTS:
        for line in (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("--"):
                digest.update(line.encode() + b"\n")
    return digest.hexdigest()[:16]


def stale_marts(path: Path | str | None) -> str:
    """What to say where a database's marts were built by another version of the code."""
    return (
        f"its summary tables were built by another version of Stalking Profile. Rebuild them "
        f"with `uv run python -m stalking_profile refresh --db {path or 'DATABASE'}` (the "
        "records are not changed, and the dashboard may keep running)"
    )


def check_marts(gateway: Gateway) -> None:
    """Raise DatabaseError (saying how to rebuild them) unless this version's SQL built the
    database's marts: a database built before an upgrade met its first page with "Referenced
    column da_party_under_16 not found" (helper 91)."""
    try:
        built = gateway.query("marts_built")
    except DatabaseError:
        built = None  # no marts_built table: built before marts were fingerprinted
    if built is None or built.is_empty() or built["fingerprint"][0] != marts_fingerprint():
        raise DatabaseError(stale_marts(gateway.path))
