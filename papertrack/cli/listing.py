"""`today` and `list`: resolve the period, load it, filter, sort, hand to a renderer."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from papertrack.cli.options import ColorChoice, FormatChoice, SortChoice
from papertrack.dates import resolve_period, utc_today
from papertrack.errors import OutputClosed, UsageError
from papertrack.listings import Loaded, Loader, Mode
from papertrack.query import Filters, Match, filter_papers, highlight_pattern, sort_matches
from papertrack.render import Format, use_color


def note(message: str) -> None:
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


def _env_offline() -> bool:
    # huggingface_hub's switch; someone who set it for HF tools means "no network" here too.
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}


@dataclass(frozen=True, slots=True)
class ListingOptions:
    filters: Filters
    sort: SortChoice
    limit: int | None
    fmt: FormatChoice | None
    long: bool
    color: ColorChoice
    mode: Mode

    @classmethod
    def build(
        cls,
        *,
        terms: list[str] | None,
        match_all: bool,
        exclude: list[str] | None,
        author: list[str] | None,
        min_upvotes: int | None,
        has_code: bool,
        sort: SortChoice,
        limit: int | None,
        fmt: FormatChoice | None,
        long: bool,
        color: ColorChoice,
        offline: bool,
        refresh: bool,
        **_: Any,
    ) -> ListingOptions:
        if offline and refresh:
            raise UsageError("--offline and --refresh contradict each other; choose one")
        if limit is not None and limit < 1:
            raise UsageError(f"--limit must be at least 1 (got {limit})")
        if min_upvotes is not None and min_upvotes < 0:
            raise UsageError(f"--min-upvotes must be 0 or more (got {min_upvotes})")
        if long and fmt not in (None, FormatChoice.table):
            raise UsageError(
                f"--long is a terminal view and cannot be combined with --format {fmt.value}"
            )
        mode: Mode = "refresh" if refresh else "offline" if offline or _env_offline() else "auto"
        return cls(
            filters=Filters(
                terms=tuple(terms or ()),
                match_all=match_all,
                exclude=tuple(exclude or ()),
                authors=tuple(author or ()),
                min_upvotes=min_upvotes,
                has_code=has_code,
            ),
            sort=sort,
            limit=limit,
            fmt=fmt,
            long=long,
            color=color,
            mode=mode,
        )


def run_today(options: ListingOptions) -> None:
    with Loader(mode=options.mode, warn=note) as loader:
        loaded, message = loader.latest(utc_today(loader.now))
    if message:
        note(message)
    show(loaded, options)


def run_list(options: ListingOptions, period_options: dict[str, str | None]) -> None:
    period = resolve_period(**period_options, today=utc_today())
    with Loader(mode=options.mode, warn=note) as loader:
        loaded = loader.load(period)
    show(loaded, options)


def select(loaded: Loaded, options: ListingOptions) -> list[Match]:
    matches = sort_matches(filter_papers(loaded.papers, options.filters), options.sort.value)
    return matches[: options.limit] if options.limit is not None else matches


def show(loaded: Loaded, options: ListingOptions) -> None:
    try:
        _show(loaded, options)
        sys.stdout.flush()
    except BrokenPipeError:
        # Raised as our own type: Typer turns a bare EPIPE into a plain exit 1.
        raise OutputClosed from None


def _show(loaded: Loaded, options: ListingOptions) -> None:
    matches = select(loaded, options)
    out = sys.stdout
    isatty = out.isatty()
    fmt: Format = options.fmt.value if options.fmt else ("table" if isatty else "lines")
    color = use_color(options.color.value, isatty=isatty)
    pattern = highlight_pattern(options.filters.terms)
    if not matches and loaded.papers:
        note(f"No papers match the filters (of {len(loaded.papers)} for {loaded.period.label}).")
    elif not loaded.papers and loaded.period.kind != "date":
        note(f"No papers on Hugging Face Daily Papers for {loaded.period.label}.")
    if options.long or fmt == "table":
        if not matches:
            return
        from papertrack.render import terminal

        count = f"{len(matches)} paper{'s' if len(matches) != 1 else ''}"
        shown = f" of {len(loaded.papers)}" if len(matches) != len(loaded.papers) else ""
        title = f"Hugging Face Daily Papers · {loaded.period.label} · {count}{shown}"
        terminal.render(
            out,
            matches,
            pattern=pattern,
            color=color,
            terminal=isatty or color,
            title=title,
            long=options.long,
        )
        return
    from papertrack.render import formats

    if fmt == "lines":
        formats.write_lines(out, matches, pattern=pattern, color=color)
    elif fmt == "json":
        formats.write_json(out, matches)
    elif fmt == "jsonl":
        formats.write_jsonl(out, matches)
    elif fmt == "csv":
        formats.write_csv(out, matches)
    else:
        formats.write_md(out, matches, pattern=pattern)
