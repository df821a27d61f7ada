"""The Typer declarations of ``papertrack config …`` and ``papertrack watch …``; the work is
in papertrack.cli.settings."""

from __future__ import annotations

from typing import Annotated

import typer

from papertrack.cli import options as opt
from papertrack.cli.context import Context
from papertrack.errors import UsageError


def context_of(ctx: typer.Context) -> Context:
    """The run's Context, which cli.run hands to click as the context object."""
    context = ctx.find_object(Context)
    assert context is not None, "papertrack commands run through papertrack.cli.run"
    return context


config_app = typer.Typer(
    help="Read and change config.toml (defaults, mail settings, watch profiles).",
    short_help="Read and change config.toml.",
    no_args_is_help=True,
)
watch_app = typer.Typer(
    help="Watch profiles: saved filters for today --watch and digests.", no_args_is_help=True
)

KeyArg = Annotated[
    str, typer.Argument(metavar="KEY", help="A dotted key, e.g. mail.port or watch.ml.terms.")
]


@config_app.command("path")
def config_path(ctx: typer.Context) -> None:
    """Print where the config file is (PAPERTRACK_CONFIG overrides it)."""
    from papertrack.cli import settings

    settings.config_path(context_of(ctx))


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the settings, and the defaults in effect."""
    from papertrack.cli import settings

    settings.config_show(context_of(ctx))


@config_app.command("get")
def config_get(ctx: typer.Context, key: KeyArg) -> int:
    """Print one setting (exit 1 when it is not set)."""
    from papertrack.cli import settings

    return settings.config_get(context_of(ctx), key)


@config_app.command("set")
def config_set(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[str, typer.Argument(help="Lists as a comma list: cs.CL,cs.LG.")],
) -> None:
    """Set one setting, keeping every other key in the file."""
    from papertrack.cli import settings

    settings.config_set(context_of(ctx), key, value)


@config_app.command("unset")
def config_unset(ctx: typer.Context, key: KeyArg) -> None:
    """Remove one setting."""
    from papertrack.cli import settings

    settings.config_unset(context_of(ctx), key)


@config_app.command("edit", short_help="Edit the file in $VISUAL or $EDITOR.")
def config_edit(ctx: typer.Context) -> None:
    """Edit the file in $VISUAL or $EDITOR; it is saved only if it is valid."""
    from papertrack.cli import settings

    settings.config_edit(context_of(ctx))


@watch_app.command("add", short_help="Save a watch profile: terms, authors, categories, a query.")
def watch_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Letters, digits, - and _.")],
    term: Annotated[
        list[str] | None, typer.Option("--term", "-t", help="A term (repeatable).")
    ] = None,
    match_all: Annotated[bool, typer.Option("--all", help="Require every term.")] = False,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    category: opt.Category = None,
    source: opt.Source = None,
    trending: Annotated[
        bool,
        typer.Option(
            "--trending",
            help="Follow Hugging Face's trending ranking instead of the daily listings: a "
            "digest sends the trending papers it has not sent before.",
        ),
    ] = False,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    replacements: opt.Replacements = False,
    query: opt.Query = None,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            metavar="date|upvotes|stars|title|taste[:TAG]",
            help="Order of its papers in digests and --watch sections.",
            show_default=False,
        ),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option(
            "--min-score",
            metavar="SCORE",
            help="Only papers at least this like your library (a taste score, -1 to 1; "
            "see --explain).",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a watch of that name.")
    ] = False,
) -> None:
    """Save a watch profile: a named filter for today --watch and for digests.

    \b
    Examples:
      papertrack watch add llm --term "language model" --term LLM --min-upvotes 5
      papertrack watch add rl -c cs.LG -q 'title:/reinforcement|RLHF/i AND NOT survey'
      papertrack watch add mine -c cs.CL --min-score 0.15 --sort taste
      papertrack watch add hot --trending --min-upvotes 20
    """
    from papertrack.cli import settings

    if trending and (source or category):
        raise UsageError(
            "--trending follows Hugging Face's trending ranking: it takes no --source or --category"
        )

    settings.watch_add(
        context_of(ctx),
        name,
        {
            "terms": term or [],
            "match_all": match_all,
            "exclude": exclude or [],
            "authors": author or [],
            "categories": category or [],
            "sources": "trending" if trending else source.value if source else None,
            "min_upvotes": min_upvotes,
            "has_code": has_code,
            "replacements": replacements,
            "query": query,
            "sort": sort,
            "min_score": min_score,
        },
        replace=replace,
    )


@watch_app.command("list")
def watch_list(ctx: typer.Context) -> None:
    """One line per watch profile: its name and what it matches."""
    from papertrack.cli import settings

    settings.watch_list(context_of(ctx))


@watch_app.command("show")
def watch_show(ctx: typer.Context, name: str) -> None:
    """Print one watch profile as TOML."""
    from papertrack.cli import settings

    settings.watch_show(context_of(ctx), name)


@watch_app.command("rm")
def watch_rm(ctx: typer.Context, name: str) -> None:
    """Delete a watch profile (its digest history stays in the state file)."""
    from papertrack.cli import settings

    settings.watch_rm(context_of(ctx), name)
