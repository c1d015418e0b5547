"""Command line: `python -m stalking_profile <command>` (also the `stalking-profile` script).

Each command imports what it needs when it runs, so `--help` answers at once (GeoPandas and
the demo generator are loaded only by the commands that use them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
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


def _write(
    database: Path, action: Callable[[Any], Any], create: bool = False, audit: bool = True
) -> int:
    """Run `action(gateway)` on a new version of the store, published when it succeeds (the
    dashboard may keep running); print its report, or the error and that the database is
    unchanged (exit status 2)."""
    from stalking_profile.db import DatabaseError
    from stalking_profile.geography import BoundaryError
    from stalking_profile.importing.load import ImportRefused
    from stalking_profile.importing.readers import ReadError
    from stalking_profile.snapshots import writing

    errors = (BoundaryError, DatabaseError, ImportRefused, ReadError, ValueError)
    # not when the dashboard runs it: it records the import under its user. Recorded as
    # started before it can land, so an import killed between landing and its audit entry
    # still leaves a trace (the audit trail and the database cannot be written as one).
    if audit:
        _audit_import(database, "started", outcome="started")
    try:
        with writing(database, create=create) as gateway:
            report = action(gateway)
    except errors as error:
        print(f"\nerror: {error}. The database is unchanged.", file=sys.stderr)
        if audit:
            _audit_import(database, f"refused: {error}", outcome="refused")
        return 2
    print(report.text())
    if audit:
        _audit_import(database, report.text())
    return 0


def _audit_import(database: Path, report: str, outcome: str = "ok") -> None:
    """Write a command-line import to the audit trail of the database's operational store (a
    warning, not a failure, if that store cannot be written: the import itself has landed)."""
    from stalking_profile.operational import OperationalError, audit, open_store

    settings = replace(Settings.from_env(), db_path=database)
    try:
        audit.record(
            open_store(settings.operational_store_url),
            audit.Action.IMPORT,
            _operator(),
            f"{database.name}: {report.splitlines()[0] if report else ''}"[:500],
            outcome=outcome,
        )
    except OperationalError as error:
        print(f"warning: the import is not in the audit trail: {error}", file=sys.stderr)


def _boundaries(args: argparse.Namespace) -> int:
    from stalking_profile.geography import BoundaryError
    from stalking_profile.importing.boundaries import load_boundaries
    from stalking_profile.importing.boundary_reader import read_boundaries_safely

    try:  # read (in a child process with limits) before the database is held for writing
        read: Any = read_boundaries_safely(args.file, args.code_column, args.name_column, args.crs)
    except BoundaryError as error:
        read = error

    def action(gateway: Any) -> Any:
        if isinstance(read, BoundaryError):
            raise read  # refused as any write is, and in the audit trail
        return load_boundaries(gateway, args.file, boundaries=read)

    return _write(args.db, action)


@dataclass(frozen=True)
class _Done:
    """What a write other than an import did, as `_write` prints it."""

    said: str

    def text(self) -> str:
        return self.said


def _refresh(args: argparse.Namespace) -> int:
    """Rebuild the database's marts (after an upgrade: `store.check_marts`)."""
    from stalking_profile.store import refresh_marts

    def action(gateway):
        started = time.perf_counter()
        with gateway.transaction():
            refresh_marts(gateway)
        return _Done(
            f"Rebuilt the summary tables of {args.db.name} in "
            f"{time.perf_counter() - started:.1f} s; the records are unchanged."
        )

    return _write(args.db, action)


def _add_refresh(commands: Any, settings: Settings) -> None:
    refresh = commands.add_parser(
        "refresh",
        help="rebuild the summary tables after an upgrade",
        description=(
            "Rebuild the database's summary tables (marts) from its records, as an import "
            "does: needed once after upgrading Stalking Profile, when the dashboard says its "
            "summary tables were built by another version. The records are not changed; the "
            "dashboard may keep running."
        ),
    )
    _database_option(refresh, settings.db_path, "database file")
    refresh.set_defaults(handler=_refresh)


