"""A progress bar on stderr for fetches that take a while (a range of days), only when
stderr is a terminal: a pipe or a cron log gets nothing."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

Tick = Callable[[], None]
"""Called once per finished step (from any thread)."""
ProgressFactory = Callable[[str, int], AbstractContextManager[Tick]]
"""``factory(label, total)``: a context manager that shows a bar and yields its tick."""


@contextmanager
def _rich_bar(label: str, total: int) -> Iterator[Tick]:
    # Rich is imported only here: runs without a terminal on stderr never pay for it.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # transient: the bar disappears when done, so the terminal keeps only the results;
    # Progress serialises advance() with its own lock, so the fetch threads may tick.
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def for_stderr() -> ProgressFactory | None:
    """A progress bar factory when stderr is an interactive terminal, else None."""
    try:
        interactive = sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stderr
        interactive = False
    if not interactive or os.environ.get("TERM") == "dumb":
        return None
    return _rich_bar
