"""Fuzzing every parser with hypothesis: only the documented errors, never an unexpected
exception. The normal suite tries a few hundred inputs per parser; the dedicated run

    python -m pytest -m fuzz --hypothesis-profile=fuzz

tries 10,000 per parser (see tests/conftest.py for the profiles)."""

from __future__ import annotations

import contextlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertrack import config, dates
from papertrack.errors import FetchError, ParseError, UsageError
from papertrack.models import parse_paper_ref
from papertrack.parsers import arxiv
from papertrack.parsers import hf as parse_hf
from papertrack.querylang import QuerySyntaxError, parse_query
from papertrack.sources import hf
from papertrack.sources.http import Response
from papertrack.taxonomy import parse_categories
from tests.conftest import write_report
from tests.hubserver import ARXIV_FIXTURES, HF_FIXTURES

pytestmark = pytest.mark.fuzz
TRIED: Counter[str] = Counter()
"""Inputs tried per parser in this run (printed by conftest's terminal summary)."""


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    write_report("fuzz", dict(TRIED))


TODAY = date(2026, 11, 28)

PAPER_KEYS = [
    *("id", "title", "summary", "authors", "upvotes", "githubRepo", "githubStars"),
    *("ai_keywords", "ai_summary", "publishedAt", "submittedOnDailyAt", "mediaUrls"),
]
ATOM = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=30)
    | st.lists(st.text(max_size=10) | st.integers(), max_size=3)
    | st.dictionaries(st.sampled_from(["name", "user", "id"]), st.text(max_size=10), max_size=2)
)  # fmt: skip
REAL_ITEMS = [
    item for p in sorted(HF_FIXTURES.glob("*.json")) for item in json.loads(p.read_bytes())
][:40]


@st.composite
def items(draw: st.DrawFn) -> Any:
    """A recorded item with some fields replaced by junk, or something else entirely."""
    if draw(st.integers(0, 9)) == 0:
        return draw(ATOM)
    item = json.loads(json.dumps(draw(st.sampled_from(REAL_ITEMS))))
    paper = item["paper"]
    for key in draw(st.lists(st.sampled_from(PAPER_KEYS), max_size=4)):
        paper[key] = draw(ATOM)
    if draw(st.booleans()):
        item[draw(st.sampled_from(["title", "numComments", "mediaUrl", "submittedBy"]))] = draw(
            ATOM
        )
    if draw(st.integers(0, 9)) == 0:
        item["paper"] = draw(ATOM)
    return item


def _head_of(document: bytes, size: int = 12_000) -> bytes:
    """The start of a recorded document, closed again, so mutations stay cheap to parse."""
    if len(document) <= size:
        return document
    cut = document[:size]
    end = cut.rfind(b"</entry>") if b"<entry>" in cut else cut.rfind(b"</item>")
    closing = b"</feed>" if b"<feed" in cut[:600] else b"</channel></rss>"
    return cut[: end + len(b"</entry>" if b"<entry>" in cut else b"</item>")] + closing


XML_FIXTURES = [_head_of(p.read_bytes()) for p in sorted(ARXIV_FIXTURES.glob("*.xml"))]
HF_BODIES = [p.read_bytes()[:6000] for p in sorted(HF_FIXTURES.glob("*.json"))]


