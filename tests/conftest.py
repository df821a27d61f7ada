from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hubserver import HubServer

ROOT = Path(__file__).resolve().parent.parent
# Variables that would change what papertrack does if the developer's shell has them.
_SCRUBBED = (
    "HF_ENDPOINT",
    "HF_TOKEN",
    "HF_HUB_OFFLINE",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "PAPERTRACK_CACHE_DIR",
    "PAPERTRACK_TIMEOUT",
    "PAPERTRACK_BACKOFF",
    "TERM",
)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test gets its own cache folder and a clean environment."""
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("PAPERTRACK_CACHE_DIR", str(cache))
    monkeypatch.setenv("PAPERTRACK_BACKOFF", "0.01")
    # Unreachable on purpose: a test that forgets its server must not reach the internet.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("PAPERTRACK_ARXIV_RSS_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAPERTRACK_ARXIV_API_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("PAPERTRACK_ARXIV_DELAY", "0")
    monkeypatch.setenv("PAPERTRACK_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("PAPERTRACK_STATE_DIR", str(tmp_path / "state"))
    return cache


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    server = HubServer().start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("PAPERTRACK_ARXIV_RSS_URL", server.url)
    monkeypatch.setenv("PAPERTRACK_ARXIV_API_URL", f"{server.url}/api/query")
    yield server
    server.stop()


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run papertrack in a child process, stdout and stderr real pipes."""
    return subprocess.run(
        [sys.executable, "-m", "papertrack", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault matrix (tests/test_faults.py) when it ran."""
    module = sys.modules.get("tests.test_faults")
    results = getattr(module, "RESULTS", None)
    if module is None or not results:
        return
    terminalreporter.section("fault matrix")
    for line in module.matrix_table(results):
        terminalreporter.write_line(line)
