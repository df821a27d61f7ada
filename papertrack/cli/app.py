"""The Typer application: options in, one call to the core, result to a renderer."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import typer

from papertrack import __version__
from papertrack.cli import options as opt
from papertrack.cli.choices import ShowFormatChoice
from papertrack.cli.config_app import config_app, context_of, watch_app
from papertrack.cli.library_app import add as save_command
from papertrack.cli.library_app import library_app
from papertrack.cli.sync_app import sync_app
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
        bool | None,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = None,
) -> None:
    """Follow new papers from Hugging Face Daily Papers and arXiv in your terminal, scripts
    and cron."""


@app.command(short_help="Today's papers from Hugging Face and arXiv.")
def today(
    ctx: typer.Context,
    terms: opt.Terms = None,
    source: opt.Source = None,
    category: opt.Category = None,
    replacements: opt.Replacements = False,
    query: opt.Query = None,
    watch: opt.WatchOption = None,
    match_all: opt.MatchAll = False,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    submitter: opt.Submitter = None,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    sort: opt.Sort = "date",
    explain: opt.Explain = False,
    limit: opt.Limit = None,
    fmt: opt.Format = None,
    long: opt.Long = False,
    color: opt.Color = None,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Today's papers: Hugging Face Daily Papers and/or arXiv's latest announcement.

    \b
    Examples:
      papertrack today
      papertrack today diffusion "speculative decoding"
      papertrack today --has-code --sort stars -n 10
      papertrack today -c cs.CL -c cs.LG
      papertrack today | cut -f1
    """
    from papertrack.cli.listing import ListingArgs, ListingOptions, run_today

    context = context_of(ctx)
    args = ListingArgs(
        terms=terms, source=source, category=category, replacements=replacements,
        query=query, watch=watch, match_all=match_all, exclude=exclude, author=author,
        submitter=submitter, min_upvotes=min_upvotes, has_code=has_code, sort=sort,
        explain=explain, limit=limit, fmt=fmt, long=long, color=color, offline=offline,
        refresh=refresh,
    )  # fmt: skip
    run_today(context, ListingOptions.build(context, args))


