"""arXiv end to end: the CLI and the loader against a real local server replaying recorded
feeds and API answers; politeness measured across real processes."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from papertrack.listings import load_today
from papertrack.parsers.arxiv import parse_feed
from papertrack.session import Mode, Session
from papertrack.sources import Network, arxiv
from tests.conftest import ROOT, pinned_today, run_cli
from tests.hubserver import ARXIV_FIXTURES, HubServer, Reply, hf_fixture

pytestmark = pytest.mark.usefixtures("clock")  # every test on a weekday and on a weekend
ATOM = "rss_cs.AI_2025-08-20_atom.xml"
RSS = "rss_quant-ph_2025-04-28.xml"
SEARCH = "api_search_all-testing_2026-04-12.xml"


def loader_at(now: datetime, warn: Callable[[str], None], mode: Mode = "auto") -> Session:
    """A Session over this test's cache and server, with its clock at *now*."""
    return Session(
        warn=warn,
        now=now,
        mode=mode,
        root=Path(os.environ["PAPERTRACK_CACHE_DIR"]),
        network=Network(os.environ),
    )


def rows(stdout: str) -> list[list[str]]:
    return [line.split("\t") for line in stdout.splitlines()]


def feed_ids(name: str) -> list[str]:
    return [p.id for p in parse_feed((ARXIV_FIXTURES / name).read_bytes()).papers]


def empty_feed() -> bytes:
    """A weekend feed: the recorded quant-ph channel with its items removed (no empty feed
    was ever recorded; arxiv-api.md §3.4 describes this shape from the service's source)."""
    text = (ARXIV_FIXTURES / RSS).read_text(encoding="utf-8")
    head, rest = text.split("<item>", 1)
    return (head + rest[rest.rindex("</item>") + len("</item>") :]).encode()


def test_today_from_the_atom_feed_keeps_types_and_says_which_day(hub: HubServer) -> None:
    hub.feed("cs.AI", ATOM)
    result = run_cli("today", "--source", "arxiv", "--category", "cs.ai")
    assert result.returncode == 0, result.stderr
    listed = rows(result.stdout)
    assert [r[0] for r in listed] == feed_ids(ATOM)  # new first, then cross, feed order
    assert {(r[1], r[2]) for r in listed} == {("2025-08-20", "arxiv")}
    assert [r[3] for r in listed].count("new") == 41 and [r[3] for r in listed].count("cross") == 45
    assert "showing Wed 2025-08-20." in result.stderr
    assert [r.path for r in hub.arxiv_requests()] == ["/rss/cs.AI"]  # normalised category


def test_replacements_only_when_asked_and_types_in_every_format(hub: HubServer) -> None:
    hub.feed("quant-ph", RSS)
    default = rows(run_cli("today", "-c", "quant-ph", "--source", "arxiv").stdout)
    assert len(default) == 50 and {r[3] for r in default} == {"new", "cross"}
    every = run_cli("today", "-c", "quant-ph", "--source", "arxiv", "--replacements", "-f", "json")
    records = json.loads(every.stdout)
    assert len(records) == 81
    assert {r["announce_type"] for r in records} == {"new", "cross", "replace", "replace-cross"}
    assert all(r["sources"] == ["arxiv"] and r["categories"] for r in records)
    as_csv = list(
        csv.DictReader(
            io.StringIO(
                run_cli(
                    "today", "-c", "quant-ph", "--source", "arxiv", "--replacements", "-f", "csv"
                ).stdout
            )
        )
    )
    assert {r["type"] for r in as_csv} == {"new", "cross", "replace", "replace-cross"}
    md = run_cli(
        "today", "-c", "quant-ph", "--source", "arxiv", "--replacements", "-f", "md"
    ).stdout
    assert "| replace-cross |" in md
    table = run_cli(
        "today", "-c", "quant-ph", "--source", "arxiv", "-f", "table", env={"COLUMNS": "160"}
    ).stdout
    assert "cross" in table and "From" in table


