"""A Typer-free path for the everyday ``today``, ``list``, ``trending``, ``search``,
``library`` and ``trends`` command lines.

Importing Typer (and the click it carries) costs about 40 ms here, three times the
interpreter's own start-up, and ``papertrack today`` is typed many times a day. When every
argument is one this table knows, in a plain form (``--opt value``, ``--opt=value``,
``-o value``, flags, words), the command runs without Typer. Anything else (help,
completion, a typo, a value of the wrong kind, clustered or attached short options) returns
None and goes to Typer, which then owns every message. tests/test_fast.py checks that both
parsers read the same command lines the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from papertrack.cli.spec import CHOICES, COMMANDS, LIBRARY_SUBCOMMANDS

if TYPE_CHECKING:
    from papertrack.cli.context import Context

_INT = re.compile(r"-?\d+")
# name in the command function, kind, option spellings: the spec's table, Typer-free.
TABLES: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    command: [(opt.name, opt.kind, opt.flags) for opt in options]
    for command, options in COMMANDS.items()
}


def defaults(command: str) -> dict[str, Any]:
    """What Typer passes for options that were not given (the command functions' defaults)."""
    values: dict[str, Any] = {"terms": None}
    for name, kind, _ in TABLES[command]:
        values[name] = False if kind == "flag" else None
    if command == "trends":
        return {**values, "by": "week", "source": "all", "limit": 20}
    values["sort"] = {"library": "added", "search": "relevance", "trending": "relevance"}.get(
        command, "date"
    )
    if command == "search":
        values["limit"] = 50
    return values


def parse(
    argv: Sequence[str], environ: Mapping[str, str] | None = None
) -> tuple[str, dict[str, Any]] | None:
    """``(command, keyword arguments)`` for a plain today/list command line, else None."""
    if not argv or argv[0] not in TABLES or (environ or {}).get("_PAPERTRACK_COMPLETE"):
        return None
    command = argv[0]
    if command == "library" and len(argv) > 1 and argv[1] in LIBRARY_SUBCOMMANDS:
        return None  # library add, rm, …: Typer's
    spellings = {flag: (name, kind) for name, kind, flags in TABLES[command] for flag in flags}
    values = defaults(command)
    terms: list[str] = []
    args = list(argv[1:])
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg == "-":
            terms.append(arg)
            continue
        name_value = arg.split("=", 1) if arg.startswith("--") and "=" in arg else [arg]
        known = spellings.get(name_value[0])
        if known is None:
            return None  # help, version, a typo, -- or a clustered short option: Typer's job
        name, kind = known
        if kind == "flag":
            if len(name_value) == 2:
                return None
            values[name] = True
            continue
        if len(name_value) == 2:
            raw = name_value[1]
        elif args:
            raw = args.pop(0)
        else:
            return None
        value = _value(kind, raw)
        if value is None:
            return None
        if kind == "multi":
            values[name] = [*(values[name] or []), value]
        else:
            values[name] = value
    values["terms"] = terms or None
    if command == "search" and not terms:
        return None  # Typer says what is missing
    return command, values


def _value(kind: str, raw: str) -> Any:
    if kind in ("text", "multi"):
        return raw
    if kind == "int":
        return int(raw) if _INT.fullmatch(raw) else None
    try:
        return CHOICES[kind](raw)
    except ValueError:
        return None


def split_period(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The command's option values, and list's period options as run_list takes them."""
    names = {"date": "day", "week": "week", "month": "month", "since": "since", "until": "until"}
    period = {names[k]: values[k] for k in names if k in values}
    return {k: v for k, v in values.items() if k not in names}, period


def run(argv: Sequence[str], context: Context) -> bool:
    """Run *argv* here if it is a plain today/list command line; False to hand it to Typer."""
    parsed = parse(argv, context.environ)
    if parsed is None:
        return False
    command, values = parsed
    if command == "library":
        from papertrack.cli import library
        from papertrack.cli.choices import ColorChoice

        chosen = values["color"] or ColorChoice(context.config.text("color") or "auto")
        library.run_list(
            context, values["terms"] or [], tag=values["tag"], unread=values["unread"],
            sort=values["sort"], limit=values["limit"], fmt=values["fmt"], color=chosen,
            explain=values["explain"],
        )  # fmt: skip
        return True
    if command == "trends":
        from papertrack.cli.choices import ColorChoice
        from papertrack.cli.trends import run_trends

        chosen = values.pop("color") or ColorChoice(context.config.text("color") or "auto")
        run_trends(context, values.pop("terms") or [], **values, color=chosen)
        return True
    from papertrack.cli.listing import ListingArgs, ListingOptions, run_list, run_today

    if command == "search":
        from papertrack.cli.listing import run_search

        words, since, until, limit = (
            values.pop("terms"), values.pop("since"), values.pop("until"), values.pop("limit")
        )  # fmt: skip
        built = ListingOptions.build(
            context, ListingArgs(**values, replacements=True), needs_categories=False
        )
        run_search(context, built, " ".join(words), since=since, until=until, limit=limit)
        return True
    if command == "trending":
        from papertrack.cli.choices import SourceChoice
        from papertrack.cli.listing import run_trending

        built = ListingOptions.build(
            context, ListingArgs(**values, source=SourceChoice.hf), needs_categories=False
        )
        run_trending(context, built)
        return True
    options, period = split_period(values)
    args = ListingOptions.build(context, ListingArgs(**options))
    if command == "today":
        run_today(context, args)
    else:
        run_list(context, args, period)
    return True
