"""``digest --notify URL``: Apprise delivering to local stand-ins, a JSON webhook
(``json://``) and an ntfy-compatible server (``ntfy://``), over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from papertrack.digest import DigestItem, DigestSection
from papertrack.models import Paper
from papertrack.render.digest import render_notice
from tests.conftest import ROOT, run_cli
from tests.hubserver import HubServer, LocalServer

pytestmark = pytest.mark.usefixtures("clock")  # every test on a weekday and on a weekend
DAY = "2025-08-25"  # 13 papers; 3 say "agent" (title, abstract, AI summary)
SECRETS = ("TOPSECRET1", "TOPSECRET2", "TOPSECRET3", "TOPSECRET4")


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class Hooks(LocalServer):
    """Takes POSTs as a JSON webhook or an ntfy server would, and keeps them; a path in
    ``failing`` answers 500."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.failing: set[str] = set()
        self._lock = threading.Lock()
        self.listen(self._handler())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                path = self.path.split("?")[0]
                try:
                    body = json.loads(raw)
                except ValueError:  # an upload (ntfy attachments): kept as text
                    body = {"upload": raw.decode("utf-8", "replace")}
                headers = {k.lower(): v for k, v in self.headers.items()}
                with hooks._lock:
                    hooks.posts.append(Post(path, headers, body))
                status = 500 if path in hooks.failing else 200
                answer = b'{"error":"down for the test"}' if status == 500 else b'{"id":"x1"}'
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    server = Hooks().start()
    yield server
    server.stop()


@pytest.fixture
def day(hub: HubServer, clock: date) -> None:
    hub.serve(clock, DAY)
    assert run_cli("watch", "add", "agents", "--term", "agent").returncode == 0


def urls(hooks: Hooks, *, secret: bool = False) -> tuple[str, str]:
    host = hooks.base.removeprefix("http://")
    if secret:
        return (f"json://bob:TOPSECRET1@{host}/hook/TOPSECRET3",
                f"ntfy://alice:TOPSECRET2@{host}/papers")  # fmt: skip
    return f"json://{host}/hook", f"ntfy://{host}/papers"


def digest(*args: str) -> Any:
    return run_cli("digest", *args)


@pytest.mark.usefixtures("day")
def test_notify_delivers_one_message_to_each_channel_once(hooks: Hooks) -> None:
    webhook, ntfy = urls(hooks)
    result = digest("--notify", webhook, "--notify", ntfy)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # delivered elsewhere, not printed
    assert "Sent 3 new paper(s) for agents to JSON, ntfy." in result.stderr
    by_path = {post.path: post for post in hooks.posts}
    assert len(hooks.posts) == 2 and set(by_path) == {"/hook", "/"}
    sent_json, sent_ntfy = by_path["/hook"].body, by_path["/"].body
    assert sent_json["title"].startswith("papertrack: 3 new papers (agents) · ")
    assert sent_ntfy["topic"] == "papers" and sent_ntfy["title"] == sent_json["title"]
    for body in (sent_json["message"], sent_ntfy["message"]):
        assert body.count("https://huggingface.co/papers/") == 3
        assert "AgentFly" in body and "matched: agent" in body
    assert "x-markdown" not in by_path["/"].headers  # ntfy shows text unless told otherwise

    again = digest("--notify", webhook, "--notify", ntfy)
    assert again.returncode == 0 and "No new papers for agents" in again.stderr
    assert len(hooks.posts) == 2, "sent twice"


@pytest.mark.usefixtures("day")
def test_markdown_where_the_service_renders_it(hooks: Hooks) -> None:
    _, ntfy = urls(hooks)
    assert digest("--notify", ntfy + "?format=markdown").returncode == 0
    (post,) = hooks.posts
    assert post.headers["x-markdown"] == "yes"
    assert "**[AgentFly: Fine-tuning LLM Agents" in post.body["message"]
    assert "](<https://huggingface.co/papers/2508.16153>)**" in post.body["message"]


@pytest.mark.usefixtures("day")
def test_config_urls_and_no_notify(hooks: Hooks) -> None:
    webhook, _ = urls(hooks)
    assert run_cli("config", "set", "notify.urls", webhook).returncode == 0
    dry = digest("--dry-run")
    assert dry.returncode == 0 and not hooks.posts  # a dry run delivers nowhere
    skipped = digest("--no-notify", "-f", "json")
    assert skipped.returncode == 0 and json.loads(skipped.stdout)["sections"][0]["papers"]
    assert not hooks.posts
    assert run_cli("digest", "--since", "1d", "--no-notify", "--notify", webhook).returncode == 2


