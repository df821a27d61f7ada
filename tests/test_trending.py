"""``papertrack trending``, ``--submitter`` and trending watch profiles, against the local
server answering ``sort=trending`` with recorded Daily Papers items."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from papertrack.models import Paper
from papertrack.query import Filters, filter_papers
from papertrack.querylang import parse_query
from tests.conftest import at, pinned_today, run_cli
from tests.hubserver import HubServer, Reply

pytestmark = pytest.mark.usefixtures("clock")  # every test on a weekday and on a weekend

RANKED_DAYS = ("2026-07-30", "2025-08-25")


def trending_requests(hub: HubServer) -> list[dict[str, str]]:
    return [r.query for r in hub.api_requests() if r.query.get("sort") == "trending"]


def submitter(item: dict[str, Any]) -> str | None:
    return (item.get("submittedBy") or {}).get("name")


def ids(stdout: str) -> list[str]:
    return [line.split("\t")[0] for line in stdout.splitlines()]


def later(minutes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the clock *minutes* past the start of the pinned test day's 15:00."""
    start = datetime.combine(pinned_today(), time(15), timezone.utc)
    at(start + timedelta(minutes=minutes), monkeypatch)


def test_trending_keeps_the_ranking_order_and_asks_once_an_hour(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranked = hub.serve_trending(*RANKED_DAYS)
    first = run_cli("trending")
    assert first.returncode == 0, first.stderr
    assert ids(first.stdout) == ranked  # not re-sorted by day or upvotes
    assert trending_requests(hub) == [{"sort": "trending", "limit": "100", "p": "0"}]

    later(59, monkeypatch)
    assert ids(run_cli("trending", "-n", "5").stdout) == ranked[:5]
    assert len(trending_requests(hub)) == 1, "asked again within the hour"

    hub.trending = hub.trending[::-1]  # the ranking moved
    later(61, monkeypatch)
    moved = run_cli("trending")
    assert ids(moved.stdout) == ranked[::-1]
    assert len(trending_requests(hub)) == 2


def test_trending_filters_formats_and_highlighting(hub: HubServer) -> None:
    hub.serve_trending(*RANKED_DAYS)
    everything = json.loads(run_cli("trending", "--format", "json").stdout)
    expected = [p["id"] for p in everything if p["upvotes"] >= 20 and "agent" in
                (p["title"] + p["abstract"] + (p["ai_summary"] or "")).lower()]  # fmt: skip
    assert expected, "the recorded days have popular agent papers"
    filtered = run_cli("trending", "agent", "--min-upvotes", "20", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in filtered.stdout.splitlines()] == expected

    table = run_cli("trending", "agent", "-n", "3", "--color", "always", tty=True)
    assert table.returncode == 0, table.stderr
    assert "\x1b[" in table.stdout and "Hugging Face trending" in table.stdout

    by_upvotes = json.loads(run_cli("trending", "--sort", "upvotes", "-f", "json").stdout)
    votes = [p["upvotes"] for p in by_upvotes]
    assert votes == sorted(votes, reverse=True)


def test_trending_offline_and_when_the_server_fails(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    nothing = run_cli("trending", "--offline")
    assert nothing.returncode == 1
    assert nothing.stderr.startswith("papertrack: error: no cached Hugging Face trending")
    assert len(nothing.stderr.strip().splitlines()) <= 2 and "Traceback" not in nothing.stderr

    ranked = hub.serve_trending(*RANKED_DAYS)
    assert run_cli("trending").returncode == 0
    asked = len(hub.requests)
    assert ids(run_cli("trending", "--offline").stdout) == ranked
    assert len(hub.requests) == asked

    later(120, monkeypatch)
    hub.queue(*[Reply(503, b"Service Unavailable")] * 3)
    stale = run_cli("trending", env={"PAPERTRACK_BACKOFF": "0.01"})
    assert stale.returncode == 0, stale.stderr
    assert ids(stale.stdout) == ranked
    warning = stale.stderr.strip()
    assert warning.startswith("warning:") and f"{hub.url}/api/daily_papers?" in warning
    assert "503" in warning and "cached" in warning


def test_submitter_is_asked_of_the_api_for_trending_and_filtered_here(hub: HubServer) -> None:
    hub.serve_trending(*RANKED_DAYS)
    by_taesiri = [i["paper"]["id"] for i in hub.trending if submitter(i) == "taesiri"]
    assert len(by_taesiri) == 7
    result = run_cli("trending", "--submitter", "TAESIRI")
    assert ids(result.stdout) == by_taesiri
    assert trending_requests(hub)[-1]["submitter"] == "TAESIRI"

    # A server that ignores the parameter still gives only that submitter's papers.
    hub.queue(Reply(200, json.dumps(hub.trending).encode()))
    again = run_cli("trending", "--submitter", "taesiri", "--refresh")
    assert ids(again.stdout) == by_taesiri

    # Two submitters: the whole ranking, filtered here.
    two = run_cli("trending", "--submitter", "taesiri", "--submitter", "bcol", "--refresh")
    assert "submitter" not in trending_requests(hub)[-1]
    assert set(ids(two.stdout)) > set(by_taesiri)


def test_submitter_on_today_list_and_in_the_filter_language(hub: HubServer, clock: date) -> None:
    hub.serve(clock, "2025-08-25")
    items = json.loads(
        (Path(__file__).parent / "fixtures/hf/daily_papers_2025-08-25.json").read_bytes()
    )
    mine = sorted(i["paper"]["id"] for i in items if submitter(i) == "taesiri")
    assert len(mine) == 4
    today = run_cli("today", "--submitter", "taesiri")
    assert sorted(ids(today.stdout)) == mine
    assert all("submitter" not in r.query for r in hub.api_requests())  # the day is shared
    listed = run_cli("list", "--date", clock.isoformat(), "-q", "submitter:Taesiri AND NOT agent")
    assert set(ids(listed.stdout)) < set(mine) and listed.stdout
    others = run_cli("today", "-q", "NOT submitter:taesiri", "--offline")
    assert set(ids(others.stdout)).isdisjoint(mine) and len(ids(others.stdout)) == 13 - 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["trending", "--submitter", "../etc"],
            "--submitter '../etc' is not a Hugging Face username",
        ),
        (["today", "--submitter", "a b"], "--submitter 'a b' is not a Hugging Face username"),
        (["trending", "-q", "submitter:"], "invalid --query: submitter: needs a value"),
        (["trending", "-n", "0"], "--limit must be at least 1"),
    ],
)
def test_bad_input_gets_one_line(hub: HubServer, args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"papertrack: error: {message}"), result.stderr
    assert not hub.requests


