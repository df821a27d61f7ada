"""What several commands share: the run's session, the mode, watch profiles as filters,
and writing sections in the chosen format. Apart from the listing commands, so a command
that needs one helper does not import them all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from papertrack.choices import SOURCES, Feed, Format, Source, as_source
from papertrack.cli.choices import ColorChoice, FormatChoice
from papertrack.cli.context import Context
from papertrack.errors import UsageError
from papertrack.matching import highlight_pattern
from papertrack.models import Mark, Paper
from papertrack.query import Filters, Match, filter_papers
from papertrack.render import Section, use_color
from papertrack.session import Mode, Session

if TYPE_CHECKING:
    from papertrack.config import Watch
    from papertrack.sources.http import HttpClient


def make_session(context: Context, mode: Mode, *, client: HttpClient | None = None) -> Session:
    """The Session of this run: its clock, cache folder, network settings, the config's
    cache TTLs, and a progress bar when stderr is a terminal."""
    from papertrack.freshness import Freshness
    from papertrack.render.progress import for_stream

    settings = context.config
    freshness = Freshness(
        settings.duration("cache.ttl_current"), settings.duration("cache.ttl_recent")
    )
    return Session(
        mode=mode,
        warn=context.note,
        now=context.now,
        root=context.cache_dir,
        network=context.network,
        freshness=freshness,
        progress=for_stream(context.stderr, context.stderr_isatty, context.environ),
        client=client,
    )


def check_limit(limit: int | None) -> None:
    """``--limit``/``-n``, when given, is a positive count."""
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be at least 1 (got {limit})")


def source_option(text: str) -> Source:
    """``--source`` given as text (``recommend``, ``trends``): one of hf, arxiv, all."""
    try:
        return as_source(text)
    except ValueError:
        raise UsageError(f"--source {text!r} is not one of {', '.join(SOURCES)}") from None


def parse_query_option(text: str, *, where: str = "--query") -> Any:
    """A filter-language expression, or a usage error pointing at the column."""
    from papertrack.querylang import QuerySyntaxError, parse_query

    try:
        return parse_query(text)
    except QuerySyntaxError as exc:
        raise UsageError(f"invalid {where}: {exc}\n{exc.pointer()}") from None


def watch_reads(
    watch: Watch, *, categories: tuple[str, ...], sources: str | None
) -> tuple[Feed, tuple[str, ...]]:
    """Which listing a watch reads: its own sources and categories, else these defaults
    (the command line's or the config's); Hugging Face's trending ranking for a trending
    watch."""
    if watch.sources == "trending":
        return "trending", ()
    chosen = watch.categories or categories
    source = watch.sources or sources or ("all" if chosen else "hf")
    if source != "hf" and not chosen:
        raise UsageError(f"watch {watch.name} reads arXiv but has no categories")
    return as_source(source), chosen


def watch_filters(watch: Watch) -> Filters:
    query = (
        parse_query_option(watch.query, where=f"query of watch {watch.name}")
        if watch.query
        else None
    )
    return Filters(
        terms=watch.terms,
        match_all=watch.match_all,
        exclude=watch.exclude,
        authors=watch.authors,
        min_upvotes=watch.min_upvotes,
        has_code=watch.has_code,
        replacements=watch.replacements,
        query=query,
    )


def mode_of(context: Context, *, offline: bool, refresh: bool) -> Mode:
    if offline and refresh:
        raise UsageError("--offline and --refresh contradict each other; choose one")
    return "refresh" if refresh else "offline" if offline or context.offline else "auto"


def apply_filters(
    papers: Sequence[Paper], chain: Sequence[Filters], marks: Mapping[str, Mark] | None = None
) -> list[Match]:
    """Papers passing every filter set in turn; matched terms add up."""
    terms: dict[str, tuple[str, ...]] = {}
    current = list(papers)
    marks = marks or {}
    for filters in chain:
        matches = filter_papers(current, filters, marks)
        for match in matches:
            terms[match.paper.id] = (*terms.get(match.paper.id, ()), *match.terms)
        current = [m.paper for m in matches]
    return [
        Match(p, tuple(dict.fromkeys(terms.get(p.id, ()))), mark=marks.get(p.id)) for p in current
    ]


def library_marks(
    context: Context, papers: Sequence[Paper], chain: Sequence[Filters] = ()
) -> dict[str, Mark]:
    """Which of *papers* are in the user's library, for the ``saved`` column and the
    ``saved:``/``read:``/``tag:`` filters. Without a library file, none (and none is created).
    A library that cannot be read costs its marks and a warning, unless a filter needs it."""
    from papertrack.querylang import library_fields
    from papertrack.store import library

    asked = [atom for f in chain if f.query is not None for atom in library_fields(f.query)]
    folder = library.data_dir(context.environ)
    if not library.library_path(folder).exists():
        return {}
    try:
        with library.opened(folder) as shelf:
            marks = shelf.marks(p.id for p in papers)
            tags = shelf.tags() if any(atom.field == "tag" for atom in asked) else {}
    except library.LibraryError as exc:
        if asked:
            raise
        context.note(f"warning: {exc.message}; saved papers are not marked")
        return {}
    for atom in asked:
        if atom.field == "tag" and atom.value not in tags:
            known = ", ".join(tags) or "none yet"
            context.note(
                f"warning: no paper in your library has the tag {atom.value!r} "
                f"(tags in use: {known})"
            )
    return marks


def section_pattern(chain: Sequence[Filters], extra: Sequence[str] = ()) -> Any:
    words = [*extra, *(t for f in chain for t in f.terms)]
    regexes: list[str] = []
    if any(f.query is not None for f in chain):
        from papertrack.querylang import highlight_sources

        regexes = [r for f in chain if f.query is not None for r in highlight_sources(f.query)]
    return highlight_pattern(words, regexes)


def write_sections(
    context: Context,
    sections: Sequence[Section],
    *,
    fmt: FormatChoice | None,
    color: ColorChoice,
    long: bool = False,
) -> None:
    """Sections as a table (or --long blocks) on a terminal, lines when piped, or *fmt*."""
    out = context.stdout
    isatty = context.stdout_isatty
    chosen: Format = fmt.value if fmt else ("table" if isatty else "lines")
    painted = use_color(color.value, isatty=isatty, environ=context.environ)
    if long or chosen == "table":
        shown = [s for s in sections if s.matches]
        if shown:
            from papertrack.render import terminal

            terminal.render(
                out,
                shown,
                color=painted,
                terminal=isatty or painted,
                long=long,
                width=terminal_width(context),
            )
        return
    from papertrack.render import formats

    if chosen == "lines":
        formats.write_lines(out, sections, color=painted)
    elif chosen == "json":
        formats.write_json(out, sections)
    elif chosen == "jsonl":
        formats.write_jsonl(out, sections)
    elif chosen == "csv":
        formats.write_csv(out, sections)
    else:
        formats.write_md(out, sections)


def terminal_width(context: Context) -> int | None:
    """``COLUMNS`` when set (Rich would read the process's own environment), else None:
    the terminal's width, or 80."""
    raw = context.environ.get("COLUMNS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None
