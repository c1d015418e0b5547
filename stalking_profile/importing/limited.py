"""A file read in a child process within memory and time limits (workbooks: excel.py; ward
boundaries: boundary_reader.py): a hostile file ends that process, not the dashboard's."""

from __future__ import annotations

import os
import resource
import subprocess
import sys


def run_limited(
    module: str, arguments: list[str], seconds: int, folder: str
) -> subprocess.CompletedProcess[str]:
    """`python -m module arguments`, output captured, with `folder` as its temporary folder
    (what it extracts goes with the folder if it is ended); subprocess.TimeoutExpired after
    `seconds`, the child ended. The child limits its own memory (`limit_memory`)."""
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        capture_output=True,
        text=True,
        timeout=seconds,
        check=False,
        env={**os.environ, "TMPDIR": folder},
    )


def limit_memory(most_bytes: int) -> None:
    """In the child: its address space at most `most_bytes` (MemoryError, or an abort, past it)."""
    resource.setrlimit(resource.RLIMIT_AS, (most_bytes, most_bytes))
