"""A progress bar on stderr for fetches that take a while (a range of days), only when
stderr is a terminal: a pipe or a cron log gets nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TextIO

Tick = Callable[[], None]
"""Called once per finished step (from any thread)."""
ProgressFactory = Callable[[str, int], AbstractContextManager[Tick]]
"""``factory(label, total)``: a context manager that shows a bar and yields its tick."""


def for_stream(stream: TextIO, isatty: bool, environ: Mapping[str, str]) -> ProgressFactory | None:
    """A progress bar factory drawing on *stream* when it is an interactive terminal."""
    if not isatty or environ.get("TERM") == "dumb":
        return None

    @contextmanager
    def bar(label: str, total: int) -> Iterator[Tick]:
        # Rich is imported only here: runs without a terminal on stderr never pay for it.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(
            file=stream,
            force_terminal=True,
            no_color=bool(environ.get("NO_COLOR")),
            color_system="auto",
            markup=False,
            highlight=False,
        )
        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        # transient: the bar disappears when done, so the terminal keeps only the results;
        # Progress serialises advance() with its own lock, so the fetch threads may tick.
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task(label, total=total)
            yield lambda: progress.advance(task)

    return bar


Show = Callable[[int, int, "int | None", float], None]
"""``show(records, pages, total records or None, seconds)`` after each page of a harvest."""
CounterFactory = Callable[[str], AbstractContextManager[Show]]


def counter_for_stream(
    stream: TextIO, isatty: bool, environ: Mapping[str, str]
) -> CounterFactory | None:
    """A harvest's progress on *stream* when it is an interactive terminal: records, pages,
    rate, and a bar with the time left when the server says how many records to expect."""
    if not isatty or environ.get("TERM") == "dumb":
        return None

    @contextmanager
    def counter(label: str) -> Iterator[Show]:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(
            file=stream,
            force_terminal=True,
            no_color=bool(environ.get("NO_COLOR")),
            markup=False,
            highlight=False,
        )
        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TextColumn("{task.fields[detail]}", markup=False),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task(label, total=None, detail="starting")

            def show(records: int, pages: int, total: int | None, seconds: float) -> None:
                rate = records / seconds if seconds > 0 else 0.0
                detail = f"{records:,} records · {pages:,} pages · {rate:,.0f}/s"
                progress.update(task, completed=records, total=total, detail=detail)

            yield show

    return counter
