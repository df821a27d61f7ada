"""Digests as cron runs them: real HTTP server, real SMTP server, real processes."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from papertrack.dates import day_label
from tests.conftest import ROOT, at, pinned_today, run_cli
from tests.hubserver import HubServer, hf_fixture

DAY = "2025-08-25"  # 13 papers; 6 mention "agent"
pytestmark = pytest.mark.usefixtures("clock")  # every test on a weekday and on a weekend


class Sink:
    """An SMTP server's DATA handler that keeps every message, or refuses them."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.reject = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reject:
            return "554 5.7.1 Message refused for the test"
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"me"
        and auth_data.password == b"s3cret-pw"
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server replies 535


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, auth_require_tls=False, authenticator=authenticate
    )
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def day(hub: HubServer, clock: date) -> list[dict[str, Any]]:
    """Today's Hugging Face listing is a recorded day."""
    hub.serve(clock, DAY)
    items: list[dict[str, Any]] = json.loads(hf_fixture(DAY).read_bytes())
    return items


def agent_ids(items: list[dict[str, Any]]) -> set[str]:
    def text(p: dict[str, Any]) -> str:
        return " ".join(
            [p["title"], p["summary"], p.get("ai_summary", ""), *p.get("ai_keywords", [])]
        ).lower()

    return {i["paper"]["id"] for i in items if "agent" in text(i["paper"])}


def state_file() -> Path:
    return Path(os.environ["PAPERTRACK_STATE_DIR"]) / "digest-state.json"


def watch(*args: str) -> None:
    result = run_cli("watch", "add", *args)
    assert result.returncode == 0, result.stderr


def test_two_runs_in_a_row_send_each_paper_once(day: list[dict[str, Any]], tmp_path: Path) -> None:
    watch("agents", "--term", "agent")
    target = tmp_path / "digest-{date}.md"
    first = run_cli("digest", "--output", str(target))
    assert first.returncode == 0, first.stderr
    written = tmp_path / f"digest-{pinned_today()}.md"
    text = written.read_text()
    wanted = agent_ids(day)
    assert len(wanted) >= 3
    for paper_id in wanted:
        assert f"https://huggingface.co/papers/{paper_id}" in text
    assert text.startswith(f"# papertrack digest · {pinned_today()}")
    assert "**agent" in text.lower()  # matched terms in bold
    assert f"Sent {len(wanted)} new paper(s) for agents to {written}." in first.stderr
    written.unlink()
    second = run_cli("digest", "--output", str(target))
    assert second.returncode == 0 and second.stdout == ""
    assert second.stderr.strip().splitlines()[-1] == "No new papers for agents; nothing sent."
    assert not written.exists()  # nothing written on an empty day
    empty = run_cli("digest", "--fail-if-empty")
    assert empty.returncode == 3
    seen = json.loads(state_file().read_text())["watches"]["agents"]["seen"]
    assert set(seen) == wanted


def test_dry_run_records_nothing(day: list[dict[str, Any]]) -> None:
    watch("agents", "--term", "agent")
    dry = run_cli("digest", "--dry-run", "--format", "text")
    assert dry.returncode == 0 and "Dry run:" in dry.stderr
    assert all(f"https://huggingface.co/papers/{i}" in dry.stdout for i in agent_ids(day))
    assert not state_file().exists()
    real = run_cli("digest", "-f", "json")
    sections = json.loads(real.stdout)["sections"]
    assert {p["id"] for p in sections[0]["papers"]} == agent_ids(day)


