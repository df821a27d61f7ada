"""The one cache policy (Session.through_cache) and arXiv's "latest" rules, with a fake clock
and fake fetches: no server, no network, in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import pytest

from papertrack import freshness
from papertrack.errors import FetchError, NotCachedError
from papertrack.listings import arxiv as arxiv_listing
from papertrack.models import Paper
from papertrack.parsers.arxiv import Feed
from papertrack.session import Fetched, Mode, Session
from papertrack.sources import Network
from papertrack.sources import arxiv as arxiv_source
from papertrack.sources.http import HttpClient
from papertrack.store import keys

FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)  # an announcement day
SATURDAY = datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc)  # none on weekends
BASE = "http://127.0.0.1:9/hf"
KEY = keys.hf_paper("2511.00001")
ENVIRON = {
    "HF_ENDPOINT": BASE,
    "PAPERTRACK_ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
    "PAPERTRACK_ARXIV_API_URL": "http://127.0.0.1:9/api",
    "PAPERTRACK_ARXIV_DELAY": "0",
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Callable[..., tuple[Session, list[str]]]]:
    """Sessions over one cache folder, each at its own time and mode."""
    made: list[Session] = []

    def session(now: datetime = FRIDAY, mode: Mode = "auto") -> tuple[Session, list[str]]:
        warnings: list[str] = []
        # A client that must never be used: the fetches here are fakes.
        made.append(
            Session(
                mode=mode,
                warn=warnings.append,
                now=now,
                root=tmp_path,
                network=Network(ENVIRON),
                client=cast(HttpClient, _NoClient()),
            )
        )
        return made[-1], warnings

    yield session
    for one in made:
        one.__exit__(None)


class _NoClient:
    def close(self) -> None:
        pass


class Fetches:
    """A fake fetch: answers in turn, counting calls; an exception is raised."""

    def __init__(self, *answers: Fetched | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> Fetched:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def item(n: int) -> dict[str, Any]:
    return {"id": f"2511.0000{n}", "title": f"Paper {n}"}


def through(session: Session, fetch: Fetches, ttl: timedelta = timedelta(hours=1)) -> Fetched:
    return session.through_cache(KEY, what="thing", fetch=fetch, fresh=freshness.within(ttl))


def test_fetches_once_then_serves_the_fresh_copy(make: Callable[..., Any]) -> None:
    session, warnings = make()
    fetch = Fetches(Fetched(f"{BASE}/api/papers/x", [item(1)]))
    first = through(session, fetch)
    assert not first.cached and first.items == [item(1)]
    later, _ = make(FRIDAY + timedelta(minutes=59))
    again = through(later, fetch)
    assert again.cached and again.items == [item(1)] and not again.stale
    assert fetch.calls == 1 and warnings == []


def test_a_stale_copy_is_fetched_again_and_replaced(make: Callable[..., Any]) -> None:
    session, _ = make()
    through(session, Fetches(Fetched(f"{BASE}/a", [item(1)])))
    later, _ = make(FRIDAY + timedelta(hours=2))
    fetch = Fetches(Fetched(f"{BASE}/a", [item(2)]))
    assert through(later, fetch).items == [item(2)] and fetch.calls == 1
    assert later.read(KEY) is not None and later.read(KEY).items == [item(2)]


def test_offline_uses_any_copy_or_says_none_is_cached(make: Callable[..., Any]) -> None:
    offline, _ = make(mode="offline")
    fetch = Fetches()
    with pytest.raises(NotCachedError, match="no cached thing"):
        through(offline, fetch)
    online, _ = make()
    through(online, Fetches(Fetched(f"{BASE}/a", [item(1)])))
    week_later, _ = make(FRIDAY + timedelta(days=7), mode="offline")
    assert through(week_later, fetch).items == [item(1)] and fetch.calls == 0


def test_refresh_fetches_even_a_fresh_copy(make: Callable[..., Any]) -> None:
    session, _ = make()
    through(session, Fetches(Fetched(f"{BASE}/a", [item(1)])))
    refresh, _ = make(mode="refresh")
    fetch = Fetches(Fetched(f"{BASE}/a", [item(2)]))
    assert through(refresh, fetch).items == [item(2)] and fetch.calls == 1


def test_a_failed_fetch_falls_back_to_the_stale_copy_with_a_warning(
    make: Callable[..., Any],
) -> None:
    session, _ = make()
    through(session, Fetches(Fetched(f"{BASE}/a", [item(1)])))
    later, warnings = make(FRIDAY + timedelta(hours=3))
    got = through(later, Fetches(FetchError(f"{BASE}/a", "HTTP 503")))
    assert got.stale and got.items == [item(1)]
    assert warnings == [
        f"warning: could not refresh the thing: {BASE}/a: HTTP 503; showing the cached copy "
        "fetched 3 h ago"
    ]
    nothing, _ = make()
    nothing_key = keys.hf_paper("2511.99999")
    with pytest.raises(FetchError):
        nothing.through_cache(
            nothing_key,
            what="other",
            fetch=Fetches(FetchError(f"{BASE}/b", "timed out")),
            fresh=freshness.within(timedelta(hours=1)),
        )


def test_a_copy_from_another_server_is_never_fresh(make: Callable[..., Any]) -> None:
    session, _ = make()
    through(session, Fetches(Fetched("http://mirror.example/a", [item(1)])))
    fetch = Fetches(Fetched(f"{BASE}/a", [item(2)]))
    assert through(session, fetch).items == [item(2)] and fetch.calls == 1


def test_a_copy_from_the_future_is_not_trusted(make: Callable[..., Any]) -> None:
    future, _ = make(FRIDAY + timedelta(hours=5))
    through(future, Fetches(Fetched(f"{BASE}/a", [item(1)])))
    now, _ = make()
    fetch = Fetches(Fetched(f"{BASE}/a", [item(2)]))
    assert through(now, fetch).items == [item(2)]


def test_not_modified_reuses_the_copy_and_an_unstored_answer_is_not_kept(
    make: Callable[..., Any],
) -> None:
    session, _ = make()
    through(session, Fetches(Fetched(f"{BASE}/a", [item(1)], {"etag": '"v1"'})))
    later, _ = make(FRIDAY + timedelta(hours=2))
    got = through(later, Fetches(Fetched(f"{BASE}/a", [], not_modified=True)))
    assert got.cached and got.items == [item(1)] and not got.stale
    empty = through(later, Fetches(Fetched(f"{BASE}/a", [], store=False)))
    assert empty.items == [] and not empty.cached
    assert later.read(KEY) is not None and later.read(KEY).items == [item(1)]


# -- arXiv's latest announcement -----------------------------------------------------


def paper(n: int) -> Paper:
    return Paper(id=f"2511.1000{n}", title=f"arXiv paper {n}", sources=("arxiv",))


def feed(*papers: Paper, day: date | None) -> arxiv_source.FeedFetch:
    url = "http://127.0.0.1:9/rss/rss/cs.AI"
    return arxiv_source.FeedFetch(url, Feed("cs.AI", day, list(papers)), '"etag-1"')


@pytest.fixture
def arxiv_fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Fake feed and API answers; records what was asked."""
    asked: dict[str, Any] = {"feeds": [], "backfills": [], "answers": []}

    def fetch_feed(*args: object, etag: str | None = None) -> arxiv_source.FeedFetch:
        asked["feeds"].append(etag)
        answer: arxiv_source.FeedFetch = asked["answers"].pop(0)
        return answer

    def backfill(*args: object, day: date, **kwargs: object) -> tuple[list[Paper], bool]:
        asked["backfills"].append(day)
        return [], False

    monkeypatch.setattr(arxiv_source, "fetch_feed", fetch_feed)
    monkeypatch.setattr(arxiv_source, "backfill", backfill)
    return asked


