"""Reading arXiv's answers: the daily announcement feeds (RSS 2.0 and Atom) and the search
API's Atom pages. Pure: bytes in, papers out, no I/O.

Namespace-aware, by element name, never position, so the RSS and Atom feeds and both the
legacy (before Nov 2025) and current API layouts read the same (the recorded responses in
tests/fixtures/arxiv show each one).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from papertrack.errors import ParseError
from papertrack.models import Paper, parse_timestamp, split_arxiv_id
from papertrack.record import record, replace
from papertrack.text import (
    ABSTRACT_MAX,
    AUTHORS_MAX,
    NAME_MAX,
    clean_line,
    clean_optional,
)

SOURCE = "arxiv"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
MAX_XML_TAGS = 400_000
"""Tags one body may hold (each ``<`` counts): a busy arXiv feed has under 50,000. Parsed,
each element costs ~200 bytes, so 16 MB of ``<a/>`` would take ~800 MB."""

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_DESCRIPTION_PREFIX = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?", re.S
)
_CATEGORY_CODE = re.compile(r"[a-z][a-z-]{0,19}(?:\.[A-Za-z-]{2,20})?")
MAX_CATEGORIES = 50
"""Categories kept per paper: real cross-lists have at most a dozen."""
CREATOR_MAX = 500_000
"""Characters of a feed's one-string author list read: ~3,000 authors with affiliations."""
_ABS_PATH = re.compile(r"/abs/(.+)$")
_LEADING_AND = re.compile(r"^\s*and\s+")


class _DoctypeRefused(Exception):
    pass


class _NoDoctype(ET.TreeBuilder):
    """A tree builder that stops at a document type declaration, before its entities."""

    def doctype(self, name: str, pubid: str, system: str) -> None:
        raise _DoctypeRefused


