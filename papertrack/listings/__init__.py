"""Listings: what ``today``, ``list`` and ``digest`` show, from one source or both.

One module per source (papertrack.listings.hf, papertrack.listings.arxiv), plain functions
taking a papertrack.session.Session; this module joins their answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from papertrack.choices import Source
from papertrack.dates import Period, utc_date
from papertrack.errors import FetchError, NotCachedError, PapertrackError
from papertrack.models import Paper
from papertrack.record import record
from papertrack.session import Session

Part = Callable[[], "tuple[Loaded, str | None]"]


@record
class Loaded:
    source: Source
    label: str
    """What was loaded, for titles and notes: "Hugging Face Daily Papers · Fri 2026-11-27"."""
    papers: list[Paper]
    stale: bool = False
    """Shown from the cache because fetching a newer copy failed."""


def combine(parts: Sequence[Loaded]) -> Loaded:
    if len(parts) == 1:
        return parts[0]
    from papertrack.join import join_sources

    hf_papers = [p for part in parts if part.source == "hf" for p in part.papers]
    arxiv_papers = [p for part in parts if part.source == "arxiv" for p in part.papers]
    return Loaded(
        "all",
        " + ".join(part.label for part in parts),
        join_sources(hf_papers, arxiv_papers),
        stale=any(part.stale for part in parts),
    )


def gather(
    session: Session, source: Source, hf_part: Part, arxiv_part: Part
) -> tuple[Loaded, list[str]]:
    """Load one source or both. With both, one failing is a warning and the other shows;
    only both failing is an error."""
    wanted = [
        part for name, part in (("hf", hf_part), ("arxiv", arxiv_part)) if source in (name, "all")
    ]
    parts: list[Loaded] = []
    notes: list[str] = []
    errors: list[PapertrackError] = []
    for part in wanted:
        try:
            loaded, note = part()
        except (FetchError, NotCachedError) as exc:
            if len(wanted) == 1:
                raise
            errors.append(exc)
            continue
        parts.append(loaded)
        notes.extend([note] if note else [])
    if not parts:
        raise errors[0]
    for error in errors:
        session.warn(f"warning: {error}; showing the other source only")
    return combine(parts), notes


def load_today(
    session: Session, *, source: Source, categories: Sequence[str]
) -> tuple[Loaded, list[str]]:
    """``today`` for one or both sources, joined; and the notes to print."""

    def hf_part() -> tuple[Loaded, str | None]:
        from papertrack.listings import hf

        return hf.latest(session, utc_date(session.now))

    def arxiv_part() -> tuple[Loaded, str | None]:
        from papertrack.listings import arxiv  # a Hugging Face run never needs it

        return arxiv.latest(session, categories)

    return gather(session, source, hf_part, arxiv_part)


def load_period(
    session: Session, period: Period, *, source: Source, categories: Sequence[str]
) -> Loaded:
    from papertrack.listings import arxiv, hf

    loaded, _ = gather(
        session,
        source,
        lambda: (hf.listing(session, period), None),
        lambda: (arxiv.period(session, categories, period), None),
    )
    return loaded
