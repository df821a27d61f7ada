"""Crash safety: papertrack killed with SIGKILL at random moments while it writes the cache,
the config and the digest state, hundreds of times; and several papertracks at once. After
every kill every file must still parse, and in the end every paper a watch matches must
have been delivered exactly once."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from papertrack.config import parse_toml
from papertrack.store.state import read_state
from tests.conftest import ROOT, TODAY
from tests.hubserver import FIXTURE_DAYS, HubServer, hf_fixture

KILLS = int(os.environ.get("PAPERTRACK_KILLS", "200"))
DAY = "2025-08-25"
CONFIG = '[watch.agents]\nterms = ["agent"]\n\n[watch.all]\nquery = "upvotes:>=0"\n'
_PAPER_LINK = re.compile(r"https://huggingface\.co/papers/(\d{4}\.\d{4,5})")


def agent_ids() -> set[str]:
    items: list[dict[str, Any]] = json.loads(hf_fixture(DAY).read_bytes())

    def text(p: dict[str, Any]) -> str:
        return " ".join(
            [p["title"], p["summary"], p.get("ai_summary", ""), *p.get("ai_keywords", [])]
        ).lower()

    return {i["paper"]["id"] for i in items if "agent" in text(i["paper"])}


@pytest.fixture
def home(hub: HubServer, tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    hub.serve(TODAY, DAY)
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "out").mkdir()
    env = {
        **os.environ,
        "PAPERTRACK_CACHE_DIR": str(tmp_path / "cache"),
        "PAPERTRACK_STATE_DIR": str(tmp_path / "state"),
        "PAPERTRACK_CONFIG": str(tmp_path / "config.toml"),
    }
    yield tmp_path, env


def operations(home: Path, number: int) -> list[str]:
    """One of the writing commands, chosen by *number*."""
    choices = [
        ["digest", "-o", str(home / "out" / "digest-{date}.md")],
        ["digest", "-o", str(home / "out" / "digest-{date}.md")],
        ["config", "set", f"watch.w{number % 7}.terms", f"zzqx{number}"],
        ["today", "--refresh"],
        ["list", "--date", "yesterday", "--refresh"],
    ]
    return choices[number % len(choices)]


def check_files(home: Path) -> None:
    """Every file papertrack keeps parses, whatever moment the kill hit."""
    for path in (home / "cache").rglob("*.json") if (home / "cache").exists() else []:
        json.loads(path.read_bytes())
    parse_toml((home / "config.toml").read_text())
    read_state(home / "state" / "digest-state.json")


def delivered(home: Path, watch: str) -> Counter[str]:
    """How many digest files delivered each paper to *watch*."""
    sent: Counter[str] = Counter()
    for path in (home / "out").glob("digest-*.md"):  # not the .pending or .tmp leftovers
        for section in path.read_text().split("\n## ")[1:]:
            if section.startswith(f"{watch} ("):
                sent.update(set(_PAPER_LINK.findall(section)))
    return sent


def fixture_ids(day: str) -> set[str]:
    return {i["paper"]["id"] for i in json.loads(hf_fixture(day).read_bytes())}


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "papertrack", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_at_random_moments_loses_and_repeats_nothing(
    hub: HubServer, home: tuple[Path, dict[str, str]]
) -> None:
    """Each run may see another recorded day (the server rotates them), so digests keep
    finding new papers and kills land in deliveries, not only in "nothing new"."""
    folder, env = home
    rng = random.Random(20261128)
    durations: dict[int, float] = {}
    for number in range(5):
        started = time.monotonic()
        proc = start(operations(folder, number), env)
        proc.wait(timeout=60)
        durations[number] = time.monotonic() - started
    kills = finished = 0
    attempt = 5
    while kills < KILLS:
        attempt += 1
        hub.serve(TODAY, FIXTURE_DAYS[rng.randrange(len(FIXTURE_DAYS))])
        args = operations(folder, attempt)
        if args[0] == "digest":
            args = [*args, "--refresh"]
        proc = start(args, env)
        time.sleep(rng.uniform(0.3, 1.05) * durations[attempt % 5])
        # The first runs are timed while other tests may load the machine: the estimate
        # follows what happens, so about half the runs are killed on a quiet machine too.
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
            durations[attempt % 5] *= 1.05
        else:
            finished += 1
            durations[attempt % 5] *= 0.9
        _, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err, err.decode()
        check_files(folder)
    # Finally every recorded day once more, uninterrupted: whatever a kill stopped is sent now.
    for day in FIXTURE_DAYS:
        hub.serve(TODAY, day)
        final = start(["digest", "--refresh", "-o", str(folder / "out" / "digest-{date}.md")], env)
        _, err = final.communicate(timeout=60)
        assert final.returncode == 0, err.decode()
    check_files(folder)
    everything = set().union(*(fixture_ids(day) for day in FIXTURE_DAYS))
    sent = delivered(folder, "all")
    assert set(sent) == everything, f"lost: {sorted(everything - set(sent))[:5]}"
    twice = {paper: count for paper, count in sent.items() if count > 1}
    assert not twice, f"sent twice: {twice}"
    assert read_state(folder / "state" / "digest-state.json").pending is None
    assert "agents" in parse_toml((folder / "config.toml").read_text())["watch"]
    leftovers = len(list(folder.rglob("*.tmp")))
    assert not list((folder / "out").glob(".*.pending")), "a killed digest's file was left"
    print(
        f"\n{kills} SIGKILLs ({finished} runs finished first); {len(sent)} papers delivered "
        f"exactly once; {leftovers} cache/state temporary files from kills mid-write, removed by "
        "later writes once 10 minutes old"
    )


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_runs(home: tuple[Path, dict[str, str]], processes: int) -> None:
    """Rounds of N processes at once, fetching, digesting and editing the config."""
    folder, env = home
    rounds = 4

    def one(number: int) -> tuple[int, bytes]:
        proc = start(operations(folder, number), env)
        _, err = proc.communicate(timeout=120)
        return proc.returncode, err

    with ThreadPoolExecutor(max_workers=processes) as pool:
        for round_number in range(rounds):
            numbers = [round_number * processes + n for n in range(processes)]
            for code, err in pool.map(one, numbers):
                assert code == 0, err.decode()
                assert b"Traceback" not in err
            check_files(folder)
    final = start(["digest", "-o", str(folder / "out" / "digest-{date}.md")], env)
    final.communicate(timeout=60)
    sent = delivered(folder, "agents")
    assert set(sent) == agent_ids() and all(c == 1 for c in sent.values()), sent
    watches = parse_toml((folder / "config.toml").read_text())["watch"]
    expected = {f"w{n % 7}" for n in range(rounds * processes) if n % 5 == 2}
    assert expected <= set(watches), "a concurrent config edit was lost"
