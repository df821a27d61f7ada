"""papertrack as a user runs it: a child process, real pipes, a real HTTP server."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from papertrack.dates import day_label
from papertrack.models import Paper
from tests.conftest import ROOT, TODAY, Result, run_cli, run_process
from tests.hubserver import HubServer, Reply, hf_fixture

ANSI = re.compile(r"\x1b")
SGR = re.compile(r"\x1b\[[0-9;]*m")
WEEK = "2026-W10"  # Monday 2026-03-02
WEEK_DAYS = {  # five recorded days on the five weekdays: 129 papers, two pages of 100
    "2026-03-02": "2025-09-30",
    "2026-03-03": "2026-03-10",
    "2026-03-04": "2025-10-24",
    "2026-03-05": "2025-02-18",
    "2026-03-06": "2026-07-30",
}


def raw(day: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(hf_fixture(day).read_bytes())
    return data


def fixture_ids(day: str) -> list[str]:
    return [item["paper"]["id"] for item in raw(day)]


def lines_of(stdout: str) -> list[list[str]]:
    return [line.split("\t") for line in stdout.splitlines()]


def assert_one_error_line(
    result: Result | subprocess.CompletedProcess[str], code: int, *needles: str
) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("papertrack: error: ")
    for needle in needles:
        assert needle in lines[0]
    assert result.stdout == ""


# -- today ----------------------------------------------------------------------------


def test_today_falls_back_to_the_latest_day_with_papers(hub: HubServer) -> None:
    today = TODAY
    shown = today - timedelta(days=2)
    hub.serve(shown, "2025-10-24")
    result = run_cli("today")
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"No papers for {day_label(today)} yet; showing {day_label(shown)}.\n"
    rows = lines_of(result.stdout)
    assert sorted(r[0] for r in rows) == sorted(fixture_ids("2025-10-24"))
    assert {r[1] for r in rows} == {shown.isoformat()}
    assert [r.query for r in hub.api_requests()] == [
        {"date": (today - timedelta(days=n)).isoformat(), "limit": "100", "p": "0"}
        for n in range(3)
    ]
    # A second run within the TTL asks nothing.
    again = run_cli("today")
    assert again.stdout == result.stdout
    assert len(hub.api_requests()) == 3


def test_today_with_papers_today_says_nothing(hub: HubServer) -> None:
    hub.serve(TODAY, "2025-08-25")
    result = run_cli("today")
    assert result.returncode == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == len(raw("2025-08-25"))


def test_today_with_an_empty_week_is_not_an_error(hub: HubServer) -> None:
    result = run_cli("today")
    assert result.returncode == 0
    assert result.stdout == ""
    first = TODAY - timedelta(days=7)
    assert result.stderr == f"No papers on Hugging Face Daily Papers from {first} to {TODAY}.\n"
    assert len(hub.api_requests()) == 8


# -- list: days, weeks, months, ranges -------------------------------------------------


def test_list_date_shows_exactly_the_recorded_papers(hub: HubServer) -> None:
    hub.serve("2025-09-30", "2025-09-30")
    result = run_cli("list", "--date", "2025-09-30")
    assert result.returncode == 0 and result.stderr == ""
    rows = lines_of(result.stdout)
    items = {i["paper"]["id"]: i for i in raw("2025-09-30")}
    assert len(rows) == 50 and {r[0] for r in rows} == set(items)
    for paper_id, day, source, kind, upvotes, stars, saved, title in rows:
        assert (source, kind, saved) == ("hf", "", "")
        paper = items[paper_id]["paper"]
        assert day == "2025-09-30"
        assert upvotes == str(paper["upvotes"])
        assert stars == str(paper.get("githubStars", ""))
        assert title == " ".join(paper["title"].split())
    upvote_order = [int(r[4]) for r in rows]
    assert upvote_order == sorted(upvote_order, reverse=True)


def test_list_week_paginates_and_joins_every_page(hub: HubServer) -> None:
    for day, fixture in WEEK_DAYS.items():
        hub.serve(day, fixture)
    result = run_cli("list", "--week", WEEK, "--format", "json")
    assert result.returncode == 0, result.stderr
    papers = json.loads(result.stdout)
    expected = {pid for fixture in WEEK_DAYS.values() for pid in fixture_ids(fixture)}
    assert len(expected) == 129
    assert {p["id"] for p in papers} == expected and len(papers) == 129
    # One listing, connections to spare: its first four pages asked at once (two are empty).
    assert sorted(r.query["p"] for r in hub.api_requests()) == ["0", "1", "2", "3"]
    assert all(r.query["week"] == WEEK and r.query["limit"] == "100" for r in hub.api_requests())
    # The answer is kept day by day, as date listings are: a later --date or range reads it.
    folder = Path(os.environ["PAPERTRACK_CACHE_DIR"]) / "hf" / "date"
    for day, fixture in WEEK_DAYS.items():
        cached = json.loads((folder / f"{day}.json").read_text(encoding="utf-8"))
        assert {i["paper"]["id"] for i in cached["items"]} == set(fixture_ids(fixture))
        assert cached["url"].endswith(f"week={WEEK}&limit=100&p=0")
    again = run_cli("list", "--date", next(iter(WEEK_DAYS)), "--offline")
    assert again.returncode == 0 and again.stdout


def test_list_month(hub: HubServer) -> None:
    for day, fixture in WEEK_DAYS.items():
        hub.serve(day, fixture)
    hub.serve("2026-03-31", "2024-03-12")
    result = run_cli("list", "--month", "2026-03", "--sort", "upvotes", "-n", "5")
    assert result.returncode == 0, result.stderr
    every = [i["paper"] for day in [*WEEK_DAYS.values(), "2024-03-12"] for i in raw(day)]
    top = sorted(every, key=lambda p: -p["upvotes"])[:5]
    assert [r[0] for r in lines_of(result.stdout)] == [p["id"] for p in top]
    assert {r.query["month"] for r in hub.api_requests()} == {"2026-03"}


def test_list_since_asks_for_a_week_and_the_edge_days(hub: HubServer) -> None:
    hub.serve("2026-03-03", "2026-03-10")
    hub.serve("2026-03-04", "2025-10-24")
    result = run_cli("list", "--since", "2026-03-02", "--until", "2026-03-05")
    assert result.returncode == 0, result.stderr
    rows = lines_of(result.stdout)
    assert len(rows) == 28 + 18
    assert [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)  # newest day first
    assert [r[1] for r in rows].count("2026-03-04") == 18
    # Four days of one ISO week: the week, once (it reaches past --until; those days come along).
    assert {r.query.get("week") for r in hub.api_requests()} == {"2026-W10"}
    asked = len(hub.api_requests())
    # Those days are cached now: asked again, nothing is fetched.
    assert run_cli("list", "--since", "2026-03-07", "--until", "2026-03-08").returncode == 0
    assert len(hub.api_requests()) == asked
    # A lone day in a week (a Sunday, then a Monday) is asked by date.
    result = run_cli("list", "--since", "2026-03-15", "--until", "2026-03-16")
    assert result.returncode == 0, result.stderr
    later = hub.api_requests()[asked:]
    assert sorted(r.query["date"] for r in later) == ["2026-03-15", "2026-03-16"]


def on_a_terminal(*args: str, stream: str = "stdout") -> tuple[int, str, str]:
    """Run papertrack with *stream* (stdout or stderr) a pseudo-terminal and the other a
    pipe: ``(exit code, what the pipe got, what the terminal got)``."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "papertrack", *args],
        stdout=follower if stream == "stdout" else subprocess.PIPE,
        stderr=follower if stream == "stderr" else subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    piped = proc.stderr if stream == "stdout" else proc.stdout
    assert piped is not None
    other = piped.read().decode("utf-8")
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, other, b"".join(chunks).decode("utf-8")