def _first_to_go() -> None:
    """Ask the kernel to end this process first if the machine runs out of memory (Linux: the
    highest oom_score_adj goes first). An import or check reads files from outside; the
    dashboard runs them as child processes, so a file that would take all the memory ends
    the import (which leaves the store as it was: snapshots.py), not the dashboard."""
    with contextlib.suppress(OSError):  # not Linux: the importer's own limits still hold
        Path("/proc/self/oom_score_adj").write_text("1000\n")


def _import(args: argparse.Namespace) -> int:
    from stalking_profile.importing.load import import_file

    _first_to_go()

    def action(gateway):
        mapping = _mapping(args)
        return import_file(
            gateway,
            args.file,
            args.kind,
            mapping,
            args.extract_date,
            progress=_progress_bar(args.quiet),
            whole_extract=args.whole_extract,
        )

    return _write(args.db, action, create=True, audit=not args.audited_by_caller)


def _check(args: argparse.Namespace) -> int:
    """Check a file against the database without writing: print what would be accepted and
    refused (or, with --json, the report as JSON), and write the refused rows if asked. Exit
    status 0 when every row would be accepted, 1 when some would be refused (a script can
    stop there), 2 when the file cannot be checked at all."""
    from stalking_profile.db import DatabaseError, connect
    from stalking_profile.importing.check import CHECK_FOUND_REFUSALS, check_file
    from stalking_profile.importing.extracts import refusal_line
    from stalking_profile.importing.load import ImportRefused
    from stalking_profile.importing.readers import ReadError

    _first_to_go()
    try:
        mapping = _mapping(args)
        gateway = connect(args.db, read_only=True)
        try:
            report, refused = check_file(gateway, args.file, args.kind, mapping)
        finally:
            gateway.close()
    except (DatabaseError, ImportRefused, ReadError, ValueError) as error:
        print(f"error: {error}.", file=sys.stderr)
        return 2
    if args.refused_out:
        refused.write_parquet(args.refused_out)
    found = CHECK_FOUND_REFUSALS if report.refused else 0
    if args.json:
        print(report.to_json())
        return found
    print(report.text())
    for note in report.warnings:
        print(f"  {note}")
    if report.unused_columns:
        print(f"Columns not used: {', '.join(report.unused_columns)}")
    for row in refused.head(20).iter_rows(named=True):
        print(f"  {refusal_line(row)}")
    if refused.height > 20:
        print(f"  ... and {refused.height - 20:,} more (--refused-out FILE.parquet for all)")
    return found


def _mapping(args: argparse.Namespace) -> Any:
    """The --mapping file with the --encoding, --delimiter and --sheet options over it."""
    from stalking_profile.importing.mapping import ColumnMapping, load_mapping

    mapping = load_mapping(args.mapping) if args.mapping else ColumnMapping()
    return replace(
        mapping,
        encoding=args.encoding or mapping.encoding,
        delimiter=args.delimiter or mapping.delimiter,
        sheet=args.sheet or mapping.sheet,
    )


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
            "extract updates offences by crime reference and brings their outcomes up to date "
            "(a corrected or withdrawn outcome replaced, a reopened case open again). "
            "Templates: data/templates/."
        ),
    )
    importer.add_argument(
        "file", type=Path, help="the file to import (.csv, .txt, .tsv, .parquet, .xlsx)"
    )
    _reading_options(importer)
    importer.add_argument(
        "--extract-date",
        type=date.fromisoformat,
        help="the records system's extract date, YYYY-MM-DD (default: the latest date in the data)",
    )
    importer.add_argument(
        "--whole-extract",
        action="store_true",
        help="the file is the force's whole extract of offences: stored offences it does not "
        "hold are removed, with their outcome histories and victim-contact logs",
    )
    _database_option(importer, settings.db_path, "database file, created if absent")
    importer.add_argument("--quiet", action="store_true", help="no progress bar")
    # the dashboard's Data page runs the import and audits it under the signed-in user
    importer.add_argument("--audited-by-caller", action="store_true", help=argparse.SUPPRESS)
    importer.set_defaults(handler=_import)


