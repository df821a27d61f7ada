"""Hugging Face Daily Papers: ``GET {HF_ENDPOINT}/api/daily_papers``.

Parsing is pure and tolerant of every schema generation since 2024 (optional fields omitted
or null, ``mediaUrl`` vs ``mediaUrls``, hard-wrapped titles; the recorded responses in
tests/fixtures/hf show each one), and the top-level ``publishedAt`` is never trusted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from papertrack.dates import Period
from papertrack.errors import FetchError
from papertrack.models import Paper, normalize_arxiv_id, parse_timestamp
from papertrack.record import record
from papertrack.text import (
    ABSTRACT_MAX,
    AUTHORS_MAX,
    NAME_MAX,
    clean_line,
    clean_optional,
    clean_url,
)

if TYPE_CHECKING:
    from papertrack.sources import Network
    from papertrack.sources.http import HttpClient, Response

SOURCE = "hf"
PAGE_SIZE = 100
"""The API's largest page; the default (50) silently truncates busy days."""
MAX_PAGES = 40
MAX_KEYWORDS = 100
MAX_LISTING_BYTES = 16 * 1024 * 1024
"""All pages of one listing together: a real day is under 1 MB, a month under 10 MB."""
MAX_JSON_CONTAINERS = 200_000
"""Objects and arrays one body may open: a real page of 100 papers has about 1,000. Each
costs 100 bytes or more once parsed, so 16 MB of ``[[],[],…]`` would take gigabytes."""


def daily_papers_url(base: str, period: Period, page: int = 0) -> str:
    from papertrack.sources.http import build_url

    if period.kind == "range":
        raise ValueError("a range is fetched one day at a time")
    return build_url(
        f"{base}/api/daily_papers",
        {period.kind: period.key, "limit": PAGE_SIZE, "p": page},
    )


@record
class RawListing:
    """A whole listing as the API sent it, every page joined: what the cache stores."""

    url: str
    items: list[dict[str, Any]]


def load_json(response: Response, expected: str) -> Any:
    """The JSON value in *response*, or a FetchError saying what came instead of *expected*."""
    body = response.body
    if body.count(b"{") + body.count(b"[") > MAX_JSON_CONTAINERS:
        raise FetchError(
            response.url,
            f"expected {expected}, got JSON with more than {MAX_JSON_CONTAINERS:,} objects "
            "and arrays; refusing to parse it",
        )
    try:
        # Bytes straight in: no decoded copy of a large body on the way.
        return json.loads(body)
    except (UnicodeDecodeError, ValueError):
        pass  # invalid UTF-8 (replaced below), or not JSON at all (said below)
    except RecursionError:
        raise FetchError(response.url, f"expected {expected}, got JSON nested too deeply") from None
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except RecursionError:
        raise FetchError(response.url, f"expected {expected}, got JSON nested too deeply") from None
    except ValueError:
        content_type = clean_line(response.headers.get("content-type", "unknown type"))[:80]
        what = "an empty body" if not text.strip() else f"a body that is not JSON ({content_type})"
        raise FetchError(response.url, f"expected {expected}, got {what}") from None


def decode_items(response: Response) -> list[dict[str, Any]]:
    """The JSON array of items in *response*, or a FetchError saying what came instead."""
    data = load_json(response, "a JSON array of daily papers")
    if not isinstance(data, list):
        raise FetchError(
            response.url,
            f"expected a JSON array of daily papers, got a JSON {type(data).__name__}",
        )
    if not all(isinstance(item, dict) for item in data):
        raise FetchError(
            response.url, "expected a JSON array of daily-paper objects, got other values"
        )
    if data and all(parse_item(item) is None for item in data):
        # Caching this would replace a good copy with nothing: the shape has changed.
        raise FetchError(
            response.url, f"none of the {len(data)} items has a paper with an arXiv id and title"
        )
    return data


