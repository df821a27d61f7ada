"""Typer's declarations of the listing options, made from the one table in
papertrack.cli.spec (which the fast path reads too)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from papertrack.cli.choices import ColorChoice, FormatChoice, SourceChoice
from papertrack.cli.spec import BY_NAME, TERMS_HELP, TRENDS, Opt

__all__ = ["ColorChoice", "FormatChoice", "SourceChoice"]


def option(name: str, table: Mapping[str, Opt] = BY_NAME) -> Any:
    """``typer.Option`` for the option *name* of the spec (of *table*: a command's own)."""
    spec = table[name]
    extra: dict[str, Any] = {} if spec.show_default else {"show_default": False}
    if spec.metavar:
        extra["metavar"] = spec.metavar
    return typer.Option(*spec.flags, help=spec.help, **extra)


Terms = Annotated[list[str] | None, typer.Argument(help=TERMS_HELP, show_default=False)]
MatchAll = Annotated[bool, option("match_all")]
Exclude = Annotated[list[str] | None, option("exclude")]
Author = Annotated[list[str] | None, option("author")]
Submitter = Annotated[list[str] | None, option("submitter")]
MinUpvotes = Annotated[int | None, option("min_upvotes")]
HasCode = Annotated[bool, option("has_code")]
Sort = Annotated[str, option("sort")]
Limit = Annotated[int | None, option("limit")]
Explain = Annotated[bool, option("explain")]
Format = Annotated[FormatChoice | None, option("fmt")]
Long = Annotated[bool, option("long")]
Color = Annotated[ColorChoice | None, option("color")]
Offline = Annotated[bool, option("offline")]
Refresh = Annotated[bool, option("refresh")]
Source = Annotated[SourceChoice | None, option("source")]
Category = Annotated[list[str] | None, option("category")]
Replacements = Annotated[bool, option("replacements")]
Query = Annotated[str | None, option("query")]
WatchOption = Annotated[list[str] | None, option("watch")]
Date = Annotated[str | None, option("date")]
Week = Annotated[str | None, option("week")]
Month = Annotated[str | None, option("month")]
Since = Annotated[str | None, option("since")]
Until = Annotated[str | None, option("until")]

SearchSource = Annotated[
    SourceChoice | None,
    typer.Option(
        "--source",
        help="Hugging Face's paper search, the arXiv API, or both joined by paper id. "
        "Default: the config's sources; else all when it sets categories; else hf.",
        show_default=False,
    ),
]


_TRENDS = {spec.name: spec for spec in TRENDS}
TrendsSince = Annotated[str | None, option("since", _TRENDS)]
TrendsUntil = Annotated[str | None, option("until", _TRENDS)]
TrendsBy = Annotated[str, option("by", _TRENDS)]
TrendsSource = Annotated[str, option("source", _TRENDS)]
TrendsQuery = Annotated[str | None, option("query", _TRENDS)]
Rising = Annotated[bool, option("rising", _TRENDS)]
Top = Annotated[str | None, option("top", _TRENDS)]
TrendsLimit = Annotated[int, option("limit", _TRENDS)]
TrendsFormat = Annotated[FormatChoice | None, option("fmt", _TRENDS)]
