"""A cache, state or config folder that cannot be written (a read-only mount, a full disk, a
folder left behind by ``sudo papertrack``): every command either works without it, with a
warning (exit 0), or says in one line which folder it needs (exit 1). Never exit 70.

The folders are made read-only or full for real, in a private mount namespace of the child
process (a user namespace too when the tests do not run as root): a read-only bind mount,
or a small tmpfs holding a copy of the folder, filled to the last byte.
"""

from __future__ import annotations

import json
import os
import shlex
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
    """Run papertrack in a child process that cannot write *folder*: in a private mount
    namespace (a user namespace too when not root), *folder* is bind-mounted read-only, or
    covered by a small tmpfs holding a copy of it, filled to the last byte."""
    command = [sys.executable, "-m", "papertrack", *args]
    where = shlex.quote(str(folder))
    if kind == "read-only":
        setup = f"mount --bind {where} {where} && mount -o remount,bind,ro {where}"
    else:
        pages = sum(-(-p.stat().st_size // 4096) + 1 for p in folder.rglob("*"))
        size = (pages + 64) * 4096
        setup = (
            f"keep=$(mktemp -d) && cp -a {where}/. $keep/ && "
            f"mount -t tmpfs -o size={size} tmpfs {where} && cp -a $keep/. {where}/ && "
            f"(dd if=/dev/zero of={where}/.filler bs=1k 2>/dev/null || true) && "
            f"rm -rf $keep"
        )
    namespaces = ["--mount"] if AS_ROOT else ["--user", "--map-root-user", "--mount"]
    result = subprocess.run(
        ["unshare", *namespaces, "--propagation", "private",
         "sh", "-c", f'{setup} && exec "$@"', "sh", *command],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=ROOT,
        timeout=120, check=False,
    )  # fmt: skip
    assert "mount:" not in result.stderr and "unshare:" not in result.stderr, (
        f"this test needs mount namespaces (root, or unprivileged user namespaces):\n"
        f"{result.stderr}"
    )
    return result


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


def test_the_private_lock_folder_is_never_someone_elses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/tmp/papertrack-UID is used only if it is this user's own folder, closed to others:
    a symlink or a folder others can write (taken first by someone else) is passed over for
    a new private one."""
    import tempfile

    from papertrack.sources.throttle import private_folder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shared = tmp_path / f"papertrack-{os.getuid()}"
    assert private_folder() == shared and (shared.stat().st_mode & 0o777) == 0o700
    shared.rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shared.symlink_to(elsewhere)
    chosen = private_folder()
    assert chosen.parent == tmp_path and chosen != shared and not chosen.is_symlink()
    assert (chosen.stat().st_mode & 0o777) == 0o700
    shared.unlink()
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    assert private_folder() not in (shared, chosen)
