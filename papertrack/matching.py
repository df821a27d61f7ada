"""Finding words in text: term and highlight patterns, accent folding, guarded regexes.

A leaf: the filters (papertrack.query) and the filter language (papertrack.querylang) both
match text this way, and neither needs the other for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from papertrack.charsets import COMBINING
from papertrack.errors import UsageError
from papertrack.models import Paper


def term_pattern(term: str) -> re.Pattern[str]:
    """Case-insensitive; the words of a phrase may be split by any whitespace."""
    words = term.split()
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def highlight_pattern(terms: Iterable[str], regexes: Iterable[str] = ()) -> re.Pattern[str] | None:
    """One pattern finding every term (longest first, so a phrase wins over its words) and
    every extra regex source.

    None for nothing to highlight: an empty alternation would match everywhere.
    """
    words = sorted({" ".join(t.split()) for t in terms if t.strip()}, key=len, reverse=True)
    alternatives = [
        "(?i:" + r"\s+".join(re.escape(w) for w in word.split()) + ")" for word in words
    ]
    alternatives.extend(f"(?:{source})" for source in regexes)
    if not alternatives:
        return None
    try:
        return re.compile("|".join(alternatives))
    except re.error:
        return None


def find_spans(text: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    if pattern is None or not text:
        return []
    if "(?:" not in pattern.pattern:
        # Only the user's regexes are wrapped in "(?:…)" (highlight_pattern); terms are
        # escaped literals, which cannot backtrack, and cost no timer.
        return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    with regex_time_limit(pattern.pattern):
        return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


REGEX_SECONDS = 0.5
"""The most one search of a user's regex may take on one field. A regex like
``^(\\w+\\s?)*$`` backtracks exponentially: seconds on a 27-character title, hours on an
abstract; in a watch it would stall cron while holding the digest lock."""


class RegexTooSlow(UsageError):
    def __init__(self, pattern: str) -> None:
        shown = pattern if len(pattern) <= 60 else pattern[:59] + "…"
        super().__init__(
            f"the regex /{shown}/ took more than {REGEX_SECONDS:g} s on one paper",
            hint="it backtracks catastrophically; avoid nested repetition such as (\\w+\\s?)*",
        )


@contextmanager
def regex_time_limit(pattern: str) -> Iterator[None]:
    """Stop a regex search that runs longer than REGEX_SECONDS with RegexTooSlow.

    Python's regex engine checks for signals as it backtracks, so a timer signal can stop
    it; that works in the main thread only, which is where papertrack filters.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RegexTooSlow(pattern)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, REGEX_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def searchable_text(paper: Paper) -> str:
    parts = [paper.title, paper.abstract, paper.ai_summary or "", *paper.ai_keywords]
    # A separator no term can span, so a phrase never matches across two fields.
    return "\n\x00\n".join(parts)


def lowered_text(paper: Paper) -> str:
    """searchable_text as a plain substring search sees it: lower case, each field's
    whitespace runs one space, fields apart by a NUL, so ``needle(term) in lowered_text(p)``
    finds what ``term_pattern(term).search(searchable_text(p))`` does (trends count a
    year of papers this way, from the index, without a regex per paper)."""
    return "\x00".join(needle(part) for part in searchable_text(paper).split("\n\x00\n"))


# lower() turns a word-final capital sigma into the final small sigma (U+03C2), which a
# regex that ignores case still matches with the other two sigmas: one small sigma for all.
_SIGMA = str.maketrans("\u03c2", "\u03c3")


def needle(term: str) -> str:
    """A term (or a field) as lowered_text holds it."""
    return " ".join(term.split()).lower().translate(_SIGMA)


_COMBINING = re.compile(f"[{COMBINING}]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form, so ``muller`` finds ``Müller``.

    One regex pass in C drops the accents, rather than a Python object per code point:
    NFKD can make a string 18 times longer (U+FDFA).
    """
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
