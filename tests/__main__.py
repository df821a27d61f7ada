"""The project's checks, in one command: ``python -m tests [STAGE...]``.

The README's test command and ``.ci/run`` both run this, so they cannot drift apart.
Stages, in order (all of them when none is named):

    lint    ruff check, ruff format --check, and lint-imports (the layer rules)
    types   mypy --strict
    suite   the whole test suite, on every core (pytest -n auto)
    fuzz    the fuzzing run: 10,000 generated inputs per parser

Stops at the first stage that fails, with its exit status.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STAGES: dict[str, list[list[str]]] = {
    "lint": [
        [PYTHON, "-m", "ruff", "check", "."],
        [PYTHON, "-m", "ruff", "format", "--check", "."],
        [str(Path(PYTHON).parent / "lint-imports"), "--no-cache", "--no-logo"],
    ],
    "types": [[PYTHON, "-m", "mypy"]],
    "suite": [[PYTHON, "-m", "pytest", "-n", "auto"]],
    "fuzz": [[PYTHON, "-m", "pytest", "-n", "auto", "-m", "fuzz", "--hypothesis-profile=fuzz"]],
}  # fmt: skip
NO_TESTS = 5
"""pytest's status when it collected nothing: an empty suite is not a pass."""


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in STAGES]
    if unknown:
        print(f"unknown stage {unknown[0]!r}; stages: {', '.join(STAGES)}", file=sys.stderr)
        return 2
    for stage in argv or list(STAGES):
        started = time.monotonic()
        for command in STAGES[stage]:
            shown = command[1:] if command[0] == PYTHON else [Path(command[0]).name, *command[1:]]
            print(f"--- {stage}: {' '.join(shown)}", flush=True)
            status = subprocess.run(command, cwd=ROOT, check=False).returncode
            if status == NO_TESTS and "pytest" in command:
                print(f"{stage}: pytest collected no tests", file=sys.stderr)
                return 1
            if status != 0:
                print(f"{stage}: failed (exit status {status})", file=sys.stderr)
                return status
        print(f"--- {stage}: passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
