"""papertrack trends: counting per bucket as filters match, rising terms, top names, the
coverage note, every output face and the bad-input lines; all from the local cache."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertrack.matching import lowered_text, needle, searchable_text, term_pattern
from papertrack.models import Paper
from papertrack.parsers.hf import parse_daily_papers
from papertrack.trends import (
    BARS,
    bucket_label,
    bucket_start,
    buckets,
    count,
    phrases,
    rising,
    sparkline,
    top,
)
from tests.conftest import pinned_today, run_cli
from tests.hubserver import FIXTURE_DAYS, HubServer, hf_fixture

pytestmark = pytest.mark.usefixtures("clock")

DAYS = 21
FIXTURE_PAPERS = [
    paper
    for day in FIXTURE_DAYS
    for paper in parse_daily_papers(json.loads(hf_fixture(day).read_bytes()))[0]
]


# -- pure -----------------------------------------------------------------------------


def test_buckets_start_on_mondays_and_firsts_and_carry_iso_labels() -> None:
    weeks = buckets(date(2025, 12, 24), date(2026, 1, 6), "week")
    assert weeks == [date(2025, 12, 22), date(2025, 12, 29), date(2026, 1, 5)]
    assert [bucket_label(w, "week") for w in weeks] == ["2025-W52", "2026-W01", "2026-W02"]
    months = buckets(date(2025, 11, 30), date(2026, 2, 1), "month")
    assert [bucket_label(m, "month") for m in months] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert buckets(date(2026, 2, 27), date(2026, 3, 1), "day")[-1] == date(2026, 3, 1)
    assert bucket_start(date(2026, 12, 6), "week") == date(2026, 11, 30)  # a Sunday


def test_a_sparkline_scales_to_its_peak_and_never_hides_a_paper() -> None:
    assert sparkline([0, 0, 0]) == BARS[0] * 3
    assert sparkline([0, 1, 100]) == BARS[0] + BARS[1] + BARS[-1]
    assert sparkline([5, 10]) == BARS[4] + BARS[-1]
    assert sparkline([]) == ""


@given(
    st.lists(st.integers(0, len(FIXTURE_PAPERS) - 1), min_size=1, max_size=40),
    st.sampled_from(["agent", "Diffusion", "language model", "RL", "é", "  vision\tlanguage "]),
)
def test_a_term_counts_the_papers_a_filter_keeps(picked: list[int], term: str) -> None:
    papers = [FIXTURE_PAPERS[i] for i in picked]
    day = date(2026, 11, 30)
    rows = [(day.isoformat(), lowered_text(p)) for p in papers]
    (trend,) = count(rows, [term], day, day, "day")
    pattern = term_pattern(term)
    assert trend.total == sum(1 for p in papers if pattern.search(searchable_text(p)))


@given(
    st.text(alphabet="ab cdÉé\nΣσς-Kk", max_size=30),
    st.text(alphabet="ab cdÉé\nΣσς-Kk", max_size=30),
    st.text(alphabet="ab cÉé Σσς", min_size=1, max_size=6),
)
def test_lowered_text_finds_what_the_term_pattern_finds(
    title: str, abstract: str, term: str
) -> None:
    from papertrack.text import clean_line

    paper = Paper(id="2601.00001", title=clean_line(title) or "x", abstract=clean_line(abstract))
    if not term.strip():
        return
    found = bool(term_pattern(term).search(searchable_text(paper)))
    assert (needle(term) in lowered_text(paper)) is found


def test_a_phrase_does_not_span_two_fields() -> None:
    paper = Paper(id="2601.00001", title="Fast speculative", abstract="decoding for all")
    assert "speculative decoding" not in lowered_text(paper)
    assert "speculative decoding" not in phrases(lowered_text(paper))
    assert "fast speculative" in phrases(lowered_text(paper))


def test_rising_ranks_by_a_score_that_does_not_reward_tiny_counts() -> None:
    before = ["graph"] * 100
    now = (
        ["diffusion policy"] * 30  # 30 of 100 now, 5 before: a real rise
        + ["quokka"] * 6  # 6 against 0: a big ratio, a small sample
        + ["graph"] * 64
    )
    before = ["diffusion policy"] * 5 + before[5:]
    rises = rising(now, before, limit=10)
    terms = [r.term for r in rises]
    assert terms[0] == "diffusion policy"
    assert "quokka" in terms and terms.index("quokka") > 0
    # "diffusion" and "policy" rose only inside the phrase: shown once, as the phrase.
    assert "diffusion" not in terms and "policy" not in terms
    assert "graph" not in terms  # its share fell
    assert rising(["rare"] * 2, ["x"] * 2, limit=5) == []  # fewer than 5 papers now
    assert top(["b", "a", "b", "", "c", "a", "b"], limit=2) == [("b", 3), ("a", 2)]


# -- the command ----------------------------------------------------------------------


def fill(hub: HubServer, days: int = DAYS, fixtures: list[str] = FIXTURE_DAYS) -> list[date]:
    """Serve the last *days* days (20 papers each, from recorded days, newest from the
    first of *fixtures*) and cache them."""
    served = []
    for n in range(days):
        day = pinned_today() - timedelta(days=n)
        hub.generate(day, fixtures[n % len(fixtures)], 20)
        served.append(day)
    result = run_cli("list", "--since", f"{days}d", "--source", "hf", "-f", "json")
    assert result.returncode == 0, result.stderr
    hub.requests.clear()
    return served


def test_trends_counts_by_day_what_list_filters_and_asks_nothing(
    hub: HubServer, isolated_env: Path
) -> None:
    fill(hub)
    today = pinned_today()
    result = run_cli(
        "trends", "agent", "language model", "--since", f"{DAYS}d", "--by", "day",
        "--source", "hf", "-f", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert hub.requests == []  # the cache and the index only
    report = json.loads(result.stdout)
    first = today - timedelta(days=DAYS - 1)
    assert report["buckets"][0] == first.isoformat() and report["buckets"][-1] == str(today)
    for term in ("agent", "language model"):
        listed = run_cli("list", "--since", f"{DAYS}d", "--source", "hf", term, "-f", "jsonl")
        by_day = Counter(json.loads(line)["date"] for line in listed.stdout.splitlines())
        (row,) = [t for t in report["terms"] if t["term"] == term]
        assert row["total"] == sum(by_day.values()) > 0
        assert dict(zip(report["buckets"], row["counts"], strict=True)) == {
            d: by_day.get(d, 0) for d in report["buckets"]
        }
        peak = max(row["counts"])
        last_peak = max(i for i, n in enumerate(row["counts"]) if n == peak)
        assert row["peak"] == report["buckets"][last_peak]
    assert f"Hugging Face: all {DAYS} days cached" in result.stderr
    # Further back than the listings asked: the days without a cached file are named.
    wide = 70
    wider = run_cli("trends", "agent", "--since", f"{wide}d", "--source", "hf")
    cached = {p.name.removesuffix(".json") for p in (isolated_env / "hf" / "date").glob("*.json")}
    window = [today - timedelta(days=n) for n in range(wide - 1, -1, -1)]
    missing = [d for d in window if d.isoformat() not in cached]
    assert 5 < len(missing) < wide - DAYS + 1
    named = ", ".join(d.isoformat() for d in missing[:5])
    assert (
        f"Hugging Face: {wide - len(missing)} of {wide} days cached "
        f"(missing {named} and {len(missing) - 5} more)"
    ) in wider.stderr
    assert f"Fill the gaps: papertrack sync hf --since {missing[0]}" in wider.stderr


def test_piped_lines_csv_and_a_table(hub: HubServer) -> None:
    fill(hub, 14)
    lines = run_cli("trends", "agent", "--since", "13d", "--source", "hf")
    assert lines.returncode == 0, lines.stderr
    rows = [line.split("\t") for line in lines.stdout.splitlines()]
    assert rows and all(len(r) == 3 and r[0] == "agent" and r[2].isdigit() for r in rows)
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)  # weeks, oldest first
    table = run_cli("trends", "agent", "[bold]x[/]", "--since", "13d", "--source", "hf", tty=True)
    assert table.returncode == 0
    assert "[bold]x[/]" in table.stdout  # a term is text, never markup
    assert any(bar in table.stdout for bar in BARS[1:])
    csv = run_cli("trends", "agent", "--since", "13d", "--source", "hf", "-f", "csv")
    assert csv.stdout.splitlines()[0] == "term,bucket,count"
    assert len(csv.stdout.splitlines()) == len(rows) + 1
    queried = run_cli(
        "trends", "-q", "agent AND NOT survey", "--since", "13d", "--source", "hf", "-f", "json"
    )
    plain = run_cli("trends", "agent", "--since", "13d", "--source", "hf", "-f", "json")
    only = json.loads(queried.stdout)["terms"][0]
    assert only["term"] == "agent AND NOT survey"
    assert 0 < only["total"] <= json.loads(plain.stdout)["terms"][0]["total"]


def test_rising_and_top_read_the_window_and_the_one_before(hub: HubServer) -> None:
    # The last ten days from five recorded days, the ten before from the other five.
    fill(hub, 20, [*FIXTURE_DAYS[:5]] * 2 + [*FIXTURE_DAYS[5:]] * 2)
    rising_ = run_cli("trends", "--rising", "--since", "10d", "--source", "hf", "-f", "json")
    assert rising_.returncode == 0, rising_.stderr
    report = json.loads(rising_.stdout)
    assert report["before"]["until"] == str(pinned_today() - timedelta(days=10))
    assert report["papers"] > 0 and report["papers_before"] > 0
    scores = [t["score"] for t in report["terms"]]
    assert scores == sorted(scores, reverse=True) and all(t["papers"] >= 5 for t in report["terms"])
    authors = run_cli("trends", "--top", "authors", "--since", "20d", "-n", "3", "--source", "hf")
    assert authors.returncode == 0, authors.stderr
    counts = [int(line.split("\t")[1]) for line in authors.stdout.splitlines()]
    assert len(counts) == 3 and counts == sorted(counts, reverse=True)
    repos = run_cli("trends", "--top", "repos", "--since", "20d", "--source", "hf", "-f", "csv")
    assert repos.stdout.startswith("repo,papers\n") and "github.com" in repos.stdout
    assert hub.requests == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["trends"], "trends needs a term"),
        (["trends", "agent", "--by", "year"], "--by 'year' is not one of day, week, month"),
        (["trends", "agent", "--source", "web"], "--source 'web' is not one of"),
        (["trends", "agent", "-f", "md"], "--format md does not draw trends"),
        (["trends", "agent", "--since", "2026-11-01", "--until", "2026-10-01"], "is before"),
        (["trends", "agent", "--since", "someday"], "--since"),
        (["trends", "--rising", "agent"], "take no TERMS"),
        (["trends", "--top", "venues"], "--top 'venues' is not one of authors, orgs, repos"),
        (["trends", "--rising", "--top", "orgs"], "choose one"),
        (["trends", "--rising", "-n", "0"], "--limit must be at least 1"),
        (["trends", "-q", "agent AND ("], "invalid --query"),
        (["trends", "agent", "--bogus"], "No such option: --bogus"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], says: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr


def test_an_empty_window_and_a_term_that_matches_nothing_say_so(hub: HubServer) -> None:
    empty = run_cli("trends", "agent", "--since", "30d", "--source", "hf")
    assert empty.returncode == 1
    assert "no cached Hugging Face papers from" in empty.stderr
    assert "papertrack sync hf --since" in empty.stderr
    fill(hub, 7)
    nothing = run_cli("trends", "zzzqqq", "--since", "6d", "--source", "hf")
    assert nothing.returncode == 1
    assert re.search(r"'zzzqqq' matches none of the [0-9,]+ cached papers", nothing.stderr)
    assert "no term matches" in nothing.stderr
    some = run_cli("trends", "zzzqqq", "agent", "--since", "6d", "--source", "hf")
    assert some.returncode == 0 and "'zzzqqq' matches none" in some.stderr


def test_an_index_of_schema_4_gains_the_text_table_without_a_rebuild(
    hub: HubServer, isolated_env: Path
) -> None:
    fill(hub, 7)
    path = isolated_env / "index.sqlite3"
    with sqlite3.connect(path) as connection:
        before = connection.execute("SELECT count(*) FROM paper_text").fetchone()[0]
        connection.execute("DELETE FROM paper_text")
        connection.execute("UPDATE meta SET value = '4' WHERE key = 'schema'")
        connection.execute("UPDATE papers SET sources = sources || ' ' WHERE rowid = 1")
    result = run_cli("trends", "agent", "--since", "6d", "--source", "hf", "-f", "json")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (
            "5",
        )
        assert connection.execute("SELECT count(*) FROM paper_text").fetchone()[0] == before > 0
        # Migrated, not rebuilt: the marked row is the one that was there.
        marked = connection.execute("SELECT sources FROM papers WHERE rowid = 1").fetchone()[0]
    assert marked.endswith(" ")
