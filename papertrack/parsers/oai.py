"""Reading arXiv's OAI-PMH answers (``ListRecords`` pages) into papers. Pure: bytes in.

Three metadata formats are read (info.arxiv.org/help/oa, "Metadata formats"): ``arXivRaw``,
what ``papertrack sync`` asks for, the only one with every version and its date;
``arXiv`` (authors split, first and last dates); and ``oai_dc`` (no primary category and
no versions: categories are worked out from their names). By namespace and element name,
never by layout: the old and new services indent and quote differently.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from papertrack.dates import eastern_offset
from papertrack.errors import ParseError
from papertrack.models import Paper, parse_timestamp, split_arxiv_id
from papertrack.parsers.arxiv import category_codes, element_text, parse_xml, split_authors
from papertrack.record import record
from papertrack.text import ABSTRACT_MAX, AUTHORS_MAX, NAME_MAX, clean_line, clean_optional

SOURCE = "arxiv"
_OAI = "{http://www.openarchives.org/OAI/2.0/}"
_RAW = "{http://arxiv.org/OAI/arXivRaw/}"
_ARXIV = "{http://arxiv.org/OAI/arXiv/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
_VERSION = f"{_RAW}version"
_VERSION_DATE = f"{_RAW}date"
_SOURCE_TYPE = f"{_RAW}source_type"
ID_PREFIX = "oai:arXiv.org:"
_AND = re.compile(r"\s+and\s+")
CUTOFF_HOUR = 14
"""Submissions received by 14:00 US Eastern go out in that evening's announcement."""


@record
class Token:
    """Where the list goes on: the resumption token and what the server said of it."""

    value: str
    cursor: int | None = None
    complete: int | None = None
    """``completeListSize``: how many records the whole list has (old service only)."""
    expires: datetime | None = None


@record
class Record:
    """One record of a page: the paper, or a deletion."""

    id: str
    datestamp: str
    paper: Paper | None
    """None for a deletion, and for every record of a page read without papers."""
    deleted: bool = False


@record
class Page:
    records: list[Record]
    token: Token | None
    """None when the list ends here (no token, or an empty one)."""
    response_date: datetime | None
    error: tuple[str, str] | None = None
    """``(code, message)`` of an OAI-PMH error answer (sent with HTTP 200)."""
    skipped: int = 0
    """Records that were not readable as papers (no id, no title)."""


def parse_page(body: bytes, *, papers: bool = True) -> Page:
    """A ``ListRecords`` answer (or an error answer). ParseError for anything else.

    Without *papers*, only the headers are read (ids, datestamps, deletions) and the
    token: what a harvest needs to go on, at several times the speed; the index reads
    the papers from the stored page."""
    root = parse_xml(body)
    if root.tag != f"{_OAI}OAI-PMH":
        raise ParseError(f"expected an OAI-PMH answer, got <{_local(root.tag)}>")
    response_date = parse_timestamp(element_text(root.find(f"{_OAI}responseDate")))
    error = root.find(f"{_OAI}error")
    if error is not None:
        code = clean_line(error.get("code")) or "unknown"
        return Page([], None, response_date, (code, clean_line(element_text(error))[:300]))
    listing = root.find(f"{_OAI}ListRecords")
    if listing is None:
        raise ParseError("expected <ListRecords> in the OAI-PMH answer")
    records: list[Record] = []
    skipped = 0
    for element in listing.iterfind(f"{_OAI}record"):
        got = _record(element, papers)
        if got is None:
            skipped += 1
        else:
            records.append(got)
    return Page(
        records, _token(listing.find(f"{_OAI}resumptionToken")), response_date, None, skipped
    )


def _token(element: ET.Element | None) -> Token | None:
    if element is None:
        return None
    value = (element.text or "").strip()
    if not value:
        return None  # the last page of a list keeps an empty token
    return Token(
        value,
        _int(element.get("cursor")),
        _int(element.get("completeListSize")),
        parse_timestamp(element.get("expirationDate")),
    )


def _record(element: ET.Element, papers: bool = True) -> Record | None:
    header = element.find(f"{_OAI}header")
    if header is None:
        return None
    identifier = element_text(header.find(f"{_OAI}identifier")).strip()
    paper_id = _paper_id(identifier.removeprefix(ID_PREFIX))
    datestamp = element_text(header.find(f"{_OAI}datestamp")).strip()[:10]
    if paper_id is None:
        return None
    if header.get("status") == "deleted":
        return Record(paper_id, datestamp, None, deleted=True)
    if not papers:
        return Record(paper_id, datestamp, None)
    metadata = element.find(f"{_OAI}metadata")
    if metadata is None or len(metadata) == 0:
        return None
    body = metadata[0]
    if body.tag == f"{_RAW}arXivRaw":
        paper = _raw(body, paper_id)
    elif body.tag == f"{_ARXIV}arXiv":
        paper = _arxiv(body, paper_id)
    elif body.tag == f"{_OAI_DC}dc":
        paper = _dc(body, paper_id)
    else:
        paper = None
    return Record(paper_id, datestamp, paper) if paper is not None else None