def test_range_fetch_shows_progress_only_on_a_terminal(hub: HubServer) -> None:
    hub.serve("2026-03-03", "2026-03-10")
    # Two ISO weeks: two listings asked.
    code, stdout, screen = on_a_terminal(
        "list", "--since", "2026-03-02", "--until", "2026-03-10", stream="stderr"
    )
    assert code == 0, screen
    assert "Hugging Face listings" in screen and "2/2" in SGR.sub("", screen)
    assert len(lines_of(stdout)) == 28 and not ANSI.search(stdout)  # the results stay plain
    # Piped stderr (cron, a log): no bar, no escape codes.
    piped = run_cli("list", "--since", "2026-03-02", "--until", "2026-03-10", "--refresh")
    assert piped.returncode == 0 and "Hugging Face listings" not in piped.stderr
    assert not ANSI.search(piped.stderr)
    # Nothing to fetch (--offline): no bar either.
    code, _, screen = on_a_terminal(
        "list", "--since", "2026-03-02", "--until", "2026-03-10", "--offline", stream="stderr"
    )
    assert code == 0 and "Hugging Face listings" not in screen


# -- filters ----------------------------------------------------------------------------


@pytest.fixture
def one_day(hub: HubServer) -> list[dict[str, Any]]:
    hub.serve("2025-09-30", "2025-09-30")
    return [i["paper"] for i in raw("2025-09-30")]


