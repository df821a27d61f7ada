"""arXiv announcements through the cache: one feed day (rebuilt from the API when the feed
was not read that day), a period of days, and the latest announcement (the feed, asked
with its ETag)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from papertrack import freshness
from papertrack.dates import (
    Period,
    announcement_window,
    day_label,
    eastern_date,
    is_announcement_day,
    latest_announcement_day,
)
from papertrack.errors import UsageError
from papertrack.listings import Loaded
from papertrack.models import Paper
from papertrack.session import Fetched, Session
from papertrack.store import keys
from papertrack.store.cache import CachedListing

MAX_ARXIV_DAYS = 7
"""Announcement days one command may gather from arXiv (uncached ones cost API requests)."""


def _label(categories: Sequence[str], day: date) -> str:
    return f"arXiv {', '.join(categories)} · {day_label(day)}"


def _loaded(categories: Sequence[str], day: date, got: Fetched) -> Loaded:
    papers = [Paper.from_dict(item) for item in got.items]
    return Loaded("arxiv", _label(categories, day), papers, stale=got.stale)


def _copy_of(session: Session, categories: Sequence[str], day: date) -> CachedListing | None:
    """The cached announcement of *day*: the feed's copy, else one rebuilt from the API."""
    return session.read(keys.arxiv_feed_day(categories, day)) or session.read(
        keys.arxiv_backfill_day(categories, day)
    )


def day(session: Session, categories: Sequence[str], when: date) -> Loaded:
    """The announcement of one feed day: cached, or rebuilt from the API."""
    if not is_announcement_day(when):
        return Loaded("arxiv", _label(categories, when), [])
    key = keys.arxiv_backfill_day(categories, when)
    got = session.through_cache(
        key,
        what=f"arXiv announcement for {', '.join(categories)} on {day_label(when)}",
        fetch=lambda: _backfill(session, categories, when),
        fresh=freshness.arxiv_day(when),
        cached=_copy_of(session, categories, when),
    )
    return _loaded(categories, when, got)


def _backfill(session: Session, categories: Sequence[str], when: date) -> Fetched:
    from papertrack.parsers.arxiv import as_asked
    from papertrack.sources import arxiv

    label = _label(categories, when)
    start, end = announcement_window(when)
    papers, truncated = arxiv.backfill(
        session.client, session.gate, session.network, categories, day=when, start=start, end=end
    )
    session.warn_cuts(papers, f"arXiv's answer for {label}")
    asked = as_asked(papers, categories, start, end)
    if len(asked) < len(papers):
        session.warn(
            f"warning: arXiv's API returned {len(papers) - len(asked)} paper(s) outside "
            f"the submissions window or categories of {label}; left out"
        )
    if truncated:
        session.warn(
            f"warning: {label} has more than {len(papers)} new papers; showing the first "
            f"{len(asked)}"
        )
    query = arxiv.submitted_window_query(categories, start, end)
    return Fetched(
        f"{session.network.arxiv_api}?search_query={query}",
        [p.to_dict() for p in asked],
        {"origin": "api", "truncated": truncated},
    )


def period(session: Session, categories: Sequence[str], within: Period) -> Loaded:
    synced = _synced(session, categories, within)
    if synced is not None:
        return synced
    days = [d for d in within.days() if is_announcement_day(d)]
    if len(days) > MAX_ARXIV_DAYS:
        raise UsageError(
            f"{within.label} has {len(days)} arXiv announcement days; one command gathers "
            f"at most {MAX_ARXIV_DAYS} (each uncached day costs arXiv API requests)",
            hint="sync the categories for any range: papertrack sync arxiv -c "
            f"{','.join(categories)} --since {within.first}",
        )
    parts = []
    with session.steps(f"arXiv {', '.join(categories)} days", len(days)) as tick:
        for when in days:
            parts.append(day(session, categories, when))
            tick()
    return Loaded(
        "arxiv",
        f"arXiv {', '.join(categories)} · {within.label}",
        [p for part in parts for p in part.papers],
        stale=any(part.stale for part in parts),
    )


