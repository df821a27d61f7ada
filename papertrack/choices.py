"""The fixed choice sets, each defined once: the command line's enums
(papertrack.cli.choices), the config's checks and the code's types all come from here."""

from __future__ import annotations

from typing import Literal

Source = Literal["hf", "arxiv", "all"]
SOURCES: tuple[Source, ...] = ("hf", "arxiv", "all")
Feed = Literal["hf", "arxiv", "all", "trending"]
"""What a watch profile reads: a source's listings, or Hugging Face's trending ranking."""
WATCH_SOURCES: tuple[Feed, ...] = (*SOURCES, "trending")
SortKey = Literal["date", "upvotes", "stars", "title", "relevance", "taste"]
SORT_KEYS: tuple[SortKey, ...] = ("date", "upvotes", "stars", "title", "relevance", "taste")
"""``taste`` also takes a tag: ``taste:TAG`` ranks by the papers saved with that tag."""
Format = Literal["table", "lines", "json", "jsonl", "md", "csv"]
FORMATS: tuple[Format, ...] = ("table", "lines", "json", "jsonl", "md", "csv")
Citation = Literal["bibtex", "ris", "csl-json"]
CITATIONS: tuple[Citation, ...] = ("bibtex", "ris", "csl-json")
SHOW_FORMATS: tuple[Format | Citation, ...] = (*FORMATS, *CITATIONS)
"""``show --format``: the listing formats and the citation formats."""
Color = Literal["auto", "always", "never"]
COLORS: tuple[Color, ...] = ("auto", "always", "never")


def as_sort(value: str) -> tuple[SortKey, str | None]:
    """``--sort`` as a key and, for ``taste:TAG``, the tag; ValueError for anything else."""
    key, _, tag = value.partition(":")
    for known in SORT_KEYS:
        if key == known and (not tag or known == "taste"):
            return known, tag or None
    raise ValueError(f"{value!r} is not one of {', '.join(SORT_KEYS)}, taste:TAG")


def as_feed(value: str) -> Feed:
    """*value* as a Feed (a Source or ``trending``); ValueError for anything else."""
    return "trending" if value == "trending" else as_source(value)


def as_source(value: str) -> Source:
    """*value* as a Source; ValueError for anything else (a config or a watch may hold any
    string)."""
    for source in SOURCES:
        if value == source:
            return source
    raise ValueError(f"{value!r} is not one of {', '.join(SOURCES)}")
