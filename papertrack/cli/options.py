"""Options shared by the listing commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

from papertrack.cli.choices import ColorChoice, FormatChoice, SortChoice, SourceChoice

__all__ = ["ColorChoice", "FormatChoice", "SortChoice", "SourceChoice"]


Terms = Annotated[
    list[str] | None,
    typer.Argument(
        help="Show papers mentioning any of these terms (title, abstract, AI summary and "
        'keywords; case-insensitive). Quote a phrase: "speculative decoding".',
        show_default=False,
    ),
]
MatchAll = Annotated[bool, typer.Option("--all", help="Require every term, not any.")]
Exclude = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        "-x",
        metavar="TERM",
        help="Drop papers mentioning TERM (repeatable).",
        show_default=False,
    ),
]
Author = Annotated[
    list[str] | None,
    typer.Option(
        "--author",
        "-a",
        metavar="NAME",
        help="Only papers with an author whose name contains NAME (repeatable; any matches).",
        show_default=False,
    ),
]
MinUpvotes = Annotated[
    int | None,
    typer.Option(
        "--min-upvotes",
        metavar="N",
        help="Only papers with at least N upvotes.",
        show_default=False,
    ),
]
HasCode = Annotated[
    bool,
    typer.Option("--has-code", help="Only papers with a GitHub repository."),
]
Sort = Annotated[
    SortChoice,
    typer.Option(
        "--sort",
        "-s",
        help="Order: newest day first, most upvotes, most GitHub stars, title, or as the "
        "service ranked them (relevance).",
    ),
]
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        "-n",
        metavar="N",
        help="Show at most N papers.",
        show_default=False,
    ),
]
Format = Annotated[
    FormatChoice | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: table on a terminal, lines (tab-separated) when piped.",
        show_default=False,
    ),
]
Long = Annotated[
    bool,
    typer.Option(
        "--long",
        "-l",
        help="One block per paper: authors, AI summary or abstract, code and links.",
    ),
]
Color = Annotated[
    ColorChoice | None,
    typer.Option(
        "--color",
        help="Colour and highlighting. auto honours NO_COLOR and FORCE_COLOR.",
    ),
]
Offline = Annotated[
    bool,
    typer.Option("--offline", help="Never use the network; read the cache only."),
]
Refresh = Annotated[
    bool,
    typer.Option(
        "--refresh",
        help="Always fetch, even when the cached copy is fresh.",
    ),
]
Source = Annotated[
    SourceChoice | None,
    typer.Option(
        "--source",
        help="Hugging Face Daily Papers, arXiv's announcement for your "
        "categories, or both joined by paper id. Default: all with --category, else hf.",
        show_default=False,
    ),
]
SearchSource = Annotated[
    SourceChoice | None,
    typer.Option(
        "--source",
        help="Hugging Face's paper search, the arXiv API, or both joined by paper id. "
        "Default: the config's sources; else all when it sets categories; else hf.",
        show_default=False,
    ),
]
Category = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-c",
        metavar="CAT",
        help="arXiv category or archive, e.g. cs.CL (repeatable, or a comma list).",
        show_default=False,
    ),
]
Replacements = Annotated[
    bool,
    typer.Option(
        "--replacements",
        help="Also show arXiv replacements (new versions); "
        "new submissions and cross-lists always show.",
    ),
]
Query = Annotated[
    str | None,
    typer.Option(
        "--query",
        "-q",
        metavar="EXPR",
        help='Filter language: AND/OR/NOT, (…), "phrases", /regex/i, title: abstract: '
        "author: cat: type: upvotes:>=N stars:>=N has:code (see README).",
        show_default=False,
    ),
]
WatchOption = Annotated[
    list[str] | None,
    typer.Option(
        "--watch",
        "-W",
        metavar="NAME",
        help="Apply a watch profile from the config (repeatable: a section each).",
        show_default=False,
    ),
]
