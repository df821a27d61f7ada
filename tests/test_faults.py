"""The fault matrix: every fault the network can produce, with no cache and with a cached
copy, for the five commands that fetch. Every cell is a real child process against a real
local server, and every cell is checked for: no traceback; one clear line naming the URL
and the cause; the documented exit code; retries only for faults where retrying helps,
bounded; a cached copy shown with a stale warning; the cache and the digest state
unchanged; memory bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import faults
from tests.conftest import ROOT, TODAY, write_report
from tests.hubserver import HubServer

WEEK = f"{TODAY.isocalendar()[0]}-W{TODAY.isocalendar()[1]:02d}"
COMMANDS: dict[str, list[str]] = {
    "today": ["today", "-c", "cs.AI"],
    "list --week": ["list", "--week", WEEK],
    "search": ["search", "--source", "all", "agents"],
    "show": ["show", "2508.16153"],
    "digest": ["digest"],
}
RETRIED = 3
MEASURE = Path(__file__).with_name("measure.py")
READ_TIMEOUT = 0.3
"""The timeout of the cells about timeouts: short, so that their retries stay quick."""
PATIENT = 10.0
"""Every other cell's timeout. Eight cells run at once and their servers share this process,
so under load an instant answer can come later than 0.3 s: a retry the cell did not expect."""


@dataclass(frozen=True)
class Case:
    fault: faults.Fault | None
    retried_json: bool
    retried_xml: bool
    port: Callable[[], AbstractContextManager[int]] | None = None
    """A URL that is not the server: refused or never accepted."""
    asked: int | None = None
    """Requests per URL when that is not about retrying (a redirect loop is followed)."""
    timeout: float = PATIENT


CASES: dict[str, Case] = {
    "connection refused": Case(None, False, False, faults.refusing_port),
    "connect timeout": Case(None, True, True, faults.unanswered_port, timeout=READ_TIMEOUT),
    "read timeout mid-body": Case(
        faults.read_timeout(READ_TIMEOUT * 4), True, True, timeout=READ_TIMEOUT
    ),
    "429 RateLimit t=1": Case(faults.rate_limit_hf(1), True, True),
    "429 Rate exceeded.": Case(faults.rate_exceeded(429), True, True),
    "200 Rate exceeded.": Case(faults.rate_exceeded(200), False, True),
    "500": Case(faults.status(500, b"Internal Server Error"), True, True),
    "502": Case(faults.status(502, b"<html>Bad Gateway</html>"), True, True),
    "503": Case(faults.status(503, b"Service Unavailable"), True, True),
    "truncated body": Case(faults.truncated, False, False),
    "HTML page, 200": Case(faults.html_page, False, False),
    "JSON object": Case(faults.json_body({"error": "gone"}), False, False),
    "JSON list of strings": Case(faults.json_body(["a", "b"]), False, False),
    "JSON without paper": Case(faults.json_body([{"title": "x", "upvotes": 3}]), False, False),
    "empty body": Case(faults.status(200, b""), False, True),
    "50 MB body": Case(faults.huge(50), False, False),
    "redirect loop": Case(faults.redirect_loop, False, False, asked=6),  # 1 + 5 redirects
    "XML entity bomb": Case(faults.xml_bomb, False, False),
}
RESULTS: dict[tuple[str, str, str], str] = {}
PEAK_MB: dict[str, float] = {}
"""The largest resident memory any papertrack process reached, per fault."""


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def run_measured(args: list[str], env: dict[str, str]) -> Run:
    """Run papertrack under tests/measure.py, which reports its own peak memory."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        proc = subprocess.run(
            [sys.executable, str(MEASURE), str(report), sys.executable, "-m", "papertrack", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        measured = json.loads(report.read_text())
    return Run(
        measured["code"],
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        time.monotonic() - started,
        measured["max_rss_kb"] / 1024,  # kilobytes on Linux
    )


def snapshot(*folders: Path) -> dict[str, bytes]:
    """Every cache and state file (not locks and the arXiv timestamp, which change by design)."""
    files: dict[str, bytes] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.json")) if folder.exists() else []:
            files[str(path)] = path.read_bytes()
    return files


def serve_everything(hub: HubServer) -> None:
    hub.serve(TODAY, "2025-08-25")
    hub.feed("cs.AI", "rss_cs.AI_2025-08-20_atom.xml")
    hub.api("search_query", "api_search_all-testing_2026-04-12.xml")
    hub.search_results = faults.json_fixture_items("2025-10-24")[:5]
    hub.papers["2508.16153"] = faults.json_fixture_items("2025-08-25")[0]["paper"]


@pytest.fixture(scope="module")
def report() -> Iterator[dict[tuple[str, str, str], str]]:
    """Cell results; conftest's pytest_terminal_summary prints them as the matrix table."""
    yield RESULTS
    write_report(
        "matrix",
        {"cells": {"\t".join(key): value for key, value in RESULTS.items()}, "peak_mb": PEAK_MB},
    )


def matrix_table(
    results: dict[tuple[str, str, str], str], peaks: dict[str, float] | None = None
) -> list[str]:
    commands = list(COMMANDS)
    width = max(len(f) for f in CASES) + 2
    lines = [
        "Fault matrix: each cell is 'no cache | cached copy'",
        "fault".ljust(width) + "".join(c.ljust(15) for c in commands),
    ]
    for fault in CASES:
        row = fault.ljust(width)
        for command in commands:
            cells = [results.get((fault, command, kind), "-") for kind in ("none", "cached")]
            row += f"{cells[0]} | {cells[1]}".ljust(15)
        lines.append(row)
    passed = sum(1 for value in results.values() if value == "ok")
    lines.append(f"cells passed: {passed} / {len(results)}")
    peaks = peaks if peaks is not None else PEAK_MB
    if peaks:
        worst = max(peaks, key=lambda name: peaks[name])
        lines.append(
            f"peak memory of any run: {peaks[worst]:.0f} MB ({worst}); "
            f"with the 50 MB body: {peaks.get('50 MB body', 0):.0f} MB"
        )
    return lines


def case_name(case: Case) -> str:
    return next(name for name, known in CASES.items() if known is case)


WATCH = '[watch.agents]\nterms = ["agent"]\ncategories = ["cs.AI"]\n'


def environment(hub: HubServer, home: Path, timeout: float = PATIENT) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(WATCH)
    return {
        **os.environ,
        "PAPERTRACK_CACHE_DIR": str(home / "cache"),
        "PAPERTRACK_STATE_DIR": str(home / "state"),
        "PAPERTRACK_CONFIG": str(home / "config.toml"),
        "PAPERTRACK_TIMEOUT": str(timeout),
        "PAPERTRACK_BACKOFF": "0.01",
        "HF_ENDPOINT": hub.url,
        "PAPERTRACK_ARXIV_RSS_URL": hub.url,
        "PAPERTRACK_ARXIV_API_URL": f"{hub.url}/api/query",
    }


def arguments(command: str, home: Path) -> list[str]:
    args = list(COMMANDS[command])
    if command == "digest":
        args += ["-o", str(home / "digest-{date}.md")]
    return args


@pytest.mark.parametrize("command", list(COMMANDS))
def test_fault_matrix(
    command: str, tmp_path: Path, report: dict[tuple[str, str, str], str]
) -> None:
    warm = tmp_path / "warm"
    with running() as hub:
        patient = environment(hub, warm, timeout=20)
        first = run_measured(arguments(command, warm), patient)
    assert first.code == 0, f"warm-up failed: {first.stderr}"

    def cell(number: int, fault_name: str, case: Case, cached: bool) -> str | None:
        kind = "cached" if cached else "none"
        home = tmp_path / f"{number}-{kind}"
        if cached:
            shutil.copytree(warm, home)
        try:
            # Its own server: cells run side by side and count their own requests.
            with running() as hub:
                check_cell(hub, command, case, cached, home)
        except AssertionError as exc:
            report[(fault_name, command, kind)] = "FAIL"
            return f"{fault_name} / {command} / {kind}: {exc}"
        report[(fault_name, command, kind)] = "ok"
        return None

    cells = [
        (number, name, case, cached)
        for number, (name, case) in enumerate(CASES.items())
        for cached in (False, True)
    ]
    # Most of a cell is waiting (timeouts, Retry-After), so cells overlap well.
    with ThreadPoolExecutor(max_workers=8) as pool:
        failures = [f for f in pool.map(lambda c: cell(*c), cells) if f]
    assert not failures, "\n".join(failures)


@contextmanager
def running() -> Iterator[HubServer]:
    hub = HubServer().start()
    serve_everything(hub)
    try:
        yield hub
    finally:
        hub.stop()


def check_cell(hub: HubServer, command: str, case: Case, cached: bool, home: Path) -> None:
    env = environment(hub, home, case.timeout)
    args = arguments(command, home) + (["--refresh"] if cached else [])
    before = snapshot(home / "cache", home / "state")
    hub.requests.clear()
    hub.fault = case.fault
    port_context = case.port() if case.port else nullcontext(None)
    try:
        with port_context as port:
            if port is not None:
                elsewhere = f"http://127.0.0.1:{port}"
                env |= {"HF_ENDPOINT": elsewhere, "PAPERTRACK_ARXIV_RSS_URL": elsewhere,
                        "PAPERTRACK_ARXIV_API_URL": f"{elsewhere}/api/query"}  # fmt: skip
            run = run_measured(args, env)
    finally:
        hub.fault = None
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    if cached:
        assert run.code == 0, f"exit {run.code}: {run.stderr}"
        warnings = [line for line in lines if line.startswith("warning: ")]
        assert warnings, f"no stale warning: {run.stderr}"
        assert all("http://127.0.0.1:" in w for w in warnings), warnings
        assert any(w for w in warnings if "cached" in w or "other source" in w), warnings
        if command != "digest":
            assert run.stdout.strip(), "the cached copy was not shown"
    else:
        assert run.code == 1, f"exit {run.code}: {run.stderr}"
        assert run.stdout == ""
        errors = [line for line in lines if not line.startswith(("No ", "warning: skipped"))]
        assert len(errors) == 1, run.stderr
        assert errors[0].startswith("papertrack: error: http://127.0.0.1:"), errors[0]
    assert snapshot(home / "cache", home / "state") == before, "cache or state changed"
    assert run.seconds < 30, f"took {run.seconds:.1f} s"
    PEAK_MB[case_name(case)] = max(PEAK_MB.get(case_name(case), 0.0), run.max_rss_mb)
    assert run.max_rss_mb < 100, f"peak memory {run.max_rss_mb:.0f} MB"
    asked = Counter((r.path, tuple(sorted(r.query.items()))) for r in hub.requests)
    for (path, _), count in asked.items():
        retried = case.retried_xml if faults.is_xml(path) else case.retried_json
        expected = case.asked or (RETRIED if retried else 1)
        assert count == expected, f"{path} asked {count} times, expected {expected}"
