"""What papertrack keeps on disk: the JSON cache (the record of what was fetched) and the
index derived from it, the digest state, and the library (user data)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal


def user_folder(environ: Mapping[str, str], kind: Literal["cache", "state", "data"]) -> Path:
    """``PAPERTRACK_{KIND}_DIR``, else the platform's user folder of that kind."""
    override = environ.get(f"PAPERTRACK_{kind.upper()}_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    find = {
        "cache": platformdirs.user_cache_dir,
        "state": platformdirs.user_state_dir,
        "data": platformdirs.user_data_dir,
    }[kind]
    return Path(find("papertrack", appauthor=False))