def test_each_watch_is_a_section_and_max_limits_it(day: list[dict[str, Any]]) -> None:
    watch("agents", "--term", "agent")
    watch("popular", "--query", "upvotes:>=10")
    result = run_cli("digest", "-f", "json", "--max", "2")
    document = json.loads(result.stdout)
    assert [s["watch"] for s in document["sections"]] == ["agents", "popular"]
    assert all(len(s["papers"]) == 2 for s in document["sections"])
    assert all(p["upvotes"] >= 10 for p in document["sections"][1]["papers"])
    only = run_cli("digest", "--watch", "popular", "-f", "json")
    assert [s["watch"] for s in json.loads(only.stdout)["sections"]] == ["popular"]
    unknown = run_cli("digest", "--watch", "nope")
    assert unknown.returncode == 2 and "no watch profile named 'nope'" in unknown.stderr
    assert run_cli("digest", "--format", "pdf").returncode == 2


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def hostile_day(hub: HubServer, tmp_path: Path) -> None:
    items = json.loads(hf_fixture(DAY).read_bytes())
    items[0]["paper"]["title"] = "<script>alert(1)</script> Agent & <b>bold</b> ]]> \x1b[2J"
    items[0]["paper"]["ai_summary"] = "An agent <img src=x onerror=alert(1)>"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(items))
    hub.serve(pinned_today(), path)


def test_html_escapes_and_feeds_parse_back(hub: HubServer, tmp_path: Path) -> None:
    hostile_day(hub, tmp_path)
    watch("agents", "--term", "agent")
    html = run_cli("digest", "--dry-run", "-f", "html").stdout
    parser = Tags()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Inline styles for mail clients; the one <style> is the dark variant, in the head.
    head, body = html.split("</head>")
    assert "<style" not in body and head.count("<style>") == 1
    assert "@media (prefers-color-scheme: dark)" in head and 'style="' in body
    rss = run_cli("digest", "-f", "rss", "-o", str(tmp_path / "feed.xml"))
    assert rss.returncode == 0
    channel = ET.parse(tmp_path / "feed.xml").getroot().find("channel")
    assert channel is not None
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert "<script>alert(1)</script> Agent & <b>bold</b> ]]> [2J" in titles
    guids = [item.findtext("guid") for item in channel.findall("item")]
    assert len(guids) == len(set(guids)) == len(titles)
    atom = run_cli("digest", "--since", "2d", "-f", "atom", "--dry-run")
    assert atom.returncode == 0  # nothing new: no document
    state = json.loads(state_file().read_text())
    assert len(state["recent"]) == len(titles)