def _reading_options(parser: argparse.ArgumentParser) -> None:
    """How to read a file: what it holds, its mapping, encoding, delimiter and sheet (the
    same for `check` and `import`)."""
    parser.add_argument(
        "--kind",
        choices=list(IMPORT_KINDS),
        help="what the file holds (default: detected from its columns)",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        help="a TOML file mapping the file's headers and codes to the contract",
    )
    parser.add_argument("--encoding", help="the CSV's encoding, e.g. cp1252 (default: detected)")
    parser.add_argument(
        "--delimiter", help="the CSV's delimiter, e.g. ';' or tab (default: detected)"
    )
    parser.add_argument(
        "--sheet", help="the Excel sheet to read (default: the first sheet that is not hidden)"
    )


def _add_check(commands: Any, settings: Settings) -> None:
    check = commands.add_parser(
        "check",
        help="check a file against the data contract without importing it",
        description=(
            "Read, map and validate a file exactly as `import` would, against the database's "
            "districts and wards, and report what would be accepted and refused (with row numbers "
            "and reasons). Nothing is written. Exit status: 0 when every row would be accepted, "
            "1 when some would be refused, 2 when the file cannot be checked."
        ),
    )
    check.add_argument("file", type=Path, help="the file to check")
    _reading_options(check)
    _database_option(check, settings.db_path, "database file to check against")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument(
        "--refused-out", type=Path, help="write every refused row with its reason (Parquet)"
    )
    check.set_defaults(handler=_check)


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


def _store(args: argparse.Namespace) -> Any:
    """The operational store for the database named (or the one $STALKING_PROFILE_STORE names)."""
    from stalking_profile.operational import open_store

    settings = replace(Settings.from_env(), db_path=args.db)
    return open_store(args.store or settings.operational_store_url)


def _operator() -> Any:
    """Whoever runs the command, with the deployment's disclosure rule for publication mode
    (STALKING_PROFILE_SUPPRESS_BELOW and _ROUND_TO), as the dashboard gives every session: a
    publication pack from the command line suppressed under 5 where the force had set 10."""
    import getpass

    from stalking_profile.access import Access

    settings = Settings.from_env()
    operator = Access.command_line(f"{getpass.getuser()} (command line)")
    return operator.with_threshold(settings.suppress_below, settings.round_to)


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password (at least 12 characters): ")
    if getpass.getpass("Repeat it: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _users(args: argparse.Namespace) -> int:
    from stalking_profile.access import AccessDenied
    from stalking_profile.operational import OperationalError, accounts

    try:
        store, operator = _store(args), _operator()
        if args.action == "list":
            listing = accounts.users(store, operator)
            if listing.height:
                _print_table(listing.drop("created_at"))
            else:
                print("No user accounts yet.")
            return 0
        if args.action == "add":
            accounts.add_user(
                store, args.username, args.role, _read_password(args), operator, args.name or ""
            )
            print(f"Added {args.username} as {args.role}.")
        elif args.action == "role":
            accounts.set_role(store, args.username, args.role, operator)
            print(f"{args.username} is now {args.role}; their open sessions have ended.")
        elif args.action == "password":
            accounts.reset_password(store, args.username, _read_password(args), operator)
            print(f"Password reset for {args.username}; any lock-out is cleared.")
        else:
            accounts.set_disabled(store, args.username, args.action == "disable", operator)
            print(f"{args.username} is {args.action}d.")
    except (AccessDenied, OperationalError, ValueError) as error:
        print(f"error: {error}.", file=sys.stderr)
        return 2
    return 0


def _login(args: argparse.Namespace) -> int:
    from stalking_profile.operational import OperationalError, settings

    try:
        store = _store(args)
        if args.state != "status":
            settings.set_login_required(store, args.state == "on", _operator())
        setting = settings.login_setting(store)
    except OperationalError as error:
        print(f"error: {error}.", file=sys.stderr)
        return 2
    print(
        "Login is not set: a force's database requires it; the synthetic demo opens without it."
        if setting is None
        else "Login is required."
        if setting
        else "Login is OFF: anyone who can reach the dashboard is an analyst."
    )
    return 0


def _print_table(frame: Any) -> None:
    import polars as pl

    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=240,
        fmt_str_lengths=80,
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
        tbl_formatting="ASCII_MARKDOWN",
    ):
        print(frame)