@app.command("list", short_help="Papers of a past day, week, month or range.")
def list_(
    ctx: typer.Context,
    terms: opt.Terms = None,
    source: opt.Source = None,
    category: opt.Category = None,
    replacements: opt.Replacements = False,
    query: opt.Query = None,
    watch: opt.WatchOption = None,
    date: opt.Date = None,
    week: opt.Week = None,
    month: opt.Month = None,
    since: opt.Since = None,
    until: opt.Until = None,
    match_all: opt.MatchAll = False,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    submitter: opt.Submitter = None,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    sort: opt.Sort = "date",
    explain: opt.Explain = False,
    limit: opt.Limit = None,
    fmt: opt.Format = None,
    long: opt.Long = False,
    color: opt.Color = None,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Papers of a past day, week, month or range.

    \b
    Examples:
      papertrack list --date 2025-08-25
      papertrack list --week 2025-W35 agents
      papertrack list --month 2025-08 --sort upvotes -n 20
      papertrack list --since 7d --author "Yann LeCun"
    """
    from papertrack.cli.listing import ListingArgs, ListingOptions, run_list

    context = context_of(ctx)
    args = ListingArgs(
        terms=terms, source=source, category=category, replacements=replacements,
        query=query, watch=watch, match_all=match_all, exclude=exclude, author=author,
        submitter=submitter, min_upvotes=min_upvotes, has_code=has_code, sort=sort,
        explain=explain, limit=limit, fmt=fmt, long=long, color=color, offline=offline,
        refresh=refresh,
    )  # fmt: skip
    period = {"day": date, "week": week, "month": month, "since": since, "until": until}
    run_list(context, ListingOptions.build(context, args), period)


def browse(ctx: typer.Context, **values: Any) -> None:
    """Today's papers, a past day, week, month or range, a search or your library, in a
    keyboard UI: move with j/k, read the detail, filter as you type (/), save (s), dismiss
    (d), mark read (r), open the page, PDF or code (o/p/c), copy the id or BibTeX (y/Y); ?
    lists the keys. Takes list's options; needs a terminal.

    \b
    Examples:
      papertrack browse
      papertrack browse --since 7d -q 'agent AND NOT survey' --sort taste
      papertrack browse --week 2025-W35 --source hf
      papertrack browse --search "speculative decoding" --offline
      papertrack browse --library -q 'tag:rl AND read:no'
    """
    import sys

    from papertrack.cli.browse import run_browse
    from papertrack.cli.listing import ListingArgs, ListingOptions

    context = context_of(ctx)
    search, library = values.pop("search"), values.pop("library")
    values["sort"] = values["sort"] or ("relevance" if search is not None else "date")
    period = {"day": values.pop("date"), **{k: values.pop(k) for k in PERIOD_NAMES}}
    args = ListingArgs(**values)
    options = ListingOptions.build(context, args, needs_categories=search is None and not library)
    run_browse(
        context, options, period, stdin_isatty=sys.stdin.isatty(), search=search, library=library
    )


PERIOD_NAMES = ("week", "month", "since", "until")


def _derive(command: Any, source: Any, *, dropped: tuple[str, ...], sort: str | None,
            extra: tuple[inspect.Parameter, ...] = ()) -> None:  # fmt: skip
    """Give *command* (which takes ``**values``) the options of *source* but *dropped*,
    with *sort* as the --sort parameter's default (None: the command decides) and *extra*
    added: one declaration serves several commands."""
    base = inspect.signature(source, eval_str=True)
    kept = [p for p in base.parameters.values() if p.name not in dropped]
    for index, parameter in enumerate(kept):
        if parameter.name == "sort":
            annotation = Annotated[str | None, opt.option("sort")] if sort is None else opt.Sort
            kept[index] = parameter.replace(default=sort, annotation=annotation)
    kept += extra
    command.__signature__ = base.replace(parameters=kept)
    command.__annotations__ = {p.name: p.annotation for p in kept}


def _browse_signature() -> None:
    """browse takes list's options but its output format. No fixed default order: a search
    is in the service's order (relevance), a listing by date."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    extra = (
        inspect.Parameter("search", keyword, default=None, annotation=Annotated[
            str | None, typer.Option("--search", metavar="QUERY", show_default=False,
                                     help="What search QUERY finds (with --offline, in the "
                                     "cache; --since/--until: submitted dates).")]),
        inspect.Parameter("library", keyword, default=False, annotation=Annotated[
            bool, typer.Option("--library", help="Your library's papers (-q tag:T, read:no "
                               "and the other filters apply).")]),
    )  # fmt: skip
    _derive(browse, list_, dropped=("fmt", "long"), sort=None, extra=extra)


_browse_signature()
app.command(short_help="Browse papers in a keyboard UI: read, filter, save, dismiss.")(browse)


def trending(ctx: typer.Context, **values: Any) -> None:
    """Hugging Face's trending papers: a global ranking of recent papers (older ones too),
    in Hugging Face's order, with today's filters, highlighting and formats. Cached for an
    hour (config cache.ttl_current).

    \b
    Examples:
      papertrack trending
      papertrack trending agents --min-upvotes 20 -n 10
      papertrack trending --submitter akhaliq
      papertrack trending --format json | jq -r '.[].id'
    """
    from papertrack.cli.choices import SourceChoice
    from papertrack.cli.listing import ListingArgs, ListingOptions, run_trending

    context = context_of(ctx)
    args = ListingArgs(**values, source=SourceChoice.hf)
    run_trending(context, ListingOptions.build(context, args, needs_categories=False))


# today's options but those that choose a source: the ranking is Hugging Face's alone.
_derive(trending, today, dropped=("source", "category", "replacements", "watch"),
        sort="relevance")  # fmt: skip
app.command(short_help="Hugging Face's trending papers, in its order.")(trending)


