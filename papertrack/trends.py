"""Counting papers per day, week or month for a few terms: what ``papertrack trends`` draws.

Pure: rows of ``(day, lowered text)`` from the index in, one Trend per term out. A term
counts a paper the way filters match it (matching.needle in matching.lowered_text).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

from papertrack.matching import needle
from papertrack.record import record
from papertrack.words import stop_words

By = Literal["day", "week", "month"]
BY: tuple[By, ...] = ("day", "week", "month")
BARS = "▁▂▃▄▅▆▇█"


def bucket_start(day: date, by: By) -> date:
    """The first day of *day*'s bucket: itself, its ISO week's Monday, its month's 1st."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def buckets(first: date, last: date, by: By) -> list[date]:
    """Every bucket from *first*'s to *last*'s, in order (by their first days)."""
    found: list[date] = []
    current = bucket_start(first, by)
    while current <= last:
        found.append(current)
        if by == "day":
            current += timedelta(days=1)
        elif by == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return found


def bucket_label(start: date, by: By) -> str:
    """``2026-11-30``, ``2026-W49`` or ``2026-11``: how a bucket is shown and written."""
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{start:%Y-%m}"
    return start.isoformat()


@record
class Trend:
    term: str
    counts: tuple[int, ...]
    """Papers per bucket, oldest first."""

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def change(self) -> int | None:
        """The last bucket against the one before (None with fewer than two)."""
        if len(self.counts) < 2:
            return None
        return self.counts[-1] - self.counts[-2]

    @property
    def peak(self) -> int | None:
        """Index of the bucket with the most papers (the latest of equals); None when
        nothing matched."""
        if not self.total:
            return None
        best = max(self.counts)
        return max(i for i, n in enumerate(self.counts) if n == best)


def count(
    rows: Iterable[tuple[str, str]], terms: Sequence[str], first: date, last: date, by: By
) -> list[Trend]:
    """Papers per bucket from *first* to *last* mentioning each term (an empty term counts
    every paper: the rows were chosen by a filter already)."""
    starts = buckets(first, last, by)
    slot = {start.isoformat(): n for n, start in enumerate(starts)}
    slot_of_day: dict[str, int] = {}
    needles = [needle(term) for term in terms]
    counts = [[0] * len(starts) for _ in terms]
    lo, hi = first.isoformat(), last.isoformat()
    for day, text in rows:
        index = slot_of_day.get(day)
        if index is None:
            if not lo <= day <= hi:
                continue
            index = slot[bucket_start(date.fromisoformat(day), by).isoformat()]
            slot_of_day[day] = index
        for n, wanted in enumerate(needles):
            if wanted in text:
                counts[n][index] += 1
    return [Trend(term, tuple(c)) for term, c in zip(terms, counts, strict=True)]


def sparkline(counts: Sequence[int]) -> str:
    """One bar per bucket, scaled to the largest; a bucket with papers never draws as
    empty, and none at all draws the lowest bar."""
    top = max(counts, default=0)
    if top <= 0:
        return BARS[0] * len(counts)
    steps = len(BARS) - 1
    return "".join(BARS[0] if n <= 0 else BARS[max(1, round(n / top * steps))] for n in counts)


@record
class Report:
    """What ``trends`` found: the buckets, one Trend per term, and what the cache covers."""

    first: date
    last: date
    by: By
    source: str
    starts: tuple[date, ...]
    trends: tuple[Trend, ...]
    papers: int
    """Cached papers in the window (of the chosen sources)."""

    @property
    def labels(self) -> list[str]:
        return [bucket_label(start, self.by) for start in self.starts]


_WORD = re.compile(r"[^\W\d_][\w-]*[^\W_]|[^\W\d_]{3,}")
MIN_RISING = 5
"""Papers a term needs in the newer window before it can be called rising."""


def phrases(text: str) -> set[str]:
    """The words (three letters or more, not stop words) and two-word phrases of a lowered
    text; a phrase never spans two fields, nor a stop word."""
    stops = stop_words()
    found: set[str] = set()
    for field in text.split("\x00"):
        kept = [w if len(w) > 2 and w not in stops else "" for w in _WORD.findall(field)]
        found.update(kept)
        found.update(f"{a} {b}" for a, b in pairwise(kept) if a and b)
    found.discard("")
    return found


@record
class Rise:
    term: str
    now: int
    """Papers using it in the newer window."""
    before: int
    """Papers using it in the window before, of the same length."""
    score: float


def rising(
    now: Sequence[str], before: Sequence[str], *, limit: int, least: int = MIN_RISING
) -> list[Rise]:
    """The terms whose share of papers rose most from *before* to *now* (lowered texts).

    Scored by the two-proportion z statistic, (p1 - p0) / sqrt(p(1 - p)(1/n1 + 1/n0)): how
    many standard errors the share rose by. A term seen in 2 papers instead of 0 has a large
    ratio and a small z, so tiny counts do not win; and a term needs *least* papers now."""
    n1, n0 = len(now), len(before)
    if not n1 or not n0:
        return []
    counts_now: Counter[str] = Counter()
    for text in now:
        counts_now.update(phrases(text))
    counts_before: Counter[str] = Counter()
    for text in before:
        counts_before.update(phrases(text))
    rises: list[Rise] = []
    for term, a in counts_now.items():
        if a < least:
            continue
        b = counts_before.get(term, 0)
        p1, p0 = a / n1, b / n0
        if p1 <= p0:
            continue
        pooled = (a + b) / (n1 + n0)
        spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        if spread > 0:
            rises.append(Rise(term, a, b, (p1 - p0) / spread))
    rises.sort(key=lambda r: (-r.score, r.term))
    return _without_parts(rises)[:limit]


def _without_parts(rises: list[Rise]) -> list[Rise]:
    """A word that rose only inside a rising phrase ("decoding" within "speculative
    decoding", at nearly the same count) adds nothing: keep the phrase."""
    phrases_ = [r for r in rises if " " in r.term]
    return [
        r
        for r in rises
        if " " in r.term
        or not any(r.term in p.term.split() and r.now <= p.now * 1.1 for p in phrases_)
    ]


def top(values: Iterable[str], *, limit: int) -> list[tuple[str, int]]:
    """The most frequent *values* (authors, organisations, repositories), most first."""
    counted = Counter(v for v in values if v)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:limit]
