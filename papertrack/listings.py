"""Getting listings: from the cache when fresh, else from the network, else stale.

This is where the cache policy lives (README "Cache and network"): ``auto`` uses a fresh
cached copy and fetches otherwise, ``refresh`` always fetches, ``offline`` never does. A
failed fetch falls back to any cached copy with a warning; only no copy at all is an error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from papertrack.dates import (
    TODAY_LOOKBACK_DAYS,
    Period,
    announcement_window,
    day_label,
    day_period,
    eastern_date,
    is_announcement_day,
    latest_announcement_day,
    utc_date,
)
from papertrack.errors import FetchError, NotCachedError, PapertrackError, UsageError
from papertrack.join import join_sources, merge_papers
from papertrack.models import Paper, cut_fields
from papertrack.parsers import arxiv as parse_arxiv
from papertrack.parsers import hf as parse_hf
from papertrack.record import field, record
from papertrack.sources import Network, hf
from papertrack.store import cache

if TYPE_CHECKING:
    from papertrack.render.progress import ProgressFactory, Tick
    from papertrack.sources.http import HttpClient
    from papertrack.sources.throttle import Gate

Mode = Literal["auto", "offline", "refresh"]
Source = Literal["hf", "arxiv", "all"]
SOURCES: tuple[Source, ...] = ("hf", "arxiv", "all")
FETCH_CONCURRENCY = 16
"""Days of a range fetched at once from Hugging Face (its limit is per 5 minutes)."""
MAX_ARXIV_DAYS = 7
"""Announcement days one command may gather from arXiv (uncached ones cost API requests)."""
BACKFILL_SETTLED = timedelta(days=2)
BACKFILL_TTL = timedelta(hours=6)
"""The API index lags announcements by up to a day: recent backfills are asked again."""


def _no_tick() -> None:
    pass


@record
class Loaded:
    source: Source
    label: str
    """What was loaded, for titles and notes: "Hugging Face Daily Papers · Fri 2026-11-27"."""
    papers: list[Paper]
    stale: bool = False
    """Shown from the cache because fetching a newer copy failed."""


def combine(parts: Sequence[Loaded]) -> Loaded:
    if len(parts) == 1:
        return parts[0]
    hf_papers = [p for part in parts if part.source == "hf" for p in part.papers]
    arxiv_papers = [p for part in parts if part.source == "arxiv" for p in part.papers]
    return Loaded(
        "all",
        " + ".join(part.label for part in parts),
        join_sources(hf_papers, arxiv_papers),
        stale=any(part.stale for part in parts),
    )


@record
class Fetched:
    """What a fetch (or the cache standing in for it) produced."""

    url: str
    items: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    stale: bool = False


def category_key(categories: Sequence[str]) -> str:
    return "+".join(sorted(categories))


class Loader:
    """Loads listings for one command run; owns its HTTP client and arXiv gate."""

    def __init__(
        self,
        *,
        mode: Mode = "auto",
        warn: Callable[[str], None],
        now: datetime,
        root: Path,
        network: Network,
        client: HttpClient | None = None,
        freshness: cache.Freshness | None = None,
        progress: ProgressFactory | None = None,
    ) -> None:
        self.mode = mode
        self.progress = progress
        self.freshness = freshness or cache.Freshness()
        self.warn = warn
        self.now = now
        self.root = root
        """The cache folder."""
        self.network = network
        self._client = client
        self._gate: Gate | None = None
        self._written: list[tuple[Sequence[str], list[dict[str, Any]]]] = []
        self._parsed: dict[tuple[str, ...], list[Paper]] = {}
        self._written_lock = threading.Lock()
        self._client_lock = threading.Lock()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self.flush_index()

    def flush_index(self) -> None:
        """Index what this run wrote to the cache: one transaction, however many listings."""
        with self._written_lock:
            written, self._written = self._written, []
        if written:
            from papertrack.store import index

            index.add_entries(
                [(key, items, self._parsed.get(tuple(key))) for key, items in written], self.root
            )

    def _steps(self, label: str, total: int) -> AbstractContextManager[Tick]:
        """A progress bar over *total* steps when one was asked for and may be needed: a
        range that could touch the network."""
        if self.progress is None or self.mode == "offline" or total < 2:
            return nullcontext(_no_tick)
        return self.progress(label, total)

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is not None and not issubclass(kind, Exception):
            # Ctrl-C or SIGTERM: leave now; the next search indexes what this run cached.
            if self._client is not None:
                self._client.close()
            return
        self.close()

    @property
    def client(self) -> HttpClient:
        # Under a lock: the threads of a range fetch would otherwise each build a client
        # (each loading the CA bundle) at the same moment.
        with self._client_lock:
            if self._client is None:
                # Imported here: httpx costs start-up time that cached runs should not pay.
                from papertrack.sources.http import HttpClient

                self._client = HttpClient(
                    timeout=self.network.timeout,
                    backoff=self.network.backoff,
                    budget=self.network.budget,
                )
            return self._client

    @property
    def gate(self) -> Gate:
        if self._gate is None:
            from papertrack.sources.throttle import Gate

            self._gate = Gate(self.root, self.network.arxiv_delay, warn=self.warn)
        return self._gate

    def from_here(self, url: str, key: Sequence[str]) -> bool:
        """Whether a cached copy came from the server this run asks for its key. A copy
        fetched from another endpoint (a mirror, a test server) is never fresh here, only
        a fallback when the fetch fails."""
        source = key[1] if key[0] == "search" else key[0]
        name = "hf_endpoint" if source == "hf" else "arxiv_rss" if key[1] == "rss" else "arxiv_api"
        try:
            base: str = getattr(self.network, name)
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

    def read_cached(self, key: Sequence[str]) -> cache.CachedListing | None:
        try:
            return cache.read_entry(key, self.root)
        except cache.CorruptCacheError as exc:
            self.warn(f"warning: {exc.message}")
            return None

    def write_cached(self, key: Sequence[str], **document: Any) -> None:
        try:
            cache.write_entry(key, root=self.root, **document)
        except OSError as exc:
            self.warn(
                f"warning: could not write the cache in {self.root} "
                f"({exc.strerror or exc}); continuing without it"
            )
            return
        with self._written_lock:
            self._written.append((tuple(key), document["items"]))

    # -- Hugging Face --------------------------------------------------------------------

    def through_cache(
        self,
        key: Sequence[str],
        *,
        what: str,
        fetch: Callable[[], Fetched],
        fresh: Callable[[cache.CachedListing], bool],
        mode: Mode | None = None,
    ) -> Fetched:
        """The cache policy for one entry: fresh copy, else fetch, else stale copy."""
        mode = mode or self.mode
        cached = self.read_cached(key)
        if mode == "offline":
            if cached is None:
                raise NotCachedError(f"no cached {what}", hint="run without --offline to fetch it")
            return Fetched(str(cached.path), cached.items, cached.meta)
        if (
            mode == "auto"
            and cached is not None
            and self.from_here(cached.url, key)
            and fresh(cached)
        ):
            return Fetched(str(cached.path), cached.items, cached.meta)
        try:
            got = fetch()
        except FetchError as exc:
            if cached is None:
                raise
            self.warn(
                f"warning: could not refresh the {what}: {exc}; showing the cached copy "
                f"fetched {cache.age_text(cached.fetched_at, self.now)}"
            )
            return Fetched(str(cached.path), cached.items, cached.meta, stale=True)
        self.write_cached(key, url=got.url, fetched_at=self.now, items=got.items, meta=got.meta)
        return got

    def load(self, period: Period, *, mode: Mode | None = None) -> Loaded:
        """One Hugging Face date, week or month listing; a range is split into days."""
        if period.kind == "range":
            return self._load_range(period)

        def fetch() -> Fetched:
            raw = hf.fetch_daily_papers(self.client, self.network, period)
            return Fetched(raw.url, raw.items)

        got = self.through_cache(
            cache.listing_key("hf", period),
            what=f"Hugging Face listing for {period.label}",
            fetch=fetch,
            fresh=lambda cached: cache.is_fresh(cached, period, now=self.now, ttl=self.freshness),
            mode=mode,
        )
        return self._hf_loaded(period, got.items, origin=got.url, stale=got.stale)

    def _hf_loaded(
        self, period: Period, items: list[Any], *, origin: str, stale: bool = False
    ) -> Loaded:
        day = period.first if period.kind == "date" else None
        papers, skipped = parse_hf.parse_daily_papers(items, day=day)
        self._parsed[cache.listing_key("hf", period)] = papers  # the index reuses them
        if skipped:
            self.warn(f"warning: skipped {skipped} malformed item(s) in {origin}")
        self.warn_cuts(papers, origin)
        return Loaded("hf", f"Hugging Face Daily Papers · {period.label}", papers, stale=stale)

    def _load_range(self, period: Period) -> Loaded:
        days = [day_period(d) for d in period.days()]
        workers = 1 if self.mode == "offline" else FETCH_CONCURRENCY

        from concurrent.futures import ThreadPoolExecutor  # only ranges need threads

        with self._steps("Hugging Face days", len(days)) as tick:

            def one(day: Period) -> Loaded | Exception:
                try:
                    return self.load(day)
                except (FetchError, NotCachedError) as exc:
                    return exc
                finally:
                    tick()

            pool = ThreadPoolExecutor(max_workers=min(workers, len(days)))
            try:
                results = list(pool.map(one, days))
            except BaseException:
                # Ctrl-C: do not wait for the days still being fetched (or retried).
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
        failures = [r for r in results if isinstance(r, Exception)]
        if failures:
            if self.mode == "offline":
                missing = [
                    d.key for d, r in zip(days, results, strict=True) if isinstance(r, Exception)
                ]
                shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
                raise NotCachedError(
                    f"{len(missing)} of {len(days)} days are not cached ({shown})",
                    hint="run without --offline to fetch them",
                )
            raise failures[0]
        loaded = [r for r in results if isinstance(r, Loaded)]
        papers = merge_papers(p for part in loaded for p in part.papers)
        return Loaded(
            "hf",
            f"Hugging Face Daily Papers · {period.label}",
            papers,
            stale=any(part.stale for part in loaded),
        )

    def latest(self, today: date) -> tuple[Loaded, str | None]:
        """The newest Hugging Face day with papers, looking back up to a week; and a note
        when that is not *today*.

        When the network fails, earlier days still come from the cache, so a train ride
        shows yesterday's papers instead of an error.
        """
        mode = self.mode
        first_error: FetchError | None = None
        today_cached = True
        for offset in range(TODAY_LOOKBACK_DAYS + 1):
            day = today - timedelta(days=offset)
            try:
                loaded = self.load(day_period(day), mode=mode)
            except NotCachedError:
                if offset == 0:
                    today_cached = False
                continue
            except FetchError as exc:
                first_error = first_error or exc
                mode = "offline"
                continue
            if not loaded.papers:
                continue
            if first_error is not None:
                self.warn(
                    f"warning: could not fetch {day_label(today)}: {first_error}; "
                    f"showing the cached {day_label(day)}"
                )
                return Loaded("hf", loaded.label, loaded.papers, stale=True), None
            if offset == 0:
                return loaded, None
            if not today_cached:
                note = f"No cached papers for {day_label(today)}; showing {day_label(day)}."
            else:
                note = f"No papers for {day_label(today)} yet; showing {day_label(day)}."
            return loaded, note
        if first_error is not None:
            raise first_error
        first = today - timedelta(days=TODAY_LOOKBACK_DAYS)
        if self.mode == "offline":
            raise NotCachedError(
                f"no cached Hugging Face listing with papers between {first} and {today}",
                hint="run without --offline to fetch them",
            )
        return (
            Loaded("hf", f"Hugging Face Daily Papers · {day_label(today)}", []),
            f"No papers on Hugging Face Daily Papers from {first} to {today}.",
        )

    # -- arXiv -----------------------------------------------------------------------------

    def _arxiv_label(self, categories: Sequence[str], day: date) -> str:
        return f"arXiv {', '.join(categories)} · {day_label(day)}"

    def _arxiv_cached_day(
        self, categories: Sequence[str], day: date
    ) -> tuple[cache.CachedListing | None, bool]:
        """The cached announcement of *day*: the RSS copy, else an API backfill; and
        whether it can be used without asking again."""
        setkey = category_key(categories)
        feed_key = ("arxiv", "rss", setkey, day.isoformat())
        feed_copy = self.read_cached(feed_key)
        if feed_copy is not None:
            # A feed day never changes once announced.
            return feed_copy, self.from_here(feed_copy.url, feed_key)
        backfill_key = ("arxiv", "api-day", setkey, day.isoformat())
        backfill = self.read_cached(backfill_key)
        if backfill is None:
            return None, False
        settled = datetime.combine(day, datetime.min.time(), timezone.utc) + BACKFILL_SETTLED
        fresh = backfill.fetched_at >= settled or self.now - backfill.fetched_at < BACKFILL_TTL
        return backfill, fresh and self.from_here(backfill.url, backfill_key)

    def _arxiv_loaded(
        self, categories: Sequence[str], day: date, entry: cache.CachedListing, *, stale: bool
    ) -> Loaded:
        papers = [Paper.from_dict(item) for item in entry.items]
        return Loaded("arxiv", self._arxiv_label(categories, day), papers, stale=stale)

    def arxiv_day(self, categories: Sequence[str], day: date) -> Loaded:
        """The announcement of one feed day: cached, or rebuilt from the API."""
        label = self._arxiv_label(categories, day)
        if not is_announcement_day(day):
            return Loaded("arxiv", label, [])
        entry, fresh = self._arxiv_cached_day(categories, day)
        if entry is not None and (fresh or self.mode == "offline") and self.mode != "refresh":
            return self._arxiv_loaded(categories, day, entry, stale=False)
        if self.mode == "offline":
            raise NotCachedError(
                f"no cached arXiv announcement for {', '.join(categories)} on {day_label(day)}",
                hint="run without --offline to fetch it",
            )
        from papertrack.sources import arxiv

        start, end = announcement_window(day)
        try:
            papers, truncated = arxiv.backfill(
                self.client, self.gate, self.network, categories, day=day, start=start, end=end
            )
        except FetchError as exc:
            if entry is None:
                raise
            self.warn(f"warning: could not refresh {label}: {exc}; showing the cached copy")
            return self._arxiv_loaded(categories, day, entry, stale=True)
        self.warn_cuts(papers, f"arXiv's answer for {label}")
        asked = parse_arxiv.as_asked(papers, categories, start, end)
        if len(asked) < len(papers):
            self.warn(
                f"warning: arXiv's API returned {len(papers) - len(asked)} paper(s) outside "
                f"the submissions window or categories of {label}; left out"
            )
        if truncated:
            self.warn(
                f"warning: {label} has more than {len(papers)} new papers; showing the first "
                f"{len(asked)}"
            )
        papers = asked
        query = arxiv.submitted_window_query(categories, start, end)
        self.write_cached(
            ("arxiv", "api-day", category_key(categories), day.isoformat()),
            url=f"{self.network.arxiv_api}?search_query={query}",
            fetched_at=self.now,
            items=[p.to_dict() for p in papers],
            meta={"origin": "api", "truncated": truncated},
        )
        return Loaded("arxiv", label, papers)

    def arxiv_period(self, categories: Sequence[str], period: Period) -> Loaded:
        days = [d for d in period.days() if is_announcement_day(d)]
        if len(days) > MAX_ARXIV_DAYS:
            raise UsageError(
                f"{period.label} has {len(days)} arXiv announcement days; one command gathers "
                f"at most {MAX_ARXIV_DAYS} (each uncached day costs arXiv API requests)",
                hint="use a shorter range, or 'papertrack search --source arxiv --since'",
            )
        parts = []
        with self._steps(f"arXiv {', '.join(categories)} days", len(days)) as tick:
            for day in days:
                parts.append(self.arxiv_day(categories, day))
                tick()
        label = f"arXiv {', '.join(categories)} · {period.label}"
        return Loaded(
            "arxiv",
            label,
            [p for part in parts for p in part.papers],
            stale=any(part.stale for part in parts),
        )

    def arxiv_latest(self, categories: Sequence[str]) -> tuple[Loaded, str | None]:
        """The latest announcement for *categories* (US Eastern calendar), and a note when it
        is not today's."""
        today = eastern_date(self.now)
        expected = latest_announcement_day(today)
        shown, loaded = self._arxiv_current(categories, today, expected)
        note = None
        if shown != today:
            if is_announcement_day(today):
                note = (
                    f"arXiv's announcement for {day_label(today)} is not out yet; "
                    f"showing {day_label(shown)}."
                )
            else:
                note = f"No arXiv announcement on {day_label(today)}; showing {day_label(shown)}."
        return loaded, note

    def _arxiv_current(
        self, categories: Sequence[str], today: date, expected: date
    ) -> tuple[date, Loaded]:
        entry, _ = self._arxiv_cached_day(categories, expected)
        if (
            entry is not None
            and self.mode != "refresh"
            and self.from_here(
                entry.url,
                ("arxiv", entry.path.parent.parent.name),  # rss or api-day
            )
        ):
            return expected, self._arxiv_loaded(categories, expected, entry, stale=False)
        folder = ("arxiv", "rss", category_key(categories))
        newest = cache.newest_entry(folder, self.root)
        if self.mode == "offline":
            backfilled = cache.newest_entry(
                ("arxiv", "api-day", category_key(categories)), self.root
            )
            copies = [c for c in (newest, backfilled) if c is not None]
            if not copies:
                raise NotCachedError(
                    f"no cached arXiv announcement for {', '.join(categories)}",
                    hint="run without --offline to fetch it",
                )
            latest = max(copies, key=lambda c: c.path.stem)
            day = date.fromisoformat(latest.path.stem)
            return day, self._arxiv_loaded(categories, day, latest, stale=False)
        from papertrack.sources import arxiv

        etag = (
            newest.meta.get("etag")
            if newest is not None and self.from_here(newest.url, folder)
            else None
        )
        try:
            fetched = arxiv.fetch_feed(self.client, self.gate, self.network, categories, etag=etag)
        except FetchError as exc:
            if newest is None:
                raise
            day = date.fromisoformat(newest.path.stem)
            self.warn(
                f"warning: could not fetch arXiv's feed: {exc}; showing the cached "
                f"{day_label(day)} announcement"
            )
            return day, self._arxiv_loaded(categories, day, newest, stale=True)
        if fetched.feed is None:
            assert newest is not None  # only a cached copy's ETag can earn a 304
            day = date.fromisoformat(newest.path.stem)
            return day, self._arxiv_loaded(categories, day, newest, stale=False)
        feed = fetched.feed
        if feed.skipped:
            self.warn(f"warning: skipped {feed.skipped} malformed item(s) in {fetched.url}")
        self.warn_cuts(feed.papers, fetched.url)
        if feed.papers:
            day = feed.announced or expected
            self.write_cached(
                (*folder, day.isoformat()),
                url=fetched.url,
                fetched_at=self.now,
                items=[p.to_dict() for p in feed.papers],
                meta={"etag": fetched.etag, "title": feed.title, "announced": day.isoformat()},
            )
            return day, Loaded("arxiv", self._arxiv_label(categories, day), feed.papers)
        # An empty feed: normal on weekends and holidays, suspicious on announcement days.
        if today == expected:
            self.warn(
                f"warning: arXiv's feed for {', '.join(categories)} is empty on "
                f"{day_label(today)}, which should be an announcement day"
            )
            expected = latest_announcement_day(today - timedelta(days=1))
        return expected, self.arxiv_day(categories, expected)


