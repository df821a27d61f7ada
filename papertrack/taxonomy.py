"""arXiv's category taxonomy (package data copied from arXiv's own definitions).

Categories are checked before any request: a typo costs the user a clear message, not
three seconds of arXiv's patience and an error feed.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from pathlib import Path

from papertrack.errors import UsageError
from papertrack.record import record

TAXONOMY_URL = "https://arxiv.org/category_taxonomy"
_SPLIT = re.compile(r"[\s,+]+")


@record
class Category:
    code: str
    name: str
    group: str


@lru_cache(maxsize=1)
def categories() -> dict[str, Category]:
    """Every active category by code (155 of them, aliases included)."""
    path = Path(__file__).parent / "data" / "categories.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    return {r["code"]: Category(r["code"], r["name"], r["group"]) for r in records}


@lru_cache(maxsize=1)
def _by_lower() -> dict[str, str]:
    """Lower-case spelling → canonical code, for categories and whole archives (``cs``)."""
    known: dict[str, str] = {}
    for code in categories():
        known[code.lower()] = code
        archive = code.split(".")[0]
        known.setdefault(archive.lower(), archive)
    return known


def is_category(code: str) -> bool:
    """True for an arXiv category; false for ACM/MSC codes that also appear in feeds."""
    return code in categories()


def normalize_category(text: str) -> str:
    """The canonical spelling of a category or archive (``cs.cl`` → ``cs.CL``)."""
    value = text.strip()
    known = _by_lower()
    code = known.get(value.lower())
    if code is not None:
        return code
    close = difflib.get_close_matches(value.lower(), list(known), n=3, cutoff=0.6)
    suggestion = f"; did you mean {', '.join(known[c] for c in close)}?" if close else ""
    raise UsageError(f"unknown arXiv category {value!r}{suggestion} (list: {TAXONOMY_URL})")


def parse_categories(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Categories from repeated options and comma lists, normalised, in order, once each."""
    seen: list[str] = []
    for value in values:
        for part in _SPLIT.split(value):
            if part:
                code = normalize_category(part)
                if code not in seen:
                    seen.append(code)
    return tuple(seen)


GROUP_SETS = {
    "Computer Science": "cs",
    "Economics": "econ",
    "Electrical Engineering and Systems Science": "eess",
    "Mathematics": "math",
    "Physics": "physics",
    "Quantitative Biology": "q-bio",
    "Quantitative Finance": "q-fin",
    "Statistics": "stat",
}
"""arXiv's groups as OAI-PMH set names (arxiv-oai.md §5)."""


def oai_set(code: str) -> str:
    """The narrowest OAI-PMH set holding a category or archive, in the naming of arXiv's
    2025 service: ``cs.CL`` → ``cs:cs:CL``, ``hep-th`` → ``physics:hep-th``,
    ``astro-ph.HE`` → ``physics:astro-ph:HE``, ``cs`` → ``cs``."""
    archive, _, subject = code.partition(".")
    members = [
        c for c in categories().values() if c.code == code or c.code.startswith(f"{archive}.")
    ]
    if not members and code not in categories():
        raise UsageError(f"unknown arXiv category {code!r} (list: {TAXONOMY_URL})")
    group = GROUP_SETS[(categories().get(code) or members[0]).group]
    if archive == group:
        return f"{group}:{archive}:{subject}" if subject else group
    return f"{group}:{archive}:{subject}" if subject else f"{group}:{archive}"
