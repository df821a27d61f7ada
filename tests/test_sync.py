"""A field's whole history: Hugging Face ranges as months and weeks, and arXiv's OAI-PMH
harvested by ``papertrack sync`` against the stand-in of tests/oaiserver.py."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertrack.dates import covering, day_period
from papertrack.parsers.hf import listed_day
from papertrack.parsers.oai import announcement_day, parse_page
from tests.conftest import NOW, ROOT, TODAY, run_cli
from tests.hubserver import FIXTURE_DAYS, HubServer, hf_fixture
from tests.oaiserver import HEAD, OAI_FIXTURES, OaiServer, record_xml, synthetic_records

# -- Hugging Face: which day an item of a week or month answer belongs to ------------------


def test_every_recorded_item_says_the_day_its_date_list_has_it() -> None:
    for day in FIXTURE_DAYS:
        items = json.loads(hf_fixture(day).read_bytes())
        days = {listed_day(item) for item in items}
        # 2025-03-13: no submittedOnDailyAt yet, and publishedAt was the arXiv time.
        assert days == ({None} if day == "2025-03-13" else {date.fromisoformat(day)}), day


@given(
    st.dates(date(2023, 5, 4), date(2027, 6, 30)),
    st.integers(1, 800),
    st.sets(st.integers(0, 799), max_size=40),
)
def test_covering_holds_every_day_in_few_listings(first: date, length: int, gaps: set[int]) -> None:
    days = [first + timedelta(n) for n in range(length) if n not in gaps]
    chosen = covering(days)
    held = {d for period in chosen for d in period.days()}
    assert held >= set(days)
    assert all(any(period.first <= d <= period.last for d in days) for period in chosen)
    if not gaps and 540 <= length <= 550:  # any 18 months
        assert len(chosen) <= 23


def test_covering_prefers_months_then_weeks_then_dates() -> None:
    # 2025-06-20 to 2026-12-11: June and December hold under half a month each.
    chosen = covering([date(2025, 6, 20) + timedelta(n) for n in range(540)])
    assert [p.kind for p in chosen].count("month") == 17 and len(chosen) == 22
    assert [p.key for p in chosen[:3]] == ["2025-W25", "2025-W26", "2025-06-30"]
    assert [p.key for p in chosen[-3:]] == ["2026-11", "2026-W49", "2026-W50"]
    # Twenty days of June: the month, once.
    assert covering([date(2025, 6, 11) + timedelta(n) for n in range(20)])[0].key == "2025-06"


@pytest.fixture
def eighteen_months(hub: HubServer) -> list[date]:
    """2025-06-01 to today: three papers on every other day (a month fits one page)."""
    days = [date(2025, 6, 1) + timedelta(n) for n in range((TODAY - date(2025, 6, 1)).days + 1)]
    fixtures = [d for d in FIXTURE_DAYS if d >= "2025-08"]
    for n, day in enumerate(days):
        if n % 2 == 0:
            hub.generate(day, fixtures[n % len(fixtures)], 3)
    return days


def test_eighteen_months_in_few_requests_and_the_same_papers_as_day_by_day(
    hub: HubServer, eighteen_months: list[date], tmp_path: Path
) -> None:
    result = run_cli("list", "--since", "2025-06-01", "-f", "json")
    assert result.returncode == 0, result.stderr
    listed = {(p["id"], p["date"]) for p in json.loads(result.stdout)}
    asked = hub.api_requests()
    assert len(asked) <= 25, [r.query for r in asked]
    assert hub.covered_days() >= set(eighteen_months)
    # The same days asked one date at a time, into another cache.
    from papertrack.listings import hf
    from papertrack.session import Session
    from papertrack.sources import Network

    before = len(hub.api_requests())
    with Session(
        warn=print, now=NOW, root=tmp_path / "daily", network=Network(dict(os.environ))
    ) as session:
        by_day = {
            (p.id, p.date.isoformat() if p.date else "")
            for day in eighteen_months
            for p in hf.listing(session, day_period(day)).papers
        }
    assert len(hub.api_requests()) - before == len(eighteen_months)
    assert listed == by_day and len(listed) == 3 * ((len(eighteen_months) + 1) // 2)
    # Kept day by day: any day of the range is now cached.
    again = run_cli("list", "--date", "2025-07-01", "--offline", "-f", "json")
    assert again.returncode == 0 and len(json.loads(again.stdout)) == 3


def test_a_month_whose_items_do_not_say_their_day_is_asked_day_by_day(hub: HubServer) -> None:
    hub.serve("2025-03-13", "2025-03-13")
    result = run_cli("list", "--month", "2025-03", "-f", "json")
    assert result.returncode == 0, result.stderr
    recorded = {i["paper"]["id"] for i in json.loads(hf_fixture("2025-03-13").read_bytes())}
    papers = json.loads(result.stdout)
    assert {p["id"] for p in papers} == recorded
    assert {p["date"] for p in papers} == {"2025-03-13"}
    queries = [r.query for r in hub.api_requests()]
    assert {q["month"] for q in queries if "month" in q} == {"2025-03"}
    dates = sorted(q["date"] for q in queries if "date" in q)
    assert dates == [f"2025-03-{d:02d}" for d in range(1, 32)]


def test_a_failed_month_falls_back_to_the_cached_days_with_one_warning(hub: HubServer) -> None:
    hub.generate(date(2025, 9, 3), "2025-09-30", 4)
    assert run_cli("list", "--month", "2025-09").returncode == 0
    from tests.hubserver import Reply

    hub.queue(*[Reply(500, b"oops")] * 12)  # four pages at once, three attempts each
    result = run_cli("list", "--month", "2025-09", "--refresh")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 4
    assert result.stderr.count("warning: could not refresh the Hugging Face listing") == 1
    assert "showing the cached copies of 30 day(s)" in result.stderr


def test_sync_hf_backfills_and_then_asks_nothing_settled(
    hub: HubServer, eighteen_months: list[date]
) -> None:
    result = run_cli("sync", "hf", "--since", "2025-06-01")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    first = len(hub.api_requests())
    assert first <= 30
    again = run_cli("sync", "hf", "--since", "2025-06-01")
    assert again.returncode == 0
    # Only the days still changing (the last two weeks) are asked again.
    assert hub.covered_days() >= set(eighteen_months)
    assert len(hub.api_requests()) - first <= 4
    status = json.loads(run_cli("sync", "--status", "-f", "json").stdout)
    assert status[0]["source"] == "hf" and status[0]["since"] == "2025-06-01"


# -- arXiv: the parser on recorded pages -----------------------------------------------------

PAGES = sorted(OAI_FIXTURES.glob("listrecords_oai_dc_from-2023-03-07_page*-of-3.xml"))


def test_recorded_pages_of_every_format_parse() -> None:
    counts = {}
    for path in sorted(OAI_FIXTURES.glob("listrecords_*.xml")):
        page = parse_page(path.read_bytes())
        assert page.error is None and page.skipped == 0, path.name
        counts[path.name] = (len(page.records), page.token.value if page.token else None)
    assert counts["listrecords_arXiv_resumed-788421-42001_2015-03-26.xml"] == (2, "788421|43001")
    assert counts["listrecords_oai_dc_from-2023-03-07_page3-of-3.xml"] == (265, None)
    hep = parse_page(
        (OAI_FIXTURES / "listrecords_arXiv_physics-hep-th_from-2017-12-14.xml").read_bytes()
    )
    paper = hep.records[0].paper
    assert paper is not None and paper.id == "1412.8323"
    assert paper.primary_category == "quant-ph" and "hep-th" in paper.categories
    assert paper.authors == ("Philipp A Hoehn",) and paper.title.startswith("Toolbox for")
    first = parse_page(PAGES[0].read_bytes())
    assert first.token is not None and (first.token.cursor, first.token.complete) == (0, 2265)
    dc = first.records[0].paper
    assert dc is not None and dc.categories == ("math.CA", "math.NT")


def test_a_page_read_without_papers_says_what_a_harvest_needs_alike() -> None:
    # The harvest reads only headers and the token; the index reads the papers later.
    bodies = [p.read_bytes() for p in sorted(OAI_FIXTURES.glob("listrecords_*.xml"))]
    generated = "".join(record_xml(r) for r in synthetic_records(40, deleted_every=7))
    head = HEAD.format(now="2026-12-02T00:00:00Z", base="local")
    bodies.append(
        f"{head}<ListRecords>{generated}<resumptionToken cursor='0' completeListSize='80'>"
        "t|40</resumptionToken></ListRecords></OAI-PMH>".encode()
    )
    for body in bodies:
        whole, light = parse_page(body), parse_page(body, papers=False)
        assert [(r.id, r.datestamp, r.deleted) for r in light.records] == [
            (r.id, r.datestamp, r.deleted) for r in whole.records
        ]
        assert all(r.paper is None for r in light.records)
        assert (light.token, light.response_date, light.error) == (
            whole.token,
            whole.response_date,
            whole.error,
        )
    assert any(r.deleted for r in parse_page(bodies[-1], papers=False).records)


def test_announcement_day_follows_the_14h_eastern_cutoff() -> None:
    from datetime import timezone

    def at(text: str) -> date:
        return announcement_day(datetime.fromisoformat(text).replace(tzinfo=timezone.utc))

    assert at("2026-12-01T18:00") == date(2026, 12, 2)  # Tue 13:00 ET → Wednesday's feed
    assert at("2026-12-01T20:00") == date(2026, 12, 3)  # Tue 15:00 ET → Thursday's
    assert at("2026-12-04T20:00") == date(2026, 12, 8)  # Fri 15:00 ET → Tuesday's
    assert at("2026-12-05T12:00") == date(2026, 12, 8)  # Saturday → Tuesday's
    assert at("2026-07-06T17:30") == date(2026, 7, 7)  # Mon 13:30 EDT → Tuesday's


# -- arXiv: papertrack sync against the stand-in -------------------------------------------


@pytest.fixture
def oai(monkeypatch: pytest.MonkeyPatch) -> Iterator[OaiServer]:
    server = OaiServer(synthetic=3000, per_page=200).start()
    monkeypatch.setenv("PAPERTRACK_ARXIV_OAI_URL", server.url)
    yield server
    server.stop()


def cache_dir() -> Path:
    return Path(os.environ["PAPERTRACK_CACHE_DIR"])


def pages(set_folder: str = "cs_cs_CL") -> list[str]:
    return sorted(p.name for p in (cache_dir() / "arxiv" / "oai" / set_folder).glob("*.json.gz"))


def indexed() -> dict[str, dict[str, Any]]:
    with sqlite3.connect(cache_dir() / "index.sqlite3") as db:
        rows = db.execute(
            "SELECT id, data FROM papers JOIN paper_data ON paper_data.rowid = papers.rowid "
            "WHERE instr(sources, 'arxiv')"
        ).fetchall()
    return {paper_id: json.loads(data) for paper_id, data in rows}


def in_set(
    server: OaiServer, set_spec: str = "cs:cs:CL", start: str = "", *, deleted: bool = False
) -> list[str]:
    """The ids of a set's records (changed since *start*), live ones unless *deleted*."""
    return [
        r.id
        for r in server.records
        if set_spec in r.sets and r.datestamp >= start and (deleted or not r.deleted)
    ]


