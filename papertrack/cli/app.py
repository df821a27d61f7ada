"""The Typer application: options in, one call to the core, result to a renderer."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from papertrack import __version__
from papertrack.cli import options as opt
from papertrack.cli.listing import ListingOptions, mode_of, run_list, run_search, run_today
from papertrack.errors import UsageError

app = typer.Typer(
    name="papertrack",
    help="Follow new papers from Hugging Face Daily Papers and arXiv in your terminal, "
    "scripts and cron.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"papertrack {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = None,
) -> None:
    """Follow new papers from Hugging Face Daily Papers and arXiv in your terminal, scripts
    and cron."""


@app.command()
def today(
    terms: opt.Terms = None,
    source: opt.Source = None,
    category: opt.Category = None,
    replacements: opt.Replacements = False,
    match_all: opt.MatchAll = False,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    sort: opt.Sort = opt.SortChoice.date,
    limit: opt.Limit = None,
    fmt: opt.Format = None,
    long: opt.Long = False,
    color: opt.Color = opt.ColorChoice.auto,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Today's papers: Hugging Face Daily Papers and/or arXiv's latest announcement.

    Examples: papertrack today · papertrack today diffusion "speculative decoding" ·
    papertrack today --has-code --sort stars · papertrack today | cut -f1
    """
    run_today(ListingOptions.build(**locals()))


@app.command("list")
def list_(
    terms: opt.Terms = None,
    source: opt.Source = None,
    category: opt.Category = None,
    replacements: opt.Replacements = False,
    date: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--date",
            "-d",
            metavar="YYYY-MM-DD",
            help="One day ('today' and 'yesterday' work too).",
            show_default=False,
        ),
    ] = None,
    week: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--week",
            "-w",
            metavar="YYYY-Www",
            help="An ISO week, e.g. 2025-W35.",
            show_default=False,
        ),
    ] = None,
    month: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--month", "-m", metavar="YYYY-MM", help="A month, e.g. 2025-08.", show_default=False
        ),
    ] = None,
    since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--since",
            metavar="DATE|Nd",
            help="From DATE, or the last N days (7d = today and the 6 days before).",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--until",
            metavar="DATE",
            help="Last day of a --since range (default: today).",
            show_default=False,
        ),
    ] = None,
    match_all: opt.MatchAll = False,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    sort: opt.Sort = opt.SortChoice.date,
    limit: opt.Limit = None,
    fmt: opt.Format = None,
    long: opt.Long = False,
    color: opt.Color = opt.ColorChoice.auto,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Papers of a past day, week, month or range.

    Examples: papertrack list --date 2025-08-25 · papertrack list --week 2025-W35 agents ·
    papertrack list --month 2025-08 --sort upvotes -n 20 · papertrack list --since 7d
    """
    period = {"day": date, "week": week, "month": month, "since": since, "until": until}
    run_list(ListingOptions.build(**locals()), period)


@app.command()
def search(
    query: Annotated[
        list[str],
        typer.Argument(
            help="What to look for. Hugging Face takes plain words; with --source arxiv, "
            "arXiv's query syntax passes through (ti:, au:, abs:, cat:, AND, OR, ANDNOT).",
            show_default=False,
        ),
    ],
    source: opt.Source = None,
    since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--since",
            metavar="DATE|Nd",
            help="Only papers submitted since DATE "
            "or in the last N days (an arXiv submittedDate window).",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--until", metavar="DATE", help="Only papers submitted until DATE.", show_default=False
        ),
    ] = None,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    sort: opt.Sort = opt.SortChoice.relevance,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
            help="Ask each source for N results.",
            rich_help_panel=opt.OUTPUT,
        ),
    ] = 50,
    fmt: opt.Format = None,
    long: opt.Long = False,
    color: opt.Color = opt.ColorChoice.auto,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Search Hugging Face's papers (default), arXiv (--source arxiv), or both (--source all).

    Examples: papertrack search speculative decoding · papertrack search --source arxiv
    'ti:"speculative decoding" AND cat:cs.CL' --since 30d · papertrack search diffusion -f json
    """
    run_search(
        ListingOptions.build(
            terms=None, match_all=False, exclude=exclude, author=author,
            min_upvotes=min_upvotes, has_code=has_code, sort=sort, limit=None, fmt=fmt,
            long=long, color=color, offline=offline, refresh=refresh, source=source,
            replacements=True, needs_categories=False,
        ),
        " ".join(query),
        since=since,
        until=until,
        limit=limit,
    )  # fmt: skip


@app.command()
def show(
    paper: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="2408.12345, 2408.12345v2, arXiv:2408.12345, or an "
            "arxiv.org or huggingface.co/papers URL.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        Optional[opt.FormatChoice],  # noqa: UP045
        typer.Option(
            "--format", "-f", help="table (a readable page), json or md.", show_default=False
        ),
    ] = None,
    color: opt.Color = opt.ColorChoice.auto,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Everything about one paper: authors, dates, categories, abstract, AI summary, links."""
    from papertrack.cli.paper import run_show

    run_show(paper, fmt=fmt, color=color, mode=mode_of(offline=offline, refresh=refresh))


@app.command("open")
def open_(
    paper: Annotated[
        str,
        typer.Argument(metavar="ID", help="An arXiv id or paper URL.", show_default=False),
    ],
    pdf: Annotated[bool, typer.Option("--pdf", help="The PDF on arxiv.org.")] = False,
    hf_page: Annotated[bool, typer.Option("--hf", help="The Hugging Face paper page.")] = False,
    code: Annotated[bool, typer.Option("--code", help="The GitHub repository.")] = False,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the URL instead of opening it.")
    ] = False,
    offline: opt.Offline = False,
) -> None:
    """Open a paper's arXiv page (or --pdf, --hf, --code) in your web browser."""
    from papertrack.cli.paper import run_open

    chosen = [name for name, flag in (("pdf", pdf), ("hf", hf_page), ("code", code)) if flag]
    if len(chosen) > 1:
        raise UsageError(f"choose one of --{', --'.join(chosen)}")
    run_open(
        paper,
        target=chosen[0] if chosen else "abs",
        print_only=print_only,
        mode=mode_of(offline=offline, refresh=False),
    )
