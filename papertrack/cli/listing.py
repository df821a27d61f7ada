"""`today`, `list` and `search`: options and config resolved, listings loaded, filtered,
sorted, and handed to a renderer, one section per watch profile."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from papertrack.choices import SORT_KEYS, Feed, SortKey, Source, as_sort, as_source
from papertrack.cli.choices import ColorChoice, FormatChoice, SourceChoice
from papertrack.cli.common import (
    apply_filters,
    check_limit,
    library_marks,
    make_session,
    mode_of,
    parse_query_option,
    section_pattern,
    watch_filters,
    watch_reads,
    write_sections,
)
from papertrack.cli.context import Context
from papertrack.dates import resolve_period
from papertrack.errors import UsageError
from papertrack.join import unique
from papertrack.listings import Loaded, load_period, load_today
from papertrack.models import Paper
from papertrack.query import Filters, sort_matches
from papertrack.record import record, replace
from papertrack.render import Section
from papertrack.session import Mode, Session

if TYPE_CHECKING:
    from papertrack.cli.rank import Rank
    from papertrack.config import Config, Watch

Details = Callable[[list[Paper]], list[Paper]]


@record
class ListingArgs:
    """The values of ``today``'s options (``list`` adds a period), however they were parsed."""

    terms: list[str] | None = None
    source: SourceChoice | None = None
    category: list[str] | None = None
    replacements: bool = False
    query: str | None = None
    watch: list[str] | None = None
    match_all: bool = False
    exclude: list[str] | None = None
    author: list[str] | None = None
    submitter: list[str] | None = None
    min_upvotes: int | None = None
    has_code: bool = False
    sort: str = "date"
    explain: bool = False
    limit: int | None = None
    fmt: FormatChoice | None = None
    long: bool = False
    color: ColorChoice | None = None
    offline: bool = False
    refresh: bool = False


@record
class Plan:
    """One section to produce: which listing to load and how to filter it."""

    source: Feed
    categories: tuple[str, ...]
    filters: tuple[Filters, ...]
    watch: Watch | None = None


@record
class ListingOptions:
    filters: Filters
    sort: SortKey
    taste_tag: str | None
    explain: bool
    limit: int | None
    fmt: FormatChoice | None
    long: bool
    color: ColorChoice
    mode: Mode
    source: Source = "hf"
    categories: tuple[str, ...] = ()
    watches: tuple[Watch, ...] = ()
    config_sources: str | None = None
    config_categories: tuple[str, ...] = ()

    @classmethod
    def build(
        cls, context: Context, args: ListingArgs, *, needs_categories: bool = True
    ) -> ListingOptions:
        limit, fmt, long, min_upvotes = args.limit, args.fmt, args.long, args.min_upvotes
        check_limit(limit)
        if min_upvotes is not None and min_upvotes < 0:
            raise UsageError(f"--min-upvotes must be 0 or more (got {min_upvotes})")
        if long and fmt not in (None, FormatChoice.table):
            raise UsageError(
                f"--long is a terminal view and cannot be combined with --format {fmt.value}"
            )
        try:
            sort, taste_tag = as_sort(args.sort)
        except ValueError:
            raise UsageError(
                f"--sort {args.sort!r} is not one of {', '.join(SORT_KEYS)}, taste:TAG"
            ) from None
        if args.explain and sort != "taste":
            raise UsageError("--explain shows why papers rank as they do: add --sort taste")
        if taste_tag is not None:
            from papertrack.store.library import check_tag

            taste_tag = check_tag(taste_tag)
        mode = mode_of(context, offline=args.offline, refresh=args.refresh)
        settings = context.config
        configured_categories = settings.strings("categories")
        configured_sources = settings.text("sources")
        categories = _categories(args.category) or configured_categories
        chosen = as_source(
            args.source.value
            if args.source
            else configured_sources or ("all" if categories else "hf")
        )
        watches = _watches(settings, args.watch or [])
        if chosen != "hf" and not categories and needs_categories and not watches:
            raise UsageError(
                f"--source {chosen} needs arXiv categories: add --category, e.g. -c cs.CL, "
                "or set them once: papertrack config set categories cs.CL"
            )
        configured_format = settings.text("format")
        if fmt is None and configured_format not in (None, "auto"):
            fmt = FormatChoice(configured_format)
        return cls(
            filters=Filters(
                terms=tuple(args.terms or ()),
                match_all=args.match_all,
                exclude=tuple(args.exclude or ()),
                authors=tuple(args.author or ()),
                submitters=check_submitters(args.submitter),
                min_upvotes=min_upvotes,
                has_code=args.has_code,
                replacements=args.replacements,
                query=parse_query_option(args.query) if args.query else None,
            ),
            sort=sort,
            taste_tag=taste_tag,
            explain=args.explain,
            limit=limit,
            fmt=fmt,
            long=long,
            color=args.color or ColorChoice(settings.text("color") or "auto"),
            mode=mode,
            source=chosen,
            categories=categories,
            watches=watches,
            config_sources=configured_sources,
            config_categories=configured_categories,
        )

    @property
    def has_filters(self) -> bool:
        return self.filters != Filters(replacements=self.filters.replacements)

    def plans(self) -> list[Plan]:
        """A section for the command's own filters, or one per --watch profile."""
        if not self.watches:
            return [Plan(self.source, self.categories, (self.filters,))]
        plans: list[Plan] = []
        for watch in self.watches:
            source, categories = watch_reads(
                watch, categories=self.categories, sources=self.config_sources
            )
            own = watch_filters(watch)
            extra = (self.filters,) if self.has_filters else ()
            plans.append(Plan(source, categories, (own, *extra), watch))
        return plans


