"""Reading Hugging Face's answers: Daily Papers items and paper-search results. Pure.

Tolerant of every schema generation since 2024 (optional fields omitted or null,
``mediaUrl`` vs ``mediaUrls``, hard-wrapped titles; the recorded responses in
tests/fixtures/hf show each one), and the top-level ``publishedAt`` is never trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from papertrack.dates import eastern_offset
from papertrack.models import Paper, normalize_arxiv_id, parse_timestamp
from papertrack.text import (
    ABSTRACT_MAX,
    AUTHORS_MAX,
    NAME_MAX,
    clean_line,
    clean_optional,
    clean_url,
)

SOURCE = "hf"
MAX_KEYWORDS = 100

EASTERN_CLOCK_STARTS = datetime(2024, 11, 28, 19, tzinfo=timezone.utc)
"""From the 2024-11-29 list on, the top-level ``publishedAt`` is US-Eastern wall-clock time
written with a ``Z`` (that list has an item at 23:00Z the day before); this is its first
moment, midnight UTC read as Eastern. An item of the 11-28 list later than this (none is
recorded) would land a day late."""
ARXIV_CLOCK_FROM = date(2025, 3, 1)
"""From March 2025 the top-level ``publishedAt`` is the arXiv time, not the day the paper
was listed; ``paper.submittedOnDailyAt`` (from 2025-03-17) says that instead. Lists of the
days in between can only be asked one date at a time."""


def listed_day(item: Mapping[str, Any]) -> date | None:
    """The Daily Papers day an item of a week or month answer belongs to, or None when its
    fields cannot tell (a list from early March 2025).

    ``paper.submittedOnDailyAt`` is the day its ``date=`` list has it under in every
    recorded response; before that field existed, the top-level ``publishedAt`` is the
    moment the item was listed, in UTC and later in Eastern wall-clock time."""
    raw = item.get("paper")
    if isinstance(raw, Mapping):
        submitted = parse_timestamp(raw.get("submittedOnDailyAt"))
        if submitted is not None:
            return submitted.date()
    listed = parse_timestamp(item.get("publishedAt"))
    if listed is None or listed.date() >= ARXIV_CLOCK_FROM:
        return None
    if listed >= EASTERN_CLOCK_STARTS:
        # Eastern wall clock labelled UTC: the real moment is later by Eastern's offset.
        listed -= eastern_offset(listed + timedelta(hours=5))
    day = listed.date()
    return day if day < ARXIV_CLOCK_FROM else None


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