def listed(*args: str) -> list[str]:
    result = run_cli("list", "--date", "2025-09-30", *args)
    assert result.returncode == 0, result.stderr
    return [r[0] for r in lines_of(result.stdout)]


def text_of(paper: dict[str, Any]) -> str:
    fields = [
        paper["title"],
        paper["summary"],
        paper.get("ai_summary", ""),
        *paper.get("ai_keywords", []),
    ]
    return " ".join(" ".join(fields).split()).lower()


def test_terms_any_all_phrase_exclude(one_day: list[dict[str, Any]]) -> None:
    expect_any = {p["id"] for p in one_day if "agent" in text_of(p) or "video" in text_of(p)}
    assert set(listed("agent", "video")) == expect_any and expect_any
    expect_all = {
        p["id"] for p in one_day if "agent" in text_of(p) and "reinforcement" in text_of(p)
    }
    assert set(listed("--all", "agent", "reinforcement")) == expect_all
    assert expect_all < expect_any | expect_all
    phrase = {p["id"] for p in one_day if "language model" in text_of(p)}
    assert set(listed("language model")) == phrase
    excluded = {p["id"] for p in one_day if "video" not in text_of(p)}
    assert set(listed("--exclude", "video")) == excluded


def test_author_upvotes_code_sort_limit(one_day: list[dict[str, Any]]) -> None:
    name = one_day[3]["authors"][0]["name"]
    with_author = {
        p["id"] for p in one_day if any(name.lower() in a["name"].lower() for a in p["authors"])
    }
    assert set(listed("--author", name.upper())) == with_author
    assert set(listed("--min-upvotes", "20")) == {p["id"] for p in one_day if p["upvotes"] >= 20}
    assert set(listed("--has-code")) == {p["id"] for p in one_day if "githubRepo" in p}
    by_stars = listed("--has-code", "--sort", "stars", "--limit", "3")
    starred = sorted((p for p in one_day if "githubStars" in p), key=lambda p: -p["githubStars"])
    assert [p["githubStars"] for p in one_day if p["id"] in by_stars] != []
    assert by_stars[0] == starred[0]["id"] and len(by_stars) == 3
    titles = listed("--sort", "title")
    assert titles == [
        p["id"] for p in sorted(one_day, key=lambda p: " ".join(p["title"].split()).casefold())
    ]


