"""The listing cache: one JSON file per source and listing, raw items plus where and when.

Layout: ``{cache}/{source}/{kind}/{key}.json``, e.g. ``hf/date/2025-08-25.json``,
``hf/week/2025-W35.json``, ``hf/month/2025-08.json``. The raw items are kept as the API
sent them so a better parser later re-reads old days without refetching.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from papertrack.errors import PapertrackError
from papertrack.models import format_timestamp, parse_timestamp
from papertrack.record import field, record
from papertrack.store import user_folder
from papertrack.store.keys import Key

CACHE_FORMAT = 1

_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}")


class CorruptCacheError(PapertrackError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"ignoring unreadable cache file {path}: {reason}")
        self.path = path


def cache_dir(environ: Mapping[str, str]) -> Path:
    """``PAPERTRACK_CACHE_DIR``, else the platform's user cache folder."""
    return user_folder(environ, "cache")


COMPRESSED_KINDS = frozenset({"oai"})
"""Entries kept gzip-compressed (``.json.gz``): harvested OAI-PMH pages, a few MB of XML
each and a thousand of them for one field's history."""


def key_path(key: Key, root: Path) -> Path:
    """``Key(("hf", "date", "2025-08-25"))`` → ``{cache}/hf/date/2025-08-25.json``."""
    parts = key.parts
    for part in parts:
        # Keys come from our own parsers, but a file name is no place to find out otherwise.
        if not _SAFE_PART.fullmatch(part) or ".." in part:
            raise ValueError(f"unsafe cache path component {part!r}")
    if not parts:
        raise ValueError("empty cache key")
    suffix = ".json.gz" if key.kind in COMPRESSED_KINDS else ".json"
    return root.joinpath(*parts[:-1], f"{parts[-1]}{suffix}")


def key_of(relative: str) -> Key | None:
    """The key of a file's path under the cache folder; None for one papertrack did not
    name."""
    for suffix in (".json.gz", ".json"):
        if relative.endswith(suffix):
            return Key.from_parts(Path(relative[: -len(suffix)]).parts)
    return None


@record
class CachedListing:
    key: Key
    path: Path
    url: str
    fetched_at: datetime
    items: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    """What else the fetch learnt: an ETag, the announcement day, a feed title."""


def read_entry(key: Key, root: Path) -> CachedListing | None:
    """The cached entry, None when there is none; CorruptCacheError when it is unusable."""
    path = key_path(key, root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptCacheError(path, exc.strerror or str(exc)) from None
    if path.name.endswith(".gz"):
        import zlib

        try:
            data = zlib.decompress(data, wbits=31)
        except zlib.error as exc:
            raise CorruptCacheError(path, f"not valid gzip ({exc})") from None
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise CorruptCacheError(path, f"not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise CorruptCacheError(path, "not a papertrack cache file")
    fetched_at = parse_timestamp(document.get("fetched_at"))
    items = document.get("items")
    url = document.get("url")
    meta = document.get("meta", {})
    if (
        document.get("format") != CACHE_FORMAT
        or fetched_at is None
        or not isinstance(items, list)
        or not isinstance(url, str)
        or not isinstance(meta, dict)
    ):
        raise CorruptCacheError(path, "not a papertrack cache file of a known format")
    return CachedListing(key, path, url, fetched_at, items, meta)


def write_entry(
    key: Key,
    *,
    url: str,
    fetched_at: datetime,
    items: list[Any],
    meta: dict[str, Any] | None = None,
    root: Path,
) -> Path:
    path = key_path(key, root)
    document = {
        "format": CACHE_FORMAT,
        "key": list(key.parts),
        "url": url,
        "fetched_at": format_timestamp(fetched_at),
        "meta": meta or {},
        "items": items,
    }
    try:
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate ("\ud800" in the API's JSON) has no UTF-8 form; escaped, it
        # round-trips exactly.
        data = json.dumps(document, ensure_ascii=True).encode("ascii")
    if path.name.endswith(".gz"):
        import gzip

        # mtime 0: the same page gives the same bytes. Level 1: four times level 6's speed
        # (so writing never holds up a harvest), 5-12% larger on the recorded pages.
        data = gzip.compress(data, compresslevel=1, mtime=0)
    from papertrack.files import atomic_write_bytes  # reading the cache needs none of it

    # Not fsynced: a cache file lost to a power cut is refetched, and fsync costs every fetch.
    atomic_write_bytes(path, data, durable=False)
    return path


def folder_path(folder: Key, root: Path) -> Path:
    """The folder holding the entries named under *folder* (``arxiv/oai/cs_cs_CL``)."""
    return key_path(Key((*folder.parts, "x")), root).parent


def newest_entry(folder: Key, root: Path) -> CachedListing | None:
    """The entry with the greatest name in a cache folder (names are ISO dates), if any."""
    directory = folder_path(folder, root)
    try:
        names = sorted((p.stem for p in directory.glob("*.json")), reverse=True)
    except OSError:
        return None
    for name in names:
        try:
            entry = read_entry(Key((*folder.parts, name)), root)
        except (CorruptCacheError, ValueError):
            continue
        if entry is not None:
            return entry
    return None


def age_text(fetched_at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - fetched_at).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
