"""A real HTTP server on 127.0.0.1 that answers like Hugging Face and arXiv.

Hugging Face: it serves the recorded responses in tests/fixtures/hf: a date mapped to a
fixture gets that file's bytes unchanged when one page holds it all, and slices of its
items otherwise; ``week=`` and ``month=`` join the days they cover; ``/api/papers/search``
and ``/api/papers/{id}`` answer from what a test registers.
arXiv: ``/rss/{categories}`` serves a registered feed with an ETag (and 304 for a matching
``If-None-Match``); ``/api/query`` answers with the first registered reply whose marker
occurs in the query string, else the recorded empty result.
Tests can queue replies (failures) that pre-empt all of this.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
HF_FIXTURES = FIXTURES / "hf"
ARXIV_FIXTURES = FIXTURES / "arxiv"


def hf_fixture(day: str) -> Path:
    return HF_FIXTURES / f"daily_papers_{day}.json"


FIXTURE_DAYS = sorted(p.stem.removeprefix("daily_papers_") for p in HF_FIXTURES.glob("*.json"))


SUBMITTED_ON_DAILY_FROM = date(2025, 3, 17)
ARXIV_CLOCK_FROM = date(2025, 3, 1)


def relabel(item: Any, day: date) -> Any:
    """A recorded item as it would be listed on *day*: ``paper.submittedOnDailyAt`` on that
    day (which every item has since 2025-03-17), or before March 2025 the top-level
    ``publishedAt`` (noon: the same day whether read as UTC or as Eastern). Items of early
    March 2025 say nothing about their day, as the recorded 2025-03-13 list shows."""
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        return item
    item = {**item, "paper": dict(item["paper"])}
    paper = item["paper"]
    if "submittedOnDailyAt" in paper or day >= SUBMITTED_ON_DAILY_FROM:
        paper["submittedOnDailyAt"] = f"{day.isoformat()}T08:00:00.000Z"
    elif day < ARXIV_CLOCK_FROM:
        item["publishedAt"] = f"{day.isoformat()}T12:00:00.000Z"
    return item


def _submitter(item: Any) -> str | None:
    by = item.get("submittedBy") if isinstance(item, dict) else None
    name = by.get("name") if isinstance(by, dict) else None
    return name.lower() if isinstance(name, str) else None


class _QuietServer(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when 16 arrive at once, and the client's
    # SYN retry then adds a second: a range fetch would measure the server, not papertrack.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        # A client killed mid-request (the crash tests do that on purpose) is not news.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


_Server = TypeVar("_Server", bound="LocalServer")


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (a free port), started and stopped by a test."""

    def listen(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self: _Server) -> _Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def listing_days(query: dict[str, str]) -> list[date]:
    """The days a Daily Papers request asks for (``date=``, ``week=`` or ``month=``)."""
    if "date" in query:
        return [date.fromisoformat(query["date"][:10])]
    if "week" in query:
        year, week = query["week"].split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        return [monday + timedelta(n) for n in range(7)]
    if "month" in query:
        first = date.fromisoformat(query["month"] + "-01")
        days = (first + timedelta(n) for n in range(31))
        return [d for d in days if d.month == first.month]
    return []


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    started: float = 0.0
    finished: float = 0.0