def test_no_match_is_a_note_not_an_error(one_day: list[dict[str, Any]]) -> None:
    result = run_cli("list", "--date", "2025-09-30", "zzzz-no-such-term")
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr == (
        "No papers match the filters (of 50 in Hugging Face Daily Papers · Tue 2025-09-30).\n"
    )


# -- output faces -------------------------------------------------------------------------


def test_piped_lines_have_no_ansi_and_one_line_per_paper(one_day: list[dict[str, Any]]) -> None:
    result = run_cli("list", "--date", "2025-09-30", "agent")
    assert result.returncode == 0
    assert not ANSI.search(result.stdout)
    rows = lines_of(result.stdout)
    assert rows and all(len(r) == 8 for r in rows)
    # Whole titles, not truncated: the longest title is longer than any terminal.
    longest = max((" ".join(p["title"].split()) for p in one_day), key=len)
    assert longest in run_cli("list", "--date", "2025-09-30").stdout


def test_color_always_and_force_color_highlight_terms_in_lines(
    one_day: list[dict[str, Any]],
) -> None:
    forced = run_cli("list", "--date", "2025-09-30", "agent", "--color", "always")
    assert "\x1b[1;33m" in forced.stdout
    assert SGR.sub("", forced.stdout) == run_cli("list", "--date", "2025-09-30", "agent").stdout
    env_forced = run_cli("list", "--date", "2025-09-30", "agent", env={"FORCE_COLOR": "1"})
    assert env_forced.stdout == forced.stdout
    no_color = run_cli(
        "list",
        "--date",
        "2025-09-30",
        "agent",
        "-f",
        "table",
        env={"NO_COLOR": "1", "FORCE_COLOR": "1"},
    )
    assert not ANSI.search(no_color.stdout) and "Hugging Face Daily Papers" in no_color.stdout


def test_json_and_jsonl_round_trip(one_day: list[dict[str, Any]]) -> None:
    as_json = json.loads(run_cli("list", "--date", "2025-09-30", "--format", "json").stdout)
    as_jsonl = [
        json.loads(line)
        for line in run_cli("list", "--date", "2025-09-30", "-f", "jsonl").stdout.splitlines()
    ]
    assert as_json == as_jsonl and len(as_json) == 50
    for record in as_json:
        assert Paper.from_dict(record).to_dict() == {
            k: v for k, v in record.items() if k not in ("matched_terms", "saved", "read", "tags")
        }
        assert (record["saved"], record["read"], record["tags"]) == (False, False, [])
    first = next(r for r in as_json if r["id"] == one_day[0]["id"])
    assert first["upvotes"] == one_day[0]["upvotes"]
    assert first["ai_summary"] == one_day[0]["ai_summary"]
    assert first["authors"] == [a["name"] for a in one_day[0]["authors"]]
    assert first["hf_url"] == f"https://huggingface.co/papers/{one_day[0]['id']}"


def test_csv_and_markdown(one_day: list[dict[str, Any]]) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(run_cli("list", "--date", "2025-09-30", "-f", "csv", "agent").stdout)
        )
    )
    assert rows and all(r["matched_terms"] == "agent" for r in rows)
    md = run_cli("list", "--date", "2025-09-30", "-f", "md", "agent").stdout.splitlines()
    assert md[0].startswith("| ID | Date |") and len(md) == len(rows) + 2
    assert all("**" in line for line in md[2:] if "agent" in line.split("|")[5].lower())


def test_table_on_a_real_terminal(one_day: list[dict[str, Any]]) -> None:
    """With stdout a pseudo-terminal, the default face is the Rich table."""
    code, _, screen = on_a_terminal("list", "--date", "2025-09-30", "agent", "-n", "3")
    assert code == 0
    assert "Hugging Face Daily Papers · Tue 2025-09-30 · 3 papers of 50" in SGR.sub("", screen)
    assert "▲" in screen and "\x1b[" in screen  # coloured, highlighted


