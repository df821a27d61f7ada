"""Ctrl-C and SIGTERM stop papertrack at once, with one line and no traceback.

The first signal becomes an Interrupted exception in the main thread, wherever it is
waiting (a request, a retry's back-off, arXiv's gate, an SMTP server); later signals are
ignored, so pressing Ctrl-C again cannot interrupt the way out. The console script then
exits without waiting for worker threads still blocked in a request.
"""

from __future__ import annotations

import signal
from types import FrameType

from papertrack.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, Interrupted

__all__ = ["EXIT_INTERRUPTED", "EXIT_TERMINATED", "ignore", "install"]


def _stop(signum: int, frame: FrameType | None) -> None:
    ignore()
    if signum == signal.SIGTERM:
        raise Interrupted("terminated", EXIT_TERMINATED)
    raise Interrupted("interrupted", EXIT_INTERRUPTED)


def install() -> None:
    """Handle SIGINT and SIGTERM in this process (call from the main thread)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        # An inherited "ignore" (nohup, a shell's background job) is the caller's choice.
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stop)


def ignore() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
