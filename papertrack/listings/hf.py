"""Hugging Face Daily Papers through the cache: a date, week or month; a range of days
fetched side by side; and the newest day with papers, looking back up to a week."""

from __future__ import annotations

from datetime import date, timedelta

from papertrack import freshness
from papertrack.dates import TODAY_LOOKBACK_DAYS, Period, day_label, day_period
from papertrack.errors import FetchError, NotCachedError
from papertrack.listings import Loaded
from papertrack.parsers.hf import parse_daily_papers
from papertrack.session import Fetched, Mode, Session
from papertrack.store import keys

FETCH_CONCURRENCY = 16
"""Days of a range fetched at once from Hugging Face (its limit is per 5 minutes)."""


def _title(period: Period) -> str:
    return f"Hugging Face Daily Papers · {period.label}"


def listing(session: Session, period: Period, *, mode: Mode | None = None) -> Loaded:
    """One date, week or month listing; a range is split into days."""
    if period.kind == "range":
        return _range(session, period)

    def fetch() -> Fetched:
        from papertrack.sources import hf

        raw = hf.fetch_daily_papers(session.client, session.network, period)
        return Fetched(raw.url, raw.items)

    key = keys.hf_listing(period)
    got = session.through_cache(
        key,
        what=f"Hugging Face listing for {period.label}",
        fetch=fetch,
        fresh=freshness.hf_listing(period, session.freshness),
        mode=mode,
    )
    papers, skipped = parse_daily_papers(
        got.items, day=period.first if period.kind == "date" else None
    )
    session.parsed(key, papers)
    if skipped:
        session.warn(f"warning: skipped {skipped} malformed item(s) in {got.url}")
    session.warn_cuts(papers, got.url)
    return Loaded("hf", _title(period), papers, stale=got.stale)


def _range(session: Session, period: Period) -> Loaded:
    days = [day_period(d) for d in period.days()]
    workers = 1 if session.mode == "offline" else FETCH_CONCURRENCY

    from concurrent.futures import ThreadPoolExecutor  # only ranges need threads

    with session.steps("Hugging Face days", len(days)) as tick:

        def one(day: Period) -> Loaded | Exception:
            try:
                return listing(session, day)
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
        if session.mode == "offline":
            missing = [
                d.key for d, r in zip(days, results, strict=True) if isinstance(r, Exception)
            ]
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise NotCachedError(
                f"{len(missing)} of {len(days)} days are not cached ({shown})",
                hint="run without --offline to fetch them",
            )
        raise failures[0]
    from papertrack.join import merge_papers

    loaded = [r for r in results if isinstance(r, Loaded)]
    papers = merge_papers(p for part in loaded for p in part.papers)
    return Loaded("hf", _title(period), papers, stale=any(part.stale for part in loaded))


def latest(session: Session, today: date) -> tuple[Loaded, str | None]:
    """The newest day with papers, looking back up to a week; and a note when that is not
    *today*.

    When the network fails, earlier days still come from the cache, so a train ride shows
    yesterday's papers instead of an error.
    """
    mode = session.mode
    first_error: FetchError | None = None
    today_cached = True
    for offset in range(TODAY_LOOKBACK_DAYS + 1):
        day = today - timedelta(days=offset)
        try:
            loaded = listing(session, day_period(day), mode=mode)
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
            session.warn(
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
    if session.mode == "offline":
        raise NotCachedError(
            f"no cached Hugging Face listing with papers between {first} and {today}",
            hint="run without --offline to fetch them",
        )
    return (
        Loaded("hf", f"Hugging Face Daily Papers · {day_label(today)}", []),
        f"No papers on Hugging Face Daily Papers from {first} to {today}.",
    )
