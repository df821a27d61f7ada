"""A real HTTP server on 127.0.0.1 that answers like Hugging Face's Daily Papers API.

It serves the recorded responses in tests/fixtures/hf: a date mapped to a fixture gets that
file's bytes unchanged when one page holds it all, and slices of its items otherwise;
``week=`` and ``month=`` join the days they cover. Tests can queue failures.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
HF_FIXTURES = FIXTURES / "hf"


def hf_fixture(day: str) -> Path:
    return HF_FIXTURES / f"daily_papers_{day}.json"


FIXTURE_DAYS = sorted(p.stem.removeprefix("daily_papers_") for p in HF_FIXTURES.glob("*.json"))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class HubServer:
    def __init__(self) -> None:
        self.days: dict[str, Path] = {}
        self.requests: list[Seen] = []
        self.queued: list[Reply] = []
        self.default_limit = 50
        self.latency = 0.0
        self._lock = threading.Lock()
        handler = self._handler_class()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- control -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> HubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def serve(self, day: str | date, fixture: str | Path) -> None:
        """Answer ``date=day`` with a fixture (a fixture day like "2025-08-25", or a path)."""
        path = fixture if isinstance(fixture, Path) else hf_fixture(fixture)
        self.days[str(day)] = path

    def queue(self, *replies: Reply) -> None:
        """The next requests get these replies, in order, instead of the fixture."""
        with self._lock:
            self.queued.extend(replies)

    def api_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path == "/api/daily_papers"]

    # -- answers -----------------------------------------------------------------------
    def _items_for(self, days: Iterator[date]) -> list[Any]:
        items: list[Any] = []
        for day in days:
            path = self.days.get(day.isoformat())
            if path is not None:
                items.extend(json.loads(path.read_bytes()))
        return items

    def answer(self, path: str, query: dict[str, str]) -> Reply:
        with self._lock:
            if self.queued:
                return self.queued.pop(0)
        if path != "/api/daily_papers":
            return Reply(404, b'{"error":"Sorry, we can\'t find the page you are looking for."}')
        limit = int(query.get("limit", self.default_limit))
        page = int(query.get("p", 0))
        try:
            if "date" in query:
                day = date.fromisoformat(query["date"][:10])
                fixture = self.days.get(day.isoformat())
                if fixture is not None and page == 0:
                    raw = fixture.read_bytes()
                    if len(json.loads(raw)) <= limit:
                        return Reply(200, raw, {"content-type": "application/json"})
                items = self._items_for(iter([day]))
            elif "week" in query:
                year, week = query["week"].split("-W")
                monday = date.fromisocalendar(int(year), int(week), 1)
                items = self._items_for(monday + timedelta(n) for n in range(7))
            elif "month" in query:
                first = date.fromisoformat(query["month"] + "-01")
                days = (first + timedelta(n) for n in range(31))
                items = self._items_for(d for d in days if d.month == first.month)
            else:
                items = []
        except ValueError:
            return Reply(400, b'{"error":"Invalid date"}', {"content-type": "application/json"})
        chunk = items[page * limit : (page + 1) * limit]
        return Reply(200, json.dumps(chunk).encode(), {"content-type": "application/json"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                server.requests.append(
                    Seen(parts.path, query, {k.lower(): v for k, v in self.headers.items()})
                )
                reply = server.answer(parts.path, query)
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

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
