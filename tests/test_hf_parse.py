"""Every recorded schema generation parses into typed Papers, quirks included."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

import httpx
import pytest

from papertrack.dates import Period, day_period
from papertrack.errors import FetchError, UsageError
from papertrack.models import Paper, normalize_arxiv_id
from papertrack.parsers import hf as parse
from papertrack.sources import Network, hf
from papertrack.sources.http import HttpClient, Response
from tests.hubserver import FIXTURE_DAYS, hf_fixture


def load(day: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(hf_fixture(day).read_bytes())
    return data


@pytest.mark.parametrize("day", FIXTURE_DAYS)
def test_every_fixture_parses_completely(day: str) -> None:
    items = load(day)
    papers, skipped = parse.parse_daily_papers(items, day=date.fromisoformat(day))
    assert skipped == 0
    assert [p.id for p in papers] == [item["paper"]["id"] for item in items]
    for paper, item in zip(papers, items, strict=True):
        assert paper.daily_date == date.fromisoformat(day)
        assert paper.title and "\n" not in paper.title and "  " not in paper.title
        assert paper.upvotes == item["paper"]["upvotes"]
        assert paper.comments == item["numComments"]
        assert len(paper.authors) == len(item["paper"]["authors"])
        assert paper.abstract == " ".join(item["paper"]["summary"].split())
        assert paper.published is not None


def test_all_ten_schema_generations_are_present() -> None:
    assert len(FIXTURE_DAYS) == 10
    assert FIXTURE_DAYS[0] == "2024-03-12" and FIXTURE_DAYS[-1] == "2026-07-30"


def test_oldest_format_singular_media_url() -> None:
    items = load("2024-03-12")
    papers, _ = parse.parse_daily_papers(items)
    with_media = [(p, i) for p, i in zip(papers, items, strict=True) if i.get("mediaUrl")]
    assert with_media
    for paper, item in with_media:
        assert paper.media_urls == (item["mediaUrl"],)
    # No submittedBy, thumbnail or discussion in 2024-03: absent, not errors.
    assert all(p.submitted_by is None and p.thumbnail is None for p in papers)


def test_plural_media_urls_and_2025_fields() -> None:
    items = load("2025-08-25")
    papers, _ = parse.parse_daily_papers(items)
    by_id = {p.id: p for p in papers}
    for item in items:
        paper = by_id[item["paper"]["id"]]
        raw = item["paper"]
        assert paper.ai_summary == raw["ai_summary"]
        assert paper.ai_keywords == tuple(raw["ai_keywords"])
        assert paper.github_repo == raw.get("githubRepo")
        assert paper.github_stars == raw.get("githubStars")
        assert paper.project_page == raw.get("projectPage")
        assert paper.submitted_by == item["submittedBy"]["name"]
        if item.get("mediaUrls"):
            assert paper.media_urls == tuple(item["mediaUrls"])


def test_latex_and_literal_characters_are_kept() -> None:
    titles = {p.id: p.title for p in parse.parse_daily_papers(load("2024-11-29"))[0]}
    # paper.title is arXiv's ("Free^2Guide"); the submitter's "Free$^2$Guide" is not used.
    assert any(t.startswith("Free^2Guide: Gradient-Free") for t in titles.values())
    titles_2026 = [p.title for p in parse.parse_daily_papers(load("2026-03-10"))[0]]
    assert any(t.startswith("\\$OneMillion-Bench") for t in titles_2026)
    titles_0730 = [p.title for p in parse.parse_daily_papers(load("2026-07-30"))[0]]
    assert any("<1 GB" in t for t in titles_0730)
    titles_0825 = [p.title for p in parse.parse_daily_papers(load("2025-08-25"))[0]]
    assert any("\\&" in t for t in titles_0825)


def test_hard_wrapped_title_is_one_line() -> None:
    items = load("2025-10-24")
    wrapped = [i for i in items if "\n" in i["paper"]["title"]]
    assert wrapped
    papers = {p.id: p for p in parse.parse_daily_papers(items)[0]}
    for item in wrapped:
        assert papers[item["paper"]["id"]].title == " ".join(item["paper"]["title"].split())


def test_paper_title_preferred_over_submitter_title() -> None:
    items = load("2024-05-28")
    differing = [
        i for i in items if " ".join(i["title"].split()) != " ".join(i["paper"]["title"].split())
    ]
    assert differing, "fixture has a raw-LaTeX top-level title"
    papers = {p.id: p for p in parse.parse_daily_papers(items)[0]}
    for item in differing:
        assert papers[item["paper"]["id"]].title == " ".join(item["paper"]["title"].split())


def test_week_items_bucket_by_submitted_on_daily_not_published_at() -> None:
    items = load("2024-11-29")
    # The top-level publishedAt of one item says the day before (the ET-as-Z bug).
    assert any(not i["publishedAt"].startswith("2024-11-29") for i in items)
    papers, _ = parse.parse_daily_papers(items, day=date(2024, 11, 29))
    assert {p.daily_date for p in papers} == {date(2024, 11, 29)}
    # Without a queried day, items from 2025-03-17 on carry their own bucket.
    modern, _ = parse.parse_daily_papers(load("2025-10-24"))
    assert {p.daily_date for p in modern} == {date(2025, 10, 24)}
    # Before that there is nothing reliable: no day rather than a wrong one.
    old, _ = parse.parse_daily_papers(items)
    assert {p.daily_date for p in old} == {None}
    assert all(p.date == p.published.date() for p in old if p.published)


def test_organization_old_and_new_names() -> None:
    sept = parse.parse_daily_papers(load("2025-09-30"))[0]
    octo = parse.parse_daily_papers(load("2025-10-24"))[0]
    assert sum(p.organization is not None for p in sept) == 33  # submitterOrganization
    assert sum(p.organization is not None for p in octo) == 13  # organization


def test_nulls_and_junk_are_tolerated() -> None:
    item = {
        "paper": {
            "id": "2501.00001v3",
            "title": "A \x1b]0;pwned\x07title\u202e with junk",
            "summary": None,
            "authors": [{"name": "Ann"}, {"name": None}, "not an author"],
            "upvotes": True,
            "githubRepo": "javascript:alert(1)",
            "githubStars": None,
            "projectPage": "https://example.org/a b",
            "ai_keywords": None,
            "mediaUrls": None,
        },
        "numComments": None,
        "mediaUrl": "https://cdn.example/x.png",
        "submittedBy": None,
    }
    paper = parse.parse_item(item)
    assert paper is not None
    assert paper.id == "2501.00001"
    assert paper.title == "A ]0;pwnedtitle with junk"
    assert paper.abstract == ""
    assert paper.authors == ("Ann",)
    assert paper.upvotes is None and paper.comments is None
    assert paper.github_repo is None and paper.project_page is None
    assert paper.media_urls == ("https://cdn.example/x.png",)


@pytest.mark.parametrize(
    "item",
    [
        {},
        {"paper": None},
        {"paper": {"id": "../../etc/passwd", "title": "x"}},
        {"paper": {"id": "2501.00001", "title": "   "}},
        {"paper": {"id": 2501.00001, "title": "numeric id"}},
    ],
)
def test_unusable_items_are_skipped(item: dict[str, Any]) -> None:
    papers, skipped = parse.parse_daily_papers([item, *load("2024-11-29")[:1]])
    assert skipped == 1 and len(papers) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2408.12345", "2408.12345"),
        ("2408.12345v2", "2408.12345"),
        ("0704.0001", "0704.0001"),
        ("hep-th/9901001v1", "hep-th/9901001"),
        ("math.AG/0101001", "math.AG/0101001"),
        ("2408.123", None),
        ("2408.12345/../x", None),
        ("", None),
    ],
)
def test_normalize_arxiv_id(value: str, expected: str | None) -> None:
    assert normalize_arxiv_id(value) == expected


def test_json_round_trip_of_every_fixture_paper() -> None:
    for day in FIXTURE_DAYS:
        for paper in parse.parse_daily_papers(load(day), day=date.fromisoformat(day))[0]:
            assert Paper.from_dict(json.loads(json.dumps(paper.to_dict()))) == paper


def _response(body: bytes, content_type: str = "application/json") -> Response:
    return Response("http://hub/api/daily_papers", 200, {"content-type": content_type}, body)


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (b"", "application/json", "an empty body"),
        (b"<html><body>Oops</body></html>", "text/html", "not JSON (text/html)"),
        (b'{"error": "nope"}', "application/json", "got a JSON dict"),
        (b'["a", "b"]', "application/json", "got other values"),
        (b'[{"paper": {"id": "2501.0', "application/json", "not JSON"),
    ],
)
def test_decode_items_rejects_wrong_bodies(body: bytes, content_type: str, says: str) -> None:
    with pytest.raises(FetchError) as caught:
        hf.decode_items(_response(body, content_type))
    assert says in caught.value.cause
    assert caught.value.url == "http://hub/api/daily_papers"


def fetch_month(items: list[dict[str, Any]], seen: list[httpx.URL]) -> hf.RawListing:
    """January 2025 from a server holding *items*, paged as the API pages; *seen* gets
    every URL asked (from the fetch's threads)."""
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            seen.append(request.url)
        page, limit = int(request.url.params["p"]), int(request.url.params["limit"])
        return httpx.Response(200, json=items[page * limit : (page + 1) * limit])

    with HttpClient(transport=httpx.MockTransport(handler), backoff=0) as client:
        return hf.fetch_daily_papers(
            client,
            Network({"HF_ENDPOINT": "http://hf.test"}),
            Period("month", "2025-01", date(2025, 1, 1), date(2025, 1, 31)),
        )


def test_fetch_paginates_until_a_short_page() -> None:
    """A parser-level test over httpx.MockTransport: 230 items arrive as 100 + 100 + 30."""
    items = [
        {"paper": {"id": f"2501.{n:05d}", "title": f"Paper {n}", "upvotes": n}} for n in range(230)
    ]
    seen: list[httpx.URL] = []

    raw = fetch_month(items, seen)
    assert len(raw.items) == 230
    # Pages of a month come in doubling waves (1, 1, 2): page 3 was asked beside page 2.
    assert sorted(u.params["p"] for u in seen) == ["0", "1", "2", "3"]
    assert all(u.params["limit"] == "100" and u.params["month"] == "2025-01" for u in seen)


def test_a_long_month_costs_few_round_trips_and_keeps_its_order() -> None:
    items = [
        {"paper": {"id": f"2501.{n:05d}", "title": f"Paper {n}", "upvotes": n}} for n in range(1005)
    ]
    seen: list[httpx.URL] = []
    raw = fetch_month(items, seen)
    assert [item["paper"]["id"] for item in raw.items] == [i["paper"]["id"] for i in items]
    # 11 pages: waves of 1, 1, 2, 4 and 8 pages, five round trips; 5 pages past the end.
    assert sorted(int(u.params["p"]) for u in seen) == list(range(16))


def test_fetch_stops_when_the_server_ignores_the_page_parameter() -> None:
    page = [{"paper": {"id": f"2501.{n:05d}", "title": "t"}} for n in range(100)]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page)

    with HttpClient(transport=httpx.MockTransport(handler), backoff=0) as client:
        raw = hf.fetch_daily_papers(client, Network({}), day_period(date(2025, 1, 6)))
    assert len(raw.items) == 100


def test_endpoint_and_token() -> None:
    mirror = Network({"HF_ENDPOINT": "https://hf-mirror.example/"})
    assert mirror.hf_endpoint == "https://hf-mirror.example"
    assert hf.daily_papers_url(mirror.hf_endpoint, day_period(date(2025, 8, 25))) == (
        "https://hf-mirror.example/api/daily_papers?date=2025-08-25&limit=100&p=0"
    )
    assert Network({"HF_ENDPOINT": ""}).hf_endpoint == "https://huggingface.co"
    assert Network({}).hf_headers == {}
    assert Network({"HF_TOKEN": "hf_secret"}).hf_headers == {"Authorization": "Bearer hf_secret"}
    with pytest.raises(UsageError, match="is not an http"):
        _ = Network({"HF_ENDPOINT": "huggingface.co"}).hf_endpoint