def test_latest_asks_with_the_etag_and_reuses_the_copy_on_304(
    make: Callable[..., Any], arxiv_fakes: dict[str, Any]
) -> None:
    friday = FRIDAY.date()
    arxiv_fakes["answers"] = [
        feed(paper(1), paper(2), day=friday),
        arxiv_source.FeedFetch("http://127.0.0.1:9/rss/rss/cs.AI", None, '"etag-1"'),
    ]
    session, _ = make(FRIDAY, mode="refresh")
    loaded, note = arxiv_listing.latest(session, ["cs.AI"])
    assert [p.id for p in loaded.papers] == ["2511.10001", "2511.10002"] and note is None
    again, _ = make(FRIDAY + timedelta(minutes=5), mode="refresh")
    loaded, _ = arxiv_listing.latest(again, ["cs.AI"])
    assert arxiv_fakes["feeds"] == [None, '"etag-1"']
    assert [p.id for p in loaded.papers] == ["2511.10001", "2511.10002"] and not loaded.stale
    # A fresh copy of the expected day needs no request at all.
    auto, _ = make(FRIDAY + timedelta(minutes=10))
    arxiv_listing.latest(auto, ["cs.AI"])
    assert len(arxiv_fakes["feeds"]) == 2


def test_an_empty_feed_on_an_announcement_day_warns_and_shows_the_day_before(
    make: Callable[..., Any], arxiv_fakes: dict[str, Any]
) -> None:
    arxiv_fakes["answers"] = [feed(day=None)]
    session, warnings = make(FRIDAY)
    loaded, note = arxiv_listing.latest(session, ["cs.AI"])
    assert warnings == [
        "warning: arXiv's feed for cs.AI is empty on Fri 2026-11-27, which should be an "
        "announcement day"
    ]
    # Thursday 2026-11-26 is Thanksgiving, a day without announcement in arXiv's calendar.
    assert arxiv_fakes["backfills"] == [date(2026, 11, 25)]
    assert "Wed 2026-11-25" in loaded.label and note is not None
    # Nothing was cached for the empty feed: the next run asks again.
    assert session.read(keys.arxiv_feed_day(["cs.AI"], FRIDAY.date())) is None


def test_an_empty_feed_on_a_weekend_is_normal(
    make: Callable[..., Any], arxiv_fakes: dict[str, Any]
) -> None:
    arxiv_fakes["answers"] = [feed(day=None)]
    session, warnings = make(SATURDAY)
    loaded, note = arxiv_listing.latest(session, ["cs.AI"])
    assert warnings == [] and arxiv_fakes["backfills"] == [date(2026, 11, 27)]
    assert "Fri 2026-11-27" in loaded.label
    assert note == "No arXiv announcement on Sat 2026-11-28; showing Fri 2026-11-27."
