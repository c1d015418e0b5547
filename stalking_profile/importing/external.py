"""Running an import in its own process: the dashboard hands the saved upload to the command
line (`python -m stalking_profile import`) and follows its progress, so parsing and loading a
large extract never grows the server's memory, and a failure there cannot take the server down.
The import publishes a new version of the store (snapshots.py) that every session then reads.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stalking_profile.access import Access, Permission

PROGRESS_LINE = re.compile(r"\]\s*(\d+)%\s+(.*?)\s*$")


@dataclass(frozen=True)
class Outcome:
    """How an import in a child process ended: `ok`, and its report or its error in words."""

    ok: bool
    text: str


def import_in_child(
    access: Access,
    database: Path,
    path: Path,
    mapping: Path | None = None,
    kind: str | None = None,
    progress: Callable[[float, str], None] = lambda fraction, message: None,
) -> Outcome:
    """Import `path` into `database` in a child process, reporting its progress as it goes
    (only for those who may import)."""
    access.require(Permission.IMPORT)
    command = [sys.executable, "-m", "stalking_profile", "import", str(path), "--db", str(database)]
    command += ["--mapping", str(mapping)] if mapping else []
    command += ["--kind", kind] if kind else []
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    assert process.stderr is not None and process.stdout is not None
    lines: list[str] = []
    current = ""
    while character := process.stderr.read(1):
        if character not in "\r\n":
            current += character
            continue
        match = PROGRESS_LINE.search(current)
        if match:
            progress(int(match.group(1)) / 100, match.group(2))
        elif current.strip():
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    report = process.stdout.read().strip()
    if process.wait() == 0:
        return Outcome(True, report)
    errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    reason = errors[-1] if errors else (lines[-1] if lines else "the import stopped")
    return Outcome(False, reason)
