"""The command line builds the demo database, keeps a current one and explains itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stalking_profile.cli import main
from stalking_profile.db import connect

ROOT = Path(__file__).resolve().parents[1]


def test_demo_builds_then_keeps_the_database(tmp_path: Path, capsys) -> None:
    path = tmp_path / "demo.duckdb"
    assert main(["demo", "--db", str(path)]) == 0
    built = path.stat().st_mtime_ns
    gateway = connect(path)
    assert gateway.sql("SELECT count(*) AS n FROM offence")["n"].item() > 100_000
    gateway.close()
    assert main(["demo", "--db", str(path)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert path.stat().st_mtime_ns == built
    assert not list(tmp_path.glob("*.building*"))


def test_module_help_explains_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stalking_profile", "demo", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert "--db" in result.stdout and "--rebuild" in result.stdout


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    import pytest

    from stalking_profile.db import DatabaseError

    with pytest.raises(DatabaseError, match=r"no database at .*python -m stalking_profile demo"):
        connect(tmp_path / "absent.duckdb")
    # the demo refuses a force's records: the message also says how to start a force's own
    with pytest.raises(DatabaseError, match=r"python -m stalking_profile import districts.csv"):
        connect(tmp_path / "absent.duckdb")


def test_the_command_lines_publication_mode_keeps_the_deployments_rule(monkeypatch) -> None:
    """`pack --publication` suppressed counts under 5 whatever the force had set; the
    dashboard reads STALKING_PROFILE_SUPPRESS_BELOW and _ROUND_TO for every session, and the
    command line now does too."""
    from stalking_profile.cli import _operator

    assert _operator().for_publication().disclosure_rule == (5, 0)  # the defaults
    monkeypatch.setenv("STALKING_PROFILE_SUPPRESS_BELOW", "10")
    monkeypatch.setenv("STALKING_PROFILE_ROUND_TO", "5")
    assert _operator().for_publication().disclosure_rule == (10, 5)
    assert _operator().disclosure_rule == (0, 0)  # nothing suppressed outside publication