def _watches(settings: Config, names: list[str]) -> tuple[Watch, ...]:
    if not names:
        return ()
    defined = settings.watches
    chosen: list[Watch] = []
    for name in dict.fromkeys(names):
        if name not in defined:
            known = ", ".join(sorted(defined)) or "none yet"
            raise UsageError(
                f"no watch profile named {name!r} (defined: {known}; see papertrack watch add)"
            )
        chosen.append(defined[name])
    return tuple(chosen)


def check_submitters(values: list[str] | None) -> tuple[str, ...]:
    """``--submitter`` values: Hugging Face usernames, which also go into a URL and a cache
    file name, so anything else is refused."""
    import re

    names = tuple(v.strip() for v in values or ())
    for name in names:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}", name):
            raise UsageError(
                f"--submitter {name!r} is not a Hugging Face username (letters, digits, "
                "'-', '_' and '.', e.g. akhaliq)"
            )
    return names


def _categories(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    from papertrack.taxonomy import parse_categories

    return parse_categories(values)


def today_sections(context: Context, options: ListingOptions) -> tuple[list[Section], list[str]]:
    """What ``today`` shows, and the notes that explain an empty day."""
    with make_session(context, options.mode) as session:
        notes: list[str] = []

        def load(source: Feed, categories: tuple[str, ...]) -> Loaded:
            if source == "trending":
                return load_trending(session, options)
            loaded, said = load_today(session, source=source, categories=categories)
            notes.extend(n for n in said if n not in notes)
            return loaded

        sections = build_sections(
            context, options, load, details_for(session, options), ranker_of(context, options)
        )
    return sections, notes


def period_sections(
    context: Context, options: ListingOptions, period_options: dict[str, str | None]
) -> list[Section]:
    """What ``list`` shows for a day, week, month or range."""
    from papertrack.dates import ARXIV_FIRST_DAY, HF_FIRST_DAY

    reads = {options.source, *(w.sources or options.source for w in options.watches)}
    earliest = HF_FIRST_DAY if reads <= {"hf", "trending"} else ARXIV_FIRST_DAY
    period = resolve_period(**period_options, today=context.today, earliest=earliest)
    with make_session(context, options.mode) as session:

        def load(source: Feed, categories: tuple[str, ...]) -> Loaded:
            if source == "trending":  # a trending watch: the ranking has no past days
                return load_trending(session, options)
            return load_period(session, period, source=source, categories=categories)

        return build_sections(
            context,
            options,
            load,
            details_for(session, options),
            ranker_of(context, options),
        )


def load_trending(session: Session, options: ListingOptions) -> Loaded:
    """Hugging Face's trending ranking. One ``--submitter`` is asked of the API (which
    filters by it); several, or none, ask for the whole ranking, filtered here."""
    from papertrack.listings.hf import trending

    submitters = options.filters.submitters
    return trending(session, submitters[0] if len(submitters) == 1 else None)


def trending_sections(context: Context, options: ListingOptions) -> list[Section]:
    """What ``trending`` shows: Hugging Face's ranking, in its order unless --sort says."""
    with make_session(context, options.mode) as session:
        return build_sections(
            context,
            options,
            lambda *_: load_trending(session, options),
            None,
            ranker_of(context, options),
        )


def run_trending(context: Context, options: ListingOptions) -> None:
    emit(context, trending_sections(context, options), options)


def run_today(context: Context, options: ListingOptions) -> None:
    sections, notes = today_sections(context, options)
    for message in notes:
        context.note(message)
    emit(context, sections, options, explained_empty=bool(notes))


def run_list(
    context: Context, options: ListingOptions, period_options: dict[str, str | None]
) -> None:
    emit(context, period_sections(context, options, period_options), options)


def run_search(context: Context, options: ListingOptions, query: str, **window: Any) -> None:
    """``search``: *window* is search_sections' since, until and limit."""
    emit(context, search_sections(context, options, query, **window), options)


def search_sections(
    context: Context,
    options: ListingOptions,
    query: str,
    *,
    since: str | None,
    until: str | None,
    limit: int,
) -> list[Section]:
    """What ``search`` shows."""
    from papertrack.dates import ARXIV_FIRST_DAY, HF_FIRST_DAY, parse_day, parse_since
    from papertrack.papers import search
    from papertrack.query import query_words

    today = context.today
    earliest = HF_FIRST_DAY if options.source == "hf" else ARXIV_FIRST_DAY
    first = parse_since(since, today=today, earliest=earliest) if since is not None else None
    last = (
        parse_day(until, option="--until", today=today, earliest=earliest)
        if until is not None
        else None
    )
    if first and last and last < first:
        raise UsageError(f"--until {last} is before --since {first}")
    check_limit(limit)
    with make_session(context, options.mode) as session:
        loaded = search(session, query, source=options.source, since=first, until=last, limit=limit)
    return build_sections(
        context,
        options,
        lambda *_: loaded,
        None,
        ranker_of(context, options),
        highlight=query_words(query),
    )


def details_for(session: Session, options: ListingOptions) -> Details | None:
    """The --long view shows arXiv comments and primary categories, which the feeds lack:
    look the shown papers up (batched, cached) only then."""
    if not options.long or all(plan.source in ("hf", "trending") for plan in options.plans()):
        return None
    from papertrack.papers import enrich

    return lambda papers: enrich(session, papers)


def ranker_of(context: Context, options: ListingOptions) -> Rank:
    if options.sort != "taste":
        key = options.sort
        return lambda matches: sort_matches(matches, key)
    from papertrack.cli.rank import ranker  # the library and the model: only for taste

    return ranker(context, options.sort, options.taste_tag)


def _own_rank(context: Context, options: ListingOptions, watch: Watch | None) -> Rank | None:
    """A ``--watch`` profile with its own ``sort`` or ``min_score`` orders its section."""
    if watch is None or (watch.sort is None and watch.min_score is None):
        return None
    from papertrack.cli.rank import watch_ranker

    return watch_ranker(context, watch, options.sort, options.taste_tag)


def build_sections(
    context: Context,
    options: ListingOptions,
    load: Callable[[Feed, tuple[str, ...]], Loaded],
    details: Details | None,
    rank: Rank,
    *,
    highlight: Sequence[str] = (),
) -> list[Section]:
    loads: dict[tuple[Feed, tuple[str, ...]], Loaded] = {}
    sections: list[Section] = []
    for plan in options.plans():
        key = (plan.source, plan.categories)
        if key not in loads:
            loads[key] = load(plan.source, plan.categories)
        loaded = loads[key]
        papers = unique(loaded.papers)  # one row per paper, whatever a service sent
        marks = library_marks(context, papers, plan.filters)
        ordered = _own_rank(context, options, plan.watch) or rank
        matches = ordered(apply_filters(papers, plan.filters, marks))
        if options.limit is not None:
            matches = matches[: options.limit]
        if details is not None and matches:
            completed = details([m.paper for m in matches])
            matches = [replace(m, paper=p) for p, m in zip(completed, matches, strict=True)]
        pattern = section_pattern(plan.filters, highlight)
        sections.append(
            Section(
                loaded.label,
                matches,
                len(papers),
                pattern,
                plan.watch.name if plan.watch else None,
                options.explain,
            )
        )
    return sections


def emit(
    context: Context,
    sections: list[Section],
    options: ListingOptions,
    *,
    explained_empty: bool = False,
) -> None:
    """Notes for empty sections on stderr, then the sections in the chosen face on stdout."""
    for section in sections:
        prefix = f"watch {section.watch}: " if section.watch else ""
        if not section.matches and section.total:
            context.note(
                f"{prefix}No papers match the filters (of {section.total} in {section.label})."
            )
        elif not section.total and not explained_empty:
            context.note(f"{prefix}No papers in {section.label}.")
    write_sections(context, sections, fmt=options.fmt, color=options.color, long=options.long)
