"""Digest state: which papers each watch profile has already delivered.

One JSON file, written atomically, read and written only under the digest lock, so a cron
run and a person running ``papertrack digest`` at the same moment never both send, and a
crash leaves either the old state or the new one. It lives in the user's *state* folder,
not the cache: clearing a cache must not make every paper new again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from papertrack.errors import PapertrackError
from papertrack.store.files import atomic_write_bytes

STATE_FORMAT = 1
LOCK_TIMEOUT = 600.0
"""A second digest waits this long for the first to finish, then gives up."""
FORGET_AFTER = timedelta(days=365)
"""Sent ids are remembered this long (Hugging Face re-lists papers within two weeks)."""
RECENT_ITEMS = 200
"""Delivered items kept for the RSS/Atom feed."""


def state_dir() -> Path:
    override = os.environ.get("PAPERTRACK_STATE_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    from platformdirs import user_state_dir

    return Path(user_state_dir("papertrack", appauthor=False))


def state_path() -> Path:
    return state_dir() / "digest-state.json"


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

    def forget_older_than(self, today: date) -> None:
        horizon = (today - FORGET_AFTER).isoformat()
        for watch in self.watches.values():
            watch.seen = {k: v for k, v in watch.seen.items() if str(v.get("at", "")) >= horizon}


class StateError(PapertrackError):
    pass


def read_state(path: Path | None = None) -> State:
    """The state, empty when there is none. An unreadable file is an error, never "empty":
    treating it as empty would send every paper again."""
    path = path or state_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return State()
    except OSError as exc:
        raise StateError(f"cannot read the digest state {path}: {exc}") from None
    try:
        document = json.loads(raw)
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
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StateError(
            f"the digest state {path} is unreadable ({exc})",
            hint="move it aside to start afresh (every paper would then count as new)",
        ) from None
    return State(watches, recent, pending)


def write_state(state: State, path: Path | None = None) -> None:
    path = path or state_path()
    data = json.dumps(state.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write_bytes(path, data, mode=0o600)


@contextmanager
def digest_lock(path: Path | None = None) -> Iterator[None]:
    from filelock import FileLock, Timeout

    folder = (path or state_path()).parent
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / "digest.lock", timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise StateError(
            f"another papertrack digest has held {folder / 'digest.lock'} for {LOCK_TIMEOUT:.0f} s",
            hint="wait for it to finish",
        ) from None
    try:
        yield
    finally:
        lock.release()
