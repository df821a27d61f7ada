"""The Typer application: options in, one call to the core, result to a renderer."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from papertrack import __version__
from papertrack.cli import options as opt
from papertrack.errors import UsageError

# The command modules are imported inside each command: --help and shell completion, which
# only need the declarations below, stay quick.

app = typer.Typer(
    name="papertrack",
    help="Follow new papers from Hugging Face Daily Papers and arXiv in your terminal, "
    "scripts and cron.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # Plain help: Rich's boxed help costs ~60 ms of imports on every --help.
    rich_markup_mode=None,
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
    query: opt.Query = None,
    watch: opt.WatchOption = None,
    match_all: opt.MatchAll = False,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    sort: opt.Sort = opt.SortChoice.date,
    limit: opt.Limit = None,
    fmt: opt.Format = None,
    long: opt.Long = False,
    color: opt.Color = None,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Today's papers: Hugging Face Daily Papers and/or arXiv's latest announcement.

    Examples: papertrack today · papertrack today diffusion "speculative decoding" ·
    papertrack today --has-code --sort stars · papertrack today | cut -f1
    """
    from papertrack.cli.listing import ListingOptions, run_today

    run_today(ListingOptions.build(**locals()))


@app.command("list")
def list_(
    terms: opt.Terms = None,
    source: opt.Source = None,
    category: opt.Category = None,
    replacements: opt.Replacements = False,
    query: opt.Query = None,
    watch: opt.WatchOption = None,
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
    color: opt.Color = None,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Papers of a past day, week, month or range.

    Examples: papertrack list --date 2025-08-25 · papertrack list --week 2025-W35 agents ·
    papertrack list --month 2025-08 --sort upvotes -n 20 · papertrack list --since 7d
    """
    from papertrack.cli.listing import ListingOptions, run_list

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
    color: opt.Color = None,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Search Hugging Face's papers (default), arXiv (--source arxiv), or both (--source all).

    Examples: papertrack search speculative decoding · papertrack search --source arxiv
    'ti:"speculative decoding" AND cat:cs.CL' --since 30d · papertrack search diffusion -f json
    """
    from papertrack.cli.listing import ListingOptions, run_search

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
    color: opt.Color = None,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Everything about one paper: authors, dates, categories, abstract, AI summary, links."""
    from papertrack.cli.listing import load_config, mode_of
    from papertrack.cli.paper import run_show

    chosen = color or opt.ColorChoice(load_config().get("color") or "auto")
    run_show(paper, fmt=fmt, color=chosen, mode=mode_of(offline=offline, refresh=refresh))


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
    from papertrack.cli.listing import mode_of
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


config_app = typer.Typer(
    help="Read and change config.toml (defaults, mail settings, watch profiles).",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")
watch_app = typer.Typer(
    help="Watch profiles: saved filters for today --watch and digests.", no_args_is_help=True
)
app.add_typer(watch_app, name="watch")

KeyArg = Annotated[
    str, typer.Argument(metavar="KEY", help="A dotted key, e.g. mail.port or watch.ml.terms.")
]


@config_app.command("path")
def config_path() -> None:
    """Print where the config file is (PAPERTRACK_CONFIG overrides it)."""
    from papertrack.cli import settings

    settings.config_path()


@config_app.command("show")
def config_show() -> None:
    """Print the settings, and the defaults in effect."""
    from papertrack.cli import settings

    settings.config_show()


@config_app.command("get")
def config_get(key: KeyArg) -> int:
    """Print one setting (exit 1 when it is not set)."""
    from papertrack.cli import settings

    return settings.config_get(key)


@config_app.command("set")
def config_set(
    key: KeyArg,
    value: Annotated[str, typer.Argument(help="Lists as a comma list: cs.CL,cs.LG.")],
) -> None:
    """Set one setting, keeping every other key in the file."""
    from papertrack.cli import settings

    settings.config_set(key, value)


@config_app.command("unset")
def config_unset(key: KeyArg) -> None:
    """Remove one setting."""
    from papertrack.cli import settings

    settings.config_unset(key)


@config_app.command("edit")
def config_edit() -> None:
    """Edit the file in $VISUAL or $EDITOR; it is saved only if it is valid."""
    from papertrack.cli import settings

    settings.config_edit()


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="Letters, digits, - and _.")],
    term: Annotated[
        list[str] | None, typer.Option("--term", "-t", help="A term (repeatable).")
    ] = None,
    match_all: Annotated[bool, typer.Option("--all", help="Require every term.")] = False,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    category: opt.Category = None,
    source: opt.Source = None,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    replacements: opt.Replacements = False,
    query: opt.Query = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a watch of that name.")
    ] = False,
) -> None:
    """Save a watch profile, e.g. papertrack watch add llm --term 'language model' -c cs.CL"""
    from papertrack.cli import settings

    settings.watch_add(
        name,
        {
            "terms": term or [],
            "match_all": match_all,
            "exclude": exclude or [],
            "authors": author or [],
            "categories": category or [],
            "sources": source.value if source else None,
            "min_upvotes": min_upvotes,
            "has_code": has_code,
            "replacements": replacements,
            "query": query,
        },
        replace=replace,
    )


@watch_app.command("list")
def watch_list() -> None:
    """One line per watch profile: its name and what it matches."""
    from papertrack.cli import settings

    settings.watch_list()


@watch_app.command("show")
def watch_show(name: str) -> None:
    """Print one watch profile as TOML."""
    from papertrack.cli import settings

    settings.watch_show(name)


@watch_app.command("rm")
def watch_rm(name: str) -> None:
    """Delete a watch profile (its digest history stays in the state file)."""
    from papertrack.cli import settings

    settings.watch_rm(name)


@app.command()
def digest(
    watch: opt.WatchOption = None,
    since: Annotated[
        str,
        typer.Option(
            "--since",
            metavar="last|DATE|Nd",
            help="Papers since this watch's last "
            "digest (default), a date, or the last N days. Sent papers never repeat.",
        ),
    ] = "last",
    fmt: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            metavar="md|html|text|json|rss|atom",
            help="Document format (default: digest.format, else md).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write here instead of stdout; {date} becomes the day, e.g. digests/{date}.md.",
            show_default=False,
        ),
    ] = None,
    most: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--max", metavar="N", help="At most N papers per watch.", show_default=False),
    ] = None,
    updates: Annotated[
        bool, typer.Option("--updates", help="Also send new versions of papers already sent.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would go out; record nothing.")
    ] = False,
    fail_if_empty: Annotated[
        bool, typer.Option("--fail-if-empty", help="Exit 3 when there is nothing new.")
    ] = False,
    mail: Annotated[
        bool, typer.Option("--mail", help="Send as email over SMTP ([mail] settings).")
    ] = False,
    sendmail: Annotated[
        bool,
        typer.Option(
            "--sendmail", help="Send by piping to sendmail -t (or mail.sendmail_command)."
        ),
    ] = False,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> int:
    """For cron: papers your watch profiles match that were not sent before, sent once.

    Nothing new: nothing is written, one line on stderr, exit 0 (3 with --fail-if-empty).
    """
    from papertrack.cli.digest import DigestOptions, run_digest
    from papertrack.cli.listing import mode_of
    from papertrack.config import DIGEST_FORMATS

    if fmt is not None and fmt not in DIGEST_FORMATS:
        raise UsageError(f"invalid --format {fmt!r}: choose one of {', '.join(DIGEST_FORMATS)}")
    return run_digest(
        DigestOptions(
            watches=tuple(watch or ()),
            since=since,
            fmt=fmt,
            output=output,
            most=most,
            updates=updates,
            dry_run=dry_run,
            fail_if_empty=fail_if_empty,
            mail=mail,
            sendmail=sendmail,
            mode=mode_of(offline=offline, refresh=refresh),
        )
    )
