"""arXiv's rule, across processes: one request at a time, at least N seconds apart.

A cron digest and a person typing ``papertrack today`` are two processes; both honour the
same gate through a lock file and a timestamp file in the cache folder. When the cache
folder cannot be written (a read-only mount, a full disk), the gate keeps its lock in a
private temporary folder instead, and says so.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from papertrack.errors import PapertrackError

if TYPE_CHECKING:
    from filelock import BaseFileLock

LOCK_TIMEOUT = 180.0
"""How long to queue behind another papertrack talking to arXiv before giving up."""


def private_folder() -> Path:
    """A folder only this user can write, outside the cache: the gate's second choice.

    One per user in the temporary directory, so that runs still queue on one lock; but only
    when it is a real folder this user owns that nobody else can write (a name in /tmp can
    be taken first by someone else, or be a symlink). Otherwise a new one for this run."""
    import stat
    import tempfile

    uid = os.getuid() if hasattr(os, "getuid") else None
    shared = Path(tempfile.gettempdir()) / f"papertrack-{uid if uid is not None else 'user'}"
    try:
        shared.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(shared)
        if (
            stat.S_ISDIR(info.st_mode)
            and (uid is None or info.st_uid == uid)
            and not info.st_mode & 0o022
        ):
            return shared
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="papertrack-"))


class Gate:
    """Use ``with gate():`` around each request to the service."""

    def __init__(
        self,
        folder: Path,
        delay: float,
        *,
        name: str = "arxiv",
        warn: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self.delay = delay
        self.name = name
        self._warn = warn
        self._sleep = sleep
        self._clock = clock
        self._last = 0.0
        """This process's own last request: spacing holds even if no stamp can be written."""
        self._moved = False
        """Whether the lock moved out of the cache folder (it moves at most once)."""

    @property
    def lock_path(self) -> Path:
        return self.folder / f"{self.name}.lock"

    @property
    def stamp_path(self) -> Path:
        return self.folder / f"{self.name}.last-request"

    def _last_request(self) -> float:
        try:
            stamped = float(self.stamp_path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            stamped = 0.0
        return max(stamped, self._last)

    def _stamp(self) -> None:
        self._last = self._clock()
        from papertrack.files import atomic_write_bytes

        # A stamp that cannot be written: the lock still serialises us, and the in-process
        # stamp still spaces this run's requests.
        with contextlib.suppress(OSError):
            atomic_write_bytes(self.stamp_path, f"{self._last:.6f}".encode("ascii"), durable=False)

    def _acquire(self) -> BaseFileLock:
        """The lock, taken: in the cache folder, else (once, saying so) a private one."""
        try:
            return self._take()
        except OSError as exc:
            if self._moved:
                raise PapertrackError(
                    f"cannot create arXiv's request lock in {self.folder}: {exc.strerror or exc}"
                ) from None
            fallback = private_folder()
            if self._warn is not None:
                self._warn(
                    f"warning: cannot use {self.folder} for arXiv's request lock "
                    f"({exc.strerror or exc}); using {fallback} instead"
                )
            self.folder, self._moved = fallback, True
            return self._acquire()

    def _take(self) -> BaseFileLock:
        from filelock import FileLock, Timeout

        lock = FileLock(self.lock_path, timeout=LOCK_TIMEOUT)
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire()
        except Timeout:
            raise PapertrackError(
                f"another papertrack process has held {self.lock_path} for over "
                f"{LOCK_TIMEOUT:.0f} s",
                hint="arXiv allows one connection at a time; try again when it has finished",
            ) from None
        return lock

    @contextmanager
    def __call__(self) -> Iterator[None]:
        lock = self._acquire()
        try:
            wait = self._last_request() + self.delay - self._clock()
            if wait > 0:
                # Clamped: a timestamp from a clock that jumped must not stall us for hours.
                self._sleep(min(wait, self.delay))
            self._stamp()
            try:
                yield
            finally:
                # Stamped again at the end: the next request waits from when this one ended.
                self._stamp()
        finally:
            lock.release()