def test_long_view_piped_is_plain(one_day: list[dict[str, Any]]) -> None:
    result = run_cli("list", "--date", "2025-09-30", "--long", "-n", "2", "--sort", "upvotes")
    assert result.returncode == 0 and not ANSI.search(result.stdout)
    top = max(one_day, key=lambda p: p["upvotes"])
    assert f"https://huggingface.co/papers/{top['id']}" in result.stdout
    assert top["authors"][0]["name"] in result.stdout


# -- cache, offline, failures -------------------------------------------------------------


def test_offline_after_the_server_is_gone(hub: HubServer) -> None:
    hub.serve("2025-09-30", "2025-09-30")
    online = run_cli("list", "--date", "2025-09-30", "-f", "json")
    hub.stop()
    offline = run_cli("list", "--date", "2025-09-30", "-f", "json", "--offline")
    assert offline.returncode == 0 and offline.stderr == ""
    assert offline.stdout == online.stdout
    # Old days are final once cached: no --offline needed, and still no network.
    assert run_cli("list", "--date", "2025-09-30", "-f", "json").stdout == online.stdout


def test_offline_without_a_cached_copy() -> None:
    result = run_cli("list", "--date", "2025-09-30", "--offline")
    assert_one_error_line(
        result, 1, "no cached Hugging Face listing for Tue 2025-09-30", "without --offline"
    )


def test_hf_hub_offline_is_honoured() -> None:
    result = run_cli("list", "--date", "2025-09-30", env={"HF_HUB_OFFLINE": "1"})
    assert_one_error_line(result, 1, "no cached Hugging Face listing")


def test_refresh_failure_shows_the_stale_copy(hub: HubServer) -> None:
    hub.serve("2025-09-30", "2025-09-30")
    first = run_cli("list", "--date", "2025-09-30")
    hub.queue(*[Reply(503, b"Service Unavailable")] * 3)
    stale = run_cli("list", "--date", "2025-09-30", "--refresh")
    assert stale.returncode == 0
    assert stale.stdout == first.stdout
    warning = stale.stderr.strip().splitlines()
    assert len(warning) == 1
    assert warning[0].startswith(
        "warning: could not refresh the Hugging Face listing for Tue 2025-09-30: "
    )
    assert f"{hub.url}/api/daily_papers?date=2025-09-30&limit=100&p=0" in warning[0]
    assert "HTTP 503 Service Unavailable" in warning[0] and "cached copy" in warning[0]


def test_server_failure_without_cache_is_one_line(hub: HubServer) -> None:
    hub.queue(*[Reply(500, b"<html>oops</html>")] * 3)
    result = run_cli("list", "--date", "2025-09-30")
    assert_one_error_line(result, 1, f"{hub.url}/api/daily_papers?date=2025-09-30", "HTTP 500")


def test_html_instead_of_json_is_one_line(hub: HubServer) -> None:
    hub.queue(
        Reply(200, b"<!doctype html><title>Hugging Face</title>", {"content-type": "text/html"})
    )
    result = run_cli("list", "--date", "2025-09-30")
    assert_one_error_line(result, 1, "expected a JSON array of daily papers", "text/html")
    assert not (
        Path(os.environ["PAPERTRACK_CACHE_DIR"]) / "hf" / "date" / "2025-09-30.json"
    ).exists()


def test_network_down_is_one_line() -> None:
    result = run_cli("list", "--date", "2025-09-30")  # HF_ENDPOINT points at a closed port
    assert_one_error_line(
        result, 1, "http://127.0.0.1:9/api/daily_papers?date=2025-09-30", "cannot connect"
    )


