"""The DuckDB store's structure: the schema and the derived tables (marts). Loading data into
it is the importer's job (`importing/`), building the demonstration force `demo/build.py`'s."""

from __future__ import annotations

from stalking_profile.db import Gateway

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
    """Rebuild the derived tables (each offence's latest outcome; the pre-aggregated cube)."""
    for name in MARTS:
        gateway.run_script(name)