def test_submitter_query_matches_whole_usernames() -> None:
    papers = [Paper("2501.00001", "a", submitted_by="akhaliq"), Paper("2501.00002", "b")]
    node = parse_query("submitter:AKHALIQ")
    assert [m.paper.id for m in filter_papers(papers, Filters(query=node))] == ["2501.00001"]
    assert not filter_papers(papers, Filters(query=parse_query("submitter:akhal")))
    assert not filter_papers(papers, Filters(submitters=("akhal",)))


def test_a_trending_watch_delivers_each_paper_once(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.serve_trending("2026-07-30")
    added = run_cli("watch", "add", "hot", "--trending", "--min-upvotes", "20")
    assert added.returncode == 0, added.stderr
    refused = run_cli("watch", "add", "cl", "--trending", "-c", "cs.CL")
    assert refused.returncode == 2 and "--trending" in refused.stderr

    first = run_cli("digest", "--format", "json")
    assert first.returncode == 0, first.stderr
    sent = [p["id"] for p in json.loads(first.stdout)["sections"][0]["papers"]]
    popular = [i["paper"]["id"] for i in hub.trending if i["paper"]["upvotes"] >= 20]
    assert sent == popular and sent  # the ranking's order, the watch's filter

    again = run_cli("digest", "--format", "json")
    assert again.returncode == 0 and again.stdout == ""
    assert "No new papers for hot" in again.stderr

    # An hour later the ranking holds papers of another day too: only those go out.
    hub.serve_trending("2026-07-30", "2025-08-25")
    later(90, monkeypatch)
    third = run_cli("digest", "--format", "json")
    fresh = [p["id"] for p in json.loads(third.stdout)["sections"][0]["papers"]]
    assert fresh and not set(fresh) & set(sent)
    assert all(i.startswith("2508.") for i in fresh)
    assert len(trending_requests(hub)) == 2
