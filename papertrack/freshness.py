"""When a cached copy may stand in for asking again: every rule, side by side, with its reason.

A rule takes the cached copy and the run's clock and says whether it is fresh. The session
(papertrack.session) applies a rule only in ``auto`` mode and only to a copy fetched from the
server this run would ask; ``refresh`` never trusts one and ``offline`` always does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

from papertrack.dates import Period
from papertrack.record import record
from papertrack.store.cache import CachedListing

Rule = Callable[[CachedListing, datetime], bool]

STABLE_AFTER = timedelta(days=14)
"""Listings that ended longer ago than this barely change: reused, never refetched."""
TTL_CURRENT = timedelta(hours=1)
"""Today's and yesterday's listings still grow; refetch when the copy is older than this."""
TTL_CURRENT_EMPTY = timedelta(minutes=10)
"""An empty current day (early morning) fills up soon; look again sooner."""
TTL_RECENT = timedelta(hours=12)
"""Days 2–14 back only gain upvotes and late AI summaries."""
BACKFILL_SETTLED = timedelta(days=2)
"""arXiv's API index lags the announcement by up to a day: a backfill taken two days after
its day is final."""
BACKFILL_TTL = timedelta(hours=6)
"""A backfill taken before it settled is asked again after this."""
SEARCH_TTL = timedelta(days=1)
"""arXiv asks that the same query not be repeated within a day; HF's search moves slowly."""
PAPER_TTL = timedelta(days=1)
"""A paper's record changes with a new version or a late AI summary: daily is enough."""


@record
class Freshness:
    """How long recent listings are reused (config ``cache.ttl_current``/``ttl_recent``)."""

    current: timedelta = TTL_CURRENT
    recent: timedelta = TTL_RECENT


DEFAULT_FRESHNESS = Freshness()


def hf_listing(period: Period, ttl: Freshness = DEFAULT_FRESHNESS) -> Rule:
    """A Hugging Face day, week or month: final once settled, else by its age."""

    def fresh(cached: CachedListing, now: datetime) -> bool:
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

    return fresh


def hf_trending(ttl: Freshness = DEFAULT_FRESHNESS) -> Rule:
    """Hugging Face's trending ranking moves all day: reused as long as a current listing
    (an hour by default, config ``cache.ttl_current``)."""
    return within(ttl.current)


def arxiv_day(day: date) -> Rule:
    """An arXiv announcement day: the feed's copy never changes once announced; a copy
    rebuilt from the API is final once settled, else asked again after a few hours."""
    settled = datetime.combine(day, time(), timezone.utc) + BACKFILL_SETTLED

    def fresh(cached: CachedListing, now: datetime) -> bool:
        if cached.key.kind == "rss":
            return True
        return cached.fetched_at >= settled or now - cached.fetched_at < BACKFILL_TTL

    return fresh


def arxiv_latest(expected: date) -> Rule:
    """The newest arXiv announcement: a copy of the day that should be the newest needs no
    look at the feed; any older one does."""

    def fresh(cached: CachedListing, now: datetime) -> bool:
        return cached.key.day == expected

    return fresh


def within(ttl: timedelta) -> Rule:
    """Searches and single-paper look-ups: younger than *ttl* (and not from the future)."""

    def fresh(cached: CachedListing, now: datetime) -> bool:
        return timedelta(0) <= now - cached.fetched_at < ttl

    return fresh