def fetch_daily_papers(client: HttpClient, network: Network, period: Period) -> RawListing:
    """Fetch every page of one date, week or month listing."""
    base = network.hf_endpoint
    headers = network.hf_headers
    first_url = daily_papers_url(base, period, 0)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    size = 0
    for page in range(MAX_PAGES):
        url = first_url if page == 0 else daily_papers_url(base, period, page)
        response = client.get(url, headers=headers)
        size += len(response.body)
        if size > MAX_LISTING_BYTES:
            raise FetchError(
                first_url,
                f"the listing is larger than {MAX_LISTING_BYTES // (1024 * 1024)} MB over "
                f"{page + 1} pages; refusing to read more",
            )
        batch = decode_items(response)
        fresh = [item for item in batch if _item_id(item) not in seen]
        # A server that ignores ``p`` would hand back the same page forever.
        if not fresh:
            break
        items.extend(fresh)
        seen.update(_item_id(item) for item in fresh)
        has_next = 'rel="next"' in response.headers.get("link", "")
        if len(batch) < PAGE_SIZE and not has_next:
            break
    return RawListing(first_url, items)


def _item_id(item: Mapping[str, Any]) -> str:
    paper = item.get("paper")
    if isinstance(paper, Mapping) and isinstance(paper.get("id"), str):
        return str(paper["id"])
    return repr(sorted(item))  # malformed; still distinct enough for the loop guard


def parse_daily_papers(items: list[Any], *, day: date | None = None) -> tuple[list[Paper], int]:
    """Papers from raw daily-paper items, and how many items were unusable.

    *day* is the queried date for a date listing; items from week and month listings
    carry their own day in ``paper.submittedOnDailyAt`` (since 2025-03).
    """
    papers: list[Paper] = []
    skipped = 0
    for item in items:
        paper = parse_item(item, day=day) if isinstance(item, Mapping) else None
        if paper is None:
            skipped += 1
        else:
            papers.append(paper)
    return papers, skipped


def parse_item(item: Mapping[str, Any], *, day: date | None = None) -> Paper | None:
    """One daily-paper item as a Paper, or None when it has no usable id and title."""
    raw = item.get("paper")
    if not isinstance(raw, Mapping):
        return None
    paper_id = normalize_arxiv_id(raw["id"]) if isinstance(raw.get("id"), str) else None
    title = clean_line(raw.get("title")) or clean_line(item.get("title"))
    if paper_id is None or not title:
        return None
    if day is None:
        submitted = parse_timestamp(raw.get("submittedOnDailyAt"))
        day = submitted.date() if submitted else None
    return Paper(
        id=paper_id,
        title=title,
        abstract=clean_line(raw.get("summary"), ABSTRACT_MAX)
        or clean_line(item.get("summary"), ABSTRACT_MAX),
        authors=_authors(raw.get("authors")),
        published=parse_timestamp(raw.get("publishedAt")),
        daily_date=day,
        upvotes=_int(raw.get("upvotes")),
        comments=_int(item.get("numComments")),
        github_repo=clean_url(raw.get("githubRepo")),
        github_stars=_int(raw.get("githubStars")),
        project_page=clean_url(raw.get("projectPage")),
        ai_summary=clean_optional(raw.get("ai_summary"), ABSTRACT_MAX),
        ai_keywords=_strings(raw.get("ai_keywords")),
        media_urls=_media(item, raw),
        thumbnail=clean_url(item.get("thumbnail")),
        submitted_by=_username(item, raw),
        organization=_organization(item, raw),
        withdrawn=bool(raw.get("withdrawnAt")),
        sources=(SOURCE,),
    )


def _int(value: object) -> int | None:
    # bool is an int subclass; a true/false count is malformed, not 1/0.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(text for text in (clean_line(v) for v in value[:MAX_KEYWORDS]) if text)