@app.command(short_help="Search Hugging Face, arXiv, or your cache (--offline).")
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(
            help="What to look for. Hugging Face takes plain words; with --source arxiv, "
            "arXiv's query syntax passes through (ti:, au:, abs:, cat:, AND, OR, ANDNOT).",
            show_default=False,
        ),
    ],
    source: opt.SearchSource = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE|Nd",
            help="Only papers submitted since DATE "
            "or in the last N days (an arXiv submittedDate window).",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DATE", help="Only papers submitted until DATE.", show_default=False
        ),
    ] = None,
    exclude: opt.Exclude = None,
    author: opt.Author = None,
    min_upvotes: opt.MinUpvotes = None,
    has_code: opt.HasCode = False,
    sort: opt.Sort = "relevance",
    explain: opt.Explain = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
            help="Ask each source for N results.",
        ),
    ] = 50,
    fmt: opt.Format = None,
    long: opt.Long = False,
    color: opt.Color = None,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Search Hugging Face's papers (default), arXiv (--source arxiv), or both (--source
    all); with --offline, every paper in your cache.

    \b
    Examples:
      papertrack search speculative decoding
      papertrack search --source arxiv 'ti:"world model" AND cat:cs.CL' --since 30d
      papertrack search diffusion -f json
      papertrack search world model --offline
    """
    from papertrack.cli.listing import ListingArgs, ListingOptions, run_search

    context = context_of(ctx)
    run_search(
        context,
        ListingOptions.build(
            context,
            ListingArgs(
                exclude=exclude, author=author, min_upvotes=min_upvotes, has_code=has_code,
                sort=sort, explain=explain, fmt=fmt, long=long, color=color, offline=offline,
                refresh=refresh, source=source, replacements=True,
            ),
            needs_categories=False,
        ),
        " ".join(query),
        since=since,
        until=until,
        limit=limit,
    )  # fmt: skip


@app.command(short_help="Everything about one paper.")
def show(
    ctx: typer.Context,
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
        ShowFormatChoice | None,
        typer.Option(
            "--format",
            "-f",
            help="table: a readable page (the default); md: a Markdown document; json: one "
            "object with the keys list gives; lines, jsonl, csv: the row list would print; "
            "bibtex (arXiv's own entry), ris, csl-json: a citation.",
            show_default=False,
        ),
    ] = None,
    color: opt.Color = None,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> None:
    """Everything about one paper: authors, dates, categories, abstract, AI summary, links.

    \b
    Examples:
      papertrack show 2408.12345
      papertrack show https://huggingface.co/papers/2408.12345 -f json
    """
    from papertrack.cli.common import mode_of
    from papertrack.cli.paper import run_show

    context = context_of(ctx)
    chosen = color or opt.ColorChoice(context.config.text("color") or "auto")
    mode = mode_of(context, offline=offline, refresh=refresh)
    run_show(context, paper, fmt=fmt, color=chosen, mode=mode)


@app.command("open", short_help="Open a paper's page, PDF or code in your browser.")
def open_(
    ctx: typer.Context,
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
    from papertrack.cli.common import mode_of
    from papertrack.cli.paper import run_open

    context = context_of(ctx)
    chosen = [name for name, flag in (("pdf", pdf), ("hf", hf_page), ("code", code)) if flag]
    if len(chosen) > 1:
        raise UsageError(f"choose one of --{', --'.join(chosen)}")
    run_open(
        context,
        paper,
        target=chosen[0] if chosen else "abs",
        print_only=print_only,
        mode=mode_of(context, offline=offline, refresh=False),
    )


# `config` and `watch`: declared in their own module, joined here.
app.add_typer(config_app, name="config")
app.add_typer(watch_app, name="watch")
app.add_typer(library_app, name="library")
app.add_typer(sync_app, name="sync")
app.command("save", short_help="Save papers to your library (library add).")(save_command)


@app.command(short_help="The cached papers most like your library, with reasons.")
def recommend(
    ctx: typer.Context,
    since: Annotated[
        str,
        typer.Option(
            "--since",
            metavar="DATE|Nd",
            help="Papers listed since DATE or in the last N days (by their day in the cache).",
        ),
    ] = "7d",
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", help="At most N papers.")
    ] = 20,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag", "-t", metavar="TAG", help="Rank by the papers with this tag only.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str, typer.Option("--source", metavar="hf|arxiv|all", help="Which cached papers.")
    ] = "all",
    fmt: opt.Format = None,
    color: opt.Color = None,
) -> None:  # fmt: skip
    """The papers in your cache you would most likely want, by your library's taste, that
    you have not saved, read or dismissed; each with its score, the words that mattered and
    the saved paper it is closest to. Reads only the cache: fetch days first (today, list).

    \b
    Examples:
      papertrack recommend
      papertrack recommend --since 30d -n 50 -f json
      papertrack recommend --tag rl
    """
    from papertrack.cli.recommend import run_recommend

    context = context_of(ctx)
    chosen = color or opt.ColorChoice(context.config.text("color") or "auto")
    run_recommend(
        context, since=since, limit=limit, tag=tag, source=source, fmt=fmt, color=chosen
    )  # fmt: skip


@app.command(short_help="How often terms come up, per day, week or month, as sparklines.")
def trends(
    ctx: typer.Context,
    terms: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[TERMS]...",
            help="Words or quoted phrases, matched as filters match them (case-insensitive, "
            "in the title, abstract, AI summary and keywords).",
            show_default=False,
        ),
    ] = None,
    since: opt.TrendsSince = None,
    until: opt.TrendsUntil = None,
    by: opt.TrendsBy = "week",
    source: opt.TrendsSource = "all",
    query: opt.TrendsQuery = None,
    rising: opt.Rising = False,
    top: opt.Top = None,
    limit: opt.TrendsLimit = 20,
    fmt: opt.TrendsFormat = None,
    color: opt.Color = None,
) -> None:  # fmt: skip
    """Count the cached papers that mention each term per day, week or month, and draw one
    sparkline per term with its total, the last bucket's change and its peak. Reads only
    the local cache and index; says which days are missing and the command that fills them.

    \b
    Examples:
      papertrack trends agent "diffusion model" --since 365d --by month
      papertrack trends -q 'agent AND NOT survey' --since 90d
      papertrack trends rlhf dpo -f csv > trends.csv
      papertrack trends --rising --since 30d
      papertrack trends --top orgs
    """
    from papertrack.cli.trends import run_trends

    context = context_of(ctx)
    chosen = color or opt.ColorChoice(context.config.text("color") or "auto")
    run_trends(
        context, terms or [], since=since, until=until, by=by, source=source, query=query,
        rising=rising, top=top, limit=limit, fmt=fmt, color=chosen,
    )  # fmt: skip


@app.command(short_help="For cron: what your watch profiles match, sent once.")
def digest(
    ctx: typer.Context,
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
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="md|html|text|json|rss|atom",
            help="Document format (default: digest.format, else md).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write here instead of stdout; {date} becomes the day, e.g. digests/{date}.md.",
            show_default=False,
        ),
    ] = None,
    most: Annotated[
        int | None,
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
    notify: Annotated[
        list[str] | None,
        typer.Option(
            "--notify",
            metavar="URL",
            help="Also deliver to this Apprise URL: slack://, discord://, tgram://, matrix://, "
            "ntfy://, json://, … (repeatable; default: config notify.urls). Needs "
            "pip install 'papertrack[notify]'.",
            show_default=False,
        ),
    ] = None,
    no_notify: Annotated[
        bool, typer.Option("--no-notify", help="Do not deliver to the config's notify.urls.")
    ] = False,
    offline: opt.Offline = False,
    refresh: opt.Refresh = False,
) -> int:
    """For cron: papers your watch profiles match that were not sent before, sent once.

    \b
    Nothing new: nothing is written, one line goes to stderr, and the exit
    status is 0 (3 with --fail-if-empty).

    \b
    Examples:
      papertrack digest
      papertrack digest -o ~/papers/digest-{date}.md
      papertrack digest --format rss -o ~/papers/feed.xml
      papertrack digest --mail
      papertrack digest --notify 'ntfy://ntfy.sh/my-papers'
    """
    from papertrack.cli.common import mode_of
    from papertrack.cli.digest import DigestOptions, run_digest
    from papertrack.config import DIGEST_FORMATS

    context = context_of(ctx)
    if fmt is not None and fmt not in DIGEST_FORMATS:
        raise UsageError(f"invalid --format {fmt!r}: choose one of {', '.join(DIGEST_FORMATS)}")
    return run_digest(
        context,
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
            notify=tuple(notify or ()),
            no_notify=no_notify,
            mode=mode_of(context, offline=offline, refresh=refresh),
        ),
    )
