"""Hostile content: remote titles, authors and abstracts full of escape sequences, control
characters, bidi overrides, markup, HTML, enormous strings and invalid UTF-8, rendered in
every output format. The terminal must never be driven by remote text, piped lines must
stay one per paper, and HTML/XML must stay well-formed and inert."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from papertrack.text import TEXT_MAX
from tests.conftest import TODAY, run_cli
from tests.hubserver import HubServer, hf_fixture

NASTY = (
    "\x1b[31mred\x1b[0m \x1b]0;pwned-title\x07 "  # colour, window title
    "\x1b]8;;https://evil.example\x1b\\osc8 link\x1b]8;;\x1b\\ "  # an OSC 8 hyperlink
    "\x1b[2J\x1b[H cleared \r overwrite \x07bell \x00nul \x9bcsi "  # clear screen, CR, BEL, NUL, C1
    "\u202eevil-bidi\u202c \u2066iso\u2069 "  # bidi overrides
    "[bold red]markup[/] [link=https://evil.example]rich link[/link] "  # Rich markup
    "<script>alert(1)</script> <img src=x onerror=alert(2)> &amp; ]]> "  # HTML, CDATA end
    "\ud800 \ufffe"  # a lone surrogate, a non-character
)
LONG = "Transformers " * 8000  # ~100 KB
SGR = re.compile(r"\x1b\[[0-9;]*m")
# Anything a terminal would act on: C0 (but newline and tab), DEL, C1, bidi controls.
DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(hub: HubServer, tmp_path: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(hf_fixture("2025-08-25").read_bytes())[:4]
    items[0]["paper"]["title"] = f"Agent {NASTY}"
    items[0]["paper"]["summary"] = f"Abstract {NASTY}"
    items[0]["paper"]["ai_summary"] = f"AI {NASTY}"
    items[0]["paper"]["authors"] = [{"name": f"Eve {NASTY}"}, {"name": "Bob"}]
    items[1]["paper"]["title"] = f"Agent {LONG}"
    items[2]["paper"]["id"] = "../../../../etc/passwd"
    items[3]["paper"]["title"] = "Agent invalid UTF-8 here: @@BAD@@"
    body = json.dumps(items).encode().replace(b"@@BAD@@", b"\xff\xfe\xc3(")
    path = tmp_path / "hostile.json"
    path.write_bytes(body)
    hub.serve(TODAY, path)
    hub.papers[items[0]["paper"]["id"]] = items[0]["paper"]
    return items


def visible(text: str) -> str:
    return SGR.sub("", text)


def assert_inert_terminal_text(text: str) -> None:
    shown = visible(text)
    found = DANGEROUS.search(shown)
    assert found is None, f"control character {found.group()!r} reached the output"
    assert "\x1b" not in shown


FORMATS = [
    ["-f", "table", "--color", "always"],
    ["--long", "--color", "always"],
    ["-f", "lines", "--color", "always"],
    ["-f", "lines"],
    ["-f", "json"],
    ["-f", "jsonl"],
    ["-f", "csv"],
    ["-f", "md"],
]


@pytest.mark.parametrize("args", FORMATS, ids=lambda a: " ".join(a))
def test_listing_formats(hostile: list[dict[str, Any]], args: list[str]) -> None:
    result = run_cli("today", "agent", *args, env={"COLUMNS": "400"})
    assert result.returncode == 0, result.stderr
    assert "warning: skipped 1 malformed item" in result.stderr  # the path-traversal id
    assert_inert_terminal_text(result.stdout)
    assert_inert_terminal_text(result.stderr)
    out = result.stdout
    if args[-1] == "lines":
        rows = [line.split("\t") for line in out.splitlines()]
        assert len(rows) == 3 and all(len(r) == 8 for r in rows)
        # One line, cut to the title limit with a warning.
        long_title = f"Agent {' '.join(LONG.split())}"[: TEXT_MAX - 1].rstrip() + "…"
        assert any(r[-1] == long_title for r in rows)
        assert "over-long title; cut to papertrack's limits" in result.stderr
        assert any("\ufffd" in r[-1] for r in rows)  # invalid UTF-8, replaced
    elif args[-1] == "json":
        records = json.loads(out)
        assert len(records) == 3
        assert "[bold red]markup[/]" in records[0]["title"]
    elif args[-1] == "jsonl":
        assert len([json.loads(line) for line in out.splitlines()]) == 3
    elif args[-1] == "csv":
        assert len(list(csv.DictReader(io.StringIO(out)))) == 3
    elif args[-1] == "md":
        assert "<script>" not in out and "\\<script\\>alert(1)\\</script\\>" in out
        assert len([line for line in out.splitlines() if line.startswith("| [")]) == 3
    else:
        assert "[bold red]markup[/] [link=https://evil.example]rich link[/link]" in visible(out)
    assert "passwd" not in out


def test_no_file_outside_the_cache(hostile: list[dict[str, Any]], tmp_path: Path) -> None:
    run_cli("today")
    cache = Path(os.environ["PAPERTRACK_CACHE_DIR"])
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "passwd" in str(p)]
    assert files == []
    assert all(p.resolve().is_relative_to(cache.resolve()) for p in cache.rglob("*"))


def test_show(hostile: list[dict[str, Any]]) -> None:
    paper_id = hostile[0]["paper"]["id"]
    for args in ([], ["--color", "always"], ["-f", "json"], ["-f", "md"]):
        result = run_cli("show", paper_id, *args)
        assert result.returncode == 0, result.stderr
        assert_inert_terminal_text(result.stdout)
    assert "<script>" not in run_cli("show", paper_id, "-f", "md").stdout


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def test_digest_formats(hostile: list[dict[str, Any]], tmp_path: Path) -> None:
    assert run_cli("watch", "add", "agents", "--term", "agent").returncode == 0
    for fmt in ("md", "text", "json", "html"):
        result = run_cli("digest", "--dry-run", "-f", fmt)
        assert result.returncode == 0, result.stderr
        assert_inert_terminal_text(result.stdout)
    html = run_cli("digest", "--dry-run", "-f", "html").stdout
    tags = Tags()
    tags.feed(html)
    assert not {"script", "img", "iframe", "b"} & set(tags.tags)
    assert tags.handlers == []
    for fmt in ("rss", "atom"):
        target = tmp_path / f"feed.{fmt}"
        result = run_cli("digest", "--since", "1d", "-f", fmt, "-o", str(target))
        assert result.returncode == 0, result.stderr
        root = ET.parse(target).getroot()  # well-formed, whatever the titles held
        text = ET.tostring(root, encoding="unicode")
        assert "<script>" not in text
        assert DANGEROUS.search(text) is None
        run_cli("digest", "--since", "1d")  # mark as sent through stdout; the next format re-sends
        Path(os.environ["PAPERTRACK_STATE_DIR"], "digest-state.json").unlink()
