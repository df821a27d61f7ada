"""Hugging Face Daily Papers through the cache: a date, week or month; a range of days
fetched side by side; and the newest day with papers, looking back up to a week."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from papertrack import freshness
from papertrack.dates import (
    HF_FIRST_DAY,
    TODAY_LOOKBACK_DAYS,
    Period,
    covering,
    day_label,
    day_period,
    utc_date,
)
from papertrack.errors import FetchError, NotCachedError
from papertrack.listings import Loaded
from papertrack.parsers.hf import parse_daily_papers
from papertrack.session import Fetched, Mode, Session
from papertrack.store import keys

if TYPE_CHECKING:
    from papertrack.models import Paper
    from papertrack.sources.hf import RawListing
    from papertrack.store.cache import CachedListing
    from papertrack.store.keys import Key

FETCH_CONCURRENCY = 16
"""Listings of a range fetched at once from Hugging Face (its limit is per 5 minutes)."""
RANGE_DAYS_PER_SHARE = 100
"""Days of a range per share of the command's byte cap (papertrack.sources.http)."""
MAX_SHARES = 4
FIRST_WAVE = 4
"""Pages of a week or month asked at once to begin with, when connections are to spare."""


def _title(period: Period) -> str:
    return f"Hugging Face Daily Papers · {period.label}"


def listing(
    session: Session, period: Period, *, mode: Mode | None = None, eager: bool = True
) -> Loaded:
    """One date's listing; a week, month or range is read day by day (see _days). Not
    *eager*: never ask a page before the one before it came back full (a backfill, where
    requests count more than waiting)."""
    if period.kind != "date":
        return _days(session, period, eager=eager)

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
    return _parsed(session, period.first, got)


TRENDING_LABEL = "Hugging Face trending"


def trending(session: Session, submitter: str | None = None) -> Loaded:
    """Hugging Face's trending ranking (one submitter's, when given), in its own order,
    through the cache: reused for an hour, the cached copy offline or when asking fails."""

    def fetch() -> Fetched:
        from papertrack.sources import hf

        raw = hf.fetch_trending(session.client, session.network, submitter)
        return Fetched(raw.url, raw.items)

    label = TRENDING_LABEL + (f" · submitted by {submitter}" if submitter else "")
    got = session.through_cache(
        keys.hf_trending(submitter),
        what=label,
        fetch=fetch,
        fresh=freshness.hf_trending(session.freshness),
    )
    papers = _papers(session, keys.hf_trending(submitter), got)
    return Loaded("hf", label, papers, stale=got.stale)


def _parsed(session: Session, day: date, got: Fetched) -> Loaded:
    papers = _papers(session, keys.hf_listing(day_period(day)), got, day)
    return Loaded("hf", _title(day_period(day)), papers, stale=got.stale)


def _papers(session: Session, key: Key, got: Fetched, day: date | None = None) -> list[Paper]:
    """The papers of a listing, kept for the index, with a warning for what was unusable."""
    papers, skipped = parse_daily_papers(got.items, day=day)
    session.parsed(key, papers)
    if skipped:
        session.warn(f"warning: skipped {skipped} malformed item(s) in {got.url}")
    session.warn_cuts(papers, got.url)
    return papers


