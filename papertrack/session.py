"""One command run's dealings with the cache and the network, and the one cache policy.

:meth:`Session.through_cache` is where every listing, search and look-up goes (README "Cache
and network"): ``offline`` → the cached copy or a clear error; ``auto`` → a fresh cached copy
(papertrack.freshness says which are); else fetch and store; a failed fetch → the cached
copy, with a warning. The sources (papertrack.listings.*, papertrack.papers) say only what to
fetch, where it is kept and how long it stays fresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from papertrack.errors import FetchError, NotCachedError, UsageError
from papertrack.freshness import DEFAULT_FRESHNESS, Freshness, Rule
from papertrack.models import Paper, cut_fields
from papertrack.record import field, record
from papertrack.sources import Network
from papertrack.store import cache
from papertrack.store.keys import Key

if TYPE_CHECKING:
    from papertrack.sources.http import HttpClient
    from papertrack.sources.throttle import Gate

Mode = Literal["auto", "offline", "refresh"]
MODES: tuple[Mode, ...] = ("auto", "offline", "refresh")
Tick = Callable[[], None]
Progress = Callable[[str, int], AbstractContextManager[Tick]]
"""Shows progress over a number of steps (label, total); the context's value is called once
per step. papertrack.render.progress draws one; the session needs nothing of Rich."""


@record
class Fetched:
    """What a fetch produced, or the cached copy standing in for one."""

    url: str
    items: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    key: Key | None = None
    """The entry it is (or goes) in; a fetch may name another than the one asked for."""
    stale: bool = False
    """The cached copy, because fetching a newer one failed."""
    cached: bool = False
    """Read from the cache, not fetched in this run."""
    store: bool = True
    """Worth keeping: False for an answer that must not replace a good copy (an empty feed)."""
    not_modified: bool = False
    """The server said the cached copy is current (HTTP 304)."""


def _no_tick() -> None:
    pass


class Session:
    """The mode, clock, warnings, cache folder and network of one run; owns its HTTP client
    and arXiv gate, made on first use (a cached run pays for neither)."""

    def __init__(
        self,
        *,
        mode: Mode = "auto",
        warn: Callable[[str], None],
        now: datetime,
        root: Path,
        network: Network,
        client: HttpClient | None = None,
        freshness: Freshness = DEFAULT_FRESHNESS,
        progress: Progress | None = None,
    ) -> None:
        self.mode, self.warn, self.now, self.root = mode, warn, now, root
        self.network, self.freshness, self.progress = network, freshness, progress
        self._client = client
        self._gate: Gate | None = None
        self._written: list[tuple[Key, list[dict[str, Any]]]] = []
        self._parsed: dict[Key, list[Paper]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if self._client is not None:
            self._client.close()
        if kind is None or issubclass(kind, Exception):
            # Not on Ctrl-C or SIGTERM: leave now; the next search indexes what was cached.
            self.flush_index()

    @property
    def client(self) -> HttpClient:
        # Under a lock: the threads of a range fetch would otherwise each build a client
        # (each loading the CA bundle) at the same moment.
        with self._lock:
            if self._client is None:
                from papertrack.sources.http import HttpClient  # httpx: only when fetching

                network = self.network
                self._client = HttpClient(
                    timeout=network.timeout, backoff=network.backoff, budget=network.budget
                )
            return self._client

    @property
    def gate(self) -> Gate:
        with self._lock:
            if self._gate is None:
                from papertrack.sources.throttle import Gate

                self._gate = Gate(self.root, self.network.arxiv_delay, warn=self.warn)
            return self._gate

    def steps(self, label: str, total: int) -> AbstractContextManager[Tick]:
        """Progress over *total* steps when it was asked for and the network may be needed."""
        if self.progress is None or self.mode == "offline" or total < 2:
            return nullcontext(_no_tick)
        return self.progress(label, total)

    def from_here(self, url: str, key: Key) -> bool:
        """Whether a copy came from the server this run asks for *key*. A copy from another
        endpoint (a mirror, a test server) is never fresh here, only a fallback."""
        try:
            base: str = getattr(self.network, key.endpoint)
        except UsageError:
            return False
        return url == base or url.startswith((f"{base}/", f"{base}?"))

    def warn_cuts(self, papers: Iterable[Paper], origin: str) -> None:
        """One line for the papers whose fields were longer than papertrack keeps."""
        cut = {name: None for p in papers for name in cut_fields(p)}
        if cut:
            self.warn(
                f"warning: {origin} has over-long {', '.join(cut)}; cut to "
                "papertrack's limits (see RELIABILITY.md)"
            )

    def read(self, key: Key) -> cache.CachedListing | None:
        try:
            return cache.read_entry(key, self.root)
        except cache.CorruptCacheError as exc:
            self.warn(f"warning: {exc.message}")
            return None

    def newest(self, *folders: Key) -> cache.CachedListing | None:
        """The newest entry (by its ISO-date name) in any of *folders*."""
        copies = [c for c in (cache.newest_entry(f, self.root) for f in folders) if c]
        return max(copies, key=lambda c: c.key.parts[-1], default=None)

    def write(self, key: Key, got: Fetched) -> None:
        try:
            cache.write_entry(
                key,
                url=got.url,
                fetched_at=self.now,
                items=got.items,
                meta=got.meta,
                root=self.root,
            )
        except OSError as exc:
            self.warn(
                f"warning: could not write the cache in {self.root} "
                f"({exc.strerror or exc}); continuing without it"
            )
            return
        with self._lock:
            self._written.append((key, got.items))

    def parsed(self, key: Key, papers: list[Paper]) -> None:
        """The papers of an entry, as read now: the index reuses them instead of parsing."""
        self._parsed[key] = papers

    def flush_index(self) -> None:
        """Index what this run wrote to the cache: one transaction, however many entries."""
        with self._lock:
            written, self._written = self._written, []
        if written:
            from papertrack.store import index

            index.add_entries([(k, items, self._parsed.get(k)) for k, items in written], self.root)

    def answers(self, copy: cache.CachedListing, fresh: Rule, mode: Mode | None = None) -> bool:
        """Whether *copy* stands in for asking the server: always offline; in ``auto``
        when it came from the server this run asks and *fresh* says so; never on refresh."""
        mode = mode or self.mode
        if mode == "offline":
            return True
        return mode == "auto" and self.from_here(copy.url, copy.key) and fresh(copy, self.now)

    def fallback(self, copy: cache.CachedListing, what: str, exc: FetchError) -> Fetched:
        """The cached *copy*, with a warning, because fetching a newer one failed."""
        self.warn(
            f"warning: could not refresh the {what}: {exc}; showing the cached copy "
            f"fetched {cache.age_text(copy.fetched_at, self.now)}"
        )
        return _from(copy, stale=True)

    @staticmethod
    def cached(copy: cache.CachedListing, *, stale: bool = False) -> Fetched:
        return _from(copy, stale=stale)

    def through_cache(
        self,
        key: Key,
        *,
        what: str,
        fetch: Callable[[], Fetched],
        fresh: Rule,
        mode: Mode | None = None,
        cached: cache.CachedListing | Literal["read"] | None = "read",
    ) -> Fetched:
        """The cache policy for one entry. *cached* is the copy that answers for *key* when
        it is not simply *key*'s own (an arXiv feed day for its API rebuild; the newest day)."""
        mode = mode or self.mode
        copy = self.read(key) if cached == "read" else cached
        if mode == "offline" and copy is None:
            raise NotCachedError(f"no cached {what}", hint="run without --offline to fetch it")
        if copy is not None and self.answers(copy, fresh, mode):
            return _from(copy)
        try:
            got = fetch()
        except FetchError as exc:
            if copy is None:
                raise
            return self.fallback(copy, what, exc)
        if got.not_modified and copy is not None:
            return _from(copy)
        if got.store:
            self.write(got.key or key, got)
        return got


def _from(copy: cache.CachedListing, *, stale: bool = False) -> Fetched:
    return Fetched(str(copy.path), copy.items, copy.meta, copy.key, stale=stale, cached=True)
