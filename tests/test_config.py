"""config.toml through the CLI: round trips, validation, permissions, concurrent edits."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from papertrack import config
from papertrack.config import parse_toml
from tests.conftest import ROOT, run_cli


@pytest.fixture
def path() -> Path:
    return Path(os.environ["PAPERTRACK_CONFIG"])


def test_set_get_unset_keep_unknown_keys_and_comments_of_values(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('custom = "kept"\n[mail]\nhost = "smtp.example.org"\nextra = 1\n')
    assert run_cli("config", "set", "mail.port", "587").returncode == 0
    assert run_cli("config", "set", "categories", "cs.cl, cs.LG").returncode == 0
    assert run_cli("config", "set", "watch.ml.terms", "diffusion,agents").returncode == 0
    document = parse_toml(path.read_text())
    assert document == {
        "custom": "kept",
        "mail": {"host": "smtp.example.org", "extra": 1, "port": 587},
        "categories": ["cs.CL", "cs.LG"],
        "watch": {"ml": {"terms": ["diffusion", "agents"]}},
    }
    assert run_cli("config", "get", "mail.port").stdout == "587\n"
    assert run_cli("config", "get", "mail.host").stdout == "smtp.example.org\n"
    assert run_cli("config", "get", "categories").stdout == '["cs.CL", "cs.LG"]\n'
    assert run_cli("config", "get", "mail.security").stdout == "starttls\n"  # the default
    unset = run_cli("config", "get", "mail.username")
    assert unset.returncode == 1 and unset.stdout == ""
    assert run_cli("config", "unset", "mail.port").returncode == 0
    assert run_cli("config", "unset", "watch.ml.terms").returncode == 0
    document = parse_toml(path.read_text())
    assert document["mail"] == {"host": "smtp.example.org", "extra": 1}
    assert "watch" not in document  # emptied tables go too
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run_cli("config", "path").stdout == f"{path}\n"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ["config", "set", "mail.port", "many"],
            "invalid value for mail.port: must be a whole number",
        ),
        (["config", "set", "mail.security", "tls"], "must be one of starttls, ssl, none"),
        (["config", "set", "categories", "cs.XY"], "unknown arXiv category 'cs.XY'"),
        (
            ["config", "set", "colour", "never"],
            "unknown config key 'colour'; valid keys: sources, categories",
        ),
        (["config", "get", "mail.server"], "unknown config key 'mail.server'"),
        (
            ["config", "set", "mail.password", "hunter2"],
            "mail.password cannot be stored in the config",
        ),
        (["config", "set", "watch.bad name.terms", "x"], "invalid watch name"),
        (["config", "set", "watch.ml.query", "title:(a"], "expected ')'"),
        (["config", "set", "cache.ttl_current", "soon"], "is not a duration like 30m"),
    ],
)
def test_bad_keys_and_values_exit_2(args: list[str], needle: str, path: Path) -> None:
    result = run_cli(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert needle in result.stderr
    assert not path.exists()


def test_invalid_file_names_file_line_and_problem(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('sources = "all"\ncategories = ["cs.CL"\n')
    result = run_cli("today")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        f"papertrack: error: {path}, line 2 (end of file): invalid TOML: "
    )
    path.write_text('sources = "all"\nformat = md\ncolor = "never"\n')
    middle = run_cli("today")
    assert middle.stderr.startswith(f"papertrack: error: {path}, line 2, column 10: invalid TOML: ")
    path.write_text('[mail]\nhost = "h"\nport = "five"\n')
    bad_value = run_cli("config", "show")
    assert bad_value.returncode == 2
    assert f"{path}, line 3: mail.port must be a whole number" in bad_value.stderr
    path.write_text('[mail]\npassword = "hunter2"\n')
    secret = run_cli("today")
    assert secret.returncode == 2 and "mail.password is not allowed" in secret.stderr
    assert "hunter2" not in secret.stderr


def test_unknown_key_in_the_file_is_a_warning(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('categries = ["cs.CL"]\n')
    result = run_cli("config", "show")
    assert result.returncode == 0
    assert "warning: " in result.stderr and "unknown key categries" in result.stderr


def test_config_defaults_feed_the_commands(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('categories = ["cs.XY"]\n')
    result = run_cli("today")
    assert result.returncode == 2 and "categories" in result.stderr and "cs.XY" in result.stderr


def test_edit_saves_only_a_valid_result(path: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf \'sources = "all"\\ncategories = ["cs.CL"]\\n\' > "$1"\n')
    editor.chmod(0o755)
    ok = run_cli("config", "edit", env={"EDITOR": str(editor)})
    assert ok.returncode == 0, ok.stderr
    assert parse_toml(path.read_text()) == {"sources": "all", "categories": ["cs.CL"]}
    broken = tmp_path / "broken.sh"
    broken.write_text("#!/bin/sh\nprintf 'categories = [\\n' > \"$1\"\n")
    broken.chmod(0o755)
    refused = run_cli("config", "edit", env={"VISUAL": str(broken)})
    assert refused.returncode == 2 and "your edit is kept in" in refused.stderr
    assert parse_toml(path.read_text()) == {"sources": "all", "categories": ["cs.CL"]}


def test_concurrent_sets_lose_nothing(path: Path) -> None:
    """Eight processes each set their own key at once: all eight keys survive."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "papertrack", "config", "set", f"watch.w{n}.terms", f"t{n}"],
            cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for n in range(8)
    ]  # fmt: skip
    for proc in procs:
        proc.communicate(timeout=60)
        assert proc.returncode == 0
    watches = parse_toml(path.read_text())["watch"]
    assert sorted(watches) == [f"w{n}" for n in range(8)]


def test_watch_commands(path: Path) -> None:
    added = run_cli(
        "watch",
        "add",
        "llm",
        "--term",
        "language model",
        "-t",
        "LLM",
        "--min-upvotes",
        "5",
        "-c",
        "cs.cl",
    )
    assert added.returncode == 0, added.stderr
    again = run_cli("watch", "add", "llm", "--term", "x")
    assert again.returncode == 2 and "exists; use --replace" in again.stderr
    assert run_cli("watch", "add", "llm", "--term", "x", "--replace").returncode == 0
    bad_query = run_cli("watch", "add", "q", "--query", "NOT")
    assert bad_query.returncode == 2 and "^" in bad_query.stderr
    empty = run_cli("watch", "add", "nothing")
    assert empty.returncode == 2 and "needs something to match" in empty.stderr
    run_cli(
        "watch",
        "add",
        "quantum",
        "--query",
        'cat:quant-ph AND "error correction"',
        "--source",
        "arxiv",
        "-c",
        "quant-ph",
    )
    listed = run_cli("watch", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["llm", "quantum"]
    shown = run_cli("watch", "show", "quantum").stdout
    assert parse_toml(shown) == {
        "watch": {
            "quantum": {
                "categories": ["quant-ph"],
                "sources": "arxiv",
                "query": 'cat:quant-ph AND "error correction"',
            }
        }
    }
    assert run_cli("watch", "rm", "llm").returncode == 0
    assert sorted(config.load(path).watches) == ["quantum"]
    missing = run_cli("watch", "rm", "llm")
    assert missing.returncode == 2 and "no watch profile named 'llm'" in missing.stderr