def _days(session: Session, period: Period, *, eager: bool = True) -> Loaded:
    """Every day of *period*, each its own cache entry. The days that need asking are
    asked as few listings as cover them (whole months, ISO weeks, dates at the edges;
    papertrack.dates.covering), side by side, and each answer is split into its days.
    An answer whose items do not say their day (early March 2025) is asked again one date
    at a time."""
    # One day of slack: a user east of UTC is already on tomorrow's list.
    tomorrow = utc_date(session.now) + timedelta(days=1)
    days = [d for d in period.days() if HF_FIRST_DAY <= d <= tomorrow]
    copies = {d: session.read(keys.hf_listing(day_period(d))) for d in days}
    got: dict[date, Fetched] = {}
    for day, copy in copies.items():
        rule = freshness.hf_listing(day_period(day), session.freshness)
        if copy is not None and session.answers(copy, rule):
            got[day] = session.cached(copy)
    need = [d for d in days if d not in got]
    if need and session.mode == "offline":
        shown = ", ".join(d.isoformat() for d in need[:5]) + (" …" if len(need) > 5 else "")
        raise NotCachedError(
            f"{len(need)} of {len(days)} days are not cached ({shown})",
            hint="run without --offline to fetch them",
        )
    asked = covering(need)
    if len(need) > RANGE_DAYS_PER_SHARE:
        from papertrack.sources.http import MAX_COMMAND_BYTES

        # The command's byte cap is sized for 100 days; a longer range gets a share per
        # 100 days (a real month is a few MB), up to MAX_SHARES: what is parsed is a few
        # times what arrives, and sync hf is the way to a whole history.
        shares = min(-(-len(need) // RANGE_DAYS_PER_SHARE), MAX_SHARES)
        session.client.allow(MAX_COMMAND_BYTES * shares)
    answers = _ask(session, asked, eager=eager)
    again = []
    for listing_period, answer in zip(asked, answers, strict=True):
        wanted = [d for d in need if listing_period.first <= d <= listing_period.last]
        if isinstance(answer, FetchError):
            _fall_back(session, listing_period, wanted, copies, answer, got)
            continue
        split = _split(answer, listing_period)
        if split is None:
            again.extend(wanted)  # an answer that cannot be split: ask its days one by one
            continue
        for day, items in split.items():
            fetched = Fetched(answer.url, items, {"listing": listing_period.key})
            # Days of a month or week outside the range came along: kept, not shown.
            if HF_FIRST_DAY <= day <= tomorrow:
                session.write(keys.hf_listing(day_period(day)), fetched)
            if day in copies:
                got[day] = fetched
    if again:
        dates = [day_period(d) for d in again]
        for date_period, answer in zip(dates, _ask(session, dates, eager=eager), strict=True):
            if isinstance(answer, FetchError):
                _fall_back(session, date_period, [date_period.first], copies, answer, got)
            else:
                fetched = Fetched(answer.url, answer.items)
                session.write(keys.hf_listing(date_period), fetched)
                got[date_period.first] = fetched
    from papertrack.join import merge_papers

    loaded = [_parsed(session, d, got[d]) for d in days]
    papers = merge_papers(p for part in loaded for p in part.papers)
    return Loaded("hf", _title(period), papers, stale=any(part.stale for part in loaded))


def _ask(
    session: Session, periods: list[Period], *, eager: bool = True
) -> list[RawListing | FetchError]:
    """Hugging Face's answers to *periods*, asked FETCH_CONCURRENCY at a time."""
    if not periods:
        return []
    from concurrent.futures import ThreadPoolExecutor  # only ranges need threads

    from papertrack.sources import hf

    # Connections to spare (a few listings): ask the first pages of each at once, up to
    # FETCH_CONCURRENCY requests in all. Many listings keep every connection busy already.
    first_wave = max(1, min(FIRST_WAVE, FETCH_CONCURRENCY // len(periods))) if eager else 1
    with session.steps("Hugging Face listings", len(periods)) as tick:

        def one(period: Period) -> RawListing | FetchError:
            try:
                return hf.fetch_daily_papers(
                    session.client, session.network, period, first_wave=first_wave
                )
            except FetchError as exc:
                return exc
            finally:
                tick()

        pool = ThreadPoolExecutor(max_workers=min(FETCH_CONCURRENCY, len(periods)))
        try:
            results = list(pool.map(one, periods))
        except BaseException:
            # Ctrl-C: do not wait for the listings still being fetched (or retried).
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    return results


def _split(answer: RawListing, period: Period) -> dict[date, list[dict[str, Any]]] | None:
    """A listing's items by the day each was listed on, every day of *period* present
    (an empty list is an empty day); None when an item does not say its day."""
    if period.kind == "date":
        return {period.first: answer.items}
    from papertrack.parsers.hf import listed_day

    split: dict[date, list[dict[str, Any]]] = {d: [] for d in period.days()}
    for item in answer.items:
        day = listed_day(item)
        if day is None:
            return None
        # A day outside the listing (a boundary the service draws otherwise) is asked
        # with its own listing.
        if day in split:
            split[day].append(item)
    return split


def _fall_back(
    session: Session,
    period: Period,
    wanted: list[date],
    copies: dict[date, CachedListing | None],
    error: FetchError,
    got: dict[date, Fetched],
) -> None:
    """The cached copies of *wanted* days, with one warning, because asking failed; the
    error itself when a day has no copy."""
    missing = [d for d in wanted if copies.get(d) is None]
    if missing:
        raise error
    for day in wanted:
        copy = copies[day]
        assert copy is not None
        got[day] = session.cached(copy, stale=True)
    session.warn(
        f"warning: could not refresh the Hugging Face listing for {period.label}: {error}; "
        f"showing the cached copies of {len(wanted)} day(s)"
    )


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