def test_bad_category_is_refused_before_any_request(hub: HubServer) -> None:
    result = run_cli("today", "-c", "cs.XY")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(
        "papertrack: error: unknown arXiv category 'cs.XY'; did you mean"
    )
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert hub.requests == []
    missing = run_cli("today", "--source", "arxiv")
    assert missing.returncode == 2 and "needs arXiv categories" in missing.stderr


def test_conditional_get_reuses_the_cache_on_304(hub: HubServer) -> None:
    hub.feed("cs.AI", ATOM)
    first = run_cli("today", "--source", "arxiv", "-c", "cs.AI")
    second = run_cli("today", "--source", "arxiv", "-c", "cs.AI")
    assert second.returncode == 0 and second.stdout == first.stdout
    requests = hub.arxiv_requests()
    assert len(requests) == 2
    assert "if-none-match" not in requests[0].headers
    assert requests[1].headers["if-none-match"].startswith('"')
    assert requests[0].headers["user-agent"].startswith("papertrack/")


def test_join_with_hugging_face_by_id(hub: HubServer, tmp_path: Path) -> None:
    """An HF day that lists three of the announced papers (ids rewritten in a copy of a
    recorded HF response; no recorded pair of responses shares ids)."""
    announced = feed_ids(ATOM)
    items: list[dict[str, Any]] = json.loads(hf_fixture("2025-08-25").read_bytes())
    for item, paper_id in zip(items[:3], announced[:3], strict=True):
        item["paper"]["id"] = paper_id
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps(items))
    hub.serve(pinned_today(), shared)
    hub.feed("cs.AI", ATOM)
    result = run_cli("today", "-c", "cs.AI", "-f", "json")
    assert result.returncode == 0, result.stderr
    records = {r["id"]: r for r in json.loads(result.stdout)}
    assert len(records) == len(items) + len(announced) - 3
    for item in items[:3]:
        joined = records[item["paper"]["id"]]
        assert joined["sources"] == ["hf", "arxiv"]
        assert joined["upvotes"] == item["paper"]["upvotes"]
        assert joined["ai_summary"] == item["paper"]["ai_summary"]
        assert joined["announce_type"] == "new" and joined["categories"][0] == "cs.AI"
    assert {records[i["paper"]["id"]]["sources"][0] for i in items[3:]} == {"hf"}
    assert records[announced[5]]["sources"] == ["arxiv"]
    voted = rows(run_cli("today", "-c", "cs.AI", "--min-upvotes", "1").stdout)
    assert voted and all(int(r[4]) >= 1 for r in voted)
    assert any(r[2] == "hf+arxiv" for r in voted)


def test_search_arxiv_with_a_date_window_is_cached(hub: HubServer) -> None:
    """The recorded page was not asked with this window: of its ten papers only 2405.13786
    was submitted in 2024, and only it is shown; the rest are left out, with one warning."""
    hub.api("testing", SEARCH)
    result = run_cli(
        "search",
        "--source",
        "arxiv",
        "testing",
        "--since",
        "2024-01-01",
        "--until",
        "2024-12-31",
        "-n",
        "10",
    )
    assert result.returncode == 0, result.stderr
    assert [r[0] for r in rows(result.stdout)] == ["2405.13786"]
    assert result.stderr.splitlines() == [
        "warning: arXiv's API returned 9 paper(s) submitted outside 2024-01-01 to 2024-12-31; "
        "left out"
    ]
    query = hub.arxiv_requests()[0].query
    assert query["search_query"] == "(testing) AND submittedDate:[202401010000 TO 202412312359]"
    assert (query["sortBy"], query["max_results"]) == ("submittedDate", "10")
    again = run_cli(
        "search",
        "--source",
        "arxiv",
        "testing",
        "--since",
        "2024-01-01",
        "--until",
        "2024-12-31",
        "-n",
        "10",
    )
    assert again.stdout == result.stdout and len(hub.arxiv_requests()) == 1


def test_search_legacy_layout_and_api_error(hub: HubServer) -> None:
    hub.api("del_maestro", "api_search_au-del_maestro_2016-10-09_legacy.xml")
    hub.api("broken", "api_error_400_bad-id_2026-04-12.xml", status=400)
    legacy = run_cli("search", "--source", "arxiv", "au:del_maestro")
    assert legacy.returncode == 0 and rows(legacy.stdout)[0][0] == "1201.4869"
    error = run_cli("search", "--source", "arxiv", "broken")
    assert error.returncode == 1 and "Traceback" not in error.stderr
    assert error.stderr.strip().endswith("arXiv API error: incorrect id format for abc")


