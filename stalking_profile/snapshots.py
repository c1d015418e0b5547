"""Publishing a new version of the analytical store without stopping the dashboard.

The dashboard only ever reads a finished file. A write (an import, boundaries, police.uk) works
on a copy beside the published file and, when everything has committed and been checkpointed,
moves it into place with one atomic rename. So:

- readers never see a half-loaded state, and keep the version they opened until their next
  query after the rename (a DuckDB file lock is per process, and the copy is another file, so
  a command-line import runs while the dashboard serves);
- a write killed at any instant, or stopped by a full disk, leaves the published file exactly
  as it was (the half-written copy is removed, now or by the next write);
- one write at a time: a second waits for the first, up to `wait_seconds`, then is refused
  with a clear message.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stalking_profile.db import DatabaseError, Gateway, connect, missing_database

Progress = Callable[[str], None]
WAIT_SECONDS = 600.0


class WriteBusy(DatabaseError):
    """Another write to the same store is running."""


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".next-*"))


@contextmanager
def _exclusive(path: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the store's write lock (a lock file beside it) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock_path(path).open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriteBusy(
                        f"another import into {path.name} is running; try again when it has "
                        "finished (nothing was changed)"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def writing(
    path: Path | str,
    create: bool = False,
    wait_seconds: float = WAIT_SECONDS,
    progress: Progress = lambda message: None,
) -> Iterator[Gateway]:
    """A read-write gateway on a private copy of the store at `path`, published over it when
    the block ends normally; on an error the copy is removed and the store is unchanged.

    `create` allows a store that does not exist yet (it starts empty)."""
    path = Path(path)
    if not path.exists() and not create:
        raise DatabaseError(missing_database(path))
    if path.exists() and not path.is_file():
        raise DatabaseError(f"{path} is not a database file")
    with _exclusive(path, wait_seconds):
        for leftover in _copies(path):  # from a write that was killed
            leftover.unlink(missing_ok=True)
        copy = path.with_name(f"{path.name}.next-{os.getpid()}")
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o600
        try:
            if path.exists():
                progress("copying the store")
                _file_step(lambda copy: _private_copy(path, copy, mode), copy)
            gateway = connect(copy, read_only=False, create=True)
            # the records are OFFICIAL-SENSITIVE: the copy, which holds them while the write
            # runs, and the file published from it keep the store's own permissions (the copy
            # had the process's: a store kept from other users became readable by all after
            # an import), and a new store is its owner's alone
            _file_step(lambda copy: os.chmod(copy, mode), copy)
            try:
                yield gateway
                gateway.write("checkpoint")
            finally:
                gateway.close()
            progress("publishing")
            _file_step(_sync, copy)
            _file_step(os.replace, copy, path)
        finally:
            copy.unlink(missing_ok=True)
            copy.with_name(copy.name + ".wal").unlink(missing_ok=True)


def _private_copy(path: Path, copy: Path, mode: int) -> None:
    """The store copied to `copy`, made with the store's permissions before a byte is written
    (copied and then changed, it was readable by others while every record went into it,
    under a umask that lets them read: helper 77)."""
    handle = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(handle, "wb") as target, path.open("rb") as source:
        shutil.copyfileobj(source, target, 1 << 24)


def remove_leftovers(path: Path | str) -> int:
    """Remove the private copies a killed write left beside the store at `path` (each a whole
    copy of its records, kept until the next import otherwise), unless a write is running;
    how many files were removed. The dashboard does this when it starts."""
    path = Path(path)
    if not path.is_file():
        return 0
    try:
        with _exclusive(path, wait_seconds=0):
            leftovers = _copies(path)
            for leftover in leftovers:
                leftover.unlink(missing_ok=True)
            return len(leftovers)
    except WriteBusy:  # an import is running: its copy is not left over
        return 0


def _sync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _file_step(step: Callable[..., object], *paths: Path) -> None:
    """A file operation of the publish; its failure (a full disk, no permission) is one clear
    DatabaseError naming the store, which stays as it was."""
    try:
        step(*paths)
    except OSError as error:
        raise DatabaseError(
            f"could not write the new version of {paths[-1].name.split('.next-')[0]}: "
            f"{error.strerror or error}; the published database is unchanged"
        ) from error


def version(path: Path | str) -> tuple[str, float]:
    """What identifies the published version of a store: its path and its modification time
    in nanoseconds (every publish writes a new file), (path, 0.0) if it does not exist."""
    path = Path(path)
    try:
        return (str(path), float(path.stat().st_mtime_ns))
    except FileNotFoundError:
        return (str(path), 0.0)
