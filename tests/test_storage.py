"""A cache, state or config folder that cannot be written (a read-only mount, a full disk, a
folder left behind by ``sudo papertrack``): every command either works without it, with a
warning (exit 0), or says in one line which folder it needs (exit 1). Never exit 70.

The folders are made read-only or full for real: as root, in a private mount namespace of
the child process (a read-only bind mount, or a 64 KB tmpfs filled to the last byte);
otherwise with permissions (read-only) and RLIMIT_FSIZE (full).
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from tests.conftest import ROOT, TODAY, run_cli
from tests.hubserver import HubServer, hf_fixture

Kind = Literal["read-only", "full"]
AS_ROOT = os.geteuid() == 0
DAY = "2025-08-25"
ATOM = "rss_cs.AI_2025-08-20_atom.xml"


def restricted(
    args: list[str], *, folder: Path, kind: Kind, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run papertrack in a child process that cannot write *folder*."""
    command = [sys.executable, "-m", "papertrack", *args]
    environ = {**os.environ, **(env or {})}
    if AS_ROOT:
        where = shlex.quote(str(folder))
        if kind == "read-only":
            setup = f"mount --bind {where} {where} && mount -o remount,bind,ro {where}"
        else:
            # A copy of the folder on a small tmpfs mounted over it, then filled up.
            pages = sum(-(-p.stat().st_size // 4096) + 1 for p in folder.rglob("*"))
            size = (pages + 64) * 4096
            setup = (
                f"keep=$(mktemp -d) && cp -a {where}/. $keep/ && "
                f"mount -t tmpfs -o size={size} tmpfs {where} && cp -a $keep/. {where}/ && "
                f"(dd if=/dev/zero of={where}/.filler bs=1k 2>/dev/null || true) && "
                f"rm -rf $keep"
            )
        script = f'{setup} && exec "$@"'
        return subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *command],
            capture_output=True, text=True, env=environ, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
    if kind == "read-only":
        with read_only(folder):
            return subprocess.run(
                command, capture_output=True, text=True, env=environ, cwd=ROOT, timeout=120,
                check=False,
            )  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, env=environ, cwd=ROOT, timeout=120,
        check=False, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0)),
    )  # fmt: skip


class read_only:
    """Without root: take the write permission away from the tree, and give it back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.modes: dict[Path, int] = {}

    def __enter__(self) -> None:
        for path in [self.folder, *self.folder.rglob("*")]:
            mode = path.stat().st_mode
            self.modes[path] = mode
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

    def __exit__(self, *exc: object) -> None:
        for path, mode in self.modes.items():
            path.chmod(mode)


def assert_handled(result: subprocess.CompletedProcess[str], folder: Path) -> str:
    """Exit 0 with a warning naming the folder, or 1 with one error line naming it."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    if result.returncode == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("papertrack: error: "), result.stderr
        assert str(folder) in lines[0], result.stderr
        return "error"
    return "ok"


@pytest.fixture
def served(hub: HubServer) -> HubServer:
    """Hugging Face today and on DAY, arXiv's cs.AI feed, a search and a paper page."""
    hub.serve(TODAY, DAY)
    hub.serve(DAY, DAY)
    hub.feed("cs.AI", ATOM)
    hub.api("agent", "api_search_all-testing_2026-04-12.xml")
    items = fixture_items()
    hub.search_results = items[:5]
    hub.papers[items[0]["paper"]["id"]] = items[0]["paper"]
    return hub