def test_search_hugging_face_both_shapes(hub: HubServer) -> None:
    items = json.loads(hf_fixture("2025-10-24").read_bytes())
    hub.search_results = [
        *items[:3],
        {
            "id": "2409.01234",
            "title": "Flat\n  Result",
            "thumbnailUrl": "https://x.example/t.png",
            "source": "hf",
        },
    ]
    result = run_cli("search", "speculative", "decoding", "-f", "json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == [*(i["paper"]["id"] for i in items[:3]), "2409.01234"]
    assert (
        records[3]["title"] == "Flat Result"
        and records[0]["upvotes"] == items[0]["paper"]["upvotes"]
    )
    assert hub.requests[0].query == {"q": "speculative decoding", "limit": "50"}


def test_rate_exceeded_then_success(hub: HubServer) -> None:
    hub.feed("cs.AI", ATOM)
    hub.queue(
        Reply(429, b"Rate exceeded.", {"content-type": "text/plain"}), Reply(200, b"Rate exceeded.")
    )
    result = run_cli("today", "--source", "arxiv", "-c", "cs.AI")
    assert result.returncode == 0, result.stderr
    assert len(rows(result.stdout)) == 86
    assert len(hub.arxiv_requests()) == 3


def test_persistent_rate_limit_is_reported(hub: HubServer) -> None:
    hub.queue(*[Reply(429, b"Rate exceeded.", {"content-type": "text/plain"})] * 3)
    result = run_cli("today", "--source", "arxiv", "-c", "cs.AI")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(
        f"papertrack: error: {hub.url}/rss/cs.AI: HTTP 429 Too Many Requests: Rate exceeded."
    )


def test_three_second_rule_holds_across_processes(hub: HubServer) -> None:
    """Two processes back to back, then two at once: request starts stay ``delay`` apart."""
    delay = 0.6
    env = {"PAPERTRACK_ARXIV_DELAY": str(delay)}
    hub.api("0000.0000", "api_empty_idlist-0000.0000_2026-04-12.xml")
    run_cli("search", "--source", "arxiv", "first", env=env)
    run_cli("search", "--source", "arxiv", "second", env=env)
    both = [
        subprocess.Popen(
            [sys.executable, "-m", "papertrack", "search", "--source", "arxiv", word],
            env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for word in ("third", "fourth")
    ]  # fmt: skip
    for proc in both:
        proc.communicate(timeout=60)
        assert proc.returncode == 0
    starts = sorted(r.started for r in hub.arxiv_requests())
    assert len(starts) == 4
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= delay - 0.05, gaps
    # One connection at a time: no request starts before the previous one has finished.
    spans = sorted((r.started, r.finished) for r in hub.arxiv_requests())
    assert all(later[0] >= earlier[1] - 0.01 for earlier, later in itertools.pairwise(spans))


def test_show_joins_both_services(hub: HubServer) -> None:
    item = json.loads(hf_fixture("2025-08-25").read_bytes())[0]
    paper = dict(item["paper"], id="2202.12139")
    hub.papers["2202.12139"] = paper
    hub.api("id_list=2202.12139", SEARCH)
    result = run_cli("show", "arXiv:2202.12139v1", "-f", "json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["sources"] == ["hf", "arxiv"]
    assert record["upvotes"] == paper["upvotes"] and record["ai_summary"] == paper["ai_summary"]
    assert record["primary_category"] == "cs.SE" and record["arxiv_comment"].startswith(
        "Artificial"
    )
    assert record["version"] == 1 and record["doi"] == "10.1109/ICSTW55395.2022.00035"
    assert hub.arxiv_requests()[0].query["id_list"] == "2202.12139v1"
    page = run_cli("show", "https://huggingface.co/papers/2202.12139", env={"COLUMNS": "100"})
    for needle in (
        "Authors:",
        "Categories: cs.SE cs.LG",
        "AI summary:",
        "Abstract",
        "https://arxiv.org/pdf/2202.12139",
        "https://huggingface.co/papers/2202.12139",
        "Comment: Artificial",
    ):
        assert needle in page.stdout
    md = run_cli("show", "2202.12139", "-f", "md").stdout
    assert md.startswith("# ") and "- PDF: <https://arxiv.org/pdf/2202.12139>" in md


def test_show_arxiv_only_old_style_id_and_unknown(hub: HubServer) -> None:
    hub.api("astro-ph", "api_idlist_astro-ph-0601001_2026-05-11.xml")
    old = run_cli("show", "astro-ph/0601001", "-f", "json")
    assert old.returncode == 0, old.stderr
    assert json.loads(old.stdout)["sources"] == ["arxiv"]
    unknown = run_cli("show", "2501.99999")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.startswith(
        "papertrack: error: no paper 2501.99999 on Hugging Face or arXiv"
    )
    bad = run_cli("show", "not-an-id")
    assert bad.returncode == 2 and "is not an arXiv id or paper URL" in bad.stderr


def test_open_uses_the_browser_with_urls_we_built(hub: HubServer, tmp_path: Path) -> None:
    log = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {log}\n')
    browser.chmod(0o755)
    env = {"BROWSER": f"{browser} %s"}
    item = json.loads(hf_fixture("2025-08-25").read_bytes())[0]
    hub.papers["2508.16153"] = dict(
        item["paper"], githubRepo="https://github.com/Agent-on-the-Fly/AgentFly/"
    )
    for args in (
        ["2508.16153v2"],
        ["2508.16153", "--pdf"],
        ["https://arxiv.org/abs/2508.16153", "--hf"],
        ["2508.16153", "--code"],
    ):
        result = run_cli("open", *args, env=env)
        assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == [
        "https://arxiv.org/abs/2508.16153v2",
        "https://arxiv.org/pdf/2508.16153",
        "https://huggingface.co/papers/2508.16153",
        "https://github.com/Agent-on-the-Fly/AgentFly",
    ]
    printed = run_cli("open", "2508.16153", "--print")
    assert printed.stdout == "https://arxiv.org/abs/2508.16153\n"
    hub.papers["2508.16154"] = dict(item["paper"], githubRepo="https://github.com/a/b/../../evil")
    refused = run_cli("open", "2508.16154", "--code", env=env)
    assert refused.returncode == 1 and "has no GitHub repository" in refused.stderr


# -- the calendar, with the clock set: in-process over the same real server ------------------


SATURDAY = datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc)
FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)


def in_window(body: bytes, moved: dict[str, str], extra_category: dict[str, str]) -> bytes:
    """A recorded API page with some entries' submission times moved (*moved*: id → new
    ``published``) and a category added to some (*extra_category*: id → category)."""
    text = body.decode("utf-8")
    for paper_id, published in moved.items():
        head, rest = text.split(f"<id>http://arxiv.org/abs/{paper_id}", 1)
        rest = re.sub(
            r"<published>[^<]*</published>", f"<published>{published}</published>", rest, count=1
        )
        text = f"{head}<id>http://arxiv.org/abs/{paper_id}{rest}"
    for paper_id, category in extra_category.items():
        head, rest = text.split(f"<id>http://arxiv.org/abs/{paper_id}", 1)
        entry_end = rest.index("</entry>")
        tag = f'<category term="{category}" scheme="http://arxiv.org/schemas/atom"/>'
        rest = rest[:entry_end] + tag + rest[entry_end:]
        text = f"{head}<id>http://arxiv.org/abs/{paper_id}{rest}"
    return text.encode("utf-8")


def test_weekend_empty_feed_backfills_the_last_announcement(hub: HubServer) -> None:
    """Friday's feed day is rebuilt from the API's submissions window (Wed 14:00 to Thu
    14:00 New York). The recorded page is moved into it in part: two papers submitted in
    the window with cs.AI among their categories, one in the window without cs.AI, seven
    outside it. Only the first two are the announcement."""
    hub.feed("cs.AI", empty_feed())
    moved = {
        "2202.12139": "2026-11-25T20:00:00Z",
        "2405.13786": "2026-11-26T18:59:00Z",  # the last minute of the window
        "2204.08348": "2026-11-26T10:00:00Z",  # in time, but cs.SE only
    }
    body = in_window((ARXIV_FIXTURES / SEARCH).read_bytes(), moved, {"2202.12139": "cs.AI"})
    hub.api_replies.append(("submittedDate", 200, body))
    warnings: list[str] = []
    with loader_at(SATURDAY, warnings.append) as loader:
        loaded, notes = load_today(loader, source="arxiv", categories=["cs.AI"])
    assert notes == ["No arXiv announcement on Sat 2026-11-28; showing Fri 2026-11-27."]
    assert warnings == [
        "warning: arXiv's API returned 8 paper(s) outside the submissions window or "
        "categories of arXiv cs.AI · Fri 2026-11-27; left out"
    ]
    assert sorted(p.id for p in loaded.papers) == ["2202.12139", "2405.13786"]
    assert {p.announced for p in loaded.papers} == {date(2026, 11, 27)}
    kinds = {p.id: p.announce_type for p in loaded.papers}
    assert kinds["2202.12139"] == "cross"  # primary cs.SE, cs.AI a cross-list
    query = hub.arxiv_requests()[1].query["search_query"]
    assert query == "(cat:cs.AI) AND submittedDate:[202611251900 TO 202611261900]"
    # The server ignores ``start``: the second page brings nothing new and paging stops.
    assert len(hub.arxiv_requests()) == 3
    # The backfill is cached: the same command again asks nothing.
    with loader_at(SATURDAY, warnings.append) as loader:
        again, _ = load_today(loader, source="arxiv", categories=["cs.AI"])
    assert [p.id for p in again.papers] == [p.id for p in loaded.papers]
    assert len(hub.arxiv_requests()) == 3
    assert len(warnings) == 1  # the cached day holds only what was asked


def test_empty_feed_on_an_announcement_day_is_suspicious(hub: HubServer) -> None:
    hub.feed("cs.AI", empty_feed())
    warnings: list[str] = []
    with loader_at(FRIDAY, warnings.append) as loader:
        loaded, notes = load_today(loader, source="arxiv", categories=["cs.AI"])
    assert warnings == [
        "warning: arXiv's feed for cs.AI is empty on Fri 2026-11-27, which should be an "
        "announcement day"
    ]
    assert loaded.papers == []  # Wed's backfill found nothing on this server
    assert notes == [
        "arXiv's announcement for Fri 2026-11-27 is not out yet; showing Wed 2026-11-25."
    ]


def test_offline_arxiv_uses_the_newest_cached_announcement(hub: HubServer) -> None:
    hub.feed("cs.AI", ATOM)
    with loader_at(FRIDAY, print) as loader:
        load_today(loader, source="arxiv", categories=["cs.AI"])
    hub.stop()
    with loader_at(SATURDAY, print, mode="offline") as loader:
        loaded, notes = load_today(loader, source="arxiv", categories=["cs.AI"])
    assert len(loaded.papers) == 86
    assert notes == ["No arXiv announcement on Sat 2026-11-28; showing Wed 2025-08-20."]


def test_list_date_for_arxiv_reads_the_cached_feed_day(hub: HubServer) -> None:
    hub.feed("cs.AI", ATOM)
    run_cli("today", "--source", "arxiv", "-c", "cs.AI")
    result = run_cli("list", "--date", "2025-08-20", "--source", "arxiv", "-c", "cs.AI")
    assert result.returncode == 0 and len(rows(result.stdout)) == 86
    assert len(hub.arxiv_requests()) == 1  # from the cache
    weekend = run_cli("list", "--date", "2025-08-23", "--source", "arxiv", "-c", "cs.AI")
    assert weekend.returncode == 0 and weekend.stdout == ""
    too_long = run_cli("list", "--month", "2025-08", "--source", "arxiv", "-c", "cs.AI")
    assert too_long.returncode == 2 and "at most 7" in too_long.stderr


def test_long_view_fills_in_arxiv_details_in_one_batch(hub: HubServer) -> None:
    hub.feed("cs.AI", ATOM)
    hub.api("id_list=", SEARCH)  # answers any id look-up with the recorded search page
    result = run_cli(
        "today", "--source", "arxiv", "-c", "cs.AI", "--long", "-n", "5", env={"COLUMNS": "120"}
    )
    assert result.returncode == 0, result.stderr
    lookups = [r for r in hub.arxiv_requests() if r.path == "/api/query"]
    assert len(lookups) == 1
    assert lookups[0].query["id_list"].split(",") == feed_ids(ATOM)[:5]
    again = run_cli(
        "today", "--source", "arxiv", "-c", "cs.AI", "--long", "-n", "5", env={"COLUMNS": "120"}
    )
    assert again.stdout == result.stdout
    assert (
        len([r for r in hub.arxiv_requests() if r.path == "/api/query"]) == 2
    )  # none cached: not found


def test_lookup_batches_ids_by_the_hundred(hub: HubServer) -> None:
    from papertrack.sources.http import HttpClient
    from papertrack.sources.throttle import Gate

    ids = [f"2501.{n:05d}" for n in range(150)]
    with HttpClient(backoff=0) as client:
        found = arxiv.lookup(
            client,
            Gate(Path(os.environ["PAPERTRACK_CACHE_DIR"]), 0),
            Network(os.environ),
            ids + ids[:3],
        )
    assert found == {}
    batches = [r.query for r in hub.arxiv_requests()]
    assert [len(b["id_list"].split(",")) for b in batches] == [100, 50]
    assert [b["max_results"] for b in batches] == ["100", "50"]


def test_all_sources_survive_one_failing(hub: HubServer) -> None:
    hub.serve(pinned_today(), "2025-08-25")
    # No feed registered for cs.AI: the server answers 404.
    result = run_cli("today", "-c", "cs.AI")
    assert result.returncode == 0
    assert len(rows(result.stdout)) == 13
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and f"{hub.url}/rss/cs.AI: HTTP 404" in warning[0]
    assert warning[0].endswith("showing the other source only")
    hub.stop()
    both = run_cli("today", "-c", "cs.AI", "--refresh")
    assert both.returncode == 0  # HF's cached day still shows, stale, with warnings
    assert len(rows(both.stdout)) == 13
    empty_cache = {"PAPERTRACK_CACHE_DIR": str(Path(os.environ["PAPERTRACK_CACHE_DIR"]) / "new")}
    nothing = run_cli("today", "-c", "cs.AI", env=empty_cache)
    assert nothing.returncode == 1 and nothing.stdout == ""
    assert nothing.stderr.splitlines()[-1].startswith("papertrack: error: ")


# -- show and open tell the truth ------------------------------------------------------------


def readme_json_keys() -> set[str]:
    """The keys README's "JSON fields" table promises."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### JSON fields", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            keys.update(re.findall(r"`(\w+)`", line.split("|")[1]))
    return keys


@pytest.fixture
def listed_day(hub: HubServer) -> dict[str, dict[str, Any]]:
    """2025-08-25 listed once (it is in the cache and the index), by id."""
    hub.serve("2025-08-25", "2025-08-25")
    result = run_cli("list", "--date", "2025-08-25", "-f", "json")
    assert result.returncode == 0, result.stderr
    return {r["id"]: r for r in json.loads(result.stdout)}


def test_show_json_has_every_key_and_the_values_list_gives(
    hub: HubServer, listed_day: dict[str, dict[str, Any]]
) -> None:
    item = json.loads(hf_fixture("2025-08-25").read_bytes())[2]
    paper_id = item["paper"]["id"]
    assert item["numComments"] == 2 and item["thumbnail"]
    hub.papers[paper_id] = item["paper"]  # the page has no comment count or thumbnail
    shown = run_cli("show", paper_id, "-f", "json")
    assert shown.returncode == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert readme_json_keys() - {"watch"} <= set(record)
    assert record == listed_day[paper_id]
    assert record["comments"] == 2 and record["thumbnail"] == item["thumbnail"]
    assert record["matched_terms"] == []


def test_show_offline_reads_the_cached_listing(
    hub: HubServer, listed_day: dict[str, dict[str, Any]]
) -> None:
    asked = len(hub.requests)
    paper_id = next(iter(listed_day))
    shown = run_cli("show", paper_id, "--offline", "-f", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == listed_day[paper_id]
    page = run_cli("show", paper_id, "--offline", env={"COLUMNS": "100"})
    assert page.returncode == 0 and "Hugging Face: ▲" in page.stdout
    assert len(hub.requests) == asked  # not a single request, to either service
    unknown = run_cli("show", "2501.00001", "--offline")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr == (
        "papertrack: error: 2501.00001 is not in the cache (run without --offline to look it up)\n"
    )
    assert len(hub.requests) == asked


def test_show_prints_every_format_list_has(
    hub: HubServer, listed_day: dict[str, dict[str, Any]]
) -> None:
    paper_id = next(iter(listed_day))

    def listed(fmt: str) -> list[str]:
        out = run_cli("list", "--date", "2025-08-25", "-f", fmt).stdout.splitlines()
        return [line for line in out if paper_id in line or line.startswith("id,")]

    for fmt in ("lines", "jsonl", "csv"):
        shown = run_cli("show", paper_id, "-f", fmt, "--offline")
        assert shown.returncode == 0, (fmt, shown.stderr)
        assert shown.stdout.splitlines() == listed(fmt), fmt
    for fmt in ("table", "md", "json"):
        assert run_cli("show", paper_id, "-f", fmt, "--offline").returncode == 0
    advertised = re.search(r"--format <([a-z|-]+)>", run_cli("show", "--help").stdout)
    assert advertised is not None
    for fmt in advertised.group(1).split("|"):
        assert run_cli("show", paper_id, "-f", fmt, "--offline").returncode == 0, fmt


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["9999.99999"], "with a month from 01 to 12"),
        (["2413.00001"], "with a month from 01 to 12"),
        (["1501.0001"], "YYMM.NNNNN"),  # four digits only before 2015
        (["cs/9913001"], "with a month from 01 to 12"),
        (["cs/9909009", "--hf"], "cs/9909009 has no Hugging Face page, so no --hf link"),
        (["cs/9909009", "--code"], "cs/9909009 has no Hugging Face page, so no --code link"),
    ],
)
def test_open_refuses_what_cannot_exist(args: list[str], needle: str) -> None:
    result = run_cli("open", *args, "--print")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("papertrack: error: ") and needle in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_open_old_style_ids_on_arxiv() -> None:
    for args, url in (
        (["cs/9909009"], "https://arxiv.org/abs/cs/9909009"),
        (["hep-th/9901001v2", "--pdf"], "https://arxiv.org/pdf/hep-th/9901001v2"),
    ):
        result = run_cli("open", *args, "--print")
        assert result.returncode == 0 and result.stdout == f"{url}\n"


def duplicated(body: bytes, count: int = 1) -> bytes:
    """A recorded API page with its first *count* entries sent twice."""
    text = body.decode("utf-8")
    start = text.index("<entry>")
    entries = []
    position = start
    for _ in range(count):
        end = text.index("</entry>", position) + len("</entry>")
        entries.append(text[position:end])
        position = end
    return (text[:start] + "".join(entries) + text[start:]).encode("utf-8")


def test_search_lists_each_paper_once(hub: HubServer, tmp_path: Path) -> None:
    items = json.loads(hf_fixture("2025-10-24").read_bytes())
    hub.search_results = [items[0], items[1], items[0], items[2], items[1]]
    found = run_cli("search", "speculative", "-f", "json")
    assert found.returncode == 0, found.stderr
    ids = [r["id"] for r in json.loads(found.stdout)]
    assert ids == [items[0]["paper"]["id"], items[1]["paper"]["id"], items[2]["paper"]["id"]]
    hub.api_replies.append(
        ("twice", 200, duplicated((ARXIV_FIXTURES / SEARCH).read_bytes(), count=2))
    )
    rows_ = rows(run_cli("search", "--source", "arxiv", "twice").stdout)
    assert len(rows_) == 10 and len({r[0] for r in rows_}) == 10
    both = rows(run_cli("search", "--source", "all", "twice").stdout)
    assert len(both) == len({r[0] for r in both})
