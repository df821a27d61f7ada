"""Ranking by taste: the library read once per command, the taste trained on it with the
whole cache's word counts (or taken from the copy trained last time), and matches ranked
with their reasons (``--sort taste``, watch profiles, ``recommend``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from papertrack.choices import SortKey
from papertrack.cli.context import Context
from papertrack.errors import UsageError
from papertrack.query import Match, sort_matches
from papertrack.record import replace

if TYPE_CHECKING:
    from pathlib import Path

    from papertrack.config import Watch
    from papertrack.models import Paper
    from papertrack.store.index import Reader
    from papertrack.store.library import Library
    from papertrack.taste import Taste

Rank = Callable[[list[Match]], list[Match]]
Pool = Callable[["Reader | None", frozenset[str]], list["Paper"]]
"""The papers to rank, given the index (when there is one) and the ids to leave out."""
MODEL_NAME = ".taste-model.json"
"""The last trained taste, in the cache folder: derived data (the leading dot keeps the
search index from reading it as a cache entry)."""
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


def load_taste(
    context: Context, tag: str | None, pool: Pool, *, current: bool = False
) -> tuple[Taste | None, list[Paper]]:
    """The taste of the library's saved papers (those with *tag*) and dismissals, ready to
    score *pool*'s papers; None when nothing is saved. IDF comes from the whole cache's word
    counts when the index exists (caught up first when *current*), and the trained taste is
    kept in the cache folder, so the next command with the same library and index only
    loads it."""
    from papertrack.store import index, library

    folder = library.data_dir(context.environ)
    if not library.library_path(folder).exists():  # none is created just to be read
        if tag is not None:
            raise UsageError(f"unknown tag {tag!r} to rank by taste: your library is empty")
        return None, pool(None, frozenset())
    root = context.cache_dir
    with library.opened(folder) as shelf:
        if tag is not None and tag not in (tags := shelf.tags()):
            known = ", ".join(tags) or "none yet"
            raise UsageError(f"unknown tag {tag!r} to rank by taste (tags in use: {known})")
        excluded = frozenset(shelf.ids() | shelf.dismissed_ids())

        def rank(reader: Reader | None) -> tuple[Taste | None, list[Paper]]:
            papers = pool(reader, excluded)
            return _taste(context, shelf, tag, papers, reader), papers

        if not index.index_path(root).exists() and not current:
            return rank(None)
        return index.read(root, rank, current=current, warn=context.note)


def _taste(
    context: Context, shelf: Library, tag: str | None, corpus: list[Paper], reader: Reader | None
) -> Taste | None:
    from papertrack.models import Paper
    from papertrack.taste import Idf, Saved, Taste

    documents = reader.documents() if reader is not None else 0
    if reader is None or not documents:
        frequencies = None
        key = ""
    else:
        frequencies = lambda words: Idf(documents, reader.frequencies(words))  # noqa: E731
        key = _model_key(context, shelf, tag, reader)
        path = context.cache_dir / MODEL_NAME
        saved = _read_model(path, key)
        if saved is not None:
            restored = Taste.restore(saved, corpus=corpus, frequencies=frequencies)
            if restored is not None:
                return restored
    liked = shelf.liked(tag=tag)
    if not liked:
        return None
    # A reason names the saved paper it is most like by id and title: all it needs of it.
    taste = Taste(
        [Saved(Paper(id=p.id, title=p.title), p.added_at) for p in liked],
        [d.paper for d in shelf.dismissed()],
        now=context.now,
        corpus=corpus,
        frequencies=frequencies,
        bags={p.id: p.terms for p in liked},
    )
    if key:
        _write_model(context.cache_dir / MODEL_NAME, key, taste.model())
    return taste


def _model_key(context: Context, shelf: Library, tag: str | None, reader: Reader) -> str:
    """What a trained taste depends on: the library (its path and change token), the tag,
    the cache's word counts (their change token) and the day (saves weigh by age)."""
    from papertrack.taste import MODEL_VERSION, TERMS_VERSION

    parts = [MODEL_VERSION, TERMS_VERSION, str(shelf.path), shelf.generation(), tag or ""]
    parts += [reader.generation(), context.now.date().isoformat()]
    return "\x1f".join(map(str, parts))


def _read_model(path: Path, key: str) -> dict[str, Any] | None:
    import json

    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("key") != key:
        return None
    model = document.get("model")
    return model if isinstance(model, dict) else None


def _write_model(path: Path, key: str, model: dict[str, Any]) -> None:
    """Best effort: a cache folder that refuses the write costs the next run a training."""
    import contextlib
    import json

    from papertrack.files import atomic_write_bytes

    data = json.dumps({"key": key, "model": model}, separators=(",", ":")).encode()
    with contextlib.suppress(OSError):
        atomic_write_bytes(path, data, durable=False)


class _ByTaste:
    def __init__(self, context: Context, tag: str | None) -> None:
        self.context = context
        self.tag = tag
        self.told = False

    def __call__(self, matches: list[Match]) -> list[Match]:
        papers = [m.paper for m in matches]
        taste, _ = load_taste(self.context, self.tag, lambda _reader, _excluded: papers)
        if taste is None:
            if not self.told:
                self.context.note(EMPTY_NOTE)
                self.told = True
            return sort_matches(matches, "upvotes")
        scored = [replace(m, reason=taste.reason(m.paper)) for m in matches]
        return sorted(scored, key=lambda m: (-(m.reason.score if m.reason else 0.0), m.paper.id))
