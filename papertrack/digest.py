"""What a digest sends: per watch profile, the matches not delivered before. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from papertrack.models import Paper, format_timestamp
from papertrack.query import Match
from papertrack.record import record
from papertrack.store.state import State, WatchState


@record
class DigestItem:
    watch: str
    paper: Paper
    matched: tuple[str, ...] = ()
    update: bool = False
    """A new version of a paper this watch already sent (only with --updates)."""

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
    seen: WatchState,
    *,
    updates: bool,
    most: int | None,
) -> list[DigestItem]:
    """Matches this watch has not delivered; with *updates*, newer versions of ones it has."""
    items: list[DigestItem] = []
    for match in matches:
        paper = match.paper
        sent = seen.seen.get(paper.id)
        if sent is None:
            items.append(DigestItem(watch, paper, match.terms))
        elif updates and paper.version and paper.version > int(sent.get("v") or 1):
            items.append(DigestItem(watch, paper, match.terms, update=True))
        if most is not None and len(items) >= most:
            break
    return items


def mark_sent(
    state: State,
    sections: Sequence[DigestSection],
    *,
    today: date,
    sent_at: datetime,
    watches: Sequence[str],
) -> None:
    """Mark every item as sent and move each watch's window to *today*."""
    for name in watches:
        state.watch(name).last_day = today
    fresh: list[dict[str, Any]] = []
    for section in sections:
        watch = state.watch(section.watch)
        for item in section.items:
            watch.seen[item.paper.id] = {"v": item.paper.version, "at": today.isoformat()}
            fresh.append(item.to_record(sent_at))
    state.recent = fresh + state.recent
    state.forget_older_than(today)
