from __future__ import annotations

from datetime import date

from papertrack.join import merge_papers
from papertrack.matching import find_spans, highlight_pattern
from papertrack.models import Paper
from papertrack.query import Filters, filter_papers, sort_matches

A = Paper(
    id="2501.00001",
    title="Speculative Decoding for Fast Inference",
    abstract="We study speculative\n decoding in large language models.",
    authors=("Jürgen Müller", "Ann Lee"),
    daily_date=date(2025, 1, 6),
    upvotes=10,
    github_repo="https://github.com/a/b",
    github_stars=50,
)
B = Paper(
    id="2501.00002",
    title="Diffusion Models Beat Everything",
    abstract="A diffusion paper about video.",
    authors=("Bo Chen",),
    daily_date=date(2025, 1, 7),
    upvotes=3,
    ai_keywords=("video generation",),
)
C = Paper(
    id="2501.00003",
    title="An Agent for Decoding Diffusion",
    abstract="Agents.",
    authors=("Carla Diaz",),
    daily_date=date(2025, 1, 6),
    upvotes=30,
    github_repo="https://github.com/c/d",
    github_stars=5,
    ai_summary="It is about speculative decoding agents.",
)
PAPERS = [A, B, C]


def ids(filters: Filters) -> list[str]:
    return [m.paper.id for m in filter_papers(PAPERS, filters)]


def test_no_filters_keeps_everything() -> None:
    assert ids(Filters()) == ["2501.00001", "2501.00002", "2501.00003"]


def test_any_term_case_insensitive_across_fields() -> None:
    assert ids(Filters(terms=("DIFFUSION",))) == ["2501.00002", "2501.00003"]
    assert ids(Filters(terms=("video generation",))) == ["2501.00002"]  # an AI keyword
    assert ids(Filters(terms=("agent", "video"))) == ["2501.00002", "2501.00003"]


def test_phrase_matches_across_hard_wraps_and_as_a_phrase() -> None:
    assert ids(Filters(terms=("speculative decoding",))) == ["2501.00001", "2501.00003"]
    assert ids(Filters(terms=("decoding speculative",))) == []


def test_all_terms() -> None:
    assert ids(Filters(terms=("decoding", "diffusion"), match_all=True)) == ["2501.00003"]
    matches = filter_papers(PAPERS, Filters(terms=("decoding", "diffusion")))
    assert [m.terms for m in matches] == [("decoding",), ("diffusion",), ("decoding", "diffusion")]


def test_blank_terms_are_ignored() -> None:
    assert ids(Filters(terms=("", "  "))) == ids(Filters())


def test_exclude_author_upvotes_code() -> None:
    assert ids(Filters(exclude=("video",))) == ["2501.00001", "2501.00003"]
    assert ids(Filters(authors=("muller",))) == ["2501.00001"]  # accents folded
    assert ids(Filters(authors=("CHEN", "diaz"))) == ["2501.00002", "2501.00003"]
    assert ids(Filters(min_upvotes=10)) == ["2501.00001", "2501.00003"]
    assert ids(Filters(has_code=True)) == ["2501.00001", "2501.00003"]
    assert ids(Filters(terms=("decoding",), has_code=True, min_upvotes=20)) == ["2501.00003"]


def test_sorting() -> None:
    matches = filter_papers(PAPERS, Filters())
    by = {
        key: [m.paper.id[-1] for m in sort_matches(matches, key)]
        for key in ("date", "upvotes", "stars", "title")
    }
    assert by["date"] == ["2", "3", "1"]  # newest day, then upvotes
    assert by["upvotes"] == ["3", "1", "2"]
    assert by["stars"] == ["1", "3", "2"]  # no repository sorts last
    assert by["title"] == ["3", "2", "1"]


def test_highlight_longest_first_and_none_for_no_terms() -> None:
    assert highlight_pattern([]) is None
    assert highlight_pattern(["", " "]) is None
    assert find_spans("anything", None) == []
    pattern = highlight_pattern(["decoding", "speculative decoding"])
    assert find_spans("Speculative Decoding and decoding", pattern) == [(0, 20), (25, 33)]
    # Terms are text, not regular expressions.
    literal = highlight_pattern(["a.b", "(x"])
    assert find_spans("axb a.b (x", literal) == [(4, 7), (8, 10)]


def test_merge_keeps_latest_listing_of_a_paper() -> None:
    older = Paper(id="2501.00001", title="t", daily_date=date(2025, 1, 6), upvotes=1)
    newer = Paper(id="2501.00001", title="t", daily_date=date(2025, 1, 12), upvotes=9)
    assert merge_papers([older, newer, B]) == [newer, B]
    assert merge_papers([newer, older]) == [newer]
