"""`today` and `list`: resolve the period, load it, filter, sort, hand to a renderer."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from papertrack.cli.options import ColorChoice, FormatChoice, SortChoice, SourceChoice
from papertrack.dates import resolve_period, utc_today
from papertrack.errors import OutputClosed, UsageError
from papertrack.listings import Loaded, Loader, Mode, Source, load_period, load_today
from papertrack.models import Paper
from papertrack.query import Filters, Match, filter_papers, highlight_pattern, sort_matches
from papertrack.render import Format, use_color

Details = Callable[[list[Paper]], list[Paper]]


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
    source: Source = "hf"
    categories: tuple[str, ...] = ()

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
        source: SourceChoice | None = None,
        category: list[str] | None = None,
        replacements: bool = False,
        needs_categories: bool = True,
        **_: Any,
    ) -> ListingOptions:
        if limit is not None and limit < 1:
            raise UsageError(f"--limit must be at least 1 (got {limit})")
        if min_upvotes is not None and min_upvotes < 0:
            raise UsageError(f"--min-upvotes must be 0 or more (got {min_upvotes})")
        if long and fmt not in (None, FormatChoice.table):
            raise UsageError(
                f"--long is a terminal view and cannot be combined with --format {fmt.value}"
            )
        mode = mode_of(offline=offline, refresh=refresh)
        categories = _categories(category)
        chosen: Source = source.value if source else ("all" if categories else "hf")
        if chosen != "hf" and not categories and needs_categories:
            raise UsageError(
                f"--source {chosen} needs arXiv categories: add --category, e.g. -c cs.CL"
            )
        return cls(
            filters=Filters(
                terms=tuple(terms or ()),
                match_all=match_all,
                exclude=tuple(exclude or ()),
                authors=tuple(author or ()),
                min_upvotes=min_upvotes,
                has_code=has_code,
                replacements=replacements,
            ),
            sort=sort,
            limit=limit,
            fmt=fmt,
            long=long,
            color=color,
            mode=mode,
            source=chosen,
            categories=categories,
        )


def mode_of(*, offline: bool, refresh: bool) -> Mode:
    if offline and refresh:
        raise UsageError("--offline and --refresh contradict each other; choose one")
    return "refresh" if refresh else "offline" if offline or _env_offline() else "auto"


def _categories(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    from papertrack.taxonomy import parse_categories

    return parse_categories(values)


def run_today(options: ListingOptions) -> None:
    with Loader(mode=options.mode, warn=note) as loader:
        loaded, notes = load_today(loader, source=options.source, categories=options.categories)
        for message in notes:
            note(message)
        show(loaded, options, explained_empty=bool(notes), details=details_for(loader, options))


def run_list(options: ListingOptions, period_options: dict[str, str | None]) -> None:
    period = resolve_period(**period_options, today=utc_today())
    with Loader(mode=options.mode, warn=note) as loader:
        loaded = load_period(loader, period, source=options.source, categories=options.categories)
        show(loaded, options, details=details_for(loader, options))


def details_for(loader: Loader, options: ListingOptions) -> Details | None:
    """The --long view shows arXiv comments and primary categories, which the feeds lack:
    look the shown papers up (batched, cached) only then."""
    if not options.long or options.source == "hf":
        return None
    from papertrack.papers import enrich

    return lambda papers: enrich(loader, papers)


def run_search(
    options: ListingOptions, query: str, *, since: str | None, until: str | None, limit: int
) -> None:
    from papertrack.dates import parse_day, parse_since
    from papertrack.papers import search
    from papertrack.query import query_words

    today = utc_today()
    first = parse_since(since, today=today) if since is not None else None
    last = parse_day(until, option="--until", today=today) if until is not None else None
    if first and last and last < first:
        raise UsageError(f"--until {last} is before --since {first}")
    if limit < 1:
        raise UsageError(f"--limit must be at least 1 (got {limit})")
    with Loader(mode=options.mode, warn=note) as loader:
        loaded = search(
            loader,
            query,
            source=options.source,
            since=first,
            until=last,
            limit=limit,
        )
    show(loaded, options, highlight=query_words(query))


def select(loaded: Loaded, options: ListingOptions) -> list[Match]:
    matches = sort_matches(filter_papers(loaded.papers, options.filters), options.sort.value)
    return matches[: options.limit] if options.limit is not None else matches


def show(
    loaded: Loaded,
    options: ListingOptions,
    *,
    highlight: tuple[str, ...] = (),
    explained_empty: bool = False,
    details: Details | None = None,
) -> None:
    """Filter, sort and print *loaded*; *highlight* adds words to mark beyond the terms;
    *details* completes the papers about to be shown."""
    try:
        _show(
            loaded, options, highlight=highlight, explained_empty=explained_empty, details=details
        )
        sys.stdout.flush()
    except BrokenPipeError:
        # Raised as our own type: Typer turns a bare EPIPE into a plain exit 1.
        raise OutputClosed from None


def _show(
    loaded: Loaded,
    options: ListingOptions,
    *,
    highlight: tuple[str, ...],
    explained_empty: bool,
    details: Details | None,
) -> None:
    matches = select(loaded, options)
    if details is not None and matches:
        completed = details([m.paper for m in matches])
        matches = [Match(p, m.terms) for p, m in zip(completed, matches, strict=True)]
    out = sys.stdout
    isatty = out.isatty()
    fmt: Format = options.fmt.value if options.fmt else ("table" if isatty else "lines")
    color = use_color(options.color.value, isatty=isatty)
    pattern = highlight_pattern((*options.filters.terms, *highlight))
    if not matches and loaded.papers:
        note(f"No papers match the filters (of {len(loaded.papers)} in {loaded.label}).")
    elif not loaded.papers and not explained_empty:
        note(f"No papers in {loaded.label}.")
    if options.long or fmt == "table":
        if not matches:
            return
        from papertrack.render import terminal

        count = f"{len(matches)} paper{'s' if len(matches) != 1 else ''}"
        shown = f" of {len(loaded.papers)}" if len(matches) != len(loaded.papers) else ""
        terminal.render(
            out,
            matches,
            pattern=pattern,
            color=color,
            terminal=isatty or color,
            title=f"{loaded.label} · {count}{shown}",
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
