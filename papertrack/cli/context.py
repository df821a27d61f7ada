"""One run's view of the world: its streams, its environment, its config and its clock.

``cli.run`` builds one Context per run and hands it to the command; nothing below the CLI
reads ``sys.stdout``, ``os.environ``, the config file or the wall clock on its own. Tests
build one with string streams, an environment and a fixed ``now`` (httpie's
``Environment`` is the model).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from papertrack.errors import OutputClosed, UsageError
from papertrack.text import safe_text, terminal_safe

if TYPE_CHECKING:
    from papertrack.config import Config
    from papertrack.sources import Network

NOW_VARIABLE = "PAPERTRACK_NOW"
"""For tests only: the time papertrack takes as "now" (an ISO 8601 time with a zone)."""
_TRUE = frozenset({"1", "ON", "YES", "TRUE"})


class Output:
    """A text stream that turns a reader who went away (EPIPE) into OutputClosed.

    The one place that knows about closed pipes: every writer, Rich included, writes
    through it. Rich would otherwise catch BrokenPipeError itself and exit 1.
    """

    def __init__(self, stream: TextIO, *, terminal: bool = False) -> None:
        self.stream = stream
        self.terminal = terminal
        """Whether a terminal reads it: then the last line of defence against remote text
        driving it applies (terminal_safe)."""

    def write(self, text: str) -> int:
        try:
            return self.stream.write(terminal_safe(text) if self.terminal else text)
        except BrokenPipeError:
            raise OutputClosed from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise OutputClosed from None

    def isatty(self) -> bool:
        return is_terminal(self.stream)

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:
        return getattr(self.stream, "errors", None)


def is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return callable(isatty) and bool(isatty())
    except (ValueError, OSError):  # closed or replaced
        return False


def parse_now(text: str) -> datetime:
    """``PAPERTRACK_NOW``: an aware ISO 8601 time, e.g. ``2026-12-01T21:00:00Z``."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise UsageError(
            f"{NOW_VARIABLE}={text!r} is not a time with a zone like 2026-12-01T21:00:00Z "
            "(it pins papertrack's clock, for tests only)"
        )
    return moment.astimezone(timezone.utc)


class Context:
    """Everything one run of papertrack reads from outside itself."""

    def __init__(
        self,
        *,
        stdout: TextIO,
        stderr: TextIO,
        environ: Mapping[str, str],
        now: datetime | None = None,
        stdout_isatty: bool | None = None,
        stderr_isatty: bool | None = None,
    ) -> None:
        # Typed as the streams they stand for: renderers, csv and Rich write to them as such.
        self.stdout_isatty = is_terminal(stdout) if stdout_isatty is None else stdout_isatty
        self.stderr_isatty = is_terminal(stderr) if stderr_isatty is None else stderr_isatty
        self.stdout = cast(TextIO, Output(stdout, terminal=self.stdout_isatty))
        self.stderr = cast(TextIO, Output(stderr, terminal=self.stderr_isatty))
        self.environ = environ
        if now is None:
            pinned = environ.get(NOW_VARIABLE, "").strip()
            now = parse_now(pinned) if pinned else datetime.now(timezone.utc)
        self.now = now.astimezone(timezone.utc)
        self._said: set[str] = set()

    @classmethod
    def from_process(cls) -> Context:
        """The real streams, environment and clock of this process."""
        for stream in (sys.stdout, sys.stderr):
            # A title in a script the terminal's encoding lacks must not crash the run.
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="replace")
        return cls(stdout=sys.stdout, stderr=sys.stderr, environ=os.environ)

    # -- time ------------------------------------------------------------------------------
    @property
    def today(self) -> date:
        """Hugging Face buckets Daily Papers by UTC date."""
        from papertrack.dates import utc_date

        return utc_date(self.now)

    # -- what the environment says ------------------------------------------------------------
    def flag(self, name: str) -> bool:
        return self.environ.get(name, "").strip().upper() in _TRUE

    @property
    def offline(self) -> bool:
        """huggingface_hub's switch: someone who set it for HF tools means "no network"."""
        return self.flag("HF_HUB_OFFLINE")

    @property
    def debug(self) -> bool:
        return bool(self.environ.get("PAPERTRACK_DEBUG"))

    @cached_property
    def cache_dir(self) -> Path:
        from papertrack.store.cache import cache_dir

        return cache_dir(self.environ)

    @cached_property
    def state_dir(self) -> Path:
        from papertrack.store.state import state_dir

        return state_dir(self.environ)

    @cached_property
    def config_path(self) -> Path:
        from papertrack.config import config_path

        return config_path(self.environ)

    @cached_property
    def config(self) -> Config:
        """config.toml, read once per run (so its warnings are printed once)."""
        from papertrack import config

        return config.load(self.config_path, warn=self.note)

    @cached_property
    def network(self) -> Network:
        from papertrack.sources import Network

        return Network(self.environ)

    # -- output ------------------------------------------------------------------------------
    def write(self, text: str) -> None:
        self.stdout.write(text)

    def note(self, message: str) -> None:
        """A note or warning on stderr; the same line is said once per run."""
        if message in self._said:
            return
        self._said.add(message)
        self.stderr.write(f"{safe_text(message)}\n")
        self.stderr.flush()

    def error(self, message: str) -> None:
        # Messages quote URLs, headers and server text: cleaned however stderr is read.
        self.stderr.write(f"papertrack: error: {safe_text(message)}\n")
        self.stderr.flush()
