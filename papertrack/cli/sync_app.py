"""The Typer declarations of ``papertrack sync …``; the work is in papertrack.cli.sync."""

from __future__ import annotations

from typing import Annotated

import typer

from papertrack.cli import options as opt
from papertrack.cli.config_app import context_of
from papertrack.errors import UsageError

sync_app = typer.Typer(
    invoke_without_command=True,
    help="Bring a field's whole history onto your disk: arXiv over OAI-PMH (sync arxiv), "
    "Hugging Face Daily Papers (sync hf); --status shows what is synced.",
    short_help="A field's whole history on your disk (arXiv OAI-PMH, Hugging Face).",
)


@sync_app.callback()
def sync_status(
    ctx: typer.Context,
    status: Annotated[
        bool, typer.Option("--status", help="Show what is synced, how much, and its size.")
    ] = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="lines|json", help="Output format of --status."),
    ] = None,
) -> None:
    """Bring a field's whole history onto your disk, then list, search and rank it offline.

    \b
    Examples:
      papertrack sync arxiv -c cs.CL,cs.LG --since 2018-01-01
      papertrack sync arxiv          # every synced set, brought up to date
      papertrack sync hf             # every Hugging Face Daily Papers day since 2023-05-04
      papertrack sync --status
    """
    if ctx.invoked_subcommand is not None:
        if status:
            raise UsageError("--status is used on its own: papertrack sync --status")
        return
    if fmt not in (None, "lines", "json"):
        raise UsageError(f"--format {fmt!r} is not one of lines, json")
    if not status:
        raise UsageError("sync needs what to sync: papertrack sync arxiv|hf (or --status)")
    from papertrack.cli.sync import run_status

    run_status(context_of(ctx), fmt=fmt)


@sync_app.command("arxiv", short_help="Harvest arXiv categories over OAI-PMH.")
def sync_arxiv(
    ctx: typer.Context,
    category: opt.Category = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="YYYY-MM-DD",
            help="Harvest records changed since this day (default: the whole set the "
            "first time, then from the last sync).",
        ),
    ] = None,
) -> None:
    """Harvest categories with arXiv's OAI-PMH interface (one request every 3 s, as arXiv
    asks). With no -c, bring every synced category up to date. An interrupted sync goes on
    from the last page it stored."""
    from papertrack.cli.sync import run_sync_arxiv

    run_sync_arxiv(context_of(ctx), categories=category, since=since)


@sync_app.command("hf", short_help="Fetch every Hugging Face Daily Papers day.")
def sync_hf(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="YYYY-MM-DD", help="From this day (default 2023-05-04)."),
    ] = None,
) -> None:
    """Fetch Hugging Face Daily Papers from --since to today, a month or a week per
    request; days already cached and settled are not asked again."""
    from papertrack.cli.sync import run_sync_hf

    run_sync_hf(context_of(ctx), since=since)