def test_sync_pages_through_a_set_from_a_date(oai: OaiServer) -> None:
    result = run_cli("sync", "arxiv", "-c", "cs.CL", "--since", "2023-01-04")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""  # not a terminal: silent
    wanted = in_set(oai, start="2023-01-04")
    asked = oai.list_requests()
    assert asked[0] == {
        "verb": "ListRecords", "metadataPrefix": "arXivRaw", "from": "2023-01-04",
        "set": "cs:cs:CL",
    }  # fmt: skip
    assert all(set(q) == {"verb", "resumptionToken"} for q in asked[1:])
    assert len(asked) == len(pages()) == -(-len(wanted) // 200)
    assert pages()[0] == "20261202T150000-2023-01-04.00000.json.gz"  # when, then from what
    assert set(indexed()) == set(wanted)
    paper = indexed()[wanted[0]]
    assert paper["announced"] and paper["version"] == 1 and "cs.CL" in paper["categories"]
    status = json.loads(run_cli("sync", "--status", "-f", "json").stdout)[0]
    assert status["set"] == "cs:cs:CL" and status["state"] == "complete"
    assert status["records"] == status["papers"] == len(wanted)
    assert status["since"] == "2023-01-04"
    lines = run_cli("sync", "--status").stdout.splitlines()
    assert lines[0].split("\t")[:5] == [
        "arxiv", "cs:cs:CL", "2023-01-04 to 2026-12-02", "complete", f"{len(wanted):,} papers",
    ]  # fmt: skip
    assert status["synced_until"] == "2026-12-02" and status["bytes"] > 0


def test_synced_papers_feed_list_search_and_show(oai: OaiServer) -> None:
    assert run_cli("sync", "arxiv", "-c", "cs.CL").returncode == 0
    papers = [r for r in oai.records if "cs:cs:CL" in r.sets]
    day = announcement_day(_v1(papers[0].versions[0]))
    listed = run_cli(
        "list", "--source", "arxiv", "-c", "cs.CL", "--date", day.isoformat(), "-f", "json"
    )
    assert listed.returncode == 0, listed.stderr
    got = json.loads(listed.stdout)
    expected = {r.id for r in papers if announcement_day(_v1(r.versions[0])) == day}
    assert {p["id"] for p in got} == expected and expected
    kinds = {p["id"]: p["announce_type"] for p in got}
    for rec in papers:
        if rec.id in kinds:
            assert kinds[rec.id] == ("new" if rec.categories[0] == "cs.CL" else "cross")
    assert oai.list_requests() and not any(
        "api" in r for r in oai.requests
    )  # nothing asked of arXiv's API: the days came from the sync
    shown = run_cli("show", papers[0].id, "--offline", "-f", "json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["title"] == papers[0].title
    found = run_cli("search", "--offline", "--source", "arxiv", papers[0].title, "-f", "json")
    assert papers[0].id in {p["id"] for p in json.loads(found.stdout)}


def _v1(text: str) -> datetime:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(text)


def test_a_503_with_retry_after_is_waited_out_not_an_error(oai: OaiServer) -> None:
    oai.busy = [1, 1]
    started = time.monotonic()
    result = run_cli("sync", "arxiv", "-c", "cs.CL")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert time.monotonic() - started >= 2
    assert set(indexed()) == set(in_set(oai))


def test_an_interrupted_sync_goes_on_from_its_last_page_with_a_fresh_request(
    oai: OaiServer,
) -> None:
    oai.broken = True  # the first page, then every request with a token fails
    cut = run_cli("sync", "arxiv", "-c", "cs.CL")
    assert cut.returncode == 1 and "500" in cut.stderr and oai.url in cut.stderr
    assert pages() == ["20261202T150000-all.00000.json.gz"]
    stored = set(indexed())
    last = max(r.datestamp for r in oai.records if r.id in stored)
    oai.broken = False
    oai.expire_tokens()  # the token it kept is refused now
    asked = len(oai.list_requests())
    done = run_cli("sync", "arxiv")
    assert done.returncode == 0, done.stderr
    again = oai.list_requests()[asked:]
    assert "resumptionToken" in again[0]  # the kept token, tried first
    assert again[1]["from"] == last and again[1]["set"] == "cs:cs:CL"  # then afresh, not from 0
    names = pages()
    assert names == [f"20261202T150000-all.{n:05d}.json.gz" for n in range(len(names))]
    assert set(indexed()) == set(in_set(oai))


def test_sigkill_mid_sync_then_resume_loses_no_page_and_stores_none_twice(
    oai: OaiServer, tmp_path: Path
) -> None:
    oai.latency = 0.15
    proc = subprocess.Popen(
        [sys.executable, "-m", "papertrack", "sync", "arxiv", "-c", "cs.CL"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(pages()) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = pages()
    assert 3 <= len(before) < -(-len(in_set(oai)) // 200)
    asked = len(oai.list_requests())
    oai.latency = 0
    result = run_cli("sync", "arxiv")
    assert result.returncode == 0, result.stderr
    names = pages()
    assert names[: len(before)] == before
    assert names == [f"20261202T150000-all.{n:05d}.json.gz" for n in range(len(names))]
    assert len(names) == -(-len(in_set(oai)) // 200)
    assert len(oai.list_requests()) - asked <= len(names) - len(before) + 1
    assert set(indexed()) == set(in_set(oai))


def test_incremental_sync_merges_new_versions_and_drops_deleted_records(oai: OaiServer) -> None:
    assert run_cli("sync", "arxiv", "-c", "cs.CL").returncode == 0
    ids = in_set(oai)
    revised, deleted = ids[:5], ids[5:8]
    oai.touch(revised, date(2026, 12, 3))
    oai.delete(deleted, date(2026, 12, 3))
    added = oai.add(20, date(2026, 12, 3))
    asked = len(oai.list_requests())
    result = run_cli("sync", "arxiv", env={"PAPERTRACK_NOW": "2026-12-04T12:00:00Z"})
    assert result.returncode == 0, result.stderr
    first = oai.list_requests()[asked]
    assert first["from"] == "2026-12-02" and first["set"] == "cs:cs:CL"
    papers = indexed()
    assert set(papers) == (set(ids) - set(deleted)) | set(in_set(oai, start="2026-12-03"))
    assert set(added) & set(in_set(oai)) <= set(papers)
    for paper_id in revised:
        assert papers[paper_id]["version"] == 2 and str(papers[paper_id]["title"]).endswith(
            "(revised)"
        )
    gone = run_cli("show", deleted[0], "--offline")
    assert gone.returncode != 0
    # The index is derived: rebuilt from the pages, it says the same (deletions included).
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cache_dir() / 'index.sqlite3'}{suffix}").unlink(missing_ok=True)
    run_cli("search", "--offline", "--source", "arxiv", "learning")
    assert indexed() == papers


def test_deleted_headers_in_a_first_harvest_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    server = OaiServer(synthetic=2000, per_page=500, deleted_every=7).start()
    monkeypatch.setenv("PAPERTRACK_ARXIV_OAI_URL", server.url)
    try:
        assert run_cli("sync", "arxiv", "-c", "cs.LG").returncode == 0
        live = {r.id for r in server.records if "cs:cs:LG" in r.sets and not r.deleted}
        assert set(indexed()) == live and len(live) < len(in_set(server, "cs:cs:LG", deleted=True))
    finally:
        server.stop()


def test_a_recorded_three_page_list_is_harvested_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    server = OaiServer(recorded=PAGES).start()
    monkeypatch.setenv("PAPERTRACK_ARXIV_OAI_URL", server.url)
    try:
        result = run_cli("sync", "arxiv", "-c", "math", "--since", "2023-03-07")
        assert result.returncode == 0, result.stderr
        assert [q.get("resumptionToken") for q in server.list_requests()] == [
            None, "fakeoai-page-1", "fakeoai-page-2",
        ]  # fmt: skip
        assert pages("math") == [f"20261202T150000-2023-03-07.{n:05d}.json.gz" for n in range(3)]
        assert len(indexed()) == 2265
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sync"], "sync needs what to sync: papertrack sync arxiv|hf (or --status)"),
        (["sync", "arxiv"], "nothing is synced yet: papertrack sync arxiv -c CATEGORY"),
        (["sync", "arxiv", "-c", "cs.XX"], "unknown arXiv category 'cs.XX'"),
        (["sync", "arxiv", "-c", "cs.CL", "--since", "1990-01-01"], "is before 1991-08-14"),
        (["sync", "arxiv", "-c", "cs.CL", "--since", "soon"], "expected a date as YYYY-MM-DD"),
        (["sync", "arxiv", "--since", "2020-01-01"], "--since needs the categories"),
        (["sync", "--status", "-f", "xml"], "--format 'xml' is not one of lines, json"),
    ],
)
def test_bad_sync_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_an_unreachable_service_names_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERTRACK_ARXIV_OAI_URL", "http://127.0.0.1:9/oai")
    result = run_cli("sync", "arxiv", "-c", "cs.CL")
    assert result.returncode == 1 and "http://127.0.0.1:9/oai?verb=ListRecords" in result.stderr
    assert "Traceback" not in result.stderr and pages() == []


def test_a_later_harvest_wins_whatever_its_from(oai: OaiServer) -> None:
    """Reaching further back later (an earlier --since) is the newest copy of what it
    re-reads, though its from-date sorts before the incremental harvests' ones."""
    assert run_cli("sync", "arxiv", "-c", "cs.CL", "--since", "2023-01-04").returncode == 0
    paper_id = in_set(oai, start="2023-01-04")[0]
    oai.touch([paper_id], date(2026, 12, 3))
    assert run_cli("sync", "arxiv", env={"PAPERTRACK_NOW": "2026-12-04T12:00:00Z"}).returncode == 0
    assert indexed()[paper_id]["version"] == 2
    oai.touch([paper_id], date(2026, 12, 5))
    further = run_cli(
        "sync", "arxiv", "-c", "cs.CL", "--since", "2023-01-02",
        env={"PAPERTRACK_NOW": "2026-12-06T12:00:00Z"},
    )  # fmt: skip
    assert further.returncode == 0, further.stderr
    assert indexed()[paper_id]["version"] == 3
    assert set(indexed()) == set(in_set(oai, start="2023-01-02"))
    # And so it stays when the index is rebuilt from the pages, read in any order.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cache_dir() / 'index.sqlite3'}{suffix}").unlink(missing_ok=True)
    run_cli("search", "--offline", "--source", "arxiv", "learning")
    assert indexed()[paper_id]["version"] == 3
    status = json.loads(run_cli("sync", "--status", "-f", "json").stdout)[0]
    assert status["since"] == "2023-01-02"


def test_the_stand_in_applies_from_until_and_set_as_the_service_does(oai: OaiServer) -> None:
    """What sources.oai asks, read by parsers.oai: a window of datestamps in one set."""
    from papertrack.sources import oai as source
    from papertrack.sources.http import HttpClient
    from papertrack.sources.throttle import Gate

    url = source.list_url(oai.url, set_spec="cs:cs:LG", start="2023-01-03", until="2023-01-04")
    with HttpClient(backoff=0) as client:
        got = source.fetch_page(client, Gate(cache_dir(), 0), url)
    wanted = [
        r.id for r in oai.records
        if "cs:cs:LG" in r.sets and "2023-01-03" <= r.datestamp <= "2023-01-04"
    ][:200]  # fmt: skip
    assert [r.id for r in got.page.records] == wanted and got.page.token is not None
    assert {r.datestamp for r in got.page.records} <= {"2023-01-03", "2023-01-04"}
    papers = [r.paper for r in got.page.records if r.paper]
    assert all("cs.LG" in p.categories for p in papers)
    empty = source.list_url(oai.url, set_spec="cs:cs:LG", start="2030-01-01")
    with HttpClient(backoff=0) as client:
        none = source.fetch_page(client, Gate(cache_dir(), 0), empty)
    assert none.page.error is not None and none.page.error[0] == "noRecordsMatch"


def test_on_a_terminal_a_sync_shows_its_progress_and_a_summary(oai: OaiServer) -> None:
    from tests.test_cli import SGR, on_a_terminal

    oai.latency = 0.05
    code, stdout, screen = on_a_terminal("sync", "arxiv", "-c", "cs.CL", stream="stderr")
    assert code == 0 and stdout == "", screen
    plain = SGR.sub("", screen)
    wanted = len(in_set(oai))
    assert "arXiv cs:cs:CL" in plain and "records" in plain and "pages" in plain
    pages_count = -(-wanted // 200)
    assert (
        f"arXiv cs:cs:CL: {wanted:,} records in {pages_count:,} pages; synced to 2026-12-02"
        in plain
    )


def test_a_hostile_oai_answer_is_one_line_and_stores_nothing(hub: HubServer) -> None:
    from tests.hubserver import Reply

    hub.queue(Reply(200, b"<html><body>Maintenance</body></html>", {"content-type": "text/html"}))
    env = {"PAPERTRACK_ARXIV_OAI_URL": f"{hub.url}/oai"}
    result = run_cli("sync", "arxiv", "-c", "cs.CL", env=env)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"{hub.url}/oai?verb=ListRecords" in lines[0]
    assert "not an OAI-PMH answer" in lines[0] and "HTML" in lines[0]
    assert pages() == []
    # An entity bomb is refused before any expansion.
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><OAI-PMH/>'
    hub.queue(Reply(200, bomb, {"content-type": "text/xml"}))
    result = run_cli("sync", "arxiv", "-c", "cs.CL", env=env)
    assert result.returncode == 1 and "DOCTYPE" in result.stderr and pages() == []


def test_remote_text_in_a_record_cannot_drive_the_terminal() -> None:
    title = "Attention\u202e is all\u200b you need\u0007"  # bidi override, zero width, BEL
    page = (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>'
        "<identifier>oai:arXiv.org:2301.00001</identifier><datestamp>2023-01-02</datestamp>"
        '</header><metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>2301.00001</id>'
        f"<title>{title.replace(chr(7), '&#x202C;')}</title><authors>A &lt;b&gt; B</authors>"
        "<categories>cs.CL</categories></arXivRaw></metadata></record></ListRecords></OAI-PMH>"
    ).encode()
    paper = parse_page(page).records[0].paper
    assert paper is not None
    assert paper.title == "Attention is all you need"
    assert paper.authors == ("A <b> B",)  # kept as text; renderers escape it
