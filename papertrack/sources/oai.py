"""Asking arXiv's OAI-PMH service (``PAPERTRACK_ARXIV_OAI_URL``) for pages of records.

One request at a time through arXiv's cross-process gate. HTTP 503 with ``Retry-After`` is
the protocol's flow control (OAI-PMH 2.0 §3.1.2.2, and arXiv's own advice): a wait, then the
same request again, never an error; only a server that keeps refusing for longer than
MAX_FLOW_WAIT fails. Reading the pages is papertrack.parsers.oai's job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from papertrack.errors import FetchError, ParseError
from papertrack.parsers.oai import Page, parse_page
from papertrack.record import record

if TYPE_CHECKING:
    from papertrack.sources.http import HttpClient
    from papertrack.sources.throttle import Gate

METADATA_PREFIX = "arXivRaw"
"""The one format with every version and its date (v1 = first submission)."""
MAX_FLOW_WAIT = 3600.0
"""Seconds of 503s with Retry-After that one page may wait through in all."""
DEFAULT_FLOW_WAIT = 10.0
"""A 503 without Retry-After (or an unreadable one): wait this long."""
MAX_ONE_WAIT = 600.0


@record
class Fetched:
    url: str
    body: bytes
    page: Page


def list_url(
    base: str,
    *,
    token: str | None = None,
    set_spec: str | None = None,
    start: str | None = None,
    until: str | None = None,
) -> str:
    """A ``ListRecords`` request: the next page of a list (*token*), or a new list."""
    from papertrack.sources.http import build_url

    if token is not None:
        return build_url(base, {"verb": "ListRecords", "resumptionToken": token})
    params: dict[str, str | int] = {"verb": "ListRecords", "metadataPrefix": METADATA_PREFIX}
    if start:
        params["from"] = start
    if until:
        params["until"] = until
    if set_spec:
        params["set"] = set_spec
    return build_url(base, params)


def fetch_page(
    client: HttpClient,
    gate: Gate,
    url: str,
    *,
    sleep: Callable[[float], None] | None = None,
    waiting: Callable[[float], None] | None = None,
    papers: bool = True,
) -> Fetched:
    """One page, through the gate, waiting out 503 + Retry-After; FetchError for anything
    that is not an OAI-PMH answer. Without *papers*, its records carry none (parse_page)."""
    import time

    from papertrack.sources.http import retry_after_seconds

    pause = sleep or time.sleep
    waited = 0.0
    while True:
        response = client.get(url, gate=gate, ok_statuses=frozenset({503}))
        if response.status != 503:
            break
        asked = retry_after_seconds(response.headers)
        delay = min(asked if asked is not None else DEFAULT_FLOW_WAIT, MAX_ONE_WAIT)
        if waited + delay > MAX_FLOW_WAIT:
            raise FetchError(
                url,
                f"the server kept answering 503 (busy) for {waited:.0f} s",
                hint="run the same sync later: it goes on from the last page it stored",
            )
        if waiting is not None:
            waiting(delay)
        pause(delay)
        waited += delay
    try:
        page = parse_page(response.body, papers=papers)
    except ParseError as exc:
        raise FetchError(url, f"not an OAI-PMH answer: {exc}") from None
    return Fetched(url, response.body, page)
