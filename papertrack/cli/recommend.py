"""``papertrack recommend``: the cached papers most like your library that you have not
saved, read or dismissed, each with the reason it ranks where it does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertrack.cli.choices import ColorChoice, FormatChoice
from papertrack.cli.common import check_limit, source_option, write_sections
from papertrack.cli.context import Context
from papertrack.cli.rank import load_taste
from papertrack.query import Match
from papertrack.render import Section

if TYPE_CHECKING:
    from papertrack.models import Paper
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

    check_limit(limit)
    chosen = source_option(source)
    if tag is not None:
        from papertrack.store.library import check_tag

        tag = check_tag(tag)
    first = parse_since(since, today=context.today)
    sources = ("hf", "arxiv") if chosen == "all" else (chosen,)

    def pool(reader: Reader | None, excluded: frozenset[str]) -> list[Paper]:
        papers = reader.between(first, context.today, sources) if reader is not None else []
        return [p for p in papers if p.id not in excluded]

    taste, candidates = load_taste(context, tag, pool, current=True)
    if taste is None:
        context.note(EMPTY if tag is None else f"No paper in your library has the tag {tag!r}.")
        return
    scored = sorted(((taste.score(p), p.id, p) for p in candidates), key=lambda s: (-s[0], s[1]))
    matches = [Match(p, reason=taste.reason(p)) for score, _, p in scored[:limit] if score > 0]
    pool_size = len(candidates)
    label = (
        f"recommended from {pool_size} cached paper{'s' if pool_size != 1 else ''} since {first}"
    )
    if not pool_size:
        context.note(
            f"No cached papers since {first} that you have not saved or dismissed; fetch "
            f"some first, e.g. papertrack list --since {first}"
        )
    elif not matches:
        context.note(f"None of the {pool_size} cached papers since {first} resemble your library.")
    section = Section(label, matches, pool_size, explain=True)
    write_sections(context, [section], fmt=fmt, color=color)
