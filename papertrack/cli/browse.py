"""``papertrack browse``: what ``today`` or ``list`` would show, in a keyboard UI
(render/browse.py), with save, dismiss and read written through the library as the CLI
writes them. Textual is imported here and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from papertrack.cli.context import Context
from papertrack.errors import UsageError

if TYPE_CHECKING:
    from papertrack.cli.listing import ListingOptions
    from papertrack.models import Mark, Paper
    from papertrack.query import Match
    from papertrack.render import Section
    from papertrack.render.browse import BrowseApp

NOT_A_TERMINAL = "browse needs a terminal (stdin and stdout)"


def run_browse(
    context: Context,
    options: ListingOptions,
    period_options: dict[str, str | None],
    *,
    stdin_isatty: bool,
    search: str | None = None,
    library: bool = False,
) -> None:
    check_modes(period_options, search=search, library=library)
    if not (context.stdout_isatty and stdin_isatty):
        raise UsageError(
            NOT_A_TERMINAL,
            hint="for a pipe or a script, papertrack today or papertrack list take the same "
            "options (-f json for programs)",
        )
    app = build_app(context, options, period_options, search=search, library=library)
    app.run()


def check_modes(
    period_options: dict[str, str | None], *, search: str | None, library: bool
) -> None:
    """One listing at a time, and the period options it takes."""
    if search is not None and library:
        raise UsageError("--search and --library are two listings; choose one")
    flags = {"day": "--date", "week": "--week", "month": "--month"}
    dated = [flag for key, flag in flags.items() if period_options.get(key)]
    if (search is not None or library) and dated:
        raise UsageError(
            f"{dated[0]} goes with today's or list's papers; with --search or --library "
            "use --since/--until (search) or -q (library)"
        )
    if library and (period_options.get("since") or period_options.get("until")):
        raise UsageError("--since/--until do not choose library papers; use -q, e.g. tag:rl")


def build_app(
    context: Context,
    options: ListingOptions,
    period_options: dict[str, str | None],
    *,
    search: str | None = None,
    library: bool = False,
) -> BrowseApp:
    """The UI over the papers ``today`` (no period), ``list``, ``search`` or ``library``
    would show, filtered and sorted by *options*: what tests drive with ``run_test()``."""
    from papertrack.cli.listing import period_sections, search_sections, today_sections
    from papertrack.render.browse import BrowseApp

    check_modes(period_options, search=search, library=library)
    if search is not None:
        sections = search_sections(
            context, options, search, since=period_options.get("since"),
            until=period_options.get("until"), limit=options.limit or 50,
        )  # fmt: skip
    elif library:
        sections = _library_sections(context, options)
    elif any(period_options.values()):
        sections = period_sections(context, options, period_options)
    else:
        sections, notes = today_sections(context, options)
        for message in notes:
            context.note(message)
    matches, label = _flatten(sections)
    pattern = next((s.pattern for s in sections if s.pattern is not None), None)
    return BrowseApp(
        matches,
        label=label,
        pattern=pattern,
        actions=LibraryActions(context),
    )


def _library_sections(context: Context, options: ListingOptions) -> list[Section]:
    """Your library, through the same filters and sorting as a listing."""
    from papertrack.cli.library import chosen_entries, opened
    from papertrack.cli.listing import build_sections, ranker_of
    from papertrack.listings import Loaded

    with opened(context) as shelf:
        papers = [e.paper for e in chosen_entries(shelf, tag=None, unread=False)]
    loaded = Loaded("all", "your library", papers)
    return build_sections(context, options, lambda *_: loaded, None, ranker_of(context, options))


def _flatten(sections: Sequence[Section]) -> tuple[list[Match], str]:
    """Every section's papers once, in order, and a title naming the sections."""
    seen: set[str] = set()
    matches = []
    for section in sections:
        for match in section.matches:
            if match.paper.id not in seen:
                seen.add(match.paper.id)
                matches.append(match)
    label = " + ".join(dict.fromkeys(s.label for s in sections)) or "papertrack"
    return matches, label


class LibraryActions:
    """The UI's actions, each one library transaction (cli/library.py's, by the same
    store), so what the UI did survives the UI."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def save(self, paper: Paper, tags: Sequence[str]) -> Mark:
        from papertrack.store import library

        checked = [library.check_tag(t) for t in tags]
        with library.opened(library.data_dir(self.context.environ)) as shelf:
            shelf.add([paper], now=self.context.now, tags=checked, note=None)
            return shelf.marks([paper.id])[paper.id]

    def dismiss(self, paper: Paper) -> None:
        from papertrack.store import library

        with library.opened(library.data_dir(self.context.environ)) as shelf:
            shelf.dismiss([paper], now=self.context.now)

    def read(self, paper: Paper, read: bool) -> Mark:
        from papertrack.store import library

        with library.opened(library.data_dir(self.context.environ)) as shelf:
            shelf.mark_read([paper.id], read=read, now=self.context.now)
            return shelf.marks([paper.id])[paper.id]

    def open(self, url: str) -> None:
        from papertrack.cli.paper import open_browser

        if not open_browser(url, self.context.environ.get("BROWSER", "")):
            raise UsageError(f"could not start a web browser for {url} (set BROWSER)")

    def bibtex(self, paper: Paper) -> str:
        from papertrack.render.cite import bibtex

        return bibtex(paper)

    def filter(self, matches: Sequence[Match], expression: str) -> list[Match]:
        """The matches that pass *expression* (the filter language); ValueError while it
        does not parse yet."""
        from papertrack.query import Filters, filter_papers
        from papertrack.querylang import QuerySyntaxError, parse_query

        if not expression.strip():
            return list(matches)
        try:
            node = parse_query(expression)
        except QuerySyntaxError as exc:
            raise ValueError(f"filter: {exc}") from None
        marks = {m.paper.id: m.mark for m in matches if m.mark is not None}
        kept = {
            m.paper.id
            for m in filter_papers(
                [m.paper for m in matches], Filters(query=node, replacements=True), marks
            )
        }
        return [m for m in matches if m.paper.id in kept]
