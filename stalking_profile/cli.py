"""Command line: `python -m stalking_profile <command>` (also the `stalking-profile` script).

Each command imports what it needs when it runs, so `--help` answers at once (GeoPandas and
the demo generator are loaded only by the commands that use them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from stalking_profile.config import Settings
from stalking_profile.contract import IMPORT_KINDS


def _demo(args: argparse.Namespace) -> int:
    from stalking_profile.demo.build import build_demo_database, ensure_database

    path: Path = args.db
    if args.rebuild:
        build_demo_database(path)
    elif not ensure_database(path):
        print(f"{path} is up to date; keeping it (--rebuild replaces it with a fresh demo).")
    return 0


def _write(database: Path, action: Callable[[Any], Any], create: bool = False) -> int:
    """Run `action(gateway)` on a new version of the store, published when it succeeds (the
    dashboard may keep running); print its report, or the error and that the database is
    unchanged (exit status 2)."""
    from stalking_profile.db import DatabaseError
    from stalking_profile.geography import BoundaryError
    from stalking_profile.importing.load import ImportRefused
    from stalking_profile.importing.readers import ReadError
    from stalking_profile.snapshots import writing

    errors = (BoundaryError, DatabaseError, ImportRefused, ReadError, ValueError)
    try:
        with writing(database, create=create) as gateway:
            report = action(gateway)
    except errors as error:
        print(f"\nerror: {error}. The database is unchanged.", file=sys.stderr)
        return 2
    print(report.text())
    return 0


def _boundaries(args: argparse.Namespace) -> int:
    from stalking_profile.importing.boundaries import load_boundaries

    return _write(
        args.db,
        lambda gateway: load_boundaries(
            gateway, args.file, args.code_column, args.name_column, args.crs
        ),
    )


def _import(args: argparse.Namespace) -> int:
    from stalking_profile.importing.load import import_file
    from stalking_profile.importing.mapping import ColumnMapping, load_mapping

    def action(gateway):
        mapping = load_mapping(args.mapping) if args.mapping else ColumnMapping()
        mapping = replace(
            mapping,
            encoding=args.encoding or mapping.encoding,
            delimiter=args.delimiter or mapping.delimiter,
            sheet=args.sheet or mapping.sheet,
        )
        return import_file(
            gateway,
            args.file,
            args.kind,
            mapping,
            args.extract_date,
            progress=_progress_bar(args.quiet),
        )

    return _write(args.db, action, create=True)


def _progress_bar(quiet: bool):
    def show(fraction: float, message: str) -> None:
        if quiet:
            return
        filled = int(fraction * 30)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {message[:50]:<50}"
        )
        if fraction >= 1:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _police_uk(args: argparse.Namespace) -> int:
    from stalking_profile.importing.police_uk import import_police_uk

    return _write(args.db, lambda gateway: import_police_uk(gateway, args.files, args.lsoa_lookup))


def _database_option(parser: argparse.ArgumentParser, default: Path, what: str) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=default,
        help=f"{what} (default: {default}, or $STALKING_PROFILE_DB)",
    )


def _add_demo(commands: Any, settings: Settings) -> None:
    demo = commands.add_parser(
        "demo",
        help="build the synthetic demonstration force",
        description=(
            "Build the synthetic demonstration force (West Yorkshire geography, calibrated to the "
            "published 2022 stalking problem profile) into a DuckDB file."
        ),
    )
    _database_option(demo, settings.db_path, "database file to write")
    demo.add_argument("--rebuild", action="store_true", help="replace the file if it exists")
    demo.set_defaults(handler=_demo)


def _add_boundaries(commands: Any, settings: Settings) -> None:
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
    _database_option(boundaries, settings.db_path, "database file")
    boundaries.set_defaults(handler=_boundaries)


def _add_import(commands: Any, settings: Settings) -> None:
    importer = commands.add_parser(
        "import",
        help="import a force's records (CSV, Parquet, Excel) with validation",
        description=(
            "Import offences (with their latest outcome), outcome histories, districts, wards or "
            "comparison-layer counts from CSV (any common encoding and delimiter), Parquet or Excel "
            "(.xlsx). Every row is checked against the data contract: refused rows are reported "
            "with their row number and reason and kept in the quarantine table; the accepted rows "
            "are written in one transaction. Re-importing the same file changes nothing; a newer "
            "extract updates offences by crime reference and appends to outcome histories. "
            "Templates: data/templates/."
        ),
    )
    importer.add_argument(
        "file", type=Path, help="the file to import (.csv, .txt, .tsv, .parquet, .xlsx)"
    )
    importer.add_argument(
        "--kind",
        choices=list(IMPORT_KINDS),
        help="what the file holds (default: detected from its columns)",
    )
    importer.add_argument(
        "--mapping",
        type=Path,
        help="a TOML file mapping the file's headers and codes to the contract",
    )
    importer.add_argument(
        "--extract-date",
        type=date.fromisoformat,
        help="the records system's extract date, YYYY-MM-DD (default: the latest date in the data)",
    )
    _database_option(importer, settings.db_path, "database file, created if absent")
    importer.add_argument("--encoding", help="the CSV's encoding, e.g. cp1252 (default: detected)")
    importer.add_argument(
        "--delimiter", help="the CSV's delimiter, e.g. ';' or tab (default: detected)"
    )
    importer.add_argument("--sheet", help="the Excel sheet to read (default: the first)")
    importer.add_argument("--quiet", action="store_true", help="no progress bar")
    importer.set_defaults(handler=_import)


def _add_police_uk(commands: Any, settings: Settings) -> None:
    context = commands.add_parser(
        "police-uk",
        help="load police.uk street-level crime CSVs as a context layer",
        description=(
            "Load police.uk street-level crime CSVs (the monthly public data) as context: points are "
            "placed in the loaded wards; rows without coordinates by LSOA through --lsoa-lookup; "
            "'Last outcome category' is mapped to the nearest Home Office outcome group "
            "(approximate). Each crime type becomes a comparison layer for the hotspot maps."
        ),
    )
    context.add_argument("files", type=Path, nargs="+", help="police.uk street-level CSV files")
    context.add_argument(
        "--lsoa-lookup", type=Path, help="CSV of LSOA code, ward code (first two columns)"
    )
    _database_option(context, settings.db_path, "database file")
    context.set_defaults(handler=_police_uk)


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser: demo, boundaries, import and police-uk."""
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="stalking-profile",
        description="Stalking Profile: build and manage the dashboard's DuckDB database.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for add in (_add_demo, _add_boundaries, _add_import, _add_police_uk):
        add(commands, settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
