"""Smoke test of papertrack as users install it: ``python -m tests.smoke VENV``.

VENV is a virtual environment with the built wheel installed (not an editable checkout).
Its ``papertrack`` runs from an empty folder, against the local server replaying recorded
responses, with a clean environment: the console script, the package data (arXiv's
taxonomy), today, arXiv, search, show, the cache and --offline must all work from the
wheel alone. ``.ci/run`` calls this after ``python -m build``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import NOW, stamp
from tests.hubserver import HubServer, hf_fixture

DAY = "2025-08-25"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.smoke VENV", file=sys.stderr)
        return 2
    venv = Path(argv[0]).resolve()
    papertrack = venv / "bin" / "papertrack"
    hub = HubServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="papertrack-smoke-") as folder:
            return check(papertrack, venv, hub, Path(folder))
    finally:
        hub.stop()


def check(papertrack: Path, venv: Path, hub: HubServer, home: Path) -> int:
    hub.serve(NOW.date(), DAY)
    hub.feed("cs.AI", "rss_cs.AI_2025-08-20_atom.xml")
    hub.search_results = json.loads(hf_fixture(DAY).read_bytes())[:3]
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PAPERTRACK_CACHE_DIR": str(home / "cache"),
        "PAPERTRACK_CONFIG": str(home / "config" / "config.toml"),
        "PAPERTRACK_STATE_DIR": str(home / "state"),
        "PAPERTRACK_DATA_DIR": str(home / "data"),
        "PAPERTRACK_NOW": stamp(NOW),
        "PAPERTRACK_ARXIV_DELAY": "0",
        "HF_ENDPOINT": hub.url,
        "PAPERTRACK_ARXIV_RSS_URL": hub.url,
        "PAPERTRACK_ARXIV_API_URL": f"{hub.url}/api/query",
    }
    failures: list[str] = []

    def run(*args: str, code: int = 0) -> str:
        result = subprocess.run(
            [str(papertrack), *args], cwd=home, env=env, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        print(f"$ papertrack {' '.join(args)}  -> exit {result.returncode}")
        if result.returncode != code or "Traceback" in result.stderr:
            failures.append(
                f"papertrack {' '.join(args)}: exit {result.returncode}\n{result.stderr}"
            )
        return result.stdout

    location = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import papertrack; print(papertrack.__file__)"],
        cwd=home, env=env, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    if not location.startswith(str(venv)):
        failures.append(f"papertrack is imported from {location!r}, not from the installed wheel")
    version = run("--version")
    if not version.startswith("papertrack "):
        failures.append(f"--version printed {version!r}")
    if "today" not in run("--help"):
        failures.append("--help does not list today")
    expected = len(json.loads(hf_fixture(DAY).read_bytes()))
    if len(run("today").splitlines()) != expected:
        failures.append(f"today did not print {expected} lines")
    if len(run("today", "--source", "arxiv", "-c", "cs.ai").splitlines()) != 86:
        failures.append("today -c cs.ai (the packaged taxonomy) did not print 86 lines")
    run("today", "-c", "cs.XY", code=2)
    if len(run("today", "--offline").splitlines()) != expected:
        failures.append("today --offline did not print the cached day")
    if not run("search", "agent", "-f", "json").startswith("["):
        failures.append("search -f json printed no JSON array")
    if not run("search", "--offline", "agent"):
        failures.append("search --offline found nothing in the cache")
    paper_id = json.loads(hf_fixture(DAY).read_bytes())[0]["paper"]["id"]
    if json.loads(run("show", paper_id, "--offline", "-f", "json") or "{}").get("id") != paper_id:
        failures.append("show --offline did not print the cached paper")
    if not run("show", paper_id, "--offline", "-f", "bibtex").startswith("@misc{"):
        failures.append("show -f bibtex (the packaged stop words) printed no entry")
    run("save", paper_id, "--offline", "-t", "smoke")
    if not run("library", "export", "-f", "bibtex", "--tag", "smoke").startswith("@misc{"):
        failures.append("the library did not keep a saved paper")
    if run("config", "path").strip() != env["PAPERTRACK_CONFIG"]:
        failures.append("config path is not PAPERTRACK_CONFIG")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    print(f"smoke test of {papertrack}: {'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