def _raw(body: ET.Element, paper_id: str) -> Paper | None:
    # One pass over the children (a find() per field costs a path search each).
    fields: dict[str, str] = {}
    versions: list[tuple[int, datetime]] = []
    withdrawn = False
    for child in body:
        tag = child.tag
        if tag == _VERSION:
            number = _int((child.get("version") or "").lstrip("v"))
            when = None
            for part in child:
                if part.tag == _VERSION_DATE:
                    when = _rfc822(part.text or "")
                elif part.tag == _SOURCE_TYPE and "I" in (part.text or ""):
                    withdrawn = True
            if number is not None and when is not None:
                versions.append((number, when))
        else:
            fields[tag] = child.text or ""
    title = clean_line(fields.get(f"{_RAW}title"))
    if not title:
        return None
    versions.sort()
    first = versions[0][1] if versions else None
    last = versions[-1] if versions else None
    categories = category_codes(fields.get(f"{_RAW}categories", "").split())
    return Paper(
        id=paper_id,
        title=title,
        # "A, B and C", as submitters type them; affiliations in parentheses dropped.
        authors=split_authors(_AND.sub(", ", fields.get(f"{_RAW}authors", ""))),
        abstract=clean_line(fields.get(f"{_RAW}abstract"), ABSTRACT_MAX),
        published=first,
        announced=announcement_day(first) if first else None,
        version=last[0] if last else None,
        updated=last[1] if last else None,
        categories=categories,
        primary_category=categories[0] if categories else None,
        arxiv_comment=clean_optional(fields.get(f"{_RAW}comments")),
        journal_ref=clean_optional(fields.get(f"{_RAW}journal-ref")),
        doi=clean_optional(fields.get(f"{_RAW}doi")),
        withdrawn=withdrawn,
        sources=(SOURCE,),
    )


def _arxiv(body: ET.Element, paper_id: str) -> Paper | None:
    def field(name: str) -> str:
        return element_text(body.find(f"{_ARXIV}{name}"))

    title = clean_line(field("title"))
    if not title:
        return None
    names: list[str] = []
    for author in body.iterfind(f"{_ARXIV}authors/{_ARXIV}author"):
        parts = (
            element_text(author.find(f"{_ARXIV}{part}"))
            for part in ("forenames", "keyname", "suffix")
        )
        name = clean_line(" ".join(p for p in parts if p.strip()), NAME_MAX)
        if name:
            names.append(name)
    created = _day(field("created"))
    updated = _day(field("updated"))
    categories = category_codes(field("categories").split())
    return Paper(
        id=paper_id,
        title=title,
        authors=tuple(names[:AUTHORS_MAX]),
        abstract=clean_line(field("abstract"), ABSTRACT_MAX),
        published=created,
        updated=updated or created,
        categories=categories,
        primary_category=categories[0] if categories else None,
        arxiv_comment=clean_optional(field("comments")),
        journal_ref=clean_optional(field("journal-ref")),
        doi=clean_optional(field("doi")),
        sources=(SOURCE,),
    )


def _dc(body: ET.Element, paper_id: str) -> Paper | None:
    title = clean_line(element_text(body.find(f"{_DC}title")))
    if not title:
        return None
    names = []
    for creator in body.iterfind(f"{_DC}creator"):
        keyname, _, forenames = element_text(creator).partition(",")
        name = clean_line(f"{forenames} {keyname}", NAME_MAX)
        if name:
            names.append(name)
    descriptions = [element_text(d) for d in body.iterfind(f"{_DC}description")]
    comment = next((d for d in descriptions[1:] if d.strip()), None)
    dates = sorted(d for d in (_day(element_text(e)) for e in body.iterfind(f"{_DC}date")) if d)
    by_name = _category_names()
    subjects = (clean_line(element_text(e)) for e in body.iterfind(f"{_DC}subject"))
    codes = [by_name[s] for s in subjects if s in by_name]
    categories = category_codes(codes)
    return Paper(
        id=paper_id,
        title=title,
        authors=tuple(names[:AUTHORS_MAX]),
        abstract=clean_line(descriptions[0] if descriptions else "", ABSTRACT_MAX),
        published=dates[0] if dates else None,
        updated=dates[-1] if dates else None,
        categories=categories,
        arxiv_comment=clean_optional(comment.removeprefix("Comment: ") if comment else None),
        sources=(SOURCE,),
    )


@lru_cache(maxsize=1)
def _category_names() -> dict[str, str]:
    """``Computer Science - Information Theory`` → ``cs.IT``: oai_dc's subjects."""
    from papertrack.taxonomy import categories

    return {f"{c.group} - {c.name}": c.code for c in categories().values()}


def announcement_day(submitted: datetime) -> date:
    """The feed day that announces a paper first submitted at *submitted*: the weekday
    whose cutoff (14:00 Eastern) comes first, then the next weekday. arXiv's holidays move
    a few days a year by one; the announcement feed, when it was read, says the truth."""
    moment = submitted.astimezone(timezone.utc)
    local = moment + eastern_offset(moment)
    cutoff = local.date()
    if local.hour >= CUTOFF_HOUR:
        cutoff += timedelta(days=1)
    while cutoff.weekday() >= 5:
        cutoff += timedelta(days=1)
    feed = cutoff + timedelta(days=1)
    while feed.weekday() >= 5:
        feed += timedelta(days=1)
    return feed


def _paper_id(text: str) -> str | None:
    parts = split_arxiv_id(text)
    return parts[0] if parts else None


_MONTHS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
    "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip


def _rfc822(text: str) -> datetime | None:
    """``Tue, 07 Mar 2023 18:54:05 GMT`` (arXivRaw's version dates); other RFC 822 forms
    through the email package."""
    parts = text.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS:
        try:
            hour, minute, second = (int(x) for x in parts[4].split(":"))
            return datetime(
                int(parts[3]), _MONTHS[parts[2]], int(parts[1]), hour, minute, second,
                tzinfo=timezone.utc,
            )  # fmt: skip
        except ValueError:
            pass
    from email.utils import parsedate_to_datetime  # 40 ms to import; arXivRaw rarely needs it

    try:
        return parsedate_to_datetime(text.strip()).astimezone(timezone.utc)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _day(text: str) -> datetime | None:
    try:
        return datetime.combine(
            date.fromisoformat(text.strip()[:10]), datetime.min.time(), timezone.utc
        )
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2][:40]