def test_today_offline_fallback_to_cached_day_when_network_fails(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    yesterday = TODAY - timedelta(days=1)
    hub.serve(yesterday, "2025-08-25")
    run_cli("today")
    hub.stop()
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    # Make today's (empty) cached copy old so it is refetched, and fails.
    today_file = Path(os.environ["PAPERTRACK_CACHE_DIR"]) / "hf" / "date" / f"{TODAY}.json"
    document = json.loads(today_file.read_text())
    document["fetched_at"] = "2020-01-01T00:00:00Z"
    today_file.write_text(json.dumps(document))
    result = run_cli("today")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == len(raw("2025-08-25"))
    assert "warning: could not refresh" in result.stderr


def test_corrupt_cache_is_reported_and_refetched(hub: HubServer) -> None:
    hub.serve("2025-09-30", "2025-09-30")
    path = Path(os.environ["PAPERTRACK_CACHE_DIR"]) / "hf" / "date" / "2025-09-30.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"format": 1, "items": [{"paper"')
    result = run_cli("list", "--date", "2025-09-30")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 50
    assert result.stderr.startswith(
        f"warning: ignoring unreadable cache file {path}: not valid JSON"
    )
    assert json.loads(path.read_bytes())["format"] == 1  # replaced by a good copy
    path.write_bytes(b"\x00\xff garbage")
    offline = run_cli("list", "--date", "2025-09-30", "--offline")
    assert offline.returncode == 1 and "Traceback" not in offline.stderr
    assert offline.stderr.splitlines()[0].startswith("warning: ignoring unreadable cache file")
    assert offline.stderr.splitlines()[1].startswith("papertrack: error: no cached")


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["list", "--date", "2025-13-40"], "expected a date as YYYY-MM-DD"),
        (["list", "--date", "yesterday-ish"], "expected a date as YYYY-MM-DD"),
        (["list", "--week", "2025-W60"], "expected an ISO week as YYYY-Www"),
        (["list", "--month", "2025-14"], "expected a month as YYYY-MM"),
        (["list", "--since", "a week"], "expected Nd"),
        (["list", "--since", "2023-05-03"], "before Hugging Face Daily Papers began"),
        (
            ["list", "--since", "7d", "--until", "2020-01-01"],
            "before Hugging Face Daily Papers began",
        ),
        (["list"], "list needs a period"),
        (["list", "--date", "2025-08-25", "--week", "2025-W35"], "cannot be combined"),
        (["list", "--until", "2025-08-25"], "only works together with --since"),
        (["today", "--sort", "hot"], "--sort 'hot' is not one of date, upvotes, stars, title"),
        (["today", "--format", "xml"], "'xml' is not one of"),
        (["today", "--color", "sometimes"], "'sometimes' is not one of 'auto', 'always', 'never'"),
        (["today", "--limit", "0"], "--limit must be at least 1 (got 0)"),
        (["today", "--limit", "many"], "'many' is not a valid int"),
        (["today", "--min-upvotes", "-3"], "--min-upvotes must be 0 or more (got -3)"),
        (["today", "--frobnicate"], "No such option: --frobnicate"),
        (["today", "--offline", "--refresh"], "choose one"),
        (["today", "--long", "--format", "json"], "--long is a terminal view"),
        (["yesterday"], "No such command 'yesterday'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str) -> None:
    assert_one_error_line(run_cli(*args), 2, needle)


def test_bad_hf_endpoint_is_a_usage_error() -> None:
    result = run_cli("list", "--date", "2025-08-25", env={"HF_ENDPOINT": "huggingface.co"})
    assert_one_error_line(result, 2, "HF_ENDPOINT='huggingface.co' is not an http(s) URL")


# -- the rest -------------------------------------------------------------------------------


def test_token_user_agent_and_page_size(hub: HubServer) -> None:
    hub.serve("2025-08-25", "2025-08-25")
    run_cli("list", "--date", "2025-08-25", env={"HF_TOKEN": "hf_test_token"})
    seen = hub.api_requests()[0]
    assert seen.headers["authorization"] == "Bearer hf_test_token"
    assert re.fullmatch(
        r"papertrack/0\.1\.0 \(command-line paper tracker; .*\)", seen.headers["user-agent"]
    )
    assert seen.query == {"date": "2025-08-25", "limit": "100", "p": "0"}


def test_bare_command_shows_help() -> None:
    result = run_cli()
    assert result.returncode == 2
    assert "today" in result.stdout and "list" in result.stdout
    assert result.stderr == ""


def test_version_and_help() -> None:
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout == "papertrack 0.1.0\n"
    helped = run_cli("today", "--help")
    assert helped.returncode == 0 and "--min-upvotes" in helped.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "papertrack"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=False)
    assert result.stdout == "papertrack 0.1.0\n"


