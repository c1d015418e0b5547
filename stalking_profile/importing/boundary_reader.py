"""A boundary file read and repaired in a child process, within memory and time limits.

Repairing a ward's shape (GEOS's make_valid) can take time and memory out of all proportion
to the file: one self-crossing ward of 1,500 points (60 KB) held the dashboard's server at
1.35 GB and a core for minutes, and one of 30,000 points took 22.7 GB; a GeoPackage whose
layer is an endless view never finished reading (helper 96). Read in a child process, such a
file ends that process, not the server, and is refused with its reason; the database is not
held meanwhile (the callers read before they write).

    python -m stalking_profile.importing.boundary_reader FILE OUT CODE NAME CRS  (the child)
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from stalking_profile.geography import Boundaries, BoundaryError, read_boundaries
from stalking_profile.importing.limited import limit_memory, run_limited

READ_MEMORY_BYTES = 6 << 30  # the reading process's address space
READ_SECONDS = 300  # as long as a workbook may take (importing/excel.py)
REFUSED = "refused.txt"  # beside the child's output: why the file was refused


def read_boundaries_safely(
    path: Path | str,
    code_column: str | None = None,
    name_column: str | None = None,
    crs: str | None = None,
    seconds: int | None = None,
) -> Boundaries:
    """`geography.read_boundaries` in a child process limited to READ_MEMORY_BYTES and
    `seconds` (READ_SECONDS); BoundaryError, with the reason, where the file is refused or
    needs more."""
    seconds = seconds or READ_SECONDS
    path = Path(path)
    if not path.is_file():
        raise BoundaryError(f"no file at {path}")
    with tempfile.TemporaryDirectory(prefix="boundaries-read-") as folder:
        out = Path(folder) / "boundaries.pickle"
        arguments = [str(path), str(out), code_column or "", name_column or "", crs or ""]
        try:  # a zip's member is extracted under the folder: nothing is left if it is ended
            done = run_limited(
                "stalking_profile.importing.boundary_reader", arguments, seconds, folder
            )
        except subprocess.TimeoutExpired as error:
            raise BoundaryError(
                f"{path.name} could not be read and its shapes repaired within {seconds} s: "
                "check its shapes (a ward whose outline crosses itself many times), or use "
                "generalised boundaries"
            ) from error
        refused = out.with_name(REFUSED)
        if refused.is_file():
            raise BoundaryError(refused.read_text(encoding="utf-8"))
        if done.returncode != 0 or not out.is_file():
            raise BoundaryError(
                f"{path.name} could not be read and its shapes repaired within "
                f"{READ_MEMORY_BYTES / 2**30:.0f} GB of memory: check its shapes (a ward whose "
                "outline crosses itself many times), or use generalised boundaries"
            )
        with out.open("rb") as read:
            return pickle.load(read)  # written by the child just now, from this package


def _child(path: str, out: str, code_column: str, name_column: str, crs: str) -> None:
    """In the child process: limit memory, read the file, write the result (or the reason it
    was refused)."""
    limit_memory(READ_MEMORY_BYTES)
    try:
        boundaries = read_boundaries(path, code_column or None, name_column or None, crs or None)
    except BoundaryError as error:
        Path(out).with_name(REFUSED).write_text(str(error), encoding="utf-8")
        sys.exit(1)
    with open(out, "wb") as written:
        pickle.dump(boundaries, written)


if __name__ == "__main__":
    _child(*sys.argv[1:6])