def test_atom_is_a_valid_feed(day: list[dict[str, Any]], tmp_path: Path) -> None:
    watch("agents", "--term", "agent")
    run_cli("digest", "-f", "atom", "-o", str(tmp_path / "feed.atom"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.parse(tmp_path / "feed.atom").getroot()
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert root.find(required, ns) is not None
    entries = root.findall("a:entry", ns)
    assert {(e.findtext("a:id", "", ns)).rsplit(":", 1)[1] for e in entries} == agent_ids(day)
    links = [e.find("a:link", ns) for e in entries]
    assert all(a is not None and a.get("href", "").startswith("https://") for a in links)


def mail_config(port: int, **extra: str) -> None:
    settings = {
        "mail.host": "127.0.0.1",
        "mail.port": str(port),
        "mail.security": "none",
        "mail.from": "papertrack@example.org",
        "mail.to": "me@example.org,you@example.org",
        **extra,
    }
    for key, value in settings.items():
        assert run_cli("config", "set", key, value).returncode == 0


def test_mail_is_sent_once_with_html_and_text(
    day: list[dict[str, Any]], smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    watch("agents", "--term", "agent")
    mail_config(port)
    result = run_cli("digest", "--mail")
    assert result.returncode == 0, result.stderr
    assert "by mail" in result.stderr
    assert len(sink.messages) == 1
    envelope = sink.messages[0]
    assert envelope.rcpt_tos == ["me@example.org", "you@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"].startswith(f"papertrack: {len(agent_ids(day))} new papers (agents)")
    assert message.get_content_type() == "multipart/alternative"
    plain_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert plain_part is not None and html_part is not None
    text, html = plain_part.get_content(), html_part.get_content()
    for paper_id in agent_ids(day):
        assert paper_id in text and paper_id in html
    assert run_cli("digest", "--mail").returncode == 0
    assert len(sink.messages) == 1  # nothing new, nothing sent


def test_failed_send_leaves_the_state_untouched(
    day: list[dict[str, Any]], smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    watch("agents", "--term", "agent")
    mail_config(port)
    run_cli("digest", "--mail")
    before = state_file().read_bytes()
    watch("popular", "--query", "upvotes:>=10")
    sink.reject = True
    refused = run_cli("digest", "--mail")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"could not send mail via 127.0.0.1:{port}: 554" in refused.stderr
    assert state_file().read_bytes() == before
    sink.reject = False
    retried = run_cli("digest", "--mail")
    assert retried.returncode == 0 and len(sink.messages) == 2  # the same papers, now sent
    down = run_cli("config", "set", "mail.port", str(free_port()))
    assert down.returncode == 0
    before = state_file().read_bytes()
    watch("rare", "--term", "benchmark")
    refused_connection = run_cli("digest", "--mail")
    assert refused_connection.returncode == 1 and "could not send mail" in refused_connection.stderr
    assert state_file().read_bytes() == before


def test_smtp_login_password_from_env_or_command_never_shown(
    day: list[dict[str, Any]], smtp: tuple[Sink, int], tmp_path: Path
) -> None:
    sink, port = smtp
    watch("agents", "--term", "agent")
    mail_config(port, **{"mail.username": "me"})
    missing = run_cli("digest", "--mail")
    assert missing.returncode == 1 and "no password" in missing.stderr
    wrong = run_cli("digest", "--mail", env={"PAPERTRACK_SMTP_PASSWORD": "wrong-pw-123"})
    assert wrong.returncode == 1 and "535" in wrong.stderr and "wrong-pw-123" not in wrong.stderr
    helper = tmp_path / "pw.sh"
    helper.write_text("#!/bin/sh\necho s3cret-pw\n")
    helper.chmod(0o755)
    run_cli("config", "set", "mail.password_command", str(helper))
    sent = run_cli("digest", "--mail")
    assert sent.returncode == 0, sent.stderr
    assert len(sink.messages) == 1
    config_text = Path(os.environ["PAPERTRACK_CONFIG"]).read_text()
    assert "s3cret-pw" not in config_text and "s3cret-pw" not in sent.stderr


def test_sendmail_pipes_the_message(day: list[dict[str, Any]], tmp_path: Path) -> None:
    watch("agents", "--term", "agent")
    mail_config(25)
    log = tmp_path / "sendmail.eml"
    fake = tmp_path / "fake-sendmail"
    fake.write_text(f'#!/bin/sh\ncat > {log}\n[ "$1" = "-t" ] || exit 9\n')
    fake.chmod(0o755)
    run_cli("config", "set", "mail.sendmail_command", f"{fake} -t")
    result = run_cli("digest", "--sendmail")
    assert result.returncode == 0, result.stderr
    message = email.message_from_bytes(log.read_bytes(), policy=email.policy.default)
    assert message["To"] == "me@example.org, you@example.org"
    failing = tmp_path / "failing-sendmail"
    failing.write_text("#!/bin/sh\necho 'sendmail: cannot connect' >&2\nexit 75\n")
    failing.chmod(0o755)
    run_cli("config", "set", "mail.sendmail_command", str(failing))
    watch("popular", "--query", "upvotes:>=10")
    before = state_file().read_bytes()
    broken = run_cli("digest", "--sendmail")
    assert broken.returncode == 1
    assert "failed with exit status 75: sendmail: cannot connect" in broken.stderr
    assert state_file().read_bytes() == before


def test_two_digests_at_once_send_once(day: list[dict[str, Any]], tmp_path: Path) -> None:
    watch("agents", "--term", "agent")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "papertrack", "digest", "-o", str(tmp_path / f"out{n}.md")],
            cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for n in range(2)
    ]  # fmt: skip
    errors = []
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        errors.append(err.decode())
        assert proc.returncode == 0, err
    written = [p for p in (tmp_path / "out0.md", tmp_path / "out1.md") if p.exists()]
    assert len(written) == 1
    assert sum("nothing sent" in e for e in errors) == 1
    assert set(json.loads(state_file().read_text())["watches"]["agents"]["seen"]) == agent_ids(day)


def test_corrupt_state_is_an_error_not_a_resend(day: list[dict[str, Any]]) -> None:
    watch("agents", "--term", "agent")
    state_file().parent.mkdir(parents=True, exist_ok=True)
    state_file().write_text("{ not json")
    result = run_cli("digest")
    assert result.returncode == 1 and result.stdout == ""
    assert "the digest state" in result.stderr and "is unreadable" in result.stderr


@pytest.mark.parametrize(
    "now",
    [
        datetime(2025, 4, 28, 15, tzinfo=timezone.utc),  # Monday: the feed's own day
        datetime(2025, 5, 3, 15, tzinfo=timezone.utc),  # Saturday: no announcement
        datetime(2025, 4, 29, 0, 30, tzinfo=timezone.utc),  # past midnight UTC, Monday in NY
    ],
    ids=["weekday", "weekend", "utc-midnight"],
)
def test_updates_only_when_asked(
    hub: HubServer, tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A paper sent as v1 comes back as a replacement (v2): silent, or an update with --updates.
    The recorded feed is the current one; the clock is on its day, a weekend after it, and
    just past UTC midnight (a new UTC day while New York is still on the feed's day)."""
    at(now, monkeypatch)
    feed = (
        Path(__file__).parent / "fixtures" / "arxiv" / "rss_quant-ph_2025-04-28.xml"
    ).read_text()
    hub.feed("quant-ph", feed.encode())
    watch("q", "--source", "arxiv", "-c", "quant-ph", "--replacements", "--query", "type:replace")
    first = run_cli("digest", "-f", "json")
    sent = {p["id"]: p["version"] for p in json.loads(first.stdout)["sections"][0]["papers"]}
    assert sent and all(v is not None and v > 1 for v in sent.values())
    state = json.loads(state_file().read_text())
    for entry in state["watches"]["q"]["seen"].values():
        entry["v"] = 1  # pretend we sent the first versions
    state_file().write_text(json.dumps(state))
    quiet = run_cli("digest", "-f", "json")
    assert quiet.stdout == "" and "nothing sent" in quiet.stderr
    updates = run_cli("digest", "--updates", "-f", "json")
    papers = json.loads(updates.stdout)["sections"][0]["papers"]
    assert {p["id"] for p in papers} == set(sent) and all(p["update"] for p in papers)


def test_watch_sections_in_today(day: list[dict[str, Any]]) -> None:
    watch("agents", "--term", "agent")
    watch("popular", "--query", "upvotes:>=20")
    result = run_cli("today", "--watch", "agents", "--watch", "popular")
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert all(len(r) == 10 for r in rows)
    assert {r[0] for r in rows if r[7] == "agents"} == agent_ids(day)
    assert {r[8] for r in rows if r[7] == "agents"} == {"agent"}
    assert {r[7] for r in rows} == {"agents", "popular"}
    bad = run_cli("today", "--query", "agent AND (vision")
    assert bad.returncode == 2
    lines = bad.stderr.splitlines()
    assert lines[0].startswith("papertrack: error: invalid --query: expected ')'")
    assert lines[1] == "  agent AND (vision" and lines[2] == "            ^"


def test_same_day_digests_never_overwrite_each_other(
    day: list[dict[str, Any]], tmp_path: Path
) -> None:
    watch("agents", "--term", "agent")
    target = str(tmp_path / "d-{date}.md")
    assert run_cli("digest", "-o", target).returncode == 0
    watch("popular", "--query", "upvotes:>=10")
    assert run_cli("digest", "-o", target).returncode == 0
    first, second = tmp_path / f"d-{pinned_today()}.md", tmp_path / f"d-{pinned_today()}-2.md"
    assert "## agents" in first.read_text() and "## popular" in second.read_text()
    assert "## agents" not in second.read_text()


def test_an_interrupted_file_delivery_is_completed_once(
    day: list[dict[str, Any]], tmp_path: Path
) -> None:
    """A crash after the state recorded a digest but before its file was renamed into place:
    the next run renames it, and sends nothing twice."""
    watch("agents", "--term", "agent")
    final = tmp_path / "digest.md"
    assert run_cli("digest", "-o", str(final)).returncode == 0
    state = json.loads(state_file().read_text())
    temporary = tmp_path / ".digest.md.123.pending"
    final.rename(temporary)
    state["pending"] = {"temporary": str(temporary), "final": str(final)}
    state_file().write_text(json.dumps(state))
    result = run_cli("digest", "-o", str(tmp_path / "again.md"))
    assert result.returncode == 0
    assert f"Completed an interrupted digest delivery: {final}." in result.stderr
    assert "nothing sent" in result.stderr
    assert final.exists() and not temporary.exists()
    assert not (tmp_path / "again.md").exists()
    assert json.loads(state_file().read_text())["pending"] is None


def test_an_explicit_window_is_read_whole_or_refused(
    day: list[dict[str, Any]], hub: HubServer, clock: date
) -> None:
    watch("agents", "--term", "agent")
    too_far = run_cli("digest", "--since", "2024-10-20")
    assert too_far.returncode == 2 and too_far.stdout == ""
    span = (clock - date(2024, 10, 20)).days + 1
    assert too_far.stderr == (
        f"papertrack: error: --since 2024-10-20 reaches back {span} days; a digest reads at "
        f"most 100 days (use {clock - timedelta(days=99)} or later)\n"
    )
    assert not state_file().exists() and hub.requests == []
    whole = run_cli("digest", "--since", "100d", "-f", "json")
    assert whole.returncode == 0, whole.stderr
    window = {clock - timedelta(days=n) for n in range(100)}
    assert hub.covered_days() >= window  # every day of the window, not fewer
    assert len(hub.api_requests()) < 20  # in months and weeks, not 100 days
    watch("q", "--source", "arxiv", "-c", "quant-ph")
    arxiv = run_cli("digest", "--since", "14d", "--watch", "q")
    assert arxiv.returncode == 2
    # Two weeks hold 9 announcement days either way (Thanksgiving, 11-26, had none); the 7th
    # latest is a Monday from Wednesday, a Wednesday from Saturday.
    earliest = {"2026-12-02": "2026-11-23", "2026-12-05": "2026-11-25"}[str(clock)]
    assert arxiv.stderr == (
        "papertrack: error: --since 14d covers 9 arXiv announcement days for watch q; a digest "
        f"reads at most 7 (use {earliest} or later)\n"
    )


def test_a_long_silence_is_named_as_such(day: list[dict[str, Any]], clock: date) -> None:
    """The last digest long ago: read the last 100 days, and say why with the real date."""
    watch("agents", "--term", "agent")
    assert run_cli("digest", "-f", "json").returncode == 0
    state = json.loads(state_file().read_text())
    state["watches"]["agents"]["last_day"] = "2025-01-15"
    state_file().write_text(json.dumps(state))
    result = run_cli("digest", "-f", "json")
    assert result.returncode == 0
    assert (
        f"warning: watch agents last sent a digest on 2025-01-15; reading from "
        f"{clock - timedelta(days=99)} only (a digest reads at most 100 days)"
    ) in result.stderr.splitlines()


def test_each_note_once_however_many_watches(hub: HubServer, clock: date) -> None:
    """Three watches over two listings (Hugging Face alone, and joined with arXiv): the day
    Hugging Face falls back to is said once."""
    hub.serve(clock - timedelta(days=1), DAY)
    hub.feed("cs.AI", "rss_cs.AI_2025-08-20_atom.xml")
    watch("agents", "--term", "agent")
    watch("models", "--term", "model")
    watch("ai", "--term", "agent", "-c", "cs.AI")
    result = run_cli("digest", "-f", "json")
    assert result.returncode == 0, result.stderr
    notes = result.stderr.splitlines()
    assert len(notes) == len(set(notes)), notes
    assert sum(line.startswith(f"No papers for {day_label(clock)} yet") for line in notes) == 1


def test_a_watch_ranked_and_cut_by_taste(day: list[dict[str, Any]], tmp_path: Path) -> None:
    """``min_score`` keeps the papers like the library, ``sort = "taste"`` orders them, and
    the digest shows why under each; ``saved:no`` leaves out what was saved."""
    decoding = [i["paper"]["id"] for i in day if "decod" in i["paper"]["title"].lower()]
    assert decoding
    assert run_cli("today").returncode == 0  # cached: saving looks it up there
    assert run_cli("save", decoding[0]).returncode == 0
    bad = run_cli("watch", "add", "mine", "--min-score", "2")
    assert bad.returncode == 2 and "must be a number from -1 to 1" in bad.stderr
    bad_sort = run_cli("watch", "add", "mine", "--min-score", "0.1", "--sort", "best")
    assert bad_sort.returncode == 2 and "must be one of date" in bad_sort.stderr
    only_sort = run_cli("watch", "add", "mine", "--sort", "taste")
    assert only_sort.returncode == 2 and "needs something to match" in only_sort.stderr
    watch("mine", "--min-score", "0.02", "--sort", "taste", "--query", "saved:no")
    assert "min_score = 0.02" in run_cli("watch", "show", "mine").stdout

    listed = json.loads(run_cli("today", "--watch", "mine", "-f", "json").stdout)
    scores = [p["taste"]["score"] for p in listed]
    assert listed and all(s >= 0.02 for s in scores) and scores == sorted(scores, reverse=True)
    assert decoding[0] not in {p["id"] for p in listed}
    assert len(listed) < len(day)

    target = tmp_path / "digest.md"
    sent = run_cli("digest", "--output", str(target))
    assert sent.returncode == 0, sent.stderr
    text = target.read_text(encoding="utf-8")
    assert text.count("\nWhy: ") == len(listed)
    first_title = listed[0]["title"]
    assert text.index(first_title.split(":")[0]) < text.index("Why: ")
    as_json = run_cli("digest", "--since", "1d", "--dry-run", "--format", "json")
    assert as_json.returncode == 0 and "No new papers" in as_json.stderr  # sent once


def test_text_and_markdown_read_well_on_their_own(day: list[dict[str, Any]]) -> None:
    watch("all", "-q", "upvotes:>=0")
    text = run_cli("digest", "--dry-run", "-f", "text").stdout
    urls = re.compile(r"\s*(Code: )?https://\S+")
    for line in text.splitlines():
        assert len(line) <= 78 or urls.fullmatch(line), line  # a URL is never broken
    assert "1. " in text and "   https://huggingface.co/papers/" in text  # links under each
    md = run_cli("digest", "--dry-run", "-f", "md").stdout
    block = re.compile(r"\s*([-+*>]|\d+[.)]|=+|#+)(\s|$)")
    for line in md.splitlines():
        if line.startswith(("# ", "## ", "### ")):
            continue  # headings: one line, with the link
        assert len(line) <= 78 or "](<" in line, line
        assert not block.match(line), f"a wrapped line would start a block: {line!r}"
    summaries = [json.loads(run_cli("digest", "--dry-run", "-f", "json").stdout)]
    assert summaries[0]["sections"][0]["papers"]  # the same papers, unwrapped, for programs
