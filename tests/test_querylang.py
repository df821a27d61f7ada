"""The filter language: what it matches, how it fails, and that nothing crashes it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrack.matching import find_spans, highlight_pattern
from papertrack.models import Paper
from papertrack.query import Filters, filter_papers
from papertrack.querylang import QuerySyntaxError, highlight_sources, parse_query

PAPER = Paper(
    id="2501.00001",
    title="Speculative Decoding for Large Language Models",
    abstract="We accelerate inference with a draft model and diffusion.",
    authors=("Jürgen Müller", "Ann Lee"),
    categories=("cs.CL", "cs.LG"),
    announce_type="cross",
    upvotes=12,
    github_repo="https://github.com/a/b",
    github_stars=50,
    ai_summary="Faster decoding.",
    daily_date=date(2025, 1, 6),
    sources=("hf", "arxiv"),
)


def matches(query: str, paper: Paper = PAPER) -> tuple[bool, list[str]]:
    hits: list[str] = []
    return parse_query(query).matches(paper, hits), hits


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("decoding", True),
        ("DECODING", True),
        ('"large language models"', True),
        ('"language large"', False),
        ("decoding AND vision", False),
        ("decoding vision", False),  # adjacent words are ANDed
        ("decoding OR vision", True),
        ("NOT vision", True),
        ("NOT decoding", False),
        ("(vision OR speech) AND decoding", False),
        ("(vision OR speculative) AND decoding", True),
        ("title:diffusion", False),
        ("abstract:diffusion", True),
        ("title:(speculative OR vision)", True),
        ('title:"language models"', True),
        ("author:muller", True),
        ("author:Müller", True),
        ("author:smith", False),
        ("cat:cs.CL", True),
        ("cat:cs", True),
        ("cat:cs.C", False),
        ("cat:math", False),
        ("type:cross", True),
        ("type:new", False),
        ("source:hf", True),
        ("upvotes:>=12", True),
        ("upvotes:>12", False),
        ("upvotes:<=12", True),
        ("upvotes:12", True),
        ("stars:>=40", True),
        ("stars:<10", False),
        ("has:code", True),
        ("has:summary", True),
        ("has:project", False),
        ("/Decod(ing|er)/", True),
        ("title:/decoding/", False),  # regexes are case-sensitive without i
        ("title:/decoding/i", True),
        ("title:/^Spec/", True),
        ("and", True),  # lower case is a word, found in the abstract ("… model and …")
        ("title:and", False),
    ],
)
def test_semantics(query: str, expected: bool) -> None:
    assert matches(query)[0] is expected


def test_matched_terms_exclude_negated_and_failed_branches() -> None:
    ok, hits = matches("(decoding OR vision) AND NOT speech AND upvotes:>=1")
    assert ok and hits == ["decoding"]
    ok, hits = matches("decoding AND vision")
    assert not ok and hits == []
    ok, hits = matches('"language models" OR /Decod\\w+/')
    assert ok and hits == ["language models", "/Decod\\w+/"]


def test_highlighting_follows_the_positive_text_atoms() -> None:
    node = parse_query('title:"language models" OR /Decod\\w+/ AND NOT vision AND author:lee')
    pattern = highlight_pattern([], highlight_sources(node))
    spans = find_spans(PAPER.title, pattern)
    assert [PAPER.title[a:b] for a, b in spans] == ["Decoding", "Language Models"]


def test_filters_combine_query_and_terms() -> None:
    kept = filter_papers([PAPER], Filters(terms=("draft",), query=parse_query("has:code")))
    assert kept and kept[0].terms == ("draft",)
    assert filter_papers([PAPER], Filters(query=parse_query("NOT has:code"))) == []


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ("", "empty query", 1),
        ("(decoding", "expected ')' to close the '('", 1),
        ("decoding)", "unexpected ')'", 9),
        ("title:", "title: needs a value", 1),
        ("upvotes:>=many", "upvotes: needs a number", 1),
        ('"open phrase', "unclosed quote", 1),
        ("a /unclosed", "unclosed /regex/", 3),
        ("has:cake", "has: takes code, summary, project", 1),
        ("decoding AND", "expected a word, phrase, /regex/ or '(' after this", 13),
        ("OR decoding", "OR needs something before it", 1),
        ("x /(/", "invalid regex", 3),
        ("/a/q", "unknown regex flag 'q'", 4),
        ("title:(a OR author:b)", "author: inside title:(…) is not supported", 13),
    ],
)
def test_syntax_errors_name_the_column(query: str, message: str, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert caught.value.message.startswith(message)
    assert caught.value.column == column
    pointer = caught.value.pointer().splitlines()
    assert pointer[1].index("^") == column + 1  # two spaces of indent


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        node = parse_query(text)
    except QuerySyntaxError:
        return
    node.matches(PAPER, [])
    highlight_pattern([], highlight_sources(node))


WORDS = st.sampled_from(["decoding", "vision", "LLM", "diffusion", "agents", "a.b", "x*"])
ATOMS = st.one_of(
    WORDS,
    WORDS.map(lambda w: f'"{w} models"'),
    WORDS.map(lambda w: f"/{w.replace('*', '')}/i"),
    st.sampled_from(["title:", "abstract:", "author:", "cat:", "type:"]).flatmap(
        lambda f: WORDS.map(lambda w: f + w)
    ),
    st.sampled_from(["upvotes:>=3", "stars:<10", "has:code", "cat:cs", "type:new"]),
)


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        ATOMS,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from([" AND ", " OR ", " "]), inner).map("".join),
            inner.map(lambda e: f"NOT {e}"),
            inner.map(lambda e: f"({e})"),
        ),
        max_leaves=12,
    )


@settings(max_examples=300, deadline=None)
@given(_expressions())
def test_generated_expressions_always_parse_and_evaluate(expression: str) -> None:
    node = parse_query(expression)
    assert isinstance(node.matches(PAPER, []), bool)


def test_library_fields_read_the_marks() -> None:
    from papertrack.models import Mark
    from papertrack.querylang import library_fields

    other = Paper(id="2501.00002", title="Another")
    marks = {PAPER.id: Mark(read=True, tags=("rl", "to-read"))}
    cases = {
        "saved:yes": (True, False),
        "saved:no": (False, True),
        "read:yes": (True, False),
        "read:no": (False, True),
        "tag:rl": (True, False),
        "tag:RL": (False, False),  # tags are exact, like --tag
        "decoding AND tag:to-read": (True, False),
        "NOT saved:yes": (False, True),
    }
    for query, (first, second) in cases.items():
        node = parse_query(query)
        assert node.matches(PAPER, [], marks) is first, query
        assert node.matches(other, [], marks) is second, query
        assert library_fields(node), query
    # Without marks (no library), nothing is saved.
    assert not parse_query("saved:yes").matches(PAPER, [])
    assert not library_fields(parse_query("decoding OR has:code"))
    found = filter_papers([PAPER, other], Filters(query=parse_query("saved:no")), marks)
    assert [m.paper.id for m in found] == [other.id] and found[0].mark is None
    for bad, message in [
        ("saved:maybe", "saved: takes yes or no"),
        ("read:", "read: takes yes or no"),
        ("tag:", "tag: needs a tag name"),
        ("tag:a*b", "tag: needs a tag name"),
    ]:
        with pytest.raises(QuerySyntaxError, match=message):
            parse_query(bad)
