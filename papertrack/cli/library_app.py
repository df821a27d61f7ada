"""The Typer declarations of ``papertrack library …`` and ``papertrack save``; the work is in
papertrack.cli.library."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from papertrack.cli import options as opt
from papertrack.cli.config_app import context_of

LIST_COMMAND = "list"


class _ListByDefault(TyperGroup):
    """``papertrack library [TERMS] [options]`` lists the library: anything that is not a
    subcommand (or help) goes to the hidden ``list`` command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = [LIST_COMMAND, *args]
        result: list[str] = super().parse_args(ctx, args)
        return result


library_app = typer.Typer(
    cls=_ListByDefault,
    help="Your library: saved papers with tags, notes and read state. With no subcommand, "
    "list it: papertrack library [TERMS] [--tag T] [--unread] [--sort added|date|title].",
    short_help="Your saved papers: list, tag, note, export.",
)

Ids = Annotated[
    list[str],
    typer.Argument(metavar="ID...", help="arXiv ids or paper URLs.", show_default=False),
]
PaperArg = Annotated[str, typer.Argument(metavar="ID")]
TagsArg = Annotated[list[str], typer.Argument(metavar="TAG...")]
TagOption = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", metavar="TAG", help="Tag (repeatable, or a comma list).",
                 show_default=False),
]  # fmt: skip
Offline = Annotated[bool, typer.Option("--offline", help="Take the metadata from the cache only.")]


def _mode(ctx: typer.Context, offline: bool) -> Any:
    from papertrack.cli.common import mode_of

    return mode_of(context_of(ctx), offline=offline, refresh=False)


@library_app.command(LIST_COMMAND, hidden=True)
def library_list(
    ctx: typer.Context,
    terms: opt.Terms = None,
    tag: Annotated[
        str | None,
        typer.Option("--tag", "-t", metavar="TAG", help="Only papers with this tag.",
                     show_default=False),
    ] = None,
    unread: Annotated[bool, typer.Option("--unread", help="Only papers not marked read.")] = False,
    sort: Annotated[
        str,
        typer.Option("--sort", "-s", metavar="added|date|title|taste[:TAG]",
                     help="Order: latest saved first (added), newest paper, title, or "
                     "likeness to your library (taste; taste:TAG to one tag's papers)."),
    ] = "added",
    explain: opt.Explain = False,
    limit: opt.Limit = None,
    fmt: opt.Format = None,
    color: opt.Color = None,
) -> None:  # fmt: skip
    """List your library."""
    from papertrack.cli import library

    context = context_of(ctx)
    chosen = color or opt.ColorChoice(context.config.text("color") or "auto")
    library.run_list(
        context, terms or [], tag=tag, unread=unread, sort=sort, limit=limit, fmt=fmt,
        color=chosen, explain=explain,
    )  # fmt: skip


def add(
    ctx: typer.Context,
    ids: Ids,
    tag: TagOption = None,
    note: Annotated[str | None, typer.Option("--note", help="A note to keep with it.")] = None,
    offline: Offline = False,
) -> None:
    """Save papers to your library, with their metadata (fetched through the cache)."""
    from papertrack.cli import library

    library.run_add(context_of(ctx), ids, tags=tag, note=note, mode=_mode(ctx, offline))


library_app.command("add", short_help="Save papers (ids or URLs).")(add)


@library_app.command("rm", short_help="Remove papers from your library.")
def remove(ctx: typer.Context, ids: Ids) -> None:
    """Remove papers from your library (their tags and notes go with them)."""
    from papertrack.cli import library

    library.run_remove(context_of(ctx), ids)


@library_app.command("tag", short_help="Add tags to a saved paper.")
def tag(ctx: typer.Context, paper: PaperArg, tags: TagsArg) -> None:
    """Add tags to a saved paper."""
    from papertrack.cli import library

    library.run_tag(context_of(ctx), paper, tags, add=True)


@library_app.command("untag", short_help="Remove tags from a saved paper.")
def untag(ctx: typer.Context, paper: PaperArg, tags: TagsArg) -> None:
    """Remove tags from a saved paper."""
    from papertrack.cli import library

    library.run_tag(context_of(ctx), paper, tags, add=False)


@library_app.command("note", short_help="Set the note of a saved paper.")
def note(
    ctx: typer.Context,
    paper: PaperArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note ('' to clear it).")],
) -> None:
    """Set (or with '' clear) the note of a saved paper."""
    from papertrack.cli import library

    library.run_note(context_of(ctx), paper, text)


@library_app.command("read", short_help="Mark saved papers read.")
def read(ctx: typer.Context, ids: Ids) -> None:
    """Mark saved papers read."""
    from papertrack.cli import library

    library.run_read(context_of(ctx), ids, read=True)


@library_app.command("unread", short_help="Mark saved papers unread.")
def unread(ctx: typer.Context, ids: Ids) -> None:
    """Mark saved papers unread."""
    from papertrack.cli import library

    library.run_read(context_of(ctx), ids, read=False)


@library_app.command("dismiss", short_help='Mark papers "not for me".')
def dismiss(ctx: typer.Context, ids: Ids, offline: Offline = False) -> None:
    """Mark papers "not for me": kept as examples of what you do not want, not saved."""
    from papertrack.cli import library

    library.run_dismiss(context_of(ctx), ids, _mode(ctx, offline))


@library_app.command("export", short_help="Back up, or export citations.")
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", metavar="json|bibtex|ris|csl-json",
                     help="json: a complete backup (library import restores it); bibtex: "
                     "arXiv's own entries; ris; csl-json (Zotero, Pandoc, citeproc)."),
    ] = "json",
    tag: Annotated[
        str | None,
        typer.Option("--tag", "-t", metavar="TAG", help="Only papers with this tag (not json).",
                     show_default=False),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE",
                     help="Write to FILE (atomically) instead of stdout.", show_default=False),
    ] = None,
) -> None:  # fmt: skip
    """Export your library: a lossless JSON backup, or citations of the saved papers."""
    from papertrack.cli import library

    library.run_export(context_of(ctx), fmt=fmt, tag=tag, output=output)


@library_app.command("import", short_help="Restore a JSON backup, or import a .bib file.")
def import_(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(metavar="FILE", help="A library export --format json, or a .bib file."),
    ],
    tag: TagOption = None,
    offline: Offline = False,
) -> None:
    """Restore a backup made by library export --format json: each saved paper and
    dismissal in it is put back exactly (tags, note, read state, when it was added). Or
    import a BibTeX file (Zotero, Better BibTeX, JabRef): every entry with an arXiv id
    (eprint, an arxiv.org URL, a 10.48550/arXiv. DOI) is saved, tagged with --tag."""
    from papertrack.cli import library

    library.run_import(context_of(ctx), file, tags=tag, mode=_mode(ctx, offline))