def test_a_failing_channel_records_nothing_and_no_secret_is_printed(
    hub: HubServer, clock: date, hooks: Hooks
) -> None:
    hub.serve(clock, DAY)
    assert run_cli("watch", "add", "agents", "--term", "agent").returncode == 0
    webhook, ntfy = urls(hooks, secret=True)
    hooks.failing.add("/")
    failed = digest("--notify", webhook, "--notify", ntfy)
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("papertrack: error: notify failed for 1 of 2")
    assert "ntfy (ntfy://***@127.0.0.1:" in lines[0] and "500" in lines[0]
    assert "nothing was recorded" in lines[0]
    assert {p.path for p in hooks.posts} == {"/hook/TOPSECRET3", "/"}  # JSON took it

    hooks.failing.clear()
    retried = digest("--notify", webhook, "--notify", ntfy)
    assert retried.returncode == 0, retried.stderr
    assert "Sent 3 new paper(s)" in retried.stderr  # the same papers, again
    assert len(hooks.posts) == 4

    outputs = [failed, retried]
    outputs.append(run_cli("config", "set", "notify.urls", f"{webhook} {ntfy}"))
    outputs.append(run_cli("config", "show"))
    outputs.append(run_cli("config", "get", "notify.urls"))
    outputs.append(run_cli("config", "set", "notify.urls", "not a url TOPSECRET4"))
    outputs.append(digest("--notify", "bogus://TOPSECRET4/x"))
    outputs.append(digest("--dry-run"))
    assert outputs[3].returncode == 0 and "json://***@127.0.0.1:" in outputs[3].stdout
    assert outputs[-3].returncode == 2 and outputs[-2].returncode == 2
    assert "cannot notify bogus://***/***" in outputs[-2].stderr
    for result in outputs:
        for secret in SECRETS:
            assert secret not in result.stdout + result.stderr, (secret, result)


@pytest.mark.usefixtures("day")
def test_without_apprise_the_error_names_the_extra(
    hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # import apprise now fails
    result = digest("--notify", urls(hooks)[0])
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "papertrack: error: --notify and notify.urls deliver through Apprise, which is not "
        "installed: pip install 'papertrack[notify]'"
    )
    assert not hooks.posts


def test_apprise_is_imported_only_to_notify() -> None:
    code = (
        "import sys; from papertrack.cli import app, digest; from papertrack import notify; "
        "print('apprise' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.strip() == "False"


def test_a_long_digest_is_split_between_papers_into_numbered_parts(
    hub: HubServer, clock: date, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apprise.plugins.ntfy import NotifyNtfy

    # Apprise waits 5.5 s between two messages to one ntfy server; its politeness is not
    # what this test is about.
    monkeypatch.setattr(NotifyNtfy, "request_rate_per_sec", 0)
    ids = hub.generate(clock, "2026-03-10", 28)
    assert run_cli("watch", "add", "all", "-q", "upvotes:>=0").returncode == 0
    _, ntfy = urls(hooks)
    result = digest("--notify", ntfy, "--max", "100")
    assert result.returncode == 0, result.stderr
    parts = [post.body for post in hooks.posts]
    assert len(parts) >= 2  # 28 papers are more than ntfy's 7,800 characters
    assert [p["title"].rsplit(" ", 1)[-1] for p in parts] == [
        f"({n}/{len(parts)})" for n in range(1, len(parts) + 1)
    ]
    assert all(len(p["message"]) <= NotifyNtfy.body_maxlen for p in parts)
    sent = "\n".join(p["message"] for p in parts)
    assert all(sent.count(f"https://huggingface.co/papers/{i}") == 1 for i in ids)


def test_render_notice_splits_between_papers() -> None:
    items = [
        DigestItem(
            "w",
            Paper(
                f"2501.{n:05d}", f"Paper number {n} " + "x" * 60, upvotes=n, abstract="word " * 80
            ),
            matched=("x",),
        )
        for n in range(40)
    ]
    section = DigestSection("w", items, "label")
    for fmt in ("markdown", "html", "text"):
        whole = render_notice([section], fmt, 100_000)
        assert len(whole) == 1
        parts = render_notice([section], fmt, 2000)
        assert len(parts) > 3 and all(len(p) <= 2000 for p in parts)
        joined = "\n\n".join(parts)
        for n in range(40):
            assert joined.count(f"https://huggingface.co/papers/2501.{n:05d}") == 1
        assert joined == whole[0]  # split at paper boundaries: nothing cut, nothing added
        tiny = render_notice([section], fmt, 120)
        assert all(len(p) <= 120 for p in tiny)
        assert all("https://huggingface.co/papers/2501." in p for p in tiny[1:])


def test_each_service_gets_the_format_and_length_it_takes() -> None:
    from papertrack.notify import channels

    found = channels([
        "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
        "tgram://123456789:abcdefg_hijklmnop/12315544",
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7F/#general",
        "ntfy://ntfy.sh/my-papers",
        "ntfy://ntfy.sh/my-papers?format=markdown",
    ])  # fmt: skip
    seen = [(c.service, c.format, c.limit, c.shown) for c in found]
    assert seen == [
        ("Discord", "markdown", 2000, "discord://***/***"),
        ("Telegram", "html", 4096 - 60, "tgram://***"),  # its title goes in the body
        ("Slack", "markdown", 35000, "slack://***/***?***"),
        ("ntfy", "text", 7000, "ntfy://ntfy.sh/***"),
        ("ntfy", "markdown", 7000, "ntfy://ntfy.sh/***?***"),
    ]
    assert found[3].size('"é"') == len(json.dumps('"é"'))  # ntfy counts its JSON request


def test_a_shortened_paper_stays_escaped() -> None:
    hostile = Paper("2501.00001", "<b>bold</b> & " * 30, abstract="word " * 80)
    section = DigestSection("w", [DigestItem("w", hostile)], "label")
    html = render_notice([section], "html", 200)
    assert all(len(part) <= 200 for part in html)
    assert "<b>bold" not in html[-1] and "&lt;b&gt;bold" in html[-1]
    assert not re.search(r"&[a-z]*…", html[-1])  # no escape cut in half
    md = render_notice([section], "markdown", 200)
    assert "\\<b\\>bold" in md[-1] and all(len(part) <= 200 for part in md)
