"""Digest state: which papers each watch profile has already delivered.

One JSON file, written atomically, read and written only under the digest lock, so a cron
run and a person running ``papertrack digest`` at the same moment never both send, and a
crash leaves either the old state or the new one. It lives in the user's *state* folder,
not the cache: clearing a cache must not make every paper new again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papertrack.errors import PapertrackError
from papertrack.files import atomic_write_bytes
from papertrack.store import user_folder

if TYPE_CHECKING:
    from papertrack.digest import Sent

STATE_FORMAT = 1
STATE_NAME = "digest-state.json"
LOCK_NAME = "digest.lock"
LOCK_TIMEOUT = 600.0
"""A second digest waits this long for the first to finish, then gives up."""
FORGET_AFTER = timedelta(days=365)
"""Sent ids are remembered this long (Hugging Face re-lists papers within two weeks)."""
RECENT_ITEMS = 200
"""Delivered items kept for the RSS/Atom feed."""


def state_dir(environ: Mapping[str, str]) -> Path:
    """``PAPERTRACK_STATE_DIR``, else the platform's user state folder."""
    return user_folder(environ, "state")


def state_path(folder: Path) -> Path:
    return folder / STATE_NAME


@dataclass
class WatchState:
    last_day: date | None = None
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Versionless id → {"v": version or null, "at": day it was sent}."""


@dataclass
class State:
    watches: dict[str, WatchState] = field(default_factory=dict)
    recent: list[dict[str, Any]] = field(default_factory=list)
    """Newest first: {"watch", "sent_at", "update", "matched", "paper"}."""
    pending: dict[str, str] | None = None
    """A digest file recorded as sent but not yet renamed into place: {"temporary", "final"}."""

    def watch(self, name: str) -> WatchState:
        return self.watches.setdefault(name, WatchState())

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "watches": {
                name: {
                    "last_day": w.last_day.isoformat() if w.last_day else None,
                    "seen": w.seen,
                }
                for name, w in sorted(self.watches.items())
            },
            "recent": self.recent[:RECENT_ITEMS],
            "pending": self.pending,
        }

    def record_sent(self, sent: Sent, *, watches: Sequence[str], today: date) -> None:
        """Remember a delivered digest and move each of *watches*' window to *today*."""
        for name in watches:
            self.watch(name).last_day = today
        for name, marks in sent.seen.items():
            self.watch(name).seen.update(marks)
        self.recent = sent.records + self.recent
        self.forget_older_than(today)

    def forget_older_than(self, today: date) -> None:
        horizon = (today - FORGET_AFTER).isoformat()
        for watch in self.watches.values():
            watch.seen = {k: v for k, v in watch.seen.items() if str(v.get("at", "")) >= horizon}


class StateError(PapertrackError):
    pass


def read_state(path: Path) -> State:
    """The state, empty when there is none. An unreadable file is an error, never "empty":
    treating it as empty would send every paper again."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return State()
    except OSError as exc:
        raise StateError(f"cannot read the digest state {path}: {exc}") from None
    try:
        return state_from_json(json.loads(raw))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StateError(
            f"the digest state {path} is unreadable ({exc})",
            hint="move it aside to start afresh (every paper would then count as new)",
        ) from None


def state_from_json(document: Any) -> State:
    """The inverse of State.to_json; ValueError (or TypeError, KeyError) when malformed."""
    if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
        raise ValueError("not a papertrack digest state")
    watches = {
        name: WatchState(
            last_day=date.fromisoformat(w["last_day"]) if w.get("last_day") else None,
            seen=dict(w.get("seen") or {}),
        )
        for name, w in document.get("watches", {}).items()
    }
    recent = [r for r in document.get("recent", []) if isinstance(r, dict)]
    pending = document.get("pending")
    if pending is not None and not (
        isinstance(pending, dict) and {"temporary", "final"} <= set(pending)
    ):
        raise ValueError("a malformed pending delivery")
    return State(watches, recent, pending)


def write_state(state: State, path: Path) -> None:
    """Write the state atomically; a disk that refuses it is a StateError naming the file."""
    data = json.dumps(state.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    try:
        atomic_write_bytes(path, data, mode=0o600)
    except OSError as exc:
        raise StateError(f"cannot write the digest state {path}: {exc.strerror or exc}") from None


def check_writable(state: State, path: Path, *, grow: int = 0) -> None:
    """Whether the state could be written now, *grow* bytes larger, without touching it: a
    copy goes to a temporary file beside it, to disk, and is removed. StateError if the
    disk refuses."""
    import os
    import tempfile

    data = json.dumps(state.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data + b" " * grow)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            os.unlink(name)
    except OSError as exc:
        raise StateError(
            f"cannot write the digest state in {path.parent}: {exc.strerror or exc}",
            hint="nothing was sent; free some space or set PAPERTRACK_STATE_DIR",
        ) from None


@contextmanager
def digest_lock(folder: Path) -> Iterator[None]:
    """One digest at a time, across processes (the lock lives beside the state)."""
    from filelock import FileLock, Timeout

    path = folder / LOCK_NAME
    lock = FileLock(path, timeout=LOCK_TIMEOUT)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise StateError(
            f"another papertrack digest has held {path} for {LOCK_TIMEOUT:.0f} s",
            hint="wait for it to finish",
        ) from None
    except OSError as exc:
        raise StateError(
            f"cannot lock the digest state in {folder}: {exc.strerror or exc}",
            hint="a digest must record what it sends; make the folder writable or set "
            "PAPERTRACK_STATE_DIR",
        ) from None
    try:
        yield
    finally:
        lock.release()
