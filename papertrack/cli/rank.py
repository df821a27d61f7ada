"""``--sort taste``: the library loaded once per command, the taste trained on it, and each
section's matches ranked with their reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from papertrack.choices import SortKey
from papertrack.cli.context import Context
from papertrack.errors import UsageError
from papertrack.query import Match, sort_matches
from papertrack.record import replace

if TYPE_CHECKING:
    from papertrack.models import Paper
    from papertrack.taste import Saved

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


class _ByTaste:
    def __init__(self, context: Context, tag: str | None) -> None:
        self.context = context
        self.tag = tag
        self.loaded = False
        self.saved: list[Saved] = []
        self.dismissed: list[Paper] = []

    def _load(self) -> None:
        from papertrack.store import library
        from papertrack.taste import Saved

        self.loaded = True
        folder = library.data_dir(self.context.environ)
        if not library.library_path(folder).exists():
            return  # no library yet: do not create one just to read it
        with library.opened(folder) as shelf:
            if self.tag is not None and self.tag not in shelf.tags():
                known = ", ".join(shelf.tags()) or "none yet"
                raise UsageError(
                    f"unknown tag {self.tag!r} for --sort taste (tags in use: {known})"
                )
            self.saved = [Saved(e.paper, e.added_at) for e in shelf.entries(tag=self.tag)]
            self.dismissed = [d.paper for d in shelf.dismissed()]

    def __call__(self, matches: list[Match]) -> list[Match]:
        from papertrack.taste import Taste

        if not self.loaded:
            self._load()
            if not self.saved:
                self.context.note(EMPTY_NOTE)
        if not self.saved:
            return sort_matches(matches, "upvotes")
        taste = Taste(
            self.saved,
            self.dismissed,
            now=self.context.now,
            corpus=[m.paper for m in matches],
        )
        scored = [replace(m, reason=taste.reason(m.paper)) for m in matches]
        return sorted(scored, key=lambda m: (-(m.reason.score if m.reason else 0.0), m.paper.id))