def mutate(data: bytes, seed: int, edits: int) -> bytes:
    """Cut, splice, duplicate and flip bytes of a real document."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(edits):
        if not out:
            break
        at = rng.randrange(len(out))
        action = rng.randrange(4)
        if action == 0:
            del out[at : at + rng.randrange(1, 200)]
        elif action == 1:
            out[at:at] = out[rng.randrange(len(out)) :][: rng.randrange(1, 200)]
        elif action == 2:
            out[at] = rng.randrange(256)
        else:
            out[at:at] = rng.choice(
                [b"<", b">", b"&", b"]]>", b"<!DOCTYPE x>", b"\x00", b'"', b"&#0;"]
            )
    return bytes(out)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(items(), max_size=4))
def test_hf_items(items: list[Any]) -> None:
    TRIED["HF daily_papers items"] += 1
    papers, skipped = parse_hf.parse_daily_papers(items, day=TODAY)
    assert len(papers) + skipped == len(items)
    for paper in papers:
        assert "\n" not in paper.title and paper.id
        json.dumps(paper.to_dict())
    parse_hf.parse_search(items)


@given(st.binary(max_size=400) | st.sampled_from(HF_BODIES).flatmap(
    lambda body: st.integers(0, 2**32).map(lambda seed: mutate(body, seed, 3))))  # fmt: skip
def test_hf_bodies(body: bytes) -> None:
    TRIED["HF response bodies"] += 1
    with contextlib.suppress(FetchError):
        hf.decode_items(Response("http://hub/api/daily_papers", 200, {}, body))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(XML_FIXTURES), st.integers(0, 2**32), st.integers(1, 8))
def test_arxiv_xml_mutated(document: bytes, seed: int, edits: int) -> None:
    TRIED["arXiv RSS/Atom/API XML"] += 1
    body = mutate(document, seed, edits)
    for parse in (arxiv.parse_feed, arxiv.parse_api):
        with contextlib.suppress(ParseError):
            parse(body)


@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: f"<feed>{t}</feed>".encode()))
def test_arxiv_xml_arbitrary(body: bytes) -> None:
    TRIED["arXiv XML, arbitrary"] += 1
    for parse in (arxiv.parse_feed, arxiv.parse_api):
        with contextlib.suppress(ParseError):
            parse(body)


TOML_LINES = st.sampled_from([
    'sources = "all"', "categories = [\"cs.CL\"]", "[mail]", "port = 587", 'security = "tls"',
    "[watch.a]", 'query = "title:(a"', "terms = [1, 2]", "min_upvotes = -1", 'format = "x"',
    '[cache]', 'ttl_current = "1h"', "password = \"x\"", "= broken", "[watch]", "x = 1",
])  # fmt: skip


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=st.lists(TOML_LINES | st.text(max_size=40), max_size=8))
def test_config_toml(lines: list[str], tmp_path: Path) -> None:
    TRIED["config TOML"] += 1
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        loaded = config.load(path)
    except UsageError:
        return
    for name in ("sources", "categories", "mail.port", "digest.max"):
        loaded.get(name)
    for watch in loaded.watches.values():
        watch.to_table()


@given(st.text(max_size=120))
def test_filter_language(text: str) -> None:
    TRIED["filter language"] += 1
    with contextlib.suppress(QuerySyntaxError):
        parse_query(text)


@given(st.text(max_size=30) | st.from_regex(r"\d{4}-W?\d{1,2}(-\d{2})?|\d{1,4}d|today|yesterday"))
def test_dates_and_ranges(text: str) -> None:
    TRIED["dates, weeks, months, --since"] += 1
    for parse in (
        lambda: dates.parse_day(text, option="--date", today=TODAY),
        lambda: dates.parse_week(text, today=TODAY),
        lambda: dates.parse_month(text, today=TODAY),
        lambda: dates.parse_since(text, today=TODAY),
        lambda: dates.resolve_period(
            day=None, week=None, month=None, since=text, until=text, today=TODAY
        ),
        lambda: config.parse_duration(text),
    ):
        with contextlib.suppress(UsageError, ValueError):
            parse()


@given(
    st.text(max_size=60)
    | st.from_regex(
        r"(https?://)?(arxiv\.org/abs/|huggingface\.co/papers/)?(arXiv:)?\d{4}\.\d{4,6}(v\d+)?"
    )
)
def test_ids_and_categories(text: str) -> None:
    TRIED["ids, URLs, categories"] += 1
    parsed = parse_paper_ref(text)
    if parsed is not None:
        assert "/" not in parsed[0] or parsed[0].count("/") == 1
        assert ".." not in parsed[0]
    with contextlib.suppress(UsageError):
        parse_categories([text])


def test_fixture_heads_are_still_valid_documents() -> None:
    for document in XML_FIXTURES:
        try:
            arxiv.parse_feed(document)
        except ParseError:
            arxiv.parse_api(document)


def test_unknown_xml_encoding_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="unreadable XML"):
        arxiv.parse_api(b"<?xml version='1.0' encoding='x-unknown'?><feed/>")


def test_huge_durations_are_value_errors() -> None:
    with pytest.raises(ValueError, match="longer than any duration"):
        config.parse_duration("1000000000d")
