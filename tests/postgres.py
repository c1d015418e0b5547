"""A throwaway PostgreSQL server from Debian's `postgresql` package, for the tests that need a
real one: initdb into a temporary directory, start on a free local port, stop afterwards.
(PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.)"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INITDB_OPTIONS = ("--auth=trust", "-E", "UTF8", "--no-sync")


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None when it is not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server() -> Iterator[str]:
    """Start a PostgreSQL server; yield a URL for its `postgres` database as a superuser."""
    binaries = server_binaries()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="stalking-pg-"))
    as_postgres: list[str] = []
    if os.getuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = ["-l", root / "server.log", "-w", "start"]
    quiet = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    try:
        subprocess.run(
            [*as_postgres, binaries / "initdb", "-D", data, "-U", "stalking", *INITDB_OPTIONS],
            **quiet,
        )
        subprocess.run(
            [*as_postgres, binaries / "pg_ctl", "-D", data, "-o", options, *start],
            **quiet,
        )
        yield f"postgresql://stalking@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, binaries / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def new_database(server_url: str, name: str) -> str:
    """Create an empty database on the server; return its URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True) as connection:
        # CREATE DATABASE takes no bound parameters: the name is quoted as an identifier.
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server_url.rsplit("/", 1)[0] + "/" + name
