"""The Typer application: options in, one call to the core, result to a renderer."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from papertrack import __version__
from papertrack.cli import options as opt
from papertrack.cli.listing import ListingOptions, run_list, run_today

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