def test_closed_pipe_is_quiet(hub: HubServer) -> None:
    for day, fixture in WEEK_DAYS.items():
        hub.serve(day, fixture)
    proc = subprocess.Popen(
        [sys.executable, "-m", "papertrack", "list", "--week", WEEK, "-f", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in stderr and "Exception" not in stderr
    assert proc.returncode in (0, 141)


def test_output_through_a_real_pipe_arrives_whole_before_the_quick_exit(hub: HubServer) -> None:
    # main() leaves with os._exit, skipping the interpreter's teardown: what was written
    # must be out first, however much it is, and the exit code must stay the command's.
    for day, fixture in WEEK_DAYS.items():
        hub.serve(day, fixture)
    # Buffered, as a pipe is by default (this machine may set PYTHONUNBUFFERED).
    whole = run_process("list", "--week", WEEK, "-f", "json", env={"PYTHONUNBUFFERED": ""})
    assert whole.returncode == 0, whole.stderr
    assert len(whole.stdout.encode()) > 4 * 65536  # several times a pipe's buffer
    assert json.loads(whole.stdout) == json.loads(
        run_cli("list", "--week", WEEK, "-f", "json").stdout
    )
    refused = run_process("list", "--week", "2025-W99")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1


def test_hostile_title_prints_literally(hub: HubServer, tmp_path: Path) -> None:
    items = raw("2025-08-25")[:2]
    items[0]["paper"]["title"] = (
        "[bold red]Bold[/] [link=https://evil.example]click[/link] "
        "\x1b]8;;https://evil.example\x07osc8\x1b]8;;\x07 \x1b]0;title\x07 \x1b[2J clear\r\x07 end"
    )
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(items))
    hub.serve("2025-08-25", hostile)
    wide = {"COLUMNS": "400"}
    for extra in (
        [],
        ["-f", "table", "--color", "always"],
        ["--long", "--color", "always"],
        ["-f", "md"],
    ):
        result = run_cli("list", "--date", "2025-08-25", "Bold", *extra, env=wide)
        assert result.returncode == 0, result.stderr
        visible = SGR.sub("", result.stdout)
        assert "\x1b" not in visible and "\x07" not in visible and "\r" not in visible
        if extra == ["-f", "md"]:
            assert "\\[**bold** red\\]**Bold**\\[/\\]" in visible
        else:
            assert "[bold red]Bold[/] [link=https://evil.example]click[/link]" in visible
            assert "]8;;https://evil.exampleosc8]8;; ]0;title [2J clear end" in visible
    piped = run_cli("list", "--date", "2025-08-25")
    assert len(piped.stdout.splitlines()) == 2


def test_configured_ttl_refetches_sooner(hub: HubServer) -> None:
    hub.serve(TODAY, "2025-08-25")
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    assert run_cli("config", "set", "cache.ttl_current", "0s").returncode == 0
    run_cli("today")
    run_cli("today")
    assert len(hub.api_requests()) == 2  # a TTL of 0 s: asked every time
    config.write_text('[cache]\nttl_current = "1h"\n')
    run_cli("today")
    assert len(hub.api_requests()) == 2


# -- help and output that tell the truth ------------------------------------------------------

HELP_PAGES = [
    [],
    ["today"],
    ["list"],
    ["search"],
    ["show"],
    ["open"],
    ["digest"],
    ["config"],
    ["config", "set"],
    ["watch"],
    ["watch", "add"],
]


@pytest.mark.parametrize("page", HELP_PAGES, ids=lambda p: " ".join(p) or "papertrack")
def test_help_pages_cut_nothing_and_list_examples_one_per_line(page: list[str]) -> None:
    result = run_cli(*page, "--help", env={"COLUMNS": "80"})
    assert result.returncode == 0 and result.stderr == ""
    text = result.stdout
    assert " · " not in text  # examples are not run together on one line
    assert not re.search(r"e\.g\.\s*$", text, re.MULTILINE)  # no sentence cut after "e.g."
    commands = text.split("Commands:", 1)[1] if "Commands:" in text else ""
    assert "..." not in commands  # every command's summary whole
    if "Examples:" in text:
        examples = text.split("Examples:", 1)[1].split("\n\n", 1)[0].strip().splitlines()
        assert examples and all(line.strip().startswith("papertrack ") for line in examples)


def test_a_typo_is_one_line_with_a_suggestion() -> None:
    result = run_cli("toady")
    assert result.returncode == 2
    assert result.stderr == (
        "papertrack: error: No such command 'toady'. Did you mean 'today'? "
        "See 'papertrack --help'.\n"
    )


def test_search_help_offers_only_its_own_options() -> None:
    text = run_cli("search", "--help").stdout
    assert "--category" not in text and "--replacements" not in text


@pytest.mark.parametrize("plain", [{"NO_COLOR": "1"}, {"TERM": "dumb"}], ids=["NO_COLOR", "dumb"])
def test_without_colour_the_table_still_shows_what_matched(
    one_day: list[dict[str, Any]], plain: dict[str, str]
) -> None:
    result = run_cli(
        "list", "--date", "2025-09-30", "agent", "-f", "table", env={"COLUMNS": "250", **plain}
    )
    assert result.returncode == 0 and not ANSI.search(result.stdout)
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("ID"))
    assert "Matched" in header
    rows = [line for line in lines if re.match(r"\s*\d{4}\.\d{5}", line)]
    assert rows and all("agent" in line.split("▲")[-1].lower() for line in rows)
    in_title = {p["id"] for p in one_day if "agent" in p["title"].lower()}
    for line in rows:
        paper_id = line.split()[0]
        assert ("(matched in " in line) == (paper_id not in in_title), line
    assert sum("(matched in abstract)" in line for line in rows) >= 1
    coloured = run_cli(
        "list",
        "--date",
        "2025-09-30",
        "agent",
        "-f",
        "table",
        "--color",
        "always",
        env={"COLUMNS": "250"},
    )
    assert "Matched" not in coloured.stdout and "(matched in abstract)" in coloured.stdout


def test_long_view_into_a_closed_pipe_exits_141(one_day: list[dict[str, Any]]) -> None:
    """`papertrack list --long | head -2`: the reader is gone before the first write."""
    for extra in (["--long"], ["-f", "table"], ["-f", "json"], []):
        read, write = os.pipe()
        proc = subprocess.Popen(
            [sys.executable, "-m", "papertrack", "list", "--date", "2025-09-30", *extra],
            stdout=write, stderr=subprocess.PIPE, env=os.environ.copy(), cwd=ROOT,
        )  # fmt: skip
        os.close(write)
        os.close(read)  # like head, gone
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 141, (extra, err)
        assert err == b"", (extra, err)


def test_config_warnings_are_printed_once(hub: HubServer) -> None:
    hub.serve("2025-08-25", "2025-08-25")
    hub.papers["2508.16153"] = raw("2025-08-25")[0]["paper"]
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('colour = "always"\n')  # a typo for color
    for args in (
        ["list", "--date", "2025-08-25"],
        ["today"],
        ["search", "agents"],
        ["show", "2508.16153"],
    ):
        result = run_cli(*args)
        warnings = [line for line in result.stderr.splitlines() if "unknown key colour" in line]
        assert len(warnings) == 1, (args, result.stderr)
