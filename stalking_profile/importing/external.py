"""Running a check or an import in its own process: the dashboard hands the saved upload to
the command line (`python -m stalking_profile check --json` or `import`) and follows it, so
parsing and validating a large extract never grows the server's memory, and a failure there
cannot take the server down. An import publishes a new version of the store (snapshots.py)
that every session then reads.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stalking_profile.access import Access, Permission
from stalking_profile.importing.check import CHECK_FOUND_REFUSALS, CheckReport
from stalking_profile.importing.load import ALREADY_IMPORTED

PROGRESS_LINE = re.compile(r"\]\s*(\d+)%\s+(.*?)\s*$")


@dataclass(frozen=True)
class Outcome:
    """How an import in a child process ended: `ok`, and its report or its error in words."""

    ok: bool
    text: str

    def parts(self) -> tuple[str, list[str]]:
        """The report's summary, and its lines for refused rows (the import report indents
        them: "  row 3: recorded_date = ...", "  ... and 12 more reasons")."""
        lines = self.text.splitlines()
        refused = [line.strip() for line in lines if line.startswith("  ")]
        return "\n".join(line for line in lines if not line.startswith("  ")), refused

    @property
    def changed(self) -> bool:
        """Whether the import changed the database (not a file already imported)."""
        return self.ok and not self.text.rstrip().endswith(ALREADY_IMPORTED)

    def for_audit(self, file_name: str) -> str:
        """What the audit trail keeps of the import: the report's summary (it names the file),
        or the error after the file's name; never the refused rows' lines, which quote the
        file's values (record level: administrators, who may not read records, read it)."""
        return self.parts()[0] if self.ok else f"{file_name}: {self.text}"


def import_in_child(
    access: Access,
    database: Path,
    path: Path,
    mapping: Path | None = None,
    kind: str | None = None,
    progress: Callable[[float, str], None] = lambda fraction, message: None,
    whole_extract: bool = False,
) -> Outcome:
    """Import `path` into `database` in a child process, reporting its progress as it goes
    (only for those who may import); `whole_extract` as the command's --whole-extract."""
    access.require(Permission.IMPORT)
    command = [sys.executable, "-m", "stalking_profile", "import", str(path), "--db", str(database)]
    command += ["--mapping", str(mapping)] if mapping else []
    command += ["--kind", kind] if kind else []
    command += ["--whole-extract"] if whole_extract else []
    command += ["--audited-by-caller"]  # the dashboard records it under the signed-in user
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
    returncode = process.wait()
    if returncode == 0:
        return Outcome(True, report)
    return Outcome(False, stopped_because(returncode, lines))


def _killed(what: str) -> str:
    """What the Data page says of a child `what` (import, check) killed from outside."""
    return (
        f"the {what} was stopped from outside before it finished (most likely the machine ran "
        f"out of memory reading the file: the {what} is the first process to go)"
    )


KILLED = _killed("import") + "; nothing was imported"
CHECK_KILLED = _killed("check")


def stopped_because(returncode: int, lines: list[str]) -> str:
    """Why a child import failed, from its exit status and what it wrote to stderr: its last
    "error: " line; if it was killed (out of memory: the CLI asks to go first), that; else its
    last line."""
    errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    if errors:
        return errors[-1]
    if returncode == -signal.SIGKILL:
        return KILLED
    return lines[-1] if lines else "the import stopped"


CHECK_SECONDS = 600


@dataclass(frozen=True)
class CheckOutcome:
    """How a check in a child process ended: its report (None when the file was refused
    outright, with the reason in `error`) and the refused rows written beside it."""

    report: CheckReport | None
    error: str
    refused_rows: Path  # Parquet: row_number, column_name, value, reason


def _stopped(stderr: str) -> str:
    """Why a check stopped that the reader has no words for: the error's own last line (a
    file that stopped the reader was reported as "the check stopped", with no reason)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    last = lines[-1][:300] if lines else ""
    return (
        "the check stopped on an error it cannot explain"
        + (f" ({last})" if last else "")
        + ": the database is unchanged; please report it with the file's kind and size"
    )


def check_in_child(
    access: Access,
    database: Path,
    path: Path,
    folder: Path,
    mapping: Path | None = None,
    kind: str | None = None,
) -> CheckOutcome:
    """Check `path` against `database` in a child process (only for those who may import);
    the refused rows go to a Parquet file in `folder`."""
    access.require(Permission.IMPORT)
    refused = folder / "refused.parquet"
    command = [sys.executable, "-m", "stalking_profile", "check", str(path), "--db", str(database)]
    command += ["--json", "--refused-out", str(refused)]
    command += ["--mapping", str(mapping)] if mapping else []
    command += ["--kind", kind] if kind else []
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CHECK_SECONDS)
    except subprocess.TimeoutExpired:
        return CheckOutcome(
            None, f"the check took longer than {CHECK_SECONDS // 60} minutes", refused
        )
    if done.returncode not in (0, CHECK_FOUND_REFUSALS):
        errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
        reason = (
            errors[-1].removeprefix("error: ").rstrip(".")
            if errors
            else CHECK_KILLED
            if done.returncode == -signal.SIGKILL
            else _stopped(done.stderr)
        )
        return CheckOutcome(None, reason, refused)
    return CheckOutcome(CheckReport.from_json(done.stdout.strip().splitlines()[-1]), "", refused)
