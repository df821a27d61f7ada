"""Where papers come from: one module per service, each a pure parse_*() and a fetch_*()."""

from __future__ import annotations

import os

from papertrack.errors import UsageError


def env_seconds(name: str, default: float) -> float:
    """A duration in seconds from the environment variable *name*, or *default* if unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise UsageError(f"{name}={raw!r} must not be negative")
    return value
