"""Asking arXiv: the daily announcement feeds (rss.arxiv.org) and the search API
(export.arxiv.org). Reading the answers is papertrack.parsers.arxiv's job.

Every request goes through the cross-process gate: one at a time,
``PAPERTRACK_ARXIV_DELAY`` (3) seconds apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from papertrack.errors import FetchError, ParseError
from papertrack.models import Paper, split_arxiv_id
from papertrack.parsers.arxiv import ApiPage, Feed, as_announced, parse_api, parse_feed, usable_etag
from papertrack.record import record

if TYPE_CHECKING:
    from papertrack.sources import Network
    from papertrack.sources.http import HttpClient, Response
    from papertrack.sources.throttle import Gate

ID_BATCH = 100
PAGE_SIZE = 100
MAX_BACKFILL_PAGES = 10
BACKOFF_FACTOR = 10.0
"""arXiv's 429s carry no Retry-After and mean "server busy": wait 10 s, then 20 s."""


def feed_url(network: Network, categories: Sequence[str]) -> str:
    return f"{network.arxiv_rss}/rss/{'+'.join(categories)}"


# -- fetching ------------------------------------------------------------------------


def check_body(response: Response) -> str | None:
    """A 2xx body that is really arXiv saying "slow down" (seen with HTTP 200)."""
    head = response.body[:200].strip()
    if head.startswith(b"Rate exceeded"):
        return "arXiv answered 'Rate exceeded.' (it is busy)"
    if not head and response.status == 200:
        return "arXiv sent an empty response"
    return None


def _get(
    client: HttpClient, gate: Gate, url: str, headers: Mapping[str, str] | None = None
) -> Response:
    return client.get(
        url,
        headers=headers,
        gate=gate,
        check=check_body,
        ok_statuses=frozenset({400}),
        backoff=client.backoff * BACKOFF_FACTOR,
    )


@record
class FeedFetch:
    url: str
    feed: Feed | None
    """None when the server said 304 Not Modified."""
    etag: str | None


def fetch_feed(
    client: HttpClient,
    gate: Gate,
    network: Network,
    categories: Sequence[str],
    *,
    etag: str | None = None,
) -> FeedFetch:
    url = feed_url(network, categories)
    etag = usable_etag(etag)
    headers = {"If-None-Match": etag} if etag else None
    response = _get(client, gate, url, headers=headers)
    if response.status == 304:
        if etag is None:
            raise FetchError(url, "HTTP 304 Not Modified, but nothing was asked to compare with")
        return FeedFetch(url, None, etag)
    try:
        feed = parse_feed(response.body)
    except ParseError as exc:
        raise FetchError(url, str(exc)) from None
    if feed.error or response.status == 400:
        raise FetchError(url, f"arXiv rejected the request: {feed.error or 'HTTP 400'}")
    return FeedFetch(url, feed, usable_etag(response.headers.get("etag")))


def query_api(
    client: HttpClient, gate: Gate, network: Network, params: dict[str, str | int]
) -> ApiPage:
    from papertrack.sources.http import build_url

    url = build_url(network.arxiv_api, params)
    response = _get(client, gate, url)
    try:
        page = parse_api(response.body)
    except ParseError as exc:
        raise FetchError(url, str(exc)) from None
    if page.error or response.status == 400:
        raise FetchError(url, f"arXiv API error: {page.error or 'HTTP 400'}")
    return page


def search(
    client: HttpClient,
    gate: Gate,
    network: Network,
    query: str,
    *,
    max_results: int,
    sort_by: str = "relevance",
) -> list[Paper]:
    """Up to *max_results* papers for an arXiv ``search_query``, in pages of 100."""
    papers: list[Paper] = []
    start = 0
    while start < max_results:
        size = min(PAGE_SIZE, max_results - start)
        page = query_api(
            client,
            gate,
            network,
            {"search_query": query, "start": start, "max_results": size,
             "sortBy": sort_by, "sortOrder": "descending"},
        )  # fmt: skip
        papers.extend(page.papers[:size])
        start += size
        if not page.papers or start >= page.total:
            break
    return papers


def lookup(
    client: HttpClient, gate: Gate, network: Network, ids: Sequence[str]
) -> dict[str, Paper]:
    """Full API records by versionless id, ``ID_BATCH`` ids per request; unknown ids absent
    (and so are papers the API sends that were not asked for)."""
    found: dict[str, Paper] = {}
    unique = list(dict.fromkeys(ids))
    asked = {(split_arxiv_id(i) or (i, None))[0] for i in unique}
    for offset in range(0, len(unique), ID_BATCH):
        batch = unique[offset : offset + ID_BATCH]
        page = query_api(
            client, gate, network, {"id_list": ",".join(batch), "max_results": len(batch)}
        )
        for paper in page.papers:
            if paper.id in asked:
                found.setdefault(paper.id, paper)
    return found


def submitted_window_query(categories: Sequence[str], start: datetime, end: datetime) -> str:
    cats = " OR ".join(f"cat:{c}" if "." in c or "-" in c else f"cat:{c}.*" for c in categories)
    window = f"submittedDate:[{start:%Y%m%d%H%M} TO {end:%Y%m%d%H%M}]"
    return f"({cats}) AND {window}"


def backfill(
    client: HttpClient,
    gate: Gate,
    network: Network,
    categories: Sequence[str],
    *,
    day: date,
    start: datetime,
    end: datetime,
) -> tuple[list[Paper], bool]:
    """New submissions of an announcement window from the API, as that day's ``new`` and
    ``cross`` entries (the API cannot tell replacements); and whether the result was cut."""
    query = submitted_window_query(categories, start, end)
    papers: dict[str, Paper] = {}
    offset = 0
    for _ in range(MAX_BACKFILL_PAGES):
        page = query_api(
            client,
            gate,
            network,
            {"search_query": query, "start": offset, "max_results": PAGE_SIZE,
             "sortBy": "submittedDate", "sortOrder": "ascending"},
        )  # fmt: skip
        fresh = [p for p in page.papers if p.id not in papers]
        papers.update((p.id, p) for p in fresh)
        offset += PAGE_SIZE
        # No new ids means the end, or a server that ignores ``start``: either way, stop.
        if not fresh or offset >= page.total:
            return [as_announced(p, categories, day) for p in papers.values()], False
    return [as_announced(p, categories, day) for p in papers.values()], True
