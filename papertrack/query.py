"""Filtering, matching and sorting papers: pure, no I/O, no clock."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from papertrack.choices import SortKey
from papertrack.matching import fold, searchable_text, term_pattern
from papertrack.models import Mark, Paper
from papertrack.record import record

if TYPE_CHECKING:
    from papertrack.querylang import Node
    from papertrack.taste import Reason

REPLACEMENTS = frozenset({"replace", "replace-cross"})
_TYPE_RANK = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}


@record
class Filters:
    terms: tuple[str, ...] = ()
    """Match in title, abstract, AI summary or AI keywords; a multi-word term is a phrase."""
    match_all: bool = False
    exclude: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    submitters: tuple[str, ...] = ()
    """Hugging Face usernames of who put the paper on Daily Papers (any, ignoring case)."""
    min_upvotes: int | None = None
    has_code: bool = False
    replacements: bool = False
    """Keep arXiv replacements (``replace``/``replace-cross``); new and cross always show."""
    query: Node | None = None
    """A parsed filter-language expression (papertrack.querylang)."""


@record
class Match:
    """A paper that passed the filters, and which of the terms it matched."""

    paper: Paper
    terms: tuple[str, ...] = ()
    reason: Reason | None = None
    """Why it ranks where it does, when ranked by taste."""
    mark: Mark | None = None
    """Its place in the user's library; None when not saved (or the library was not read)."""


def clean_terms(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(" ".join(t.split()) for t in terms if t.strip())


def filter_papers(
    papers: Iterable[Paper], filters: Filters, marks: Mapping[str, Mark] | None = None
) -> list[Match]:
    """The papers that pass *filters*, each with the terms it matched and its library mark
    (from *marks*, which ``saved:``, ``read:`` and ``tag:`` in the query also read)."""
    marks = marks or {}
    terms = clean_terms(filters.terms)
    term_patterns = [(term, term_pattern(term)) for term in terms]
    excludes = [term_pattern(t) for t in clean_terms(filters.exclude)]
    authors = [fold(a) for a in clean_terms(filters.authors)]
    submitters = {s.lower() for s in clean_terms(filters.submitters)}
    matches: list[Match] = []
    for paper in papers:
        if not filters.replacements and paper.announce_type in REPLACEMENTS:
            continue
        if filters.has_code and not paper.has_code:
            continue
        if filters.min_upvotes is not None and (paper.upvotes or 0) < filters.min_upvotes:
            continue
        if submitters and (paper.submitted_by or "").lower() not in submitters:
            continue
        if authors:
            names = [fold(name) for name in paper.authors]
            if not any(a in name for a in authors for name in names):
                continue
        text = searchable_text(paper) if (term_patterns or excludes) else ""
        if any(p.search(text) for p in excludes):
            continue
        hit = tuple(term for term, p in term_patterns if p.search(text))
        if term_patterns and (not hit or (filters.match_all and len(hit) != len(terms))):
            continue
        if filters.query is not None:
            found: list[str] = []
            if not filters.query.matches(paper, found, marks):
                continue
            hit = (*hit, *dict.fromkeys(h for h in found if h not in hit))
        matches.append(Match(paper, hit, mark=marks.get(paper.id)))
    return matches


def sort_matches(matches: Sequence[Match], key: SortKey) -> list[Match]:
    """Sorted copy; ties fall back to upvotes, then newest day, then id, so runs agree."""

    def day(m: Match) -> int:
        d = m.paper.date
        return d.toordinal() if d else date.min.toordinal()

    def votes(m: Match) -> int:
        return m.paper.upvotes or 0

    if key == "relevance":
        return list(matches)  # the order the service ranked them in
    if key == "title":
        return sorted(matches, key=lambda m: (m.paper.title.casefold(), m.paper.id))
    if key == "upvotes":
        return sorted(matches, key=lambda m: (-votes(m), -day(m), m.paper.id))
    if key == "stars":
        return sorted(
            matches,
            key=lambda m: (
                m.paper.github_stars is None,
                -(m.paper.github_stars or 0),
                -votes(m),
                m.paper.id,
            ),
        )
    return sorted(
        matches,
        key=lambda m: (
            -day(m),
            -votes(m),
            _TYPE_RANK.get(m.paper.announce_type or "", 0),
            m.paper.id,
        ),
    )


_QUERY_TOKEN = re.compile(r'(?:([A-Za-z_]+):)?(?:"([^"]+)"|([^\s()"]+))')
_QUERY_WORDS = frozenset({"and", "or", "not", "andnot", "to"})
_UNSHOWN_FIELDS = frozenset({"cat", "id", "submitteddate", "lastupdateddate", "rn", "jr"})


def query_words(query: str) -> tuple[str, ...]:
    """What to highlight for a search query: its words and quoted phrases, without arXiv's
    operators, field prefixes (``ti:``), grouping, or fields that never show in a title."""
    words: list[str] = []
    without_ranges = re.sub(r"[A-Za-z_]+:\[[^\]]*\]", " ", query)
    for field_name, phrase, word in _QUERY_TOKEN.findall(without_ranges):
        if field_name.lower() in _UNSHOWN_FIELDS:
            continue
        text = (phrase or word).strip()
        if text and text.lower() not in _QUERY_WORDS and text not in words:
            words.append(text)
    return tuple(words)
