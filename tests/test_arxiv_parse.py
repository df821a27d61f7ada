"""arXiv feeds and API responses, both layouts, errors and hostile bodies; the taxonomy and
the announcement calendar."""

from __future__ import annotations

import collections
from datetime import date, datetime, timezone

import pytest

from papertrack import dates
from papertrack.errors import ParseError, UsageError
from papertrack.join import join_sources
from papertrack.models import Paper, parse_paper_ref
from papertrack.parsers import arxiv as parse
from papertrack.query import Filters, filter_papers, query_words, sort_matches
from papertrack.sources import arxiv
from papertrack.sources.http import Response
from papertrack.taxonomy import categories, normalize_category, parse_categories
from tests.hubserver import ARXIV_FIXTURES


def fixture(name: str) -> bytes:
    return (ARXIV_FIXTURES / name).read_bytes()


def test_rss_feed_every_announce_type() -> None:
    feed = parse.parse_feed(fixture("rss_quant-ph_2025-04-28.xml"))
    assert feed.title == "quant-ph updates on arXiv.org"
    assert feed.announced == date(2025, 4, 28) and feed.error is None and feed.skipped == 0
    kinds = collections.Counter(p.announce_type for p in feed.papers)
    assert kinds == {"new": 40, "cross": 10, "replace": 22, "replace-cross": 9}
    first = feed.papers[0]
    assert (first.id, first.version, first.categories) == ("2504.17830", 1, ("quant-ph",))
    assert first.title == "Self-Adjoint Time Operator in a Weighted Energy Space"
    assert first.abstract.startswith("We introduce a self-adjoint time operator \\(T_w")
    assert "Announce Type" not in first.abstract and "arXiv:" not in first.abstract[:10]
    assert first.authors == ("Radmir Kokoulin",)
    assert first.sources == ("arxiv",) and first.announced == date(2025, 4, 28)
    assert all(p.announced == date(2025, 4, 28) for p in feed.papers)


def test_rss_authors_with_affiliations_containing_commas() -> None:
    feed = parse.parse_feed(fixture("rss_quant-ph_2025-04-28.xml"))
    paper = next(p for p in feed.papers if any("Nirmal" in a for a in p.authors))
    assert paper.authors == (
        "M. R. Nirmal", "Ankit Khandelwal", "Manoj Nambiar", "Sharma S. R. K. C. Yamijala",
    )  # fmt: skip
    assert parse.split_authors("A (X, Y), B, and C (Z (nested), W)") == ("A", "B", "C")
    assert parse.split_authors("") == ()


def test_rss_optional_doi_and_journal_reference() -> None:
    papers = parse.parse_feed(fixture("rss_quant-ph_2025-04-28.xml")).papers
    assert any(p.doi for p in papers) and any(p.journal_ref for p in papers)


def test_atom_feed() -> None:
    feed = parse.parse_feed(fixture("rss_cs.AI_2025-08-20_atom.xml"))
    assert feed.announced == date(2025, 8, 20) and len(feed.papers) == 86
    kinds = collections.Counter(p.announce_type for p in feed.papers)
    assert kinds == {"new": 41, "cross": 45}
    first = feed.papers[0]
    assert first.id == "2508.13167" and first.categories == ("cs.AI", "cs.CL")
    assert first.authors[:2] == ("Weizhen Li", "Jianbo Lin")
    assert first.abstract.startswith("Recent advances in large language models")


def test_error_feed_is_recognised() -> None:
    body = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0"><channel><title>Feed error for query: https://rss.arxiv.org/rss/cs.XY</title>