class HubServer(LocalServer):
    def __init__(self) -> None:
        self.days: dict[str, Path] = {}
        self.generated: dict[str, list[Any]] = {}
        self.requests: list[Seen] = []
        self.queued: list[Reply] = []
        self.default_limit = 50
        self.latency = 0.0
        self.fault: Callable[[BaseHTTPRequestHandler, str], bool] | None = None
        """Called first for every request; True means it answered (tests/faults.py)."""
        self.feeds: dict[str, bytes] = {}
        self.api_replies: list[tuple[str, int, bytes]] = []
        self.search_results: list[Any] = []
        self.papers: dict[str, Any] = {}
        self.trending: list[Any] = []
        """The answer to ``sort=trending`` (without a date): Hugging Face's ranking, in order."""
        self._lock = threading.Lock()
        self.listen(self._handler_class())

    # -- control -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.base

    def serve(self, day: str | date, fixture: str | Path) -> None:
        """Answer ``date=day`` with a fixture (a fixture day like "2025-08-25", or a path)."""
        path = fixture if isinstance(fixture, Path) else hf_fixture(fixture)
        self.days[str(day)] = path

    def generate(self, day: date, fixture: str, count: int) -> list[str]:
        """Serve on *day* the first *count* items of a recorded day, each with an id of
        its own (``YYMM.DDNNN``) and saying its day: what a real day of another time
        looks like. Returns the ids."""
        items = []
        for n, item in enumerate(json.loads(hf_fixture(fixture).read_bytes())[:count]):
            item = relabel(item, day)
            item["paper"]["id"] = f"{day:%y%m}.{day.day:02d}{n:03d}"
            items.append(item)
        self.generated[day.isoformat()] = items
        return [i["paper"]["id"] for i in items]

    def serve_trending(self, *fixtures: str) -> list[str]:
        """Answer ``sort=trending`` with the items of recorded days, interleaved (a ranking
        mixes days and is not ordered by upvotes). Returns the ids in ranking order."""
        lists = [json.loads(hf_fixture(day).read_bytes()) for day in fixtures]
        ranked: list[Any] = []
        for row in range(max(len(items) for items in lists)):
            ranked += [items[-1 - row] for items in lists if row < len(items)]
        self.trending = ranked
        return [item["paper"]["id"] for item in ranked]

    def queue(self, *replies: Reply) -> None:
        """The next requests get these replies, in order, instead of the fixture."""
        with self._lock:
            self.queued.extend(replies)

    def api_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path == "/api/daily_papers"]

    def covered_days(self) -> set[date]:
        """Every day the Daily Papers listings asked so far hold (dates, weeks, months)."""
        return {day for seen in self.api_requests() for day in listing_days(seen.query)}

    def arxiv_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path.startswith(("/rss/", "/api/query"))]

    def feed(self, categories: str, fixture: str | bytes) -> None:
        """Serve ``/rss/{categories}`` (e.g. "cs.AI" or "cs.CL+cs.LG")."""
        self.feeds[categories] = (
            fixture if isinstance(fixture, bytes) else (ARXIV_FIXTURES / fixture).read_bytes()
        )

    def api(self, marker: str, fixture: str, status: int = 200) -> None:
        """Answer API queries containing *marker* with a recorded arXiv API response."""
        self.api_replies.append((marker, status, (ARXIV_FIXTURES / fixture).read_bytes()))

    # -- answers -----------------------------------------------------------------------
    def _items_for(self, days: Iterator[date]) -> list[Any]:
        """The items of *days* as a week or month answer has them: each saying the day it
        is served on, as Hugging Face's items say theirs (a fixture may stand in for
        another day)."""
        items: list[Any] = []
        for day in days:
            if day.isoformat() in self.generated:
                items.extend(self.generated[day.isoformat()])
                continue
            path = self.days.get(day.isoformat())
            if path is not None:
                items.extend(relabel(item, day) for item in json.loads(path.read_bytes()))
        return items

    def _trending(self, submitter: str | None, page: int, limit: int) -> Reply:
        items = self.trending
        if submitter is not None:
            items = [i for i in items if _submitter(i) == submitter.lower()]
        chunk = items[page * limit : (page + 1) * limit]
        headers = {"content-type": "application/json"}
        if (page + 1) * limit < len(items):
            headers["link"] = (
                f'</api/daily_papers?p={page + 1}&limit={limit}&sort=trending>; rel="next"'
            )
        return Reply(200, json.dumps(chunk).encode(), headers)

    def _feed_reply(self, categories: str, headers: dict[str, str]) -> Reply:
        body = self.feeds.get(categories)
        if body is None:
            return Reply(404, b"not found", {"content-type": "text/plain"})
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if headers.get("if-none-match") == etag:
            return Reply(304, b"", {"etag": etag})
        return Reply(200, body, {"content-type": "application/rss+xml", "etag": etag})

    def answer(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        with self._lock:
            if self.queued:
                return self.queued.pop(0)
        if path.startswith("/rss/"):
            return self._feed_reply(path.removeprefix("/rss/"), headers)
        if path == "/api/query":
            raw = "&".join(f"{k}={v}" for k, v in query.items())
            for marker, status, body in self.api_replies:
                if marker in raw:
                    return Reply(status, body, {"content-type": "application/atom+xml"})
            empty = (ARXIV_FIXTURES / "api_empty_idlist-0000.0000_2026-04-12.xml").read_bytes()
            return Reply(200, empty, {"content-type": "application/atom+xml"})
        if path == "/api/papers/search":
            limit = int(query.get("limit", 20))
            return Reply(200, json.dumps(self.search_results[:limit]).encode())
        if path.startswith("/api/papers/"):
            paper = self.papers.get(path.removeprefix("/api/papers/"))
            if paper is None:
                return Reply(404, b'{"error":"Paper not found"}')
            return Reply(200, json.dumps(paper).encode())
        if path != "/api/daily_papers":
            return Reply(404, b'{"error":"Sorry, we can\'t find the page you are looking for."}')
        limit = int(query.get("limit", self.default_limit))
        page = int(query.get("p", 0))
        if query.get("sort") == "trending" and not set(query) & {"date", "week", "month"}:
            return self._trending(query.get("submitter"), page, limit)
        try:
            if "date" in query:
                day = date.fromisoformat(query["date"][:10])
                fixture = self.days.get(day.isoformat())
                if day.isoformat() in self.generated:
                    fixture = None
                if fixture is not None and page == 0:
                    recorded = fixture.read_bytes()
                    try:
                        fits = len(json.loads(recorded)) <= limit
                    except ValueError:
                        fits = True  # a deliberately broken body (hostile-content tests)
                    if fits:
                        return Reply(200, recorded, {"content-type": "application/json"})
                items = self._items_for(iter([day]))
            else:
                items = self._items_for(iter(listing_days(query)))
        except ValueError:
            return Reply(400, b'{"error":"Invalid date"}', {"content-type": "application/json"})
        chunk = items[page * limit : (page + 1) * limit]
        return Reply(200, json.dumps(chunk).encode(), {"content-type": "application/json"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                started = time.time()
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(parts.path, query, headers, started)
                server.requests.append(seen)
                if server.fault is not None:
                    try:
                        if server.fault(self, self.path):
                            return
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    finally:
                        seen.finished = time.time()
                reply = server.answer(parts.path, query, headers)
                if server.latency or reply.delay:
                    time.sleep(server.latency + reply.delay)
                try:
                    self.send_response(reply.status)
                    headers = {"content-type": "application/json", **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (a timeout test): nothing to tell
                finally:
                    seen.finished = time.time()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
