"""Getting a listing: from the cache when it is fresh, else from the network, else stale.

This is where the cache policy lives (see README "Cache"): ``auto`` uses a fresh cached
copy and fetches otherwise, ``refresh`` always fetches, ``offline`` never does. A failed
fetch falls back to any cached copy with a warning; only no copy at all is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

from papertrack.dates import TODAY_LOOKBACK_DAYS, Period, day_label, day_period
from papertrack.errors import FetchError, NotCachedError
from papertrack.models import Paper
from papertrack.query import merge_papers
from papertrack.sources import hf
from papertrack.store import cache

if TYPE_CHECKING:
    from papertrack.sources.http import HttpClient

Mode = Literal["auto", "offline", "refresh"]
FETCH_CONCURRENCY = 8
"""Days of a range fetched at once from Hugging Face (its limit is per 5 minutes)."""


@dataclass(frozen=True, slots=True)
class Loaded:
    period: Period
    papers: list[Paper]
    stale: bool = False
    """Shown from the cache because fetching a newer copy failed."""


class Loader:
    """Loads Hugging Face listings for one command run; owns its HTTP client."""

    def __init__(
        self,
        *,
        mode: Mode = "auto",
        warn: Callable[[str], None],
        now: datetime | None = None,
        client: HttpClient | None = None,
    ) -> None:
        self.mode = mode
        self.warn = warn
        self.now = now or datetime.now(timezone.utc)
        self._client = client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def client(self) -> HttpClient:
        if self._client is None:
            # Imported here: httpx costs start-up time that cached runs should not pay.
            from papertrack.sources.http import HttpClient

            self._client = HttpClient()
        return self._client

    def load(self, period: Period, *, mode: Mode | None = None) -> Loaded:
        """One date, week or month listing; a range is split into days."""
        if period.kind == "range":
            return self._load_range(period)
        mode = mode or self.mode
        cached: cache.CachedListing | None = None
        try:
            cached = cache.read_listing(hf.SOURCE, period)
        except cache.CorruptCacheError as exc:
            self.warn(f"warning: {exc.message}")
        if mode == "offline":
            if cached is None:
                raise NotCachedError(
                    f"no cached Hugging Face listing for {period.label}",
                    hint="run without --offline to fetch it",
                )
            return self._from_cache(period, cached)
        if mode == "auto" and cached is not None and cache.is_fresh(cached, period, now=self.now):
            return self._from_cache(period, cached)
        try:
            raw = hf.fetch_daily_papers(self.client, period)
        except FetchError as exc:
            if cached is None:
                raise
            self.warn(
                f"warning: could not refresh {period.label}: {exc}; showing the cached copy "
                f"fetched {cache.age_text(cached.fetched_at, self.now)}"
            )
            return self._from_cache(period, cached, stale=True)
        try:
            cache.write_listing(
                hf.SOURCE, period, url=raw.url, fetched_at=raw.fetched_at, items=raw.items
            )
        except OSError as exc:
            self.warn(f"warning: could not write the cache ({exc}); continuing without it")
        return self._parsed(period, raw.items, origin=raw.url)

    def _from_cache(
        self, period: Period, cached: cache.CachedListing, *, stale: bool = False
    ) -> Loaded:
        loaded = self._parsed(period, cached.items, origin=str(cached.path))
        return Loaded(period, loaded.papers, stale=stale)

    def _parsed(self, period: Period, items: list[Any], *, origin: str) -> Loaded:
        day = period.first if period.kind == "date" else None
        papers, skipped = hf.parse_daily_papers(items, day=day)
        if skipped:
            self.warn(f"warning: skipped {skipped} malformed item(s) in {origin}")
        return Loaded(period, papers)

    def _load_range(self, period: Period) -> Loaded:
        days = [day_period(d) for d in period.days()]
        workers = 1 if self.mode == "offline" else FETCH_CONCURRENCY
        results: list[Loaded | Exception] = []

        def one(day: Period) -> Loaded | Exception:
            try:
                return self.load(day)
            except (FetchError, NotCachedError) as exc:
                return exc

        from concurrent.futures import ThreadPoolExecutor  # only ranges need threads

        with ThreadPoolExecutor(max_workers=min(workers, len(days))) as pool:
            results = list(pool.map(one, days))
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
        return Loaded(period, papers, stale=any(part.stale for part in loaded))

    def latest(self, today: date) -> tuple[Loaded, str | None]:
        """The newest day with papers, looking back up to a week; and a note if not *today*.

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
                return Loaded(loaded.period, loaded.papers, stale=True), None
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
            Loaded(day_period(today), []),
            f"No papers on Hugging Face Daily Papers from {first} to {today}.",
        )
