"""Turning matched papers into output: terminal.py draws with Rich, formats.py writes text."""

from __future__ import annotations

import os
from typing import Literal

Format = Literal["table", "lines", "json", "jsonl", "md", "csv"]
FORMATS: tuple[Format, ...] = ("table", "lines", "json", "jsonl", "md", "csv")
ColorChoice = Literal["auto", "always", "never"]


def use_color(choice: ColorChoice, *, isatty: bool) -> bool:
    """--color wins; then NO_COLOR and FORCE_COLOR (no-color.org, force-color.org); then the TTY."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return isatty