def gather(
    loader: Loader,
    source: Source,
    hf_part: Callable[[], tuple[Loaded, str | None]],
    arxiv_part: Callable[[], tuple[Loaded, str | None]],
) -> tuple[Loaded, list[str]]:
    """Load one source or both. With both, one failing is a warning and the other shows;
    only both failing is an error."""
    wanted = [
        part for name, part in (("hf", hf_part), ("arxiv", arxiv_part)) if source in (name, "all")
    ]
    parts: list[Loaded] = []
    notes: list[str] = []
    errors: list[PapertrackError] = []
    for part in wanted:
        try:
            loaded, note = part()
        except (FetchError, NotCachedError) as exc:
            if len(wanted) == 1:
                raise
            errors.append(exc)
            continue
        parts.append(loaded)
        notes.extend([note] if note else [])
    if not parts:
        raise errors[0]
    for error in errors:
        loader.warn(f"warning: {error}; showing the other source only")
    return combine(parts), notes


def load_today(
    loader: Loader, *, source: Source, categories: Sequence[str]
) -> tuple[Loaded, list[str]]:
    """``today`` for one or both sources, joined; and the notes to print."""
    return gather(
        loader,
        source,
        lambda: loader.latest(utc_date(loader.now)),
        lambda: loader.arxiv_latest(categories),
    )


def load_period(
    loader: Loader, period: Period, *, source: Source, categories: Sequence[str]
) -> Loaded:
    loaded, _ = gather(
        loader,
        source,
        lambda: (loader.load(period), None),
        lambda: (loader.arxiv_period(categories, period), None),
    )
    return loaded
