"""The names of cache entries, in one place: what the session writes and the index reads.

A key's parts are the entry's path under the cache folder (``hf/date/2025-08-25.json``).
Every kind of entry has its constructor here, and :meth:`Key.from_parts` reads a path back,
so nothing else builds or slices the tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from papertrack.dates import Period
from papertrack.record import record

Endpoint = Literal["hf_endpoint", "arxiv_rss", "arxiv_api", "arxiv_oai"]
"""The papertrack.sources.Network setting an entry was fetched from."""


@record
class Key:
    parts: tuple[str, ...]

    @property
    def source(self) -> str:
        """``hf`` or ``arxiv``: which service answered (a search names it second)."""
        return self.parts[1] if self.parts[0] == "search" else self.parts[0]

    @property
    def kind(self) -> str:
        """``date``, ``week``, ``month``, ``trending``, ``paper``, ``rss``, ``api-day``,
        ``abs``, ``oai`` or ``search``."""
        return "search" if self.parts[0] == "search" else self.parts[1]

    @property
    def endpoint(self) -> Endpoint:
        if self.source == "hf":
            return "hf_endpoint"
        if self.kind == "oai":
            return "arxiv_oai"
        return "arxiv_rss" if self.kind == "rss" else "arxiv_api"

    @property
    def day(self) -> date | None:
        """The day a Hugging Face date listing or an arXiv announcement entry is for."""
        if self.kind not in ("date", "rss", "api-day"):
            return None
        try:
            return date.fromisoformat(self.parts[-1])
        except ValueError:
            return None

    @classmethod
    def from_parts(cls, parts: Sequence[str]) -> Key | None:
        """The key of a cache file's path parts; None for a file papertrack did not name."""
        key = cls(tuple(parts))
        if len(key.parts) < 3 or key.source not in ("hf", "arxiv"):
            return None
        return key


def category_key(categories: Sequence[str]) -> str:
    return "+".join(sorted(categories))


def id_part(paper_id: str) -> str:
    """An arXiv id as a file-name part: old-style ids carry a slash (hep-th/9901001)."""
    return paper_id.replace("/", "_")


def hf_listing(period: Period) -> Key:
    """A Hugging Face Daily Papers date, week or month, every page joined."""
    return Key(("hf", period.kind, period.key))


def hf_trending(submitter: str | None = None) -> Key:
    """Hugging Face's trending ranking, or one submitter's (usernames ignore case)."""
    return Key(("hf", "trending", f"by-{submitter.lower()}" if submitter else "all"))


def hf_paper(paper_id: str) -> Key:
    return Key(("hf", "paper", id_part(paper_id)))


def arxiv_feed_folder(categories: Sequence[str]) -> Key:
    """The folder of one category set's announcement days, as the feed sent them."""
    return Key(("arxiv", "rss", category_key(categories)))


def arxiv_backfill_folder(categories: Sequence[str]) -> Key:
    """The folder of announcement days rebuilt from the API (days the feed was not read)."""
    return Key(("arxiv", "api-day", category_key(categories)))


def arxiv_feed_day(categories: Sequence[str], day: date) -> Key:
    return Key((*arxiv_feed_folder(categories).parts, day.isoformat()))


def arxiv_backfill_day(categories: Sequence[str], day: date) -> Key:
    return Key((*arxiv_backfill_folder(categories).parts, day.isoformat()))


def oai_folder(set_spec: str) -> Key:
    """The harvested pages of one OAI-PMH set (``cs:cs:CL`` → ``arxiv/oai/cs_cs_CL``)."""
    return Key(("arxiv", "oai", set_spec.replace(":", "_")))


def oai_page(set_spec: str, start: str, page: int) -> Key:
    """Page *page* of the harvest of *set_spec* named *start* (when it began, and its
    ``from``): names sort in the order the pages were harvested."""
    return Key((*oai_folder(set_spec).parts, f"{start}.{page:05d}"))


def arxiv_abstract(paper_id: str) -> Key:
    """One paper's API record (``paper_id`` may carry a version)."""
    return Key(("arxiv", "abs", id_part(paper_id)))


def search(source: str, *asked: object) -> Key:
    """A search of *source*, named by a hash of everything that shapes its answer."""
    import hashlib  # a search needs it, a cached `today` does not
    import json

    digest = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:24]
    return Key(("search", source, digest))
