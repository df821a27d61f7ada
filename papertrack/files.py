"""Atomic file writes: a reader, a crash or a second process never sees half a file."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

STALE_TEMPORARY = 600.0
"""A temporary file older than this was left by a process killed mid-write."""


def atomic_write_bytes(
    path: Path, data: bytes, *, mode: int | None = None, durable: bool = True
) -> None:
    """Write *data* to *path* via a temporary file in the same folder and a rename; with
    *durable*, flushed to the disk first, so a power cut keeps the old or the new file."""
    import tempfile  # only writes need it (and its imports of shutil and random)

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if durable:
        _fsync_dir(path.parent)
    remove_stale(path.parent, f".{path.name}.*.tmp", beside=path)


def mode_for(path: Path) -> int:
    """The permissions a document the user reads elsewhere should get: those of the file it
    replaces, else what the umask gives a new file (a temporary file is always 0600, which
    would stop a web server serving a digest feed)."""
    import stat

    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0o022)  # the only way to read it; put back at once
        os.umask(mask)
        return 0o666 & ~mask


def remove_stale(
    folder: Path, pattern: str, *, beside: Path, older_than: float = STALE_TEMPORARY
) -> None:
    """Delete what killed writers left behind; young files may belong to a live one.

    Age is measured against *beside*, a file just written: both times then come from the
    file system's clock, which may disagree with the process's (a network file system, a
    clock changed for a test)."""
    try:
        now = beside.stat().st_mtime
    except OSError:
        now = time.time()
    horizon = now - older_than
    for leftover in folder.glob(pattern):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < horizon:
                leftover.unlink()


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable across a power cut; not possible on every OS.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