<description>Bad subject class 'XY'.</description></channel></rss>"""
    feed = parse.parse_feed(body)
    assert feed.papers == [] and feed.error == "Bad subject class 'XY'."


def test_api_current_layout() -> None:
    page = parse.parse_api(fixture("api_search_all-testing_2026-04-12.xml"))
    assert (page.total, page.start, len(page.papers), page.error) == (214881, 0, 10, None)
    first = page.papers[0]
    assert (first.id, first.version) == ("2202.12139", 1)
    assert first.primary_category == "cs.SE" and first.categories == ("cs.SE", "cs.LG")
    assert first.published == datetime(2022, 2, 24, 15, 5, 19, tzinfo=timezone.utc)
    assert (
        first.arxiv_comment
        == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    )
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.journal_ref is not None and first.journal_ref.startswith("Artificial Intelligence")
    assert first.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")


def test_api_legacy_layout() -> None:
    page = parse.parse_api(fixture("api_search_au-del_maestro_2016-10-09_legacy.xml"))
    assert (page.total, len(page.papers)) == (31, 10)
    first = page.papers[0]
    assert (
        first.id == "1201.4869"
        and first.title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
    )
    assert first.abstract.startswith("As helium-4 is cooled below 2.17 K it undergoes")
    assert "\n" not in first.abstract and "  " not in first.abstract
    assert first.primary_category == "cond-mat.mes-hall"
    assert first.arxiv_comment == "26 pages, 10 figures"
    assert first.authors == ("Adrian Del Maestro",)


def test_api_old_style_id_lookup() -> None:
    page = parse.parse_api(fixture("api_idlist_astro-ph-0601001_2026-05-11.xml"))
    assert [p.id for p in page.papers] == ["astro-ph/0601001"]
    assert page.papers[0].primary_category == "astro-ph"


def test_api_error_and_empty() -> None:
    error = parse.parse_api(fixture("api_error_400_bad-id_2026-04-12.xml"))
    assert error.papers == [] and error.error == "incorrect id format for abc"
    empty = parse.parse_api(fixture("api_empty_idlist-0000.0000_2026-04-12.xml"))
    assert (empty.total, empty.papers, empty.error) == (0, [], None)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "empty response body"),
        (b"Rate exceeded.", "expected XML, got text: 'Rate exceeded.'"),
        (b"<feed><entry>", "malformed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            b'"&lol;&lol;&lol;">]><feed>&lol2;</feed>',
            "refusing XML with a DOCTYPE",
        ),
        (b"<html><body>Oops</body></html>", "expected an Atom or RSS feed, got an HTML page"),
        (b"<rss><channel/></rss>", "expected an Atom feed from the arXiv API"),
    ],
)
def test_hostile_or_wrong_bodies(body: bytes, says: str) -> None:
    with pytest.raises(ParseError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse.parse_api(body)


def test_rate_exceeded_with_http_200_is_a_retryable_failure() -> None:
    def response(body: bytes, status: int = 200) -> Response:
        return Response("u", status, {}, body)

    assert arxiv.check_body(response(b"Rate exceeded.")) is not None
    assert arxiv.check_body(response(b"")) is not None
    assert arxiv.check_body(response(b"", 304)) is None
    assert arxiv.check_body(response(fixture("api_empty_idlist-0000.0000_2026-04-12.xml"))) is None


def test_backfill_query_uses_a_gmt_submitted_window() -> None:
    start, end = dates.announcement_window(date(2025, 8, 20))
    query = arxiv.submitted_window_query(["cs.AI", "cs"], start, end)
    assert query == "(cat:cs.AI OR cat:cs.*) AND submittedDate:[202508181800 TO 202508191800]"


# -- taxonomy ---------------------------------------------------------------------------


def test_taxonomy() -> None:
    assert len(categories()) == 155
    assert normalize_category("cs.cl") == "cs.CL"
    assert normalize_category(" CS.LG ") == "cs.LG"
    assert normalize_category("cs") == "cs"  # a whole archive
    assert normalize_category("quant-ph") == "quant-ph"
    assert normalize_category("math.it") == "math.IT"  # an alias is still valid
    assert parse_categories(["cs.CL,cs.lg", "cs.CL+stat.ML", " "]) == ("cs.CL", "cs.LG", "stat.ML")


def test_unknown_category_suggests_close_ones() -> None:
    with pytest.raises(UsageError) as caught:
        normalize_category("cs.XY")
    message = caught.value.message
    assert message.startswith("unknown arXiv category 'cs.XY'; did you mean ")
    assert "cs.SY" in message and "https://arxiv.org/category_taxonomy" in message
    with pytest.raises(UsageError, match="unknown arXiv category 'biology'"):
        normalize_category("biology")


# -- calendar ---------------------------------------------------------------------------


def test_eastern_time_follows_daylight_saving() -> None:
    assert dates.eastern_date(datetime(2026, 11, 28, 4, 30, tzinfo=timezone.utc)) == date(
        2026, 11, 27
    )
    assert dates.eastern_date(datetime(2026, 7, 1, 3, 59, tzinfo=timezone.utc)) == date(2026, 6, 30)
    assert dates.eastern_date(datetime(2026, 7, 1, 4, 0, tzinfo=timezone.utc)) == date(2026, 7, 1)
    march = datetime(2026, 3, 8, 6, 59, tzinfo=timezone.utc)
    assert dates.eastern_offset(march).total_seconds() == -5 * 3600
    assert dates.eastern_offset(march.replace(hour=7)).total_seconds() == -4 * 3600


def test_announcement_days() -> None:
    assert dates.latest_announcement_day(date(2026, 11, 28)) == date(2026, 11, 27)  # Sat → Fri
    assert dates.latest_announcement_day(date(2026, 11, 29)) == date(2026, 11, 27)  # Sun → Fri
    assert dates.latest_announcement_day(date(2026, 11, 26)) == date(2026, 11, 25)  # holiday
    assert dates.is_announcement_day(date(2026, 11, 30))
    monday, friday = dates.announcement_window(date(2026, 11, 30))
    assert (monday, friday) == (
        datetime(2026, 11, 26, 19, 0, tzinfo=timezone.utc),  # Thu 14:00 EST
        datetime(2026, 11, 27, 19, 0, tzinfo=timezone.utc),  # Fri 14:00 EST
    )


# -- join, filters, ids -----------------------------------------------------------------


def test_join_keeps_both_sides() -> None:
    hf_side = Paper(id="2508.00001", title="T", upvotes=12, github_repo="https://github.com/a/b")
    hf_only = Paper(id="2508.00002", title="U", upvotes=3)
    announced = Paper(
        id="2508.00001", title="T", categories=("cs.CL",), announce_type="cross",
        announced=date(2025, 8, 20), version=2, sources=("arxiv",),
    )  # fmt: skip
    arxiv_only = Paper(id="2508.00003", title="V", announce_type="new", sources=("arxiv",))
    joined = join_sources([hf_side, hf_only], [announced, arxiv_only])
    assert [p.id for p in joined] == ["2508.00001", "2508.00002", "2508.00003"]
    both = joined[0]
    assert both.sources == ("hf", "arxiv") and both.upvotes == 12 and both.has_code
    assert both.categories == ("cs.CL",) and both.announce_type == "cross" and both.version == 2
    assert joined[1].sources == ("hf",) and joined[2].sources == ("arxiv",)
    # --min-upvotes reads the HF count on a joined row; an arXiv-only row has none.
    kept = filter_papers(joined, Filters(min_upvotes=5))
    assert [m.paper.id for m in kept] == ["2508.00001"]


def test_replacements_hidden_unless_asked_and_types_ordered() -> None:
    papers = [
        Paper(id=f"2504.0000{n}", title=kind, announce_type=kind, sources=("arxiv",))
        for n, kind in enumerate(["replace-cross", "cross", "replace", "new"])
    ]
    shown = filter_papers(papers, Filters())
    assert {m.paper.announce_type for m in shown} == {"new", "cross"}
    every = sort_matches(filter_papers(papers, Filters(replacements=True)), "date")
    assert [m.paper.announce_type for m in every] == ["new", "cross", "replace", "replace-cross"]


def test_query_words_for_highlighting() -> None:
    assert query_words('ti:"speculative decoding" AND (au:hinton OR abs:llm) ANDNOT cat:cs.CV') == (
        "speculative decoding", "hinton", "llm",
    )  # fmt: skip
    assert query_words("submittedDate:[202401010000 TO 202402010000] AND agents") == ("agents",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2408.12345", ("2408.12345", None)),
        ("2408.12345v2", ("2408.12345", 2)),
        ("arXiv:2408.12345", ("2408.12345", None)),
        ("https://arxiv.org/abs/2408.12345v3", ("2408.12345", 3)),
        ("https://arxiv.org/pdf/2408.12345.pdf", ("2408.12345", None)),
        ("https://huggingface.co/papers/2408.12345", ("2408.12345", None)),
        ("https://arxiv.org/abs/hep-th/9901001v2", ("hep-th/9901001", 2)),
        ("https://evil.example/2408.12345", None),
        ("2408.12345/../../etc", None),
        ("", None),
    ],
)
def test_paper_references(text: str, expected: tuple[str, int | None] | None) -> None:
    assert parse_paper_ref(text) == expected
