"""Building the demonstration force's database file (and rebuilding it when the generator,
its inputs or the schema change)."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path

from stalking_profile.db import DatabaseError, Gateway, connect
from stalking_profile.demo.generator import DemoData, demo_source, generate
from stalking_profile.store import create_schema, refresh_marts

Progress = Callable[[str], None]


def load_demo(gateway: Gateway, data: DemoData) -> dict[str, int]:
    """Insert every demo table in one transaction and refresh the marts; rows per table."""
    counts: dict[str, int] = {}
    with gateway.transaction():
        for field in dataclasses.fields(data):
            counts[field.name] = gateway.insert(field.name, getattr(data, field.name))
        refresh_marts(gateway)

    return counts


def build_demo_database(path: Path, progress: Progress = print) -> dict[str, int]:
    """Write the demonstration force to a new DuckDB file at `path`.

    The file is built beside its destination and moved into place only when complete, so an
    interrupted build never leaves a half-built database behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".building")
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    progress("Generating the synthetic demonstration force ...")
    data = generate()
    progress(
        f"Writing {data.offence.height:,} offences and {data.outcome.height:,} outcomes to {path} ..."
    )
    gateway = connect(partial, read_only=False, create=True)
    try:
        create_schema(gateway)
        counts = load_demo(gateway, data)
    finally:
        gateway.close()
    os.replace(partial, path)
    progress(f"Built {path} in {time.perf_counter() - started:.1f} s.")
    return counts


def is_stale_demo(path: Path) -> bool:
    """True if `path` holds a demo database from an older generator version (never true for a
    force's own data, which is never replaced automatically)."""
    gateway = connect(path, read_only=True)
    try:
        latest = gateway.query("demo_source")
    except DatabaseError:
        return False
    finally:
        gateway.close()
    return (
        latest.height == 1
        and bool(latest["is_synthetic"][0])
        and latest["source"][0] != demo_source()
    )


def ensure_database(path: Path, progress: Progress = print) -> bool:
    """Build the demo database at `path` if no file is there, or if it holds a demo from an
    older generator; True if one was built."""
    if Path(path).is_file() and not is_stale_demo(path):
        return False
    build_demo_database(path, progress)
    return True
