"""Filtering, matching and sorting papers: pure, no I/O, no clock."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Literal

from papertrack.charsets import COMBINING
from papertrack.errors import UsageError
from papertrack.models import Paper
from papertrack.record import fields, record, replace

if TYPE_CHECKING:
    from papertrack.querylang import Node

SortKey = Literal["date", "upvotes", "stars", "title", "relevance"]
REPLACEMENTS = frozenset({"replace", "replace-cross"})
_TYPE_RANK = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}
SORT_KEYS: tuple[SortKey, ...] = ("date", "upvotes", "stars", "title", "relevance")


@record
class Filters:
    terms: tuple[str, ...] = ()
    """Match in title, abstract, AI summary or AI keywords; a multi-word term is a phrase."""
    match_all: bool = False
    exclude: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
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


def term_pattern(term: str) -> re.Pattern[str]:
    """Case-insensitive; the words of a phrase may be split by any whitespace."""
    words = term.split()
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def highlight_pattern(terms: Iterable[str], regexes: Iterable[str] = ()) -> re.Pattern[str] | None:
    """One pattern finding every term (longest first, so a phrase wins over its words) and
    every extra regex source.

    None for nothing to highlight: an empty alternation would match everywhere.
    """
    words = sorted({" ".join(t.split()) for t in terms if t.strip()}, key=len, reverse=True)
    alternatives = [
        "(?i:" + r"\s+".join(re.escape(w) for w in word.split()) + ")" for word in words
    ]
    alternatives.extend(f"(?:{source})" for source in regexes)
    if not alternatives:
        return None
    try:
        return re.compile("|".join(alternatives))
    except re.error:
        return None


def find_spans(text: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    if pattern is None or not text:
        return []
    if "(?:" not in pattern.pattern:
        # Only the user's regexes are wrapped in "(?:…)" (highlight_pattern); terms are
        # escaped literals, which cannot backtrack, and cost no timer.
        return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    with regex_time_limit(pattern.pattern):
        return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


REGEX_SECONDS = 0.5
"""The most one search of a user's regex may take on one field. A regex like
``^(\\w+\\s?)*$`` backtracks exponentially: seconds on a 27-character title, hours on an
abstract; in a watch it would stall cron while holding the digest lock."""


class RegexTooSlow(UsageError):
    def __init__(self, pattern: str) -> None:
        shown = pattern if len(pattern) <= 60 else pattern[:59] + "…"
        super().__init__(
            f"the regex /{shown}/ took more than {REGEX_SECONDS:g} s on one paper",
            hint="it backtracks catastrophically; avoid nested repetition such as (\\w+\\s?)*",
        )


@contextmanager
def regex_time_limit(pattern: str) -> Iterator[None]:
    """Stop a regex search that runs longer than REGEX_SECONDS with RegexTooSlow.

    Python's regex engine checks for signals as it backtracks, so a timer signal can stop
    it; that works in the main thread only, which is where papertrack filters.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RegexTooSlow(pattern)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, REGEX_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def searchable_text(paper: Paper) -> str:
    parts = [paper.title, paper.abstract, paper.ai_summary or "", *paper.ai_keywords]
    # A separator no term can span, so a phrase never matches across two fields.
    return "\n\x00\n".join(parts)


_COMBINING = re.compile(f"[{COMBINING}]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form, so ``muller`` finds ``Müller``.

    One regex pass in C drops the accents, rather than a Python object per code point:
    NFKD can make a string 18 times longer (U+FDFA).
    """
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def clean_terms(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(" ".join(t.split()) for t in terms if t.strip())


def filter_papers(papers: Iterable[Paper], filters: Filters) -> list[Match]:
    terms = clean_terms(filters.terms)
    term_patterns = [(term, term_pattern(term)) for term in terms]
    excludes = [term_pattern(t) for t in clean_terms(filters.exclude)]
    authors = [fold(a) for a in clean_terms(filters.authors)]
    matches: list[Match] = []
    for paper in papers:
        if not filters.replacements and paper.announce_type in REPLACEMENTS:
            continue
        if filters.has_code and not paper.has_code:
            continue
        if filters.min_upvotes is not None and (paper.upvotes or 0) < filters.min_upvotes:
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
            if not filters.query.matches(paper, found):
                continue
            hit = (*hit, *dict.fromkeys(h for h in found if h not in hit))
        matches.append(Match(paper, hit))
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


def merge_papers(papers: Iterable[Paper]) -> list[Paper]:
    """One entry per id; a paper listed on two days keeps its latest listing (fresher counts)."""
    best: dict[str, Paper] = {}
    for paper in papers:
        current = best.get(paper.id)
        if current is None or (paper.date or date.min) > (current.date or date.min):
            best[paper.id] = paper
    return list(best.values())


_SOURCE_ORDER = ("hf", "arxiv")


def fill_missing(paper: Paper, other: Paper) -> Paper:
    """*paper*, with what it does not know (empty fields) taken from *other*, a copy of the
    same paper from elsewhere: a listing's comment count beside a fresh paper page."""
    changes: dict[str, object] = {}
    for name in fields(Paper):
        mine, theirs = getattr(paper, name), getattr(other, name)
        if name == "sources":
            changes[name] = tuple(s for s in _SOURCE_ORDER if s in mine or s in theirs)
        elif mine in (None, "", (), False) and theirs not in (None, "", (), False):
            changes[name] = theirs
    return replace(paper, **changes)


def unique(papers: Iterable[Paper]) -> list[Paper]:
    """One entry per id, the first, in order: a service that lists a paper twice."""
    seen: dict[str, Paper] = {}
    for paper in papers:
        seen.setdefault(paper.id, paper)
    return list(seen.values())


def join_sources(hf_papers: Iterable[Paper], arxiv_papers: Iterable[Paper]) -> list[Paper]:
    """One row per versionless id: Hugging Face's upvotes, code and AI summary together with
    arXiv's categories and announce type. Papers only one source knows keep their own row."""
    announced: dict[str, Paper] = {}
    for paper in arxiv_papers:
        announced.setdefault(paper.id, paper)
    joined: list[Paper] = []
    for paper in hf_papers:
        other = announced.pop(paper.id, None)
        if other is None:
            joined.append(paper)
            continue
        joined.append(
            replace(
                paper,
                categories=other.categories or paper.categories,
                primary_category=other.primary_category or paper.primary_category,
                announce_type=other.announce_type,
                announced=other.announced,
                version=other.version,
                updated=other.updated or paper.updated,
                arxiv_comment=other.arxiv_comment or paper.arxiv_comment,
                journal_ref=other.journal_ref or paper.journal_ref,
                doi=other.doi or paper.doi,
                sources=("hf", "arxiv"),
            )
        )
    joined.extend(announced.values())
    return joined


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
