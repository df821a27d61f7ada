"""Asking Hugging Face: Daily Papers (``GET {HF_ENDPOINT}/api/daily_papers``), the paper
search and paper pages. Reading the answers is papertrack.parsers.hf's job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from papertrack.dates import Period
from papertrack.errors import FetchError
from papertrack.parsers.hf import parse_item, parse_search
from papertrack.record import record
from papertrack.text import (
    clean_line,
)

if TYPE_CHECKING:
    from papertrack.sources import Network
    from papertrack.sources.http import HttpClient, Response

SOURCE = "hf"
PAGE_SIZE = 100
"""The API's largest page; the default (50) silently truncates busy days."""
MAX_PAGES = 40
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


MAX_PAGE_WAVE = 8
"""Pages of a week or month asked at once. The wave doubles (1, 1, 2, 4, 8) while pages
come back full: a month of a busy year is ten pages, which one after the other would cost
ten round trips; doubling costs five and asks at most one wave's worth past the end."""


def fetch_daily_papers(
    client: HttpClient, network: Network, period: Period, *, first_wave: int = 1
) -> RawListing:
    """Fetch every page of one date, week or month listing. *first_wave* pages of a week or
    month are asked at once to begin with: worth it when connections are to spare (a range
    of a few listings), where a month's pages would otherwise cost a round trip each."""
    base = network.hf_endpoint
    headers = network.hf_headers
    first_url = daily_papers_url(base, period, 0)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    size = 0
    wave = 1 if period.kind == "date" else max(1, min(first_wave, MAX_PAGE_WAVE))
    page = 0
    while page < MAX_PAGES:
        asked = range(page, min(page + wave, MAX_PAGES))
        if (page > 0 or wave > 1) and period.kind != "date":
            wave = min(wave * 2, MAX_PAGE_WAVE)
        responses = _get_pages(client, headers, [daily_papers_url(base, period, n) for n in asked])
        more = True
        for number, response in zip(asked, responses, strict=True):
            size += len(response.body)
            if size > MAX_LISTING_BYTES:
                raise FetchError(
                    first_url,
                    f"the listing is larger than {MAX_LISTING_BYTES // (1024 * 1024)} MB over "
                    f"{number + 1} pages; refusing to read more",
                )
            batch = decode_items(response)
            fresh = [item for item in batch if _item_id(item) not in seen]
            # A server that ignores ``p`` would hand back the same page forever.
            if not fresh:
                more = False
                break
            items.extend(fresh)
            seen.update(_item_id(item) for item in fresh)
            has_next = 'rel="next"' in response.headers.get("link", "")
            if len(batch) < PAGE_SIZE and not has_next:
                more = False
                break
        if not more:
            break
        page = asked[-1] + 1
    return RawListing(first_url, items)


def _get_pages(client: HttpClient, headers: Mapping[str, str], urls: list[str]) -> list[Response]:
    if len(urls) == 1:
        return [client.get(urls[0], headers=headers)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(lambda url: client.get(url, headers=headers), urls))


def _item_id(item: Mapping[str, Any]) -> str:
    paper = item.get("paper")
    if isinstance(paper, Mapping) and isinstance(paper.get("id"), str):
        return str(paper["id"])
    return repr(sorted(item))  # malformed; still distinct enough for the loop guard


# -- trending ---------------------------------------------------------------------------

TRENDING_DEPTH = PAGE_SIZE
"""Papers of Hugging Face's trending ranking asked for: one page of the API's largest size.
The site's own trending page shows fewer; past the first hundred the ranking says little."""


def trending_url(base: str, submitter: str | None = None) -> str:
    from papertrack.sources.http import build_url

    params: dict[str, str | int] = {"sort": "trending", "limit": TRENDING_DEPTH, "p": 0}
    if submitter:
        params["submitter"] = submitter
    return build_url(f"{base}/api/daily_papers", params)


def fetch_trending(
    client: HttpClient, network: Network, submitter: str | None = None
) -> RawListing:
    """Hugging Face's trending ranking (``sort=trending``), in its order. It is a global
    ranking that may include older papers and is not ordered by upvotes; its score is not
    published."""
    url = trending_url(network.hf_endpoint, submitter)
    return RawListing(url, decode_items(client.get(url, headers=network.hf_headers)))


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


def fetch_paper(
    client: HttpClient, network: Network, paper_id: str
) -> tuple[str, dict[str, Any] | None]:
    """``/api/papers/{id}``: the paper object, or None when Hugging Face has no page for it."""
    url = f"{network.hf_endpoint}/api/papers/{paper_id}"
    try:
        response = client.get(url, headers=network.hf_headers)
    except FetchError as exc:
        if exc.status == 404:
            return url, None
        raise
    data = load_json(response, "a JSON paper object")
    if not isinstance(data, dict):
        raise FetchError(url, f"expected a JSON paper object, got a JSON {type(data).__name__}")
    if parse_item({"paper": data}) is None:
        raise FetchError(url, "expected a paper object with an arXiv id and a title")
    return url, data