@pytest.fixture
def cache() -> Iterator[Path]:
    folder = Path(os.environ["PAPERTRACK_CACHE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    yield folder


def fixture_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(hf_fixture(DAY).read_bytes())
    return items


def paper_id() -> str:
    return str(fixture_items()[0]["paper"]["id"])


def commands() -> list[list[str]]:
    return [
        ["today"],
        ["today", "-c", "cs.AI"],
        ["list", "--since", "3d"],
        ["list", "--date", DAY, "--refresh"],
        ["search", "agent"],
        ["search", "--source", "arxiv", "agent"],
        ["search", "--offline", "agent"],
        ["show", paper_id()],
        ["open", paper_id(), "--code", "--print"],
        ["digest", "--dry-run"],
        ["digest"],  # the state folder is writable: delivered and recorded
    ]


@pytest.mark.parametrize("kind", ["read-only", "full"])
@pytest.mark.parametrize("cached", [False, True], ids=["empty cache", "cached"])
def test_cache_folder(served: HubServer, cache: Path, kind: Kind, cached: bool) -> None:
    assert run_cli("watch", "add", "agents", "--term", "agent").returncode == 0
    if cached:
        for args in (["today", "-c", "cs.AI"], ["list", "--date", DAY], ["search", "agent"]):
            assert run_cli(*args).returncode == 0
        assert run_cli("search", "--offline", "agent").returncode == 0  # the index exists
    before = {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    outcomes = {}
    for args in commands():
        result = restricted(args, folder=cache, kind=kind)
        outcomes[" ".join(args)] = assert_handled(result, cache)
        if args[0] in ("today", "list", "search") and (cached or "--offline" not in args):
            assert result.returncode == 0 and result.stdout, (args, result.stderr)
        if not cached and args[0] in ("today", "list", "search", "show"):
            assert "warning:" in result.stderr, (args, result.stderr)  # what it could not keep
    # Reading needs no writing: with a cache, even --offline search finds its papers.
    assert set(outcomes.values()) == {"ok"}, outcomes
    if kind == "read-only":
        after = {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()}
        assert after == before


def test_arxiv_gate_moves_to_a_private_folder(served: HubServer, cache: Path) -> None:
    args = ["today", "-c", "cs.AI", "--source", "arxiv"]
    result = restricted(args, folder=cache, kind="read-only")
    assert result.returncode == 0, result.stderr
    assert f"warning: cannot use {cache} for arXiv's request lock" in result.stderr
    assert "papertrack-" in result.stderr  # the private folder it used instead
    assert len(result.stdout.splitlines()) == 86


def test_offline_search_without_an_index_reads_the_files(served: HubServer, cache: Path) -> None:
    assert run_cli("list", "--date", DAY).returncode == 0
    (cache / "index.sqlite3").unlink()
    online = run_cli("search", "--offline", "agent").stdout
    (cache / "index.sqlite3").unlink()
    kinds: tuple[Kind, ...] = ("read-only", "full")
    for kind in kinds:
        result = restricted(["search", "--offline", "agent"], folder=cache, kind=kind)
        assert result.returncode == 0, result.stderr
        assert result.stdout == online
        assert f"warning: cannot update the search index in {cache}" in result.stderr


@pytest.mark.parametrize("kind", ["read-only", "full"])
def test_state_folder(served: HubServer, kind: Kind) -> None:
    state = Path(os.environ["PAPERTRACK_STATE_DIR"])
    assert run_cli("watch", "add", "agents", "--term", "agent").returncode == 0
    assert run_cli("digest", "--watch", "agents", "--since", "2d").returncode == 0  # a state
    assert run_cli("watch", "add", "all", "--query", "upvotes:>=0").returncode == 0
    before = (state / "digest-state.json").read_bytes()
    sent = restricted(["digest"], folder=state, kind=kind)
    assert assert_handled(sent, state) == "error"
    assert sent.stdout == ""  # nothing delivered that could not be recorded
    assert "nothing was sent" in sent.stderr or "cannot lock" in sent.stderr
    dry = restricted(["digest", "--dry-run"], folder=state, kind=kind)
    assert dry.returncode == 0 and dry.stdout, dry.stderr
    assert (state / "digest-state.json").read_bytes() == before


@pytest.mark.parametrize("kind", ["read-only", "full"])
def test_config_folder(kind: Kind, tmp_path: Path) -> None:
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    assert run_cli("config", "set", "categories", "cs.CL").returncode == 0
    assert run_cli("config", "set", "digest.max", "20").returncode == 0
    before = config.read_bytes()
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho \'format = "json"\' >> "$1"\n')
    editor.chmod(0o755)
    for args in (
        ["config", "set", "mail.port", "587"],
        ["config", "unset", "categories"],
        ["watch", "add", "llm", "--term", "LLM"],
        ["watch", "rm", "nope"],
        ["config", "edit"],
    ):
        result = restricted(args, folder=config.parent, kind=kind, env={"EDITOR": str(editor)})
        if args[:2] == ["watch", "rm"]:
            assert result.returncode in (1, 2) and "Traceback" not in result.stderr
            continue
        assert assert_handled(result, config) == "error", args
        if args[1] == "edit":
            assert "your edit is kept in" in result.stderr
    for args in (["config", "show"], ["config", "get", "categories"], ["watch", "list"]):
        result = restricted(args, folder=config.parent, kind=kind)
        assert result.returncode == 0, result.stderr
    assert config.read_bytes() == before


def test_digest_file_on_a_full_disk(served: HubServer, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert run_cli("watch", "add", "agents", "--term", "agent").returncode == 0
    result = restricted(["digest", "-o", str(out / "d.md")], folder=out, kind="full")
    assert assert_handled(result, out) == "error"
    assert "nothing was sent" in result.stderr
    again = run_cli("digest", "-o", str(out / "d.md"))  # the same papers go out now
    assert again.returncode == 0 and (out / "d.md").exists()