def _audit(args: argparse.Namespace) -> int:
    from stalking_profile.operational import OperationalError, audit
    from stalking_profile.tables import spreadsheet_safe

    try:
        store, operator = _store(args), _operator()
        events = audit.events(store, operator, days=args.days, max_rows=2**62)
        if args.csv:  # the trail's own export is in it: it holds who read which records
            spreadsheet_safe(events).write_csv(args.csv)
            detail = f"{args.csv.name}: {events.height:,} events of the last {args.days} days"
            audit.record(store, audit.Action.EXPORT, operator, detail, "the audit trail")
    except OperationalError as error:
        print(f"error: {error}.", file=sys.stderr)
        return 2
    if args.csv:
        print(f"Wrote {events.height:,} audit events to {args.csv}.")
    else:
        _print_table(events)
    return 0


def _pack(args: argparse.Namespace) -> int:
    """Build a meeting pack (PowerPoint and PDF) for an area and period."""
    from stalking_profile.db import DatabaseError, connect
    from stalking_profile.operational import OperationalError, audit
    from stalking_profile.pack.build import build, pack_filter

    operator = _operator()
    access = operator.for_publication() if args.publication or args.ons else operator
    if args.ons:  # the ONS style: under 10 suppressed, the rest rounded to 5
        access = access.with_threshold(10, 5)
    try:
        gateway = connect(args.db, read_only=True)
        try:
            flt, area = pack_filter(
                gateway, args.area, args.start, args.end, args.domestic, access.publication
            )
            pack = build(gateway, flt, area, access, _tracker_or_none(args))
        finally:
            gateway.close()
    except (DatabaseError, ValueError) as error:
        print(f"error: {error}.", file=sys.stderr)
        return 2
    stem = args.out.with_suffix("")
    written = []
    for suffix, content in ((".pptx", pack.pptx), (".pdf", pack.pdf)):
        path = stem.with_suffix(suffix)
        path.write_bytes(content)
        written.append(path)
        try:
            from stalking_profile.exports import digest

            audit.record(
                _store(args),
                audit.Action.PACK,
                operator,
                f"{path.name} ({'publication' if pack.publication else 'internal'}, "
                f"sha256 {digest(content)})",
                flt.describe(),
            )
        except OperationalError as error:
            print(f"warning: the pack is not in the audit trail: {error}", file=sys.stderr)
    print(
        f"{pack.title}, {flt.describe()}: wrote {', '.join(map(str, written))} in {pack.seconds:.1f} s."
    )
    return 0


def _tracker_or_none(args: argparse.Namespace) -> Any:
    """The recommendations tracker for the pack (None if the store cannot be opened)."""
    from stalking_profile.operational import OperationalError
    from stalking_profile.scrutiny import tracker

    try:
        return tracker.tracker(_store(args), example=False)
    except OperationalError:
        return None