def _synced(session: Session, categories: Sequence[str], within: Period) -> Loaded | None:
    """The announcements of *within* rebuilt from harvested records (papertrack sync
    arxiv), when every category is synced over the whole period; else None."""
    from papertrack.listings.oai import synced_window

    window = synced_window(session.root, tuple(categories))
    if window is None or not (window[0] <= within.first and within.last <= window[1]):
        return None
    from papertrack.parsers.arxiv import as_announced
    from papertrack.record import replace
    from papertrack.store import index

    new, revised = index.read(
        session.root,
        lambda reader: reader.announced(within.first, within.last, categories),
        warn=session.warn,
    )
    papers = [as_announced(p, categories, p.announced) for p in new if p.announced]
    seen = {p.id for p in papers}
    for paper in revised:
        if paper.id not in seen:
            kind = as_announced(paper, categories, within.last).announce_type
            cross = "-cross" if kind == "cross" else ""
            papers.append(replace(paper, announce_type=f"replace{cross}"))
    label = f"arXiv {', '.join(categories)} · {within.label} (synced)"
    return Loaded("arxiv", label, papers)


def latest(session: Session, categories: Sequence[str]) -> tuple[Loaded, str | None]:
    """The latest announcement for *categories* (US Eastern calendar), and a note when it
    is not today's."""
    today = eastern_date(session.now)
    expected = latest_announcement_day(today)
    shown, loaded = _current(session, categories, today, expected)
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


def _current(
    session: Session, categories: Sequence[str], today: date, expected: date
) -> tuple[date, Loaded]:
    feeds = keys.arxiv_feed_folder(categories)
    copy = _copy_of(session, categories, expected)
    if session.mode == "offline":
        # Any announcement will do: the newest, whether the feed's or the API's.
        copy = session.newest(feeds, keys.arxiv_backfill_folder(categories))
    elif not (session.mode == "auto" and copy and session.from_here(copy.url, copy.key)):
        copy = session.newest(feeds)  # what the feed's ETag can be compared with
    got = session.through_cache(
        keys.arxiv_feed_day(categories, expected),
        what=f"arXiv announcement for {', '.join(categories)}",
        fetch=lambda: _feed(session, categories, expected, copy),
        fresh=freshness.arxiv_latest(expected),
        cached=copy,
    )
    if got.items or got.cached:
        shown = got.key.day if got.key and got.key.day else expected
        return shown, _loaded(categories, shown, got)
    # An empty feed: normal on weekends and holidays, suspicious on announcement days.
    if today == expected:
        session.warn(
            f"warning: arXiv's feed for {', '.join(categories)} is empty on "
            f"{day_label(today)}, which should be an announcement day"
        )
        expected = latest_announcement_day(today - timedelta(days=1))
    return expected, day(session, categories, expected)


def _feed(
    session: Session, categories: Sequence[str], expected: date, copy: CachedListing | None
) -> Fetched:
    from papertrack.sources import arxiv

    etag = None
    if copy is not None and copy.key.kind == "rss" and session.from_here(copy.url, copy.key):
        etag = copy.meta.get("etag")
    fetched = arxiv.fetch_feed(session.client, session.gate, session.network, categories, etag=etag)
    if fetched.feed is None:
        return Fetched(fetched.url, [], not_modified=True)
    feed = fetched.feed
    if feed.skipped:
        session.warn(f"warning: skipped {feed.skipped} malformed item(s) in {fetched.url}")
    session.warn_cuts(feed.papers, fetched.url)
    if not feed.papers:
        return Fetched(fetched.url, [], store=False)
    shown = feed.announced or expected
    return Fetched(
        fetched.url,
        [p.to_dict() for p in feed.papers],
        {"etag": fetched.etag, "title": feed.title, "announced": shown.isoformat()},
        key=keys.arxiv_feed_day(categories, shown),
    )