def parse_xml(body: bytes) -> ET.Element:
    """Parse a response as XML, refusing DTDs: no feed needs one, and entity declarations
    are how an "XML bomb" expands a small body into gigabytes."""
    head = body[:2048].lstrip()
    if not head:
        raise ParseError("empty response body")
    if not head.startswith(b"<"):
        snippet = clean_line(head[:60].decode("utf-8", errors="replace"))
        raise ParseError(f"expected XML, got text: {snippet!r}")
    if head[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise ParseError("expected an Atom or RSS feed, got an HTML page")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ParseError("refusing XML with a DOCTYPE or entity declarations")
    if body.count(b"<") > MAX_XML_TAGS:
        raise ParseError(f"XML with more than {MAX_XML_TAGS:,} tags; refusing to parse it")
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(body)
        return parser.close()
    except _DoctypeRefused:
        # The byte check above cannot see a DOCTYPE in UTF-16 or UTF-32: the parser does.
        raise ParseError("refusing XML with a DOCTYPE or entity declarations") from None
    except ET.ParseError as exc:
        raise ParseError(f"malformed XML ({exc})") from None
    except (LookupError, ValueError) as exc:
        # An XML declaration naming an encoding Python does not know, or bytes it cannot
        # decode in the one it names.
        raise ParseError(f"unreadable XML ({exc})") from None


def element_text(element: ET.Element | None) -> str:
    """An element's text, empty when the element or its text is missing."""
    return element.text or "" if element is not None else ""


def split_authors(creator: str) -> tuple[str, ...]:
    """Names from the feeds' one ``dc:creator`` string, affiliations in parentheses dropped.

    Affiliations contain commas (``Name (Dept, Univ)``), so split only outside parentheses.
    """
    text = creator[:CREATOR_MAX]
    if "(" not in text and ")" not in text:
        # No affiliations: the common case, without walking the text a character at a time.
        cleaned = (clean_line(_LEADING_AND.sub("", name), NAME_MAX) for name in text.split(","))
        return tuple(name for name in cleaned if name)[:AUTHORS_MAX]
    names: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            names.append("".join(current))
            current = []
        elif depth == 0:
            current.append(ch)
    names.append("".join(current))
    cleaned = (clean_line(_LEADING_AND.sub("", name), NAME_MAX) for name in names)
    return tuple(name for name in cleaned if name)[:AUTHORS_MAX]


def category_codes(terms: Iterable[str], primary: str | None = None) -> tuple[str, ...]:
    """arXiv category codes (ACM and MSC classes that the API mixes in are dropped)."""
    codes: list[str] = [primary] if primary else []
    for term in terms:
        code = term.strip()
        if _CATEGORY_CODE.fullmatch(code) and code not in codes:
            codes.append(code)
            if len(codes) == MAX_CATEGORIES:
                break
    return tuple(codes)


def _feed_date(text: str) -> date | None:
    """The Eastern calendar day of an RSS ``pubDate`` or Atom ``published`` value."""
    value = text.strip()
    if not value:
        return None
    try:
        from email.utils import parsedate_to_datetime  # feeds only: 40 ms to import

        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


@record
class Feed:
    title: str
    announced: date | None
    """The announcement day the feed is for (its own date, US Eastern)."""
    papers: list[Paper]
    skipped: int = 0
    error: str | None = None
    """arXiv's message when the feed is an error feed (bad category)."""


def parse_feed(body: bytes) -> Feed:
    """An RSS 2.0 or Atom announcement feed."""
    root = parse_xml(body)
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise ParseError("RSS without a channel")
        title = clean_line(element_text(channel.find("title")))
        entries = channel.findall("item")
        announced = _feed_date(element_text(channel.find("pubDate")))
        description = clean_line(element_text(channel.find("description")))
    elif root.tag == f"{_ATOM}feed":
        title = clean_line(element_text(root.find(f"{_ATOM}title")))
        entries = root.findall(f"{_ATOM}entry")
        announced = None
        description = clean_line(element_text(root.find(f"{_ATOM}subtitle")))
    else:
        raise ParseError(f"expected an RSS or Atom feed, got <{root.tag}>")
    if title.startswith("Feed error for query"):
        return Feed(title, announced, [], error=description or title)
    papers: list[Paper] = []
    skipped = 0
    for entry in entries:
        paper = _feed_entry(entry, atom=root.tag != "rss")
        if paper is None:
            skipped += 1
            continue
        papers.append(paper)
        announced = announced or paper.announced
    return Feed(title, announced, papers, skipped)


def _feed_entry(entry: ET.Element, *, atom: bool) -> Paper | None:
    ns = _ATOM if atom else ""
    summary = element_text(entry.find(f"{ns}summary" if atom else "description"))
    prefix = _DESCRIPTION_PREFIX.match(summary)
    guid = element_text(entry.find(f"{ns}id" if atom else "guid")).strip()
    candidates = [guid.removeprefix("oai:arXiv.org:"), prefix.group("id") if prefix else ""]
    parts = next((p for p in map(split_arxiv_id, candidates) if p), None)
    title = clean_line(element_text(entry.find(f"{ns}title")))
    if parts is None or not title:
        return None
    announce_type = clean_line(element_text(entry.find(f"{_ARXIV}announce_type")))
    if not announce_type and prefix:
        announce_type = prefix.group("type")
    if atom:
        terms = [c.get("term", "") for c in entry.findall(f"{_ATOM}category")]
        day = _feed_date(element_text(entry.find(f"{_ATOM}published")))
    else:
        terms = [element_text(c) for c in entry.findall("category")]
        day = _feed_date(element_text(entry.find("pubDate")))
    return Paper(
        id=parts[0],
        version=parts[1],
        title=title,
        abstract=clean_line(summary[prefix.end() :] if prefix else summary, ABSTRACT_MAX),
        authors=split_authors(element_text(entry.find(f"{_DC}creator"))),
        categories=category_codes(terms),
        announce_type=announce_type if announce_type in ANNOUNCE_TYPES else None,
        announced=day,
        journal_ref=clean_optional(element_text(entry.find(f"{_ARXIV}journal_reference"))),
        doi=clean_optional(element_text(entry.find(f"{_ARXIV}DOI"))),
        sources=(SOURCE,),
    )


@record
class ApiPage:
    total: int
    start: int
    papers: list[Paper]
    error: str | None = None
    """The message of an API error entry (``<title>Error</title>``)."""


def parse_api(body: bytes) -> ApiPage:
    """A page of the search API, current or legacy layout; error entries become ``error``."""
    root = parse_xml(body)
    if root.tag != f"{_ATOM}feed":
        raise ParseError(f"expected an Atom feed from the arXiv API, got <{root.tag}>")
    total = _int(element_text(root.find(f"{_OPENSEARCH}totalResults")))
    start = _int(element_text(root.find(f"{_OPENSEARCH}startIndex")))
    papers: list[Paper] = []
    error: str | None = None
    for entry in root.findall(f"{_ATOM}entry"):
        entry_id = element_text(entry.find(f"{_ATOM}id")).strip()
        title = clean_line(element_text(entry.find(f"{_ATOM}title")))
        if "/api/errors" in entry_id or title == "Error":
            error = clean_line(element_text(entry.find(f"{_ATOM}summary"))) or "unknown API error"
            continue
        paper = _api_entry(entry, entry_id, title)
        if paper is not None:
            papers.append(paper)
    return ApiPage(total, start, papers, error)


def _int(text: str) -> int:
    try:
        return max(0, int(text.strip()))
    except ValueError:
        return 0


def _api_entry(entry: ET.Element, entry_id: str, title: str) -> Paper | None:
    match = _ABS_PATH.search(entry_id)
    parts = split_arxiv_id(match.group(1)) if match else None
    if parts is None or not title:
        return None
    primary = entry.find(f"{_ARXIV}primary_category")
    term = primary.get("term", "").strip() if primary is not None else ""
    primary_code = term if _CATEGORY_CODE.fullmatch(term) else None
    return Paper(
        id=parts[0],
        version=parts[1],
        title=title,
        abstract=clean_line(element_text(entry.find(f"{_ATOM}summary")), ABSTRACT_MAX),
        authors=tuple(
            name
            for name in (
                clean_line(element_text(a.find(f"{_ATOM}name")), NAME_MAX)
                for a in entry.findall(f"{_ATOM}author")[:AUTHORS_MAX]
            )
            if name
        ),
        published=parse_timestamp(element_text(entry.find(f"{_ATOM}published"))),
        updated=parse_timestamp(element_text(entry.find(f"{_ATOM}updated"))),
        categories=category_codes(
            (c.get("term", "") for c in entry.findall(f"{_ATOM}category")), primary_code
        ),
        primary_category=primary_code,
        arxiv_comment=clean_optional(element_text(entry.find(f"{_ARXIV}comment"))),
        journal_ref=clean_optional(element_text(entry.find(f"{_ARXIV}journal_ref"))),
        doi=clean_optional(element_text(entry.find(f"{_ARXIV}doi"))),
        sources=(SOURCE,),
    )


def usable_etag(value: object) -> str | None:
    """An ETag that can go back in a header: printable ASCII of a sane length. Anything else
    is ignored, or it would be cached and fail every later request."""
    if not isinstance(value, str) or not value or len(value) > 256:
        return None
    return value if value.isascii() and value.isprintable() else None


def _in_set(code: str | None, categories: Sequence[str]) -> bool:
    return code is not None and any(code == c or code.startswith(f"{c}.") for c in categories)


def as_asked(
    papers: Sequence[Paper], categories: Sequence[str], start: datetime, end: datetime
) -> list[Paper]:
    """The papers of a backfill that match what was asked: first submitted within the
    window (to the minute, as ``submittedDate`` counts) and in one of the categories. The
    API has answered with others, and they must not pass for that day's announcement."""
    last = end + timedelta(minutes=1)
    return [
        p
        for p in papers
        if p.published is not None
        and start <= p.published < last
        and any(_in_set(code, categories) for code in (p.primary_category, *p.categories))
    ]


def as_announced(paper: Paper, categories: Sequence[str], day: date) -> Paper:
    kind = "new" if _in_set(paper.primary_category, categories) else "cross"
    return replace(paper, announce_type=kind, announced=day)
