from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.hubserver import HubServer

# The normal suite tries a few hundred inputs per parser; `pytest -m fuzz
# --hypothesis-profile=fuzz` tries 10,000. Both are derandomized so CI sees the same inputs
# on every run (a red build must be reproducible); `--hypothesis-seed=N` explores others.
settings.register_profile("default", max_examples=200, deadline=None, derandomize=True)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile("default")

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


def pytest_configure(config: pytest.Config) -> None:
    # One folder for figures from every worker (pytest-xdist workers start after this and
    # inherit the environment); the controller prints them at the end.
    if not os.environ.get("PAPERTRACK_TEST_REPORTS"):
        import tempfile

        os.environ["PAPERTRACK_TEST_REPORTS"] = tempfile.mkdtemp(prefix="papertrack-reports-")


def write_report(name: str, data: object) -> None:
    """Save figures for the terminal summary (tests/test_faults.py, tests/test_fuzz.py)."""
    import json

    folder = Path(os.environ["PAPERTRACK_TEST_REPORTS"])
    (folder / f"{name}-{os.getpid()}.json").write_text(json.dumps(data))


def _reports(name: str) -> list[object]:
    import json

    folder = Path(os.environ.get("PAPERTRACK_TEST_REPORTS", "/nonexistent"))
    return [json.loads(p.read_text()) for p in sorted(folder.glob(f"{name}-*.json"))]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault matrix and the fuzzing counts when those tests ran."""
    from collections import Counter

    matrix: dict[str, str] = {}
    peaks: dict[str, float] = {}
    for report in _reports("matrix"):
        assert isinstance(report, dict)
        matrix.update(report["cells"])
        for fault, peak in report["peak_mb"].items():
            peaks[fault] = max(peaks.get(fault, 0.0), peak)
    if matrix:
        from tests.test_faults import matrix_table

        cells = {tuple(key.split("\t")): value for key, value in matrix.items()}
        terminalreporter.section("fault matrix")
        for line in matrix_table(cells, peaks):  # type: ignore[arg-type]
            terminalreporter.write_line(line)
    tried: Counter[str] = Counter()
    for report in _reports("fuzz"):
        assert isinstance(report, dict)
        tried.update(report)
    if tried:
        terminalreporter.section("fuzzing")
        for parser, count in sorted(tried.items()):
            terminalreporter.write_line(f"{parser:32} {count:>7,} inputs")
