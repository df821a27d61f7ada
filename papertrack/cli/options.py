"""Options shared by the listing commands, declared once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from papertrack.cli.choices import ColorChoice, FormatChoice, SortChoice, SourceChoice

__all__ = ["ColorChoice", "FormatChoice", "SortChoice", "SourceChoice"]


SOURCES = "Sources"
FILTERS = "Filters"
OUTPUT = "Output"
NETWORK = "Cache and network"

# Optional[...] rather than "X | None": Typer reads these annotations at run time, and
# the project supports Python 3.10.
Terms = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Argument(
        help="Show papers mentioning any of these terms (title, abstract, AI summary and "
        'keywords; case-insensitive). Quote a phrase: "speculative decoding".',
        show_default=False,
    ),
]
MatchAll = Annotated[
    bool, typer.Option("--all", help="Require every term, not any.", rich_help_panel=FILTERS)
]
Exclude = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--exclude",
        "-x",
        metavar="TERM",
        help="Drop papers mentioning TERM (repeatable).",
        rich_help_panel=FILTERS,
        show_default=False,
    ),
]
Author = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--author",
        "-a",
        metavar="NAME",
        help="Only papers with an author whose name contains NAME (repeatable; any matches).",
        rich_help_panel=FILTERS,
        show_default=False,
    ),
]
MinUpvotes = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--min-upvotes",
        metavar="N",
        help="Only papers with at least N upvotes.",
        rich_help_panel=FILTERS,
        show_default=False,
    ),
]
HasCode = Annotated[
    bool,
    typer.Option(
        "--has-code", help="Only papers with a GitHub repository.", rich_help_panel=FILTERS
    ),
]
Sort = Annotated[
    SortChoice,
    typer.Option(
        "--sort",
        "-s",
        help="Order: newest day first, most upvotes, most GitHub stars, title, or as the "
        "service ranked them (relevance).",
        rich_help_panel=OUTPUT,
    ),
]
Limit = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--limit",
        "-n",
        metavar="N",
        help="Show at most N papers.",
        rich_help_panel=OUTPUT,
        show_default=False,
    ),
]
Format = Annotated[
    Optional[FormatChoice],  # noqa: UP045
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: table on a terminal, lines (tab-separated) when piped.",
        rich_help_panel=OUTPUT,
        show_default=False,
    ),
]
Long = Annotated[
    bool,
    typer.Option(
        "--long",
        "-l",
        help="One block per paper: authors, AI summary or abstract, code and links.",
        rich_help_panel=OUTPUT,
    ),
]
Color = Annotated[
    Optional[ColorChoice],  # noqa: UP045
    typer.Option(
        "--color",
        help="Colour and highlighting. auto honours NO_COLOR and FORCE_COLOR.",
        rich_help_panel=OUTPUT,
    ),
]
Offline = Annotated[
    bool,
    typer.Option(
        "--offline", help="Never use the network; read the cache only.", rich_help_panel=NETWORK
    ),
]
Refresh = Annotated[
    bool,
    typer.Option(
        "--refresh",
        help="Always fetch, even when the cached copy is fresh.",
        rich_help_panel=NETWORK,
    ),
]
Source = Annotated[
    Optional[SourceChoice],  # noqa: UP045
    typer.Option(
        "--source",
        help="Hugging Face Daily Papers, arXiv's announcement for your "
        "categories, or both joined by paper id. Default: all with --category, else hf.",
        rich_help_panel=SOURCES,
        show_default=False,
    ),
]
Category = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--category",
        "-c",
        metavar="CAT",
        help="arXiv category or archive, e.g. cs.CL (repeatable, or a comma list).",
        rich_help_panel=SOURCES,
        show_default=False,
    ),
]
Replacements = Annotated[
    bool,
    typer.Option(
        "--replacements",
        help="Also show arXiv replacements (new versions); "
        "new submissions and cross-lists always show.",
        rich_help_panel=FILTERS,
    ),
]
Query = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--query",
        "-q",
        metavar="EXPR",
        help='Filter language: AND/OR/NOT, (…), "phrases", /regex/i, title: abstract: '
        "author: cat: type: upvotes:>=N stars:>=N has:code (see README).",
        rich_help_panel=FILTERS,
        show_default=False,
    ),
]
WatchOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--watch",
        "-W",
        metavar="NAME",
        help="Apply a watch profile from the config (repeatable: a section each).",
        rich_help_panel=FILTERS,
        show_default=False,
    ),
]
