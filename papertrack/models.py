"""Typed value objects: what the rest of papertrack sees instead of raw API dicts."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from papertrack.record import dict_codec, record

# New-style ids, YYMM.NNNN from 0704 to 1412 and YYMM.NNNNN since 1501; old-style archive
# ids, archive/YYMMNNN, from 1991 to 2007 (info.arxiv.org/help/arxiv_identifier.html).
# ASCII digits only ("\d" also takes fullwidth and Arabic-Indic digits), archive names and
# versions of a sane length (a 5,000-digit version is no id, and int() refuses to read it).
_NEW_ID = re.compile(r"(([0-9]{2})([0-9]{2})\.([0-9]{4,5}))(?:v([0-9]{1,6}))?")
_OLD_ID = re.compile(
    r"([a-z][a-z\-]{0,15}(?:\.[A-Z]{2})?/([0-9]{2})([0-9]{2})[0-9]{3})(?:v([0-9]{1,6}))?"
)
FIRST_NEW_ID = 704
"""0704: April 2007, the first month of new-style ids."""
FIVE_DIGITS_FROM = 1501
"""January 2015: the sequence number grew to five digits."""


def split_arxiv_id(value: str) -> tuple[str, int | None] | None:
    """``(versionless id, version or None)``, or None if *value* is not an arXiv id: the
    right shape, a month from 01 to 12, and the number of digits of its era.

    Ids end up in URLs and cache file names, so anything else is refused rather than escaped.
    """
    text = value.strip()
    new = _NEW_ID.fullmatch(text)
    if new:
        paper_id, year, month, number, version = new.groups()
        yymm = int(year + month)
        digits = 5 if yymm >= FIVE_DIGITS_FROM else 4
        if not 1 <= int(month) <= 12 or yymm < FIRST_NEW_ID or len(number) != digits:
            return None
        return paper_id, int(version) if version else None
    old = _OLD_ID.fullmatch(text)
    if old:
        paper_id, year, month, version = old.groups()
        if not 1 <= int(month) <= 12 or 8 <= int(year) <= 90:  # the scheme ran 1991-2007
            return None
        return paper_id, int(version) if version else None
    return None


def is_new_style(paper_id: str) -> bool:
    """A YYMM.NNNNN id: the only kind Hugging Face has paper pages for."""
    return _NEW_ID.fullmatch(paper_id) is not None


def normalize_arxiv_id(value: str) -> str | None:
    """The versionless arXiv id, or None if *value* is not one."""
    parts = split_arxiv_id(value)
    return parts[0] if parts else None


def parse_timestamp(value: object) -> datetime | None:
    """Parse the API's ISO-8601 timestamps ("…Z" or date-only); None when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"  # Python 3.10's fromisoformat does not take "Z"
    try:
        parsed = datetime.fromisoformat(text[:64])
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # 9999-12-31T23:59:59-23:59 is after the last representable moment
        return None


def format_timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    v = value.astimezone(timezone.utc)
    # Formatted by hand: strftime costs several times more, and every cached paper has three.
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"


@record
class Paper:
    """One paper as papertrack knows it, whatever source it came from."""

    id: str
    """Versionless arXiv id, e.g. ``2510.19779``."""
    title: str
    """Title on one line; LaTeX kept as written."""
    authors: tuple[str, ...] = ()
    abstract: str = ""
    published: datetime | None = None
    """When arXiv published the first version (UTC)."""
    daily_date: date | None = None
    """The day the paper was on Hugging Face Daily Papers, when known."""
    upvotes: int | None = None
    comments: int | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    media_urls: tuple[str, ...] = ()
    thumbnail: str | None = None
    submitted_by: str | None = None
    organization: str | None = None
    withdrawn: bool = False
    categories: tuple[str, ...] = ()
    """arXiv categories, primary first when known."""
    primary_category: str | None = None
    announce_type: str | None = None
    """In an arXiv announcement: ``new``, ``cross``, ``replace`` or ``replace-cross``."""
    announced: date | None = None
    """The arXiv announcement (feed) day, US Eastern."""
    version: int | None = None
    updated: datetime | None = None
    """When the listed version was submitted (UTC)."""
    arxiv_comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    sources: tuple[str, ...] = ("hf",)
    """Where papertrack saw the paper: ``hf``, ``arxiv`` or both."""

    @property
    def date(self) -> date | None:
        """The day to list the paper under: Daily Papers day, announcement day, arXiv day."""
        if self.daily_date is not None:
            return self.daily_date
        if self.announced is not None:
            return self.announced
        return self.published.date() if self.published is not None else None

    @property
    def source_label(self) -> str:
        return "+".join(self.sources)

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.id}"

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.id}"

    @property
    def has_code(self) -> bool:
        return self.github_repo is not None

    def to_dict(self) -> dict[str, Any]:
        """The stable, documented JSON shape (README "JSON fields"): every field, with the
        derived ``date`` and links; generated from the field list (record.dict_codec)."""
        return _paper_codec()[0](self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Paper:
        """Inverse of to_dict (derived fields such as urls and ``date`` are ignored)."""
        return _paper_codec()[1](data)


@record
class Mark:
    """A paper's place in the user's library, as listings show it (no mark: not saved)."""

    read: bool = False
    tags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``saved`` or ``read``: the value of the ``saved`` column."""
        return "read" if self.read else "saved"


_codec: tuple[Callable[[Paper], dict[str, Any]], Callable[[Mapping[str, Any]], Paper]] | None = None


def _paper_codec() -> tuple[
    Callable[[Paper], dict[str, Any]], Callable[[Mapping[str, Any]], Paper]
]:
    """Made on first use: generating the two functions costs start-up time that a run
    printing lines never needs."""
    global _codec
    if _codec is None:
        _codec = dict_codec(
            Paper,
            {
                "datetime": (format_timestamp, parse_timestamp),
                # An empty string, which no version wrote, still reads as no date.
                "date": (date.isoformat, lambda text: date.fromisoformat(text) if text else None),
                "tuple": (list, tuple),
                "bool": (bool, bool),
            },
            computed={"date": "published", "hf_url": None, "arxiv_url": None, "pdf_url": None},
        )
    return _codec


_PAPER_URL = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?"
    r"(?:arxiv\.org/(?:abs|pdf|html)/|(?:huggingface\.co|hf\.co)/papers/)"
    r"(?P<id>[^?#]+?)(?:\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE,
)


def parse_paper_ref(text: str) -> tuple[str, int | None] | None:
    """``(id, version)`` from what people paste: ``2408.12345``, ``2408.12345v2``,
    ``arXiv:2408.12345``, or an arxiv.org / huggingface.co/papers URL."""
    value = text.strip()
    match = _PAPER_URL.fullmatch(value)
    if match:
        value = match.group("id")
    if value.lower().startswith("arxiv:"):
        value = value[len("arxiv:") :]
    return split_arxiv_id(value)


def cut_fields(paper: Paper) -> list[str]:
    """The fields of *paper* that parsing cut to papertrack's length limits."""
    from papertrack.text import ABSTRACT_MAX, AUTHORS_MAX, NAME_MAX, TEXT_MAX, was_cut

    cut = [
        name
        for name, value, limit in (
            ("title", paper.title, TEXT_MAX),
            ("abstract", paper.abstract, ABSTRACT_MAX),
            ("AI summary", paper.ai_summary, ABSTRACT_MAX),
            ("comment", paper.arxiv_comment, TEXT_MAX),
        )
        if was_cut(value, limit)
    ]
    if len(paper.authors) >= AUTHORS_MAX or any(was_cut(a, NAME_MAX) for a in paper.authors):
        cut.append("authors")
    return cut
