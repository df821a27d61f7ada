"""Ranking by taste: the library loaded once per command, the taste trained on it with the
whole cache's word counts, and matches ranked with their reasons (``--sort taste``, and
``recommend``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from papertrack.choices import SortKey
from papertrack.cli.context import Context
from papertrack.errors import UsageError
from papertrack.query import Match, sort_matches
from papertrack.record import record, replace

if TYPE_CHECKING:
    from papertrack.config import Watch
    from papertrack.models import Paper
    from papertrack.store.index import Reader
    from papertrack.taste import Saved, Taste

Rank = Callable[[list[Match]], list[Match]]
EMPTY_NOTE = (
    "Your library is empty, so there is no taste to rank by yet: sorted by upvotes. "
    "Save papers you like with papertrack save ID."
)


def ranker(context: Context, key: SortKey, tag: str | None = None) -> Rank:
    """How a command orders its matches: by *key*, or by taste (with reasons)."""
    if key != "taste":
        return lambda matches: sort_matches(matches, key)
    return _ByTaste(context, tag)


def watch_ranker(context: Context, watch: Watch, key: SortKey, tag: str | None = None) -> Rank:
    """A watch profile's order (its ``sort``, else *key*/*tag*) and its ``min_score`` cut:
    papers less like the library than that are dropped, the rest keep their reasons."""
    from papertrack.choices import as_sort

    if watch.sort is not None:
        key, tag = as_sort(watch.sort)  # checked when the config was read
    least = watch.min_score
    if least is None:
        return ranker(context, key, tag)
    by_taste = _ByTaste(context, tag)

    def rank(matches: list[Match]) -> list[Match]:
        kept = [m for m in by_taste(matches) if m.reason is not None and m.reason.score >= least]
        return kept if key == "taste" else sort_matches(kept, key)

    return rank


@record
class Shelf:
    """What ranking by taste reads from the library."""

    saved: list[Saved]
    dismissed: list[Paper]
    excluded: frozenset[str]
    """Every saved (read or not) and dismissed id: what recommendations leave out."""
    bags: dict[str, Counter[str]]
    """The saved papers' words, as the library stores them."""


def read_shelf(context: Context, tag: str | None) -> Shelf:
    """The library's saved papers (those with *tag*, when given) and dismissals; empty when
    there is no library yet (none is created just to be read)."""
    from papertrack.models import Paper
    from papertrack.store import library
    from papertrack.taste import Saved

    folder = library.data_dir(context.environ)
    if not library.library_path(folder).exists():
        if tag is not None:
            raise UsageError(f"unknown tag {tag!r} to rank by taste: your library is empty")
        return Shelf([], [], frozenset(), {})
    with library.opened(folder) as shelf:
        if tag is not None and tag not in (tags := shelf.tags()):
            known = ", ".join(tags) or "none yet"
            raise UsageError(f"unknown tag {tag!r} to rank by taste (tags in use: {known})")
        liked = shelf.liked(tag=tag)
        saved_ids = shelf.ids()
        dismissed = [d.paper for d in shelf.dismissed()]
    # A reason names the closest saved paper by its id and title: that is all it needs.
    return Shelf(
        [Saved(Paper(id=p.id, title=p.title), p.added_at) for p in liked],
        dismissed,
        frozenset([*saved_ids, *(p.id for p in dismissed)]),
        {p.id: p.terms for p in liked},
    )


def train(context: Context, shelf: Shelf, corpus: Iterable[Paper], reader: Reader | None) -> Taste:
    """The taste of *shelf*, with IDF from the whole cache when its index is at hand."""
    from papertrack.taste import Idf, Taste

    frequencies = None
    if reader is not None:
        documents = reader.documents()
        if documents:
            frequencies = lambda words: Idf(documents, reader.frequencies(words))  # noqa: E731
    return Taste(
        shelf.saved,
        shelf.dismissed,
        now=context.now,
        corpus=corpus,
        frequencies=frequencies,
        bags=shelf.bags,
    )


class _ByTaste:
    def __init__(self, context: Context, tag: str | None) -> None:
        self.context = context
        self.tag = tag
        self.shelf: Shelf | None = None

    def __call__(self, matches: list[Match]) -> list[Match]:
        if self.shelf is None:
            self.shelf = read_shelf(self.context, self.tag)
            if not self.shelf.saved:
                self.context.note(EMPTY_NOTE)
        if not self.shelf.saved:
            return sort_matches(matches, "upvotes")
        taste = self._taste(self.shelf, [m.paper for m in matches])
        scored = [replace(m, reason=taste.reason(m.paper)) for m in matches]
        return sorted(scored, key=lambda m: (-(m.reason.score if m.reason else 0.0), m.paper.id))

    def _taste(self, shelf: Shelf, corpus: list[Paper]) -> Taste:
        from papertrack.store import index

        root = self.context.cache_dir
        if not index.index_path(root).exists():
            return train(self.context, shelf, corpus, None)
        # The word counts as the index has them: a listing does not wait for it to catch up.
        return index.read(
            root,
            lambda reader: train(self.context, shelf, corpus, reader),
            current=False,
            warn=self.context.note,
        )