def _authors(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = (clean_line(a.get("name"), NAME_MAX) for a in value if isinstance(a, Mapping))
    return tuple(name for name in names if name)[:AUTHORS_MAX]


def _media(item: Mapping[str, Any], raw: Mapping[str, Any]) -> tuple[str, ...]:
    candidates: list[object] = []
    for holder in (item, raw):
        many = holder.get("mediaUrls")
        if isinstance(many, list):
            candidates.extend(many)
    candidates.append(item.get("mediaUrl"))  # the singular form, before 2024-06
    urls: list[str] = []
    for candidate in candidates:
        url = clean_url(candidate)
        if url and url not in urls:
            urls.append(url)
    return tuple(urls)


def _username(item: Mapping[str, Any], raw: Mapping[str, Any]) -> str | None:
    # The same person is keyed "name" in submittedBy and "user" in submittedOnDailyBy.
    by = item.get("submittedBy")
    if isinstance(by, Mapping) and clean_optional(by.get("name")):
        return clean_optional(by.get("name"))
    daily_by = raw.get("submittedOnDailyBy")
    if isinstance(daily_by, Mapping):
        return clean_optional(daily_by.get("user")) or clean_optional(daily_by.get("name"))
    return None


def _organization(item: Mapping[str, Any], raw: Mapping[str, Any]) -> str | None:
    for org in (
        item.get("organization"),
        raw.get("organization"),
        item.get("submitterOrganization"),
    ):
        if isinstance(org, Mapping):
            name = clean_optional(org.get("fullname")) or clean_optional(org.get("name"))
            if name:
                return name
    return None


# -- search and single papers --------------------------------------------------------

MAX_QUERY_LENGTH = 250
MAX_SEARCH_LIMIT = 120


def search_url(base: str, query: str, limit: int) -> str:
    from papertrack.sources.http import build_url

    return build_url(f"{base}/api/papers/search", {"q": query, "limit": limit})


def fetch_search(
    client: HttpClient, network: Network, query: str, limit: int
) -> tuple[str, list[dict[str, Any]]]:
    """Raw results of Hugging Face's paper search (title, authors and content)."""
    url = search_url(network.hf_endpoint, query, min(limit, MAX_SEARCH_LIMIT))
    response = client.get(url, headers=network.hf_headers)
    data = load_json(response, "a JSON array of search results")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FetchError(url, "expected a JSON array of search results")
    if data and not parse_search(data)[0]:
        raise FetchError(url, f"none of the {len(data)} search results has an arXiv id and title")
    return url, data


def parse_search(items: list[Any]) -> tuple[list[Paper], int]:
    """Search results in either shape the API has used: daily-style ``{paper: …}`` wrappers,
    or the flat ``{id, title, thumbnailUrl, source}`` records of 2024."""
    papers: list[Paper] = []
    skipped = 0
    for item in items:
        paper: Paper | None = None
        if isinstance(item, Mapping) and isinstance(item.get("paper"), Mapping):
            paper = parse_item(item)
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
            paper_id = normalize_arxiv_id(item["id"])
            title = clean_line(item.get("title"))
            if paper_id and title:
                paper = Paper(
                    id=paper_id, title=title, thumbnail=clean_url(item.get("thumbnailUrl"))
                )
        if paper is None:
            skipped += 1
        else:
            papers.append(paper)
    return papers, skipped


def fetch_paper(
    client: HttpClient, network: Network, paper_id: str
) -> tuple[str, dict[str, Any] | None]:
    """``/api/papers/{id}``: the paper object, or None when Hugging Face has no page for it."""
    url = f"{network.hf_endpoint}/api/papers/{paper_id}"
    try:
        response = client.get(url, headers=network.hf_headers)
    except FetchError as exc:
        if exc.cause.startswith("HTTP 404"):
            return url, None
        raise
    data = load_json(response, "a JSON paper object")
    if not isinstance(data, dict):
        raise FetchError(url, f"expected a JSON paper object, got a JSON {type(data).__name__}")
    if parse_item({"paper": data}) is None:
        raise FetchError(url, "expected a paper object with an arXiv id and a title")
    return url, data
