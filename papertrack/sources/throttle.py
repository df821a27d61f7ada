"""arXiv's rule, across processes: one request at a time, at least N seconds apart.

A cron digest and a person typing ``papertrack today`` are two processes; both honour the
same gate through a lock file and a timestamp file in the cache folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from papertrack.errors import PapertrackError
from papertrack.sources import env_seconds
from papertrack.store.files import atomic_write_bytes

DEFAULT_DELAY = 3.0
LOCK_TIMEOUT = 180.0
"""How long to queue behind another papertrack talking to arXiv before giving up."""


def delay_from_env() -> float:
    return env_seconds("PAPERTRACK_ARXIV_DELAY", DEFAULT_DELAY)


class Gate:
    """Use ``with gate():`` around each request to the service."""

    def __init__(
        self,
        folder: Path,
        delay: float,
        *,
        name: str = "arxiv",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self.delay = delay
        self.lock_path = folder / f"{name}.lock"
        self.stamp_path = folder / f"{name}.last-request"
        self._sleep = sleep
        self._clock = clock

    def _last_request(self) -> float:
        try:
            return float(self.stamp_path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return 0.0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.lock_path, timeout=LOCK_TIMEOUT)
        try:
            lock.acquire()
        except Timeout:
            raise PapertrackError(
                f"another papertrack process has held {self.lock_path} for over "
                f"{LOCK_TIMEOUT:.0f} s",
                hint="arXiv allows one connection at a time; try again when it has finished",
            ) from None
        try:
            wait = self._last_request() + self.delay - self._clock()
            if wait > 0:
                # Clamped: a timestamp from a clock that jumped must not stall us for hours.
                self._sleep(min(wait, self.delay))
            atomic_write_bytes(self.stamp_path, f"{self._clock():.6f}".encode("ascii"))
            yield
        finally:
            lock.release()
