"""The listing cache: one JSON file per source and listing, raw items plus where and when.

Layout: ``{cache}/{source}/{kind}/{key}.json``, e.g. ``hf/date/2025-08-25.json``,
``hf/week/2025-W35.json``, ``hf/month/2025-08.json``. The raw items are kept as the API
sent them so a better parser later re-reads old days without refetching.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from papertrack.dates import Period
from papertrack.errors import PapertrackError
from papertrack.models import format_timestamp, parse_timestamp
from papertrack.record import field, record

CACHE_FORMAT = 1
STABLE_AFTER = timedelta(days=14)
"""Listings that ended longer ago than this barely change: reused, never refetched."""
TTL_CURRENT = timedelta(hours=1)
"""Today's and yesterday's listings still grow; refetch when the copy is older than this."""
TTL_CURRENT_EMPTY = timedelta(minutes=10)
"""An empty current day (early morning) fills up soon; look again sooner."""
TTL_RECENT = timedelta(hours=12)
"""Days 2–14 back only gain upvotes and late AI summaries."""

_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}")


class CorruptCacheError(PapertrackError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"ignoring unreadable cache file {path}: {reason}")
        self.path = path


def cache_dir(environ: Mapping[str, str]) -> Path:
    """``PAPERTRACK_CACHE_DIR``, else the platform's user cache folder."""
    override = environ.get("PAPERTRACK_CACHE_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("papertrack", appauthor=False))


def key_path(key: Sequence[str], root: Path) -> Path:
    """``("hf", "date", "2025-08-25")`` → ``{cache}/hf/date/2025-08-25.json``."""
    for part in key:
        # Keys come from our own parsers, but a file name is no place to find out otherwise.
        if not _SAFE_PART.fullmatch(part) or ".." in part:
            raise ValueError(f"unsafe cache path component {part!r}")
    if not key:
        raise ValueError("empty cache key")
    return root.joinpath(*key[:-1], f"{key[-1]}.json")


def listing_key(source: str, period: Period) -> tuple[str, ...]:
    return (source, period.kind, period.key)


def id_part(paper_id: str) -> str:
    """An arXiv id as a file-name part: old-style ids carry a slash (hep-th/9901001)."""
    return paper_id.replace("/", "_")


@record
class CachedListing:
    path: Path
    url: str
    fetched_at: datetime
    items: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    """What else the fetch learnt: an ETag, the announcement day, a feed title."""


def read_entry(key: Sequence[str], root: Path) -> CachedListing | None:
    """The cached entry, None when there is none; CorruptCacheError when it is unusable."""
    path = key_path(key, root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptCacheError(path, exc.strerror or str(exc)) from None
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
    return CachedListing(path, url, fetched_at, items, meta)


def write_entry(
    key: Sequence[str],
    *,
    url: str,
    fetched_at: datetime,
    items: list[dict[str, Any]],
    meta: dict[str, Any] | None = None,
    root: Path,
) -> Path:
    path = key_path(key, root)
    document = {
        "format": CACHE_FORMAT,
        "key": list(key),
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
    from papertrack.files import atomic_write_bytes  # reading the cache needs none of it

    # Not fsynced: a cache file lost to a power cut is refetched, and fsync costs every fetch.
    atomic_write_bytes(path, data, durable=False)
    return path


def newest_entry(folder: Sequence[str], root: Path) -> CachedListing | None:
    """The entry with the greatest name in a cache folder (names are ISO dates), if any."""
    directory = key_path((*folder, "x"), root).parent
    try:
        names = sorted((p.stem for p in directory.glob("*.json")), reverse=True)
    except OSError:
        return None
    for name in names:
        try:
            entry = read_entry((*folder, name), root)
        except (CorruptCacheError, ValueError):
            continue
        if entry is not None:
            return entry
    return None


@record
class Freshness:
    """How long recent listings are reused (config ``cache.ttl_current``/``ttl_recent``)."""

    current: timedelta = TTL_CURRENT
    recent: timedelta = TTL_RECENT


DEFAULT_FRESHNESS = Freshness()


def is_fresh(
    cached: CachedListing, period: Period, *, now: datetime, ttl: Freshness = DEFAULT_FRESHNESS
) -> bool:
    """Whether a cached listing can be used without asking the server again."""
    end = datetime.combine(period.last + timedelta(days=1), time(), timezone.utc)
    settled_at = end + STABLE_AFTER
    if cached.fetched_at >= settled_at:
        return True  # taken after the listing settled: final
    if now >= settled_at:
        return False  # settled since this copy was taken: fetch the final version once
    age = now - cached.fetched_at
    if age < timedelta(0):
        return False  # written in the future: the clock moved; trust the server
    current = period.last >= now.astimezone(timezone.utc).date() - timedelta(days=1)
    if not current:
        return age < ttl.recent
    return age < (ttl.current if cached.items else min(ttl.current, TTL_CURRENT_EMPTY))


def age_text(fetched_at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - fetched_at).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
