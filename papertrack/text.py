"""Cleaning remote text so it can be shown anywhere: one line, no control characters."""

from __future__ import annotations

import re

# Control characters (C0 except whitespace, DEL, C1), lone surrogates (json.loads lets
# "\ud800" through and it would crash the encoder on write), zero-width and bidi
# controls that can reorder what a terminal shows (the "trojan source" trick), and BOM.
# ESC is among them, so an escape sequence in a title is left as harmless visible text;
# U+FFFE and U+FFFF too, which XML (RSS, Atom, HTML mail) cannot carry.
_UNSAFE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
    "\ud800-\udfff\ufffe\uffff]"
)
_SPACE = re.compile(r"\s+")


def clean_line(value: object) -> str:
    """Return remote text as a single safe line: controls dropped, whitespace runs collapsed.

    Hard-wrapped titles and abstracts (arXiv wraps at ~80 columns with "\\n  ") become one
    line; LaTeX, ``&`` and ``<`` are kept exactly as written.
    """
    if not isinstance(value, str):
        return ""
    return _SPACE.sub(" ", _UNSAFE.sub("", value)).strip()


def clean_optional(value: object) -> str | None:
    """Like clean_line, but None for a missing or empty value."""
    text = clean_line(value)
    return text or None


def redact(text: str, secrets: object) -> str:
    """*text* with every secret (a token, a password) replaced by ``***``."""
    if not isinstance(secrets, (list, tuple, set, frozenset)):
        return text
    for secret in secrets:
        if isinstance(secret, str) and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
