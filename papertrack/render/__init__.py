"""Turning matched papers into output: terminal.py draws with Rich, formats.py writes text."""

from __future__ import annotations

import re
from collections.abc import Mapping

from papertrack.choices import Color
from papertrack.query import Match
from papertrack.record import record


def use_color(choice: Color, *, isatty: bool, environ: Mapping[str, str]) -> bool:
    """--color wins; then NO_COLOR and FORCE_COLOR (no-color.org, force-color.org); then the TTY."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    return isatty


@record
class Section:
    """One block of output: a listing, or what one watch profile picked from it."""

    label: str
    matches: list[Match]
    total: int
    """Papers in the listing before filtering."""
    pattern: re.Pattern[str] | None = None
    """What to highlight in this section."""
    watch: str | None = None
    explain: bool = False
    """Show why each paper ranks where it does (its taste reason) in tables and lines."""

    @property
    def title(self) -> str:
        count = f"{len(self.matches)} paper{'s' if len(self.matches) != 1 else ''}"
        shown = f" of {self.total}" if len(self.matches) != self.total else ""
        prefix = f"watch {self.watch} · " if self.watch else ""
        return f"{prefix}{self.label} · {count}{shown}"
