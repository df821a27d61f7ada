"""What a digest sends: per watch profile, the matches not delivered before. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from papertrack.models import Paper, format_timestamp
from papertrack.query import Match
from papertrack.record import record

if TYPE_CHECKING:
    from papertrack.taste import Reason


@record
class DigestItem:
    watch: str
    paper: Paper
    matched: tuple[str, ...] = ()
    update: bool = False
    """A new version of a paper this watch already sent (only with --updates)."""
    reason: Reason | None = None
    """Why it ranks where it does, when the watch ranks or cuts by taste."""

    def to_record(self, sent_at: datetime) -> dict[str, Any]:
        return {
            "watch": self.watch,
            "sent_at": format_timestamp(sent_at),
            "update": self.update,
            "matched": list(self.matched),
            "paper": self.paper.to_dict(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> DigestItem:
        return cls(
            watch=str(record.get("watch", "")),
            paper=Paper.from_dict(record["paper"]),
            matched=tuple(record.get("matched") or ()),
            update=bool(record.get("update")),
        )


@record
class DigestSection:
    watch: str
    items: list[DigestItem]
    label: str
    """What was read for this watch, e.g. "Hugging Face Daily Papers · Fri 2026-11-27"."""
    pattern: re.Pattern[str] | None = None


def select_new(
    watch: str,
    matches: Sequence[Match],
    seen: Mapping[str, Mapping[str, Any]],
    *,
    updates: bool,
    most: int | None,
) -> list[DigestItem]:
    """Matches this watch has not delivered; with *updates*, newer versions of ones it has."""
    items: list[DigestItem] = []
    for match in matches:
        paper = match.paper
        sent = seen.get(paper.id)
        if sent is None:
            items.append(DigestItem(watch, paper, match.terms, reason=match.reason))
        elif updates and paper.version and paper.version > int(sent.get("v") or 1):
            items.append(DigestItem(watch, paper, match.terms, update=True, reason=match.reason))
        if most is not None and len(items) >= most:
            break
    return items


@record
class Sent:
    """What a delivered digest adds to the digest state (store/state.py applies it)."""

    seen: dict[str, dict[str, dict[str, Any]]]
    """Watch → versionless id → {"v": version or null, "at": day it was sent}."""
    records: list[dict[str, Any]]
    """The delivered items, newest first, for ``digest --resend``."""


def sent_marks(sections: Sequence[DigestSection], *, today: date, sent_at: datetime) -> Sent:
    """What to remember of *sections* once they are delivered."""
    seen: dict[str, dict[str, dict[str, Any]]] = {}
    records: list[dict[str, Any]] = []
    for section in sections:
        marks = seen.setdefault(section.watch, {})
        for item in section.items:
            marks[item.paper.id] = {"v": item.paper.version, "at": today.isoformat()}
            records.append(item.to_record(sent_at))
    return Sent(seen, records)
