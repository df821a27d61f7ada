"""The HTTP client against a real server on 127.0.0.1: retries, waits, caps, messages."""

from __future__ import annotations

import pytest

from papertrack.errors import FetchError
from papertrack.sources.http import HttpClient, retry_after_seconds
from tests.hubserver import HubServer, Reply


def client(sleeps: list[float] | None = None, **kwargs: object) -> HttpClient:
    record = sleeps if sleeps is not None else []
    return HttpClient(backoff=0.5, sleep=record.append, **kwargs)  # type: ignore[arg-type]


def test_sends_user_agent_and_reads_body(hub: HubServer) -> None:
    with client() as http:
        response = http.get(f"{hub.url}/api/daily_papers?date=2025-08-25")
    assert response.status == 200 and response.body == b"[]"
    assert hub.requests[0].headers["user-agent"].startswith("papertrack/0.1.0 ")


def test_429_waits_as_ratelimit_header_says_then_succeeds(hub: HubServer) -> None:
    hub.queue(Reply(429, b"", {"RateLimit": '"api";r=0;t=7'}))
    sleeps: list[float] = []
    with client(sleeps) as http:
        assert http.get(f"{hub.url}/api/daily_papers?date=2025-08-25").status == 200
    assert sleeps == [7.0]


def test_5xx_retried_with_backoff_then_reported(hub: HubServer) -> None:
    hub.queue(Reply(503, b"busy"), Reply(502, b""), Reply(500, b"<html>err</html>"))
    sleeps: list[float] = []
    with client(sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(f"{hub.url}/api/daily_papers?date=2025-08-25")
    assert sleeps == [0.5, 1.0]
    assert len(hub.requests) == 3
    assert caught.value.cause == "HTTP 500 Internal Server Error"
    assert caught.value.url.endswith("/api/daily_papers?date=2025-08-25")


def test_4xx_is_not_retried_and_carries_the_server_message(hub: HubServer) -> None:
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(f"{hub.url}/api/daily_papers?date=2025-13-40")
    assert len(hub.requests) == 1
    assert caught.value.cause == "HTTP 400 Bad Request: Invalid date"


def test_waits_longer_than_the_budget_are_refused(hub: HubServer) -> None:
    hub.queue(Reply(429, b"", {"Retry-After": "3600"}))
    sleeps: list[float] = []
    with client(sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(f"{hub.url}/api/daily_papers")
    assert sleeps == []
    assert "asks to wait 3600 s" in caught.value.cause


def test_read_timeout_is_retried_then_reported(hub: HubServer) -> None:
    hub.queue(
        Reply(200, b"[]", delay=0.6), Reply(200, b"[]", delay=0.6), Reply(200, b"[]", delay=0.6)
    )
    with client(timeout=0.2) as http, pytest.raises(FetchError) as caught:
        http.get(f"{hub.url}/api/daily_papers")
    assert "read timeout" in caught.value.cause


def test_connection_refused_fails_fast() -> None:
    sleeps: list[float] = []
    with client(sleeps) as http, pytest.raises(FetchError) as caught:
        http.get("http://127.0.0.1:9/api/daily_papers")
    assert caught.value.cause.startswith("cannot connect")
    assert sleeps == []


def test_body_size_is_capped(hub: HubServer) -> None:
    hub.queue(Reply(200, b"[" + b" " * 5000 + b"]"))
    with client(max_body=1024) as http, pytest.raises(FetchError, match="larger than"):
        http.get(f"{hub.url}/api/daily_papers")


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"ratelimit": '"api";r=0;t=42'}) == 42.0
    assert retry_after_seconds({"retry-after": "5"}) == 5.0
    assert (
        retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0)
        == 10.0
    )
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None
