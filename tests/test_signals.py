"""Ctrl-C and SIGTERM stop papertrack within a second, in every place it can be waiting:
a slow one-day fetch, a 30-day range of them, arXiv's 3-second gate, and a digest stuck in
the middle of an SMTP send. Ctrl-C is typed into a real pseudo-terminal that is the
process's controlling terminal, as a person would; SIGTERM is sent as cron or systemd do.
"""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import ROOT, TODAY
from tests.hubserver import HubServer

# Makes the pty the controlling terminal of a new session, so that ^C typed into it
# reaches papertrack as SIGINT, then becomes papertrack. SIGINT and SIGTERM get their
# default handling back, as in a shell at a terminal: a test run started in the background
# (`cmd &`, CI) would otherwise hand down "ignore SIGINT", which papertrack respects.
BECOME_TERMINAL_SESSION = (
    "import fcntl, os, signal, sys, termios; os.setsid(); "
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM)]; "
    "os.execv(sys.argv[1], sys.argv[1:])"
)
PAPERTRACK = (sys.executable, "-m", "papertrack")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
SLOW = 30.0
"""Seconds the slow servers take: far longer than any run here may last."""
WITHIN = 1.0


class Session:
    """papertrack in a pseudo-terminal: stdin and stderr the terminal, stdout a pipe."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.leader, follower = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", BECOME_TERMINAL_SESSION, *PAPERTRACK, *args],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=follower,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm-256color", **env},
            cwd=ROOT,
        )
        os.close(follower)
        self.screen = b""

    def read_screen(self, wait: float = 0.0) -> None:
        """What the terminal has shown so far; with *wait*, until it is quiet that long."""
        while select.select([self.leader], [], [], wait)[0]:
            try:
                chunk = os.read(self.leader, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.screen += chunk

    def stop(self, how: str) -> tuple[int, float]:
        """Type Ctrl-C (or send SIGTERM); the exit code and how long the exit took."""
        self.read_screen()
        started = time.monotonic()
        if how == "ctrl-c":
            os.write(self.leader, b"\x03")
        else:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=SLOW)
        finally:
            took = time.monotonic() - started
            if self.proc.poll() is None:
                self.proc.kill()
        return code, took

    def finish(self) -> tuple[str, str]:
        """What the terminal showed (without escape codes and the echoed ^C), and stdout."""
        self.read_screen(wait=0.1)
        os.close(self.leader)
        assert self.proc.stdout is not None
        stdout = self.proc.stdout.read().decode()
        screen = ANSI.sub("", self.screen.decode("utf-8", "replace")).replace("^C", "")
        return screen, stdout


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def assert_stopped(session: Session, how: str) -> str:
    code, took = session.stop(how)
    screen, stdout = session.finish()
    expected = {"ctrl-c": (130, "interrupted"), "sigterm": (143, "terminated")}[how]
    assert code == expected[0], screen
    assert took < WITHIN, f"took {took:.2f} s to stop"
    assert "Traceback" not in screen and "Exception ignored" not in screen, screen
    lines = [line.strip() for line in screen.splitlines() if line.strip()]
    assert lines[-1] == f"papertrack: {expected[1]}", screen
    assert not [line for line in lines if line.startswith("papertrack:")][:-1], screen
    assert stdout == ""
    return screen


HOW = pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])


@pytest.fixture
def slow_hub(hub: HubServer) -> HubServer:
    hub.latency = SLOW
    return hub


@HOW
def test_a_one_day_fetch(slow_hub: HubServer, how: str) -> None:
    session = Session(["list", "--date", "2025-08-25"], {})
    wait_until(lambda: len(slow_hub.requests) == 1, "the request")
    time.sleep(0.2)
    assert_stopped(session, how)
    cache = Path(os.environ["PAPERTRACK_CACHE_DIR"])
    assert not list(cache.rglob("*.json"))  # nothing half-written, nothing at all


@HOW
def test_a_600_day_range_with_its_progress_bar(slow_hub: HubServer, how: str) -> None:
    # 2025-04-11 to 2026-12-02: April to November as 20 months, then the week of December.
    session = Session(["list", "--since", "600d"], {})
    wait_until(lambda: len(slow_hub.requests) >= 16, "16 requests at once")
    time.sleep(0.3)
    session.read_screen()
    assert b"Hugging Face listings" in session.screen  # the bar is drawn on the terminal
    screen = assert_stopped(session, how)
    assert "0/21" in screen
    assert len(slow_hub.requests) == 16  # nothing more was asked after the signal


@HOW
def test_waiting_behind_arxivs_gate(hub: HubServer, how: str) -> None:
    cache = Path(os.environ["PAPERTRACK_CACHE_DIR"])
    cache.mkdir(parents=True)
    (cache / "arxiv.last-request").write_text(f"{time.time():.6f}")  # someone just asked
    session = Session(
        ["search", "--source", "arxiv", "agents"], {"PAPERTRACK_ARXIV_DELAY": str(SLOW)}
    )
    wait_until(lambda: (cache / "arxiv.lock").exists(), "the gate's lock")
    time.sleep(0.3)
    assert_stopped(session, how)
    assert hub.requests == []  # stopped while waiting its turn


class StalledSink:
    """An SMTP server that takes the message and never answers."""

    def __init__(self) -> None:
        self.receiving = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.receiving.set()
        await asyncio.sleep(SLOW)
        return "250 OK"


@pytest.fixture
def stalled_smtp() -> Iterator[tuple[StalledSink, int]]:
    from tests.test_digest import free_port

    sink = StalledSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop(no_assert=True)


@HOW
def test_a_digest_in_the_middle_of_sending(
    hub: HubServer, stalled_smtp: tuple[StalledSink, int], how: str
) -> None:
    from tests.conftest import run_cli
    from tests.test_digest import DAY, mail_config, state_file

    sink, port = stalled_smtp
    hub.serve(TODAY, DAY)
    assert run_cli("watch", "add", "agents", "--term", "agent").returncode == 0
    mail_config(port)
    assert run_cli("digest", "--watch", "agents").returncode == 0
    before = state_file().read_bytes()
    assert run_cli("watch", "add", "all", "--query", "upvotes:>=0").returncode == 0
    session = Session(["digest", "--mail"], {})
    wait_until(sink.receiving.is_set, "the SMTP DATA command")
    time.sleep(0.2)
    assert_stopped(session, how)
    assert state_file().read_bytes() == before  # nothing recorded: the next run sends again
    state = json.loads(before)
    assert "all" not in state["watches"]
