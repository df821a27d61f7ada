from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
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
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)
"""The clock of every test run: a Wednesday, 10:00 in New York, an arXiv announcement day.
Nothing in the suite may read the wall clock; tests about other days set their own."""
TODAY = NOW.date()
WEEKEND = datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)
"""A Saturday: no arXiv announcement, and Hugging Face's quietest day."""


def stamp(moment: datetime) -> str:
    """*moment* as PAPERTRACK_NOW takes it."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    "PAPERTRACK_DEBUG",
    "PAPERTRACK_SMTP_PASSWORD",
    "BROWSER",
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
    monkeypatch.setenv("PAPERTRACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PAPERTRACK_NOW", stamp(NOW))
    return cache


def pinned_today() -> date:
    """The UTC day of the clock runs see now (PAPERTRACK_NOW, as the fixtures set it)."""
    from papertrack.cli.context import parse_now

    return parse_now(os.environ["PAPERTRACK_NOW"]).date()


@pytest.fixture(params=[NOW, WEEKEND], ids=["Wednesday", "Saturday"])
def clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> date:
    """Runs the test twice: on an arXiv announcement day and on a weekend. Modules whose
    behaviour depends on the day use it for every test (``pytestmark``)."""
    at(request.param, monkeypatch)
    return pinned_today()


def at(moment: datetime | date, monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the clock of every later run (in-process or child) to *moment* (a date: 15:00
    UTC that day)."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, 15, tzinfo=timezone.utc)
    monkeypatch.setenv("PAPERTRACK_NOW", stamp(moment))


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    server = HubServer().start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("PAPERTRACK_ARXIV_RSS_URL", server.url)
    monkeypatch.setenv("PAPERTRACK_ARXIV_API_URL", f"{server.url}/api/query")
    yield server
    server.stop()


@dataclass
class Result:
    """What a run printed and returned (the shape of subprocess.CompletedProcess)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str] | None = None, tty: bool = False) -> Result:
    """Run papertrack in this process, as cli.main would, with string streams: the
    environment is this process's (the autouse fixture's) plus *env*; *tty* makes both
    streams claim to be terminals."""
    from papertrack.cli import run
    from papertrack.cli.context import Context

    out, err = io.StringIO(), io.StringIO()
    context = Context(
        stdout=out,
        stderr=err,
        environ={**os.environ, **(env or {})},
        stdout_isatty=tty,
        stderr_isatty=tty,
    )
    code = run(list(args), context)
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
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
    attacks: dict[str, dict[str, float]] = {}
    for report in _reports("attacks"):
        assert isinstance(report, dict)
        attacks.update(report)
    if attacks:
        terminalreporter.section("hostile servers")
        for name, figures in sorted(attacks.items()):
            terminalreporter.write_line(
                f"{name:40} peak {figures['peak_mb']:6.1f} MB  {figures['seconds']:6.2f} s"
            )
    tried: Counter[str] = Counter()
    for report in _reports("fuzz"):
        assert isinstance(report, dict)
        tried.update(report)
    if tried:
        terminalreporter.section("fuzzing")
        for parser, count in sorted(tried.items()):
            terminalreporter.write_line(f"{parser:32} {count:>7,} inputs")
