"""One paper from several copies: two services, two days, a listing and a paper page. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from papertrack.models import Paper
from papertrack.record import fields, replace


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
