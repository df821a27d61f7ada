"""``papertrack recommend``: the cached papers most like your library that you have not
saved, read or dismissed, each with the reason it ranks where it does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertrack.choices import SOURCES, as_source
from papertrack.cli.choices import ColorChoice, FormatChoice
from papertrack.cli.common import write_sections
from papertrack.cli.context import Context
from papertrack.cli.rank import read_shelf, train
from papertrack.errors import UsageError
from papertrack.query import Match
from papertrack.render import Section

if TYPE_CHECKING:
    from papertrack.store.index import Reader

EMPTY = (
    "Your library is empty, so there is nothing to recommend from yet: save papers you like "
    "with papertrack save ID (or import a .bib with papertrack library import FILE.bib)."
)


def run_recommend(
    context: Context,
    *,
    since: str,
    limit: int,
    tag: str | None,
    source: str,
    fmt: FormatChoice | None,
    color: ColorChoice,
) -> None:
    from papertrack.dates import parse_since
    from papertrack.store import index

    if limit < 1:
        raise UsageError(f"--limit must be at least 1 (got {limit})")
    try:
        chosen = as_source(source)
    except ValueError:
        raise UsageError(f"--source {source!r} is not one of {', '.join(SOURCES)}") from None
    if tag is not None:
        from papertrack.store.library import check_tag

        tag = check_tag(tag)
    first = parse_since(since, today=context.today)
    shelf = read_shelf(context, tag)
    if not shelf.saved:
        context.note(EMPTY if tag is None else f"No paper in your library has the tag {tag!r}.")
        return
    sources = ("hf", "arxiv") if chosen == "all" else (chosen,)

    def rank(reader: Reader) -> tuple[list[Match], int]:
        pool = [p for p in reader.between(first, context.today, sources)
                if p.id not in shelf.excluded]  # fmt: skip
        taste = train(context, shelf, pool, reader)
        scored = sorted(((taste.score(p), p.id, p) for p in pool), key=lambda s: (-s[0], s[1]))
        best = [Match(p, reason=taste.reason(p)) for score, _, p in scored[:limit] if score > 0]
        return best, len(pool)

    matches, pool = index.read(context.cache_dir, rank, warn=context.note)
    label = f"recommended from {pool} cached paper{'s' if pool != 1 else ''} since {first}"
    if not pool:
        context.note(
            f"No cached papers since {first} that you have not saved or dismissed; fetch "
            f"some first, e.g. papertrack list --since {first}"
        )
    elif not matches:
        context.note(f"None of the {pool} cached papers since {first} resemble your library.")
    section = Section(label, matches, pool, explain=True)
    write_sections(context, [section], fmt=fmt, color=color)
