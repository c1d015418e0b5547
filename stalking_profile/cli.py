"""Command line: `python -m stalking_profile <command>` (also the `stalking-profile` script)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stalking_profile.config import Settings
from stalking_profile.store import build_demo_database, ensure_database


def _demo(args: argparse.Namespace) -> int:
    path: Path = args.db
    if args.rebuild:
        build_demo_database(path)
    elif not ensure_database(path):
        print(f"{path} is up to date; keeping it (--rebuild replaces it with a fresh demo).")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