def _add_pack(commands: Any, settings: Settings) -> None:
    pack = commands.add_parser(
        "pack",
        help="build a meeting pack (PowerPoint and PDF) for an area and period",
        description=(
            "Build a meeting pack for the force or one district: headline figures with their "
            "changes and intervals, key findings in words, the trend with SPC, DA against "
            "non-DA, outcomes, risk and flags, the ward map and data-quality caveats, "
            "definitions in the speaker notes. --publication suppresses small numbers in all "
            "of it."
        ),
    )
    pack.add_argument(
        "area",
        help="force, or a district code (e.g. CD); with --publication or --ons, force only",
    )
    pack.add_argument("--from", dest="start", type=_month, help="first month, YYYY-MM")
    pack.add_argument("--to", dest="end", type=_month, help="last month, YYYY-MM")
    pack.add_argument(
        "--domestic",
        choices=["all", "domestic", "non_domestic"],
        default="all",
        help="DA and non-DA (default), DA only or non-DA only",
    )
    pack.add_argument(
        "--publication",
        action="store_true",
        help="publication mode: counts under $STALKING_PROFILE_SUPPRESS_BELOW (default 5) "
        "suppressed, the rest rounded to $STALKING_PROFILE_ROUND_TO if set",
    )
    pack.add_argument(
        "--ons",
        action="store_true",
        help="publication mode in the ONS style: counts under 10 suppressed, the rest rounded to 5",
    )
    pack.add_argument(
        "--out", type=Path, default=Path("pack.pptx"), help="file name (.pptx and .pdf written)"
    )
    _store_options(pack, settings)
    pack.set_defaults(handler=_pack)


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01")


def _store_options(parser: argparse.ArgumentParser, settings: Settings) -> None:
    _database_option(
        parser,
        settings.db_path,
        "database file (its operational store is beside it unless --store)",
    )
    parser.add_argument(
        "--store",
        help="the operational store's URL (default: <database>.operational.sqlite beside the "
        "database, or $STALKING_PROFILE_STORE)",
    )


def _add_accounts(commands: Any, settings: Settings) -> None:
    users = commands.add_parser(
        "users",
        help="manage login accounts (add, role, password, disable, enable, list)",
        description=(
            "Manage the dashboard's local accounts. Roles: commissioner (aggregates only, small "
            "numbers suppressed), strategic (aggregates), analyst (aggregates, records, imports, "
            "exports), administrator (users, audit trail, settings). Passwords are asked for "
            "twice (or read from standard input with --password-stdin) and kept as argon2id "
            "hashes. Every change is in the audit trail."
        ),
    )
    users.add_argument("action", choices=["add", "role", "password", "disable", "enable", "list"])
    users.add_argument("username", nargs="?", default="", help="the account's user name")
    users.add_argument("--role", choices=[role.value for role in _roles()], default="analyst")
    users.add_argument("--name", help="the name shown in the dashboard (default: the user name)")
    users.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    _store_options(users, settings)
    users.set_defaults(handler=_users)

    login = commands.add_parser(
        "login",
        help="require login (on), turn it off, or show the setting",
        description=(
            "A force's database requires login by default; the synthetic demo opens without it. "
            "Turning login off makes everyone who can reach the dashboard an analyst: the "
            "dashboard says so on every page."
        ),
    )
    login.add_argument("state", choices=["on", "off", "status"])
    _store_options(login, settings)
    login.set_defaults(handler=_login)

    trail = commands.add_parser(
        "audit", help="show or export the audit trail", description="The append-only audit trail."
    )
    trail.add_argument("--days", type=int, default=90, help="how far back (default 90 days)")
    trail.add_argument("--csv", type=Path, help="write the events to this CSV file")
    _store_options(trail, settings)
    trail.set_defaults(handler=_audit)


def _roles() -> list[Any]:
    from stalking_profile.access import Role

    return list(Role)


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser: demo, boundaries, refresh, check, import, police-uk, users,
    login, audit and pack."""
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="stalking-profile",
        description="Stalking Profile: build and manage the dashboard's database and accounts.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for add in (
        _add_demo,
        _add_boundaries,
        _add_refresh,
        _add_check,
        _add_import,
        _add_police_uk,
        _add_accounts,
        _add_pack,
    ):
        add(commands, settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    # what the commands write (databases, the operational store, exports, quarantines) holds
    # records or password hashes: readable by its owner alone, as scripts/start makes them
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
