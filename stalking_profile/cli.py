"""Command line: `python -m stalking_profile <command>` (also the `stalking-profile` script)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stalking_profile.config import Settings
from stalking_profile.db import connect
from stalking_profile.geography import BoundaryError
from stalking_profile.importing.boundaries import load_boundaries
from stalking_profile.store import build_demo_database, ensure_database


def _demo(args: argparse.Namespace) -> int:
    path: Path = args.db
    if args.rebuild:
        build_demo_database(path)
    elif not ensure_database(path):
        print(f"{path} is up to date; keeping it (--rebuild replaces it with a fresh demo).")
    return 0


def _boundaries(args: argparse.Namespace) -> int:
    gateway = connect(args.db, read_only=False)
    try:
        report = load_boundaries(gateway, args.file, args.code_column, args.name_column, args.crs)
    except BoundaryError as error:
        print(f"error: {error}. The database is unchanged.", file=sys.stderr)
        return 2
    finally:
        gateway.close()
    print(report.text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="stalking-profile",
        description="Stalking Profile: build and manage the dashboard's DuckDB database.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="build the synthetic demonstration force",
        description=(
            "Build the synthetic demonstration force (West Yorkshire geography, calibrated to the "
            "published 2022 stalking problem profile) into a DuckDB file."
        ),
    )
    demo.add_argument(
        "--db",
        type=Path,
        default=settings.db_path,
        help=f"database file to write (default: {settings.db_path}, or $STALKING_PROFILE_DB)",
    )
    demo.add_argument("--rebuild", action="store_true", help="replace the file if it exists")
    demo.set_defaults(handler=_demo)

    boundaries = commands.add_parser(
        "boundaries",
        help="load ward boundaries (GeoJSON, TopoJSON, GeoPackage, Shapefile)",
        description=(
            "Add or update ward boundaries from a GeoJSON, TopoJSON, GeoPackage or Shapefile in any "
            "CRS. Ward code and name columns are detected (WDyyCD/WDyyNM of any vintage, "
            "AREACD/AREANM) unless named. All wards of the file are loaded together or not at all."
        ),
    )
    boundaries.add_argument("file", type=Path, help="the boundary file")
    boundaries.add_argument(
        "--code-column", help="the column holding ward codes (default: detected)"
    )
    boundaries.add_argument(
        "--name-column", help="the column holding ward names (default: detected)"
    )
    boundaries.add_argument("--crs", help="the file's CRS when it declares none, e.g. EPSG:27700")
    boundaries.add_argument(
        "--db",
        type=Path,
        default=settings.db_path,
        help=f"database file (default: {settings.db_path})",
    )
    boundaries.set_defaults(handler=_boundaries)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
