"""The fixed choices of the command line, apart from Typer so the fast path can use them."""

from __future__ import annotations

import enum


class SortChoice(enum.Enum):
    date = "date"
    upvotes = "upvotes"
    stars = "stars"
    title = "title"
    relevance = "relevance"


class FormatChoice(enum.Enum):
    table = "table"
    lines = "lines"
    json = "json"
    jsonl = "jsonl"
    md = "md"
    csv = "csv"


class SourceChoice(enum.Enum):
    hf = "hf"
    arxiv = "arxiv"
    all = "all"


class ColorChoice(enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"
