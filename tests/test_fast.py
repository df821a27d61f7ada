"""The Typer-free fast path reads every plain today/list command line exactly as Typer does,
and leaves everything else to Typer."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertrack.cli import fast, spec
from papertrack.cli import listing as listing_module
from papertrack.cli.context import Context
from papertrack.cli.listing import ListingArgs, ListingOptions
from papertrack.errors import UsageError

WORD = st.text(alphabet="abcdefghij xyz", min_size=1, max_size=12).filter(lambda t: t.strip())
VALUES: dict[str, st.SearchStrategy[str]] = {
    "flag": st.just(""),
    "text": WORD,
    "multi": WORD,
    "int": st.integers(1, 500).map(str),
    "source": st.sampled_from(["hf", "arxiv", "all"]),
    "sort": st.sampled_from(["date", "upvotes", "stars", "title", "relevance", "taste"]),
    "format": st.sampled_from(["table", "lines", "json", "jsonl", "md", "csv"]),
    "color": st.sampled_from(["auto", "always", "never"]),
}
SPECIAL = {  # values the command would reject later: keep generated lines valid
    "category": st.sampled_from(["cs.CL", "cs.lg,stat.ML", "quant-ph"]),
    "query": st.sampled_from(["agent", 'title:"world model" OR /RL/i', "upvotes:>=3"]),
    "date": st.sampled_from(["2025-08-25", "yesterday"]),
    "week": st.just("2025-W35"),
    "month": st.just("2025-08"),
    "since": st.sampled_from(["7d", "2026-11-01"]),
    "until": st.just("2026-11-20"),
    "watch": st.sampled_from(["ml", "nothing"]),  # defined in WATCHES, and not
    "submitter": st.sampled_from(["akhaliq", "Taesiri", "not/a-name"]),
}


WATCHES = """
[watch.ml]
terms = ["learning"]
sources = "hf"
"""


def spelled(draw: st.DrawFn, chosen: list[tuple[str, str, tuple[str, ...]]]) -> list[str]:
    """The chosen options as a command line writes them: any spelling, ``--opt=value`` or
    ``--opt value``."""
    words: list[str] = []
    for name, kind, spellings in chosen:
        spelling = draw(st.sampled_from(spellings))
        if kind == "flag":
            words.append(spelling)
            continue
        value = draw(SPECIAL.get(name, VALUES[kind]))
        if spelling.startswith("--") and draw(st.booleans()):
            words.append(f"{spelling}={value}")
        else:
            words += [spelling, value]
    return words


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["today", "list"]))
    argv = [command]
    table = fast.TABLES[command]
    chosen = draw(st.lists(st.sampled_from(table), max_size=7, unique_by=lambda row: row[0]))
    if command == "list" and not any(
        name in ("date", "week", "month", "since") for name, *_ in chosen
    ):
        chosen.append(next(row for row in table if row[0] == "date"))
    if any(name == "until" for name, *_ in chosen) and not any(n == "since" for n, *_ in chosen):
        chosen = [row for row in chosen if row[0] != "until"]
    if any(name in ("offline",) for name, *_ in chosen):
        chosen = [row for row in chosen if row[0] != "refresh"]
    if any(name in ("date", "week", "month") for name, *_ in chosen):
        periods = [row for row in chosen if row[0] in ("date", "week", "month", "since")]
        chosen = [row for row in chosen if row not in periods[1:] and row[0] != "until"]
    argv += spelled(draw, chosen)
    for term in draw(st.lists(WORD, max_size=3)):
        if draw(st.booleans()):
            argv.insert(1, term)  # terms before the options…
        else:
            argv.append(term)  # …or after them
    return argv


def outcome(build: Callable[[], object]) -> object:
    """The options a command line builds, or the usage error it gets: both paths must agree."""
    try:
        return build()
    except UsageError as exc:
        return exc.message


def context() -> Context:
    return Context(stdout=io.StringIO(), stderr=io.StringIO(), environ=dict(os.environ))


def through_typer(argv: list[str]) -> tuple[ListingOptions, dict[str, Any]]:
    from papertrack.cli.app import app

    captured: list[tuple[ListingOptions, dict[str, Any]]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            listing_module, "run_today", lambda _, options: captured.append((options, {}))
        )
        patch.setattr(
            listing_module, "run_list", lambda _, options, p: captured.append((options, p))
        )
        app(args=argv, prog_name="papertrack", standalone_mode=False, obj=context())
    assert len(captured) == 1
    return captured[0]


# The autouse environment fixture is function-scoped; one environment for all inputs is right.
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=command_lines())
def test_fast_path_reads_command_lines_as_typer_does(argv: list[str]) -> None:
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(WATCHES, encoding="utf-8")
    parsed = fast.parse(argv)
    assert parsed is not None, argv
    command, values = parsed
    assert command == argv[0]
    options, period = fast.split_period(values)
    expected = outcome(
        lambda: (
            ListingOptions.build(context(), ListingArgs(**options)),
            period if command == "list" else {},
        )
    )
    assert expected == outcome(lambda: through_typer(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["today", "--help"],
        ["today", "-h"],
        ["--version"],
        ["search"],
        ["search", "--offline"],
        ["show", "2501.00001"],
        ["today", "--frobnicate"],
        ["today", "--limit", "many"],
        ["today", "--sort", "hot"],
        ["today", "-ln5"],
        ["today", "-n5"],
        ["today", "--", "-x"],
        ["today", "--limit"],
        ["today", "--offline=yes"],
        ["list", "--date"],
    ],
)
def test_everything_else_goes_to_typer(argv: list[str]) -> None:
    assert fast.parse(argv) is None


def test_completion_requests_go_to_typer() -> None:
    assert fast.parse(["today"], {"_PAPERTRACK_COMPLETE": "complete_bash"}) is None


def test_plain_lines_parse() -> None:
    parsed = fast.parse(
        ["today", "diffusion", "-c", "cs.CL", "--min-upvotes=5", "-x", "a", "-x", "b"]
    )
    assert parsed is not None
    values: dict[str, Any] = parsed[1]
    assert values["terms"] == ["diffusion"] and values["category"] == ["cs.CL"]
    assert values["min_upvotes"] == 5 and values["exclude"] == ["a", "b"]


@st.composite
def library_lines(draw: st.DrawFn) -> list[str]:
    argv = ["library"]
    values = {
        **VALUES,
        "sort": st.sampled_from(["added", "date", "title", "taste", "score", "taste:x"]),
    }
    table = fast.TABLES["library"]
    chosen = draw(st.lists(st.sampled_from(table), max_size=6, unique_by=lambda row: row[0]))
    for name, kind, spellings in chosen:
        spelling = draw(st.sampled_from(spellings))
        if kind == "flag":
            argv.append(spelling)
        elif spelling.startswith("--") and draw(st.booleans()):
            argv.append(f"{spelling}={draw(values[name] if name == 'sort' else values[kind])}")
        else:
            argv += [spelling, draw(values[name] if name == "sort" else values[kind])]
    for term in draw(
        st.lists(WORD.filter(lambda w: w not in spec.LIBRARY_SUBCOMMANDS), max_size=2)
    ):
        argv.append(term)
    return argv


def either_path(argv: list[str], *, typer_path: bool) -> None:
    """Run *argv* through Typer, or through the fast path (which must take it)."""
    if typer_path:
        from papertrack.cli.app import app

        app(args=argv, prog_name="papertrack", standalone_mode=False, obj=context())
    else:
        assert fast.run(argv, context())


def library_call(argv: list[str], *, typer_path: bool) -> dict[str, Any]:
    from papertrack.cli import library

    captured: list[dict[str, Any]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            library, "run_list", lambda _, terms, **kw: captured.append({"terms": terms, **kw})
        )
        either_path(argv, typer_path=typer_path)
    assert len(captured) == 1
    return captured[0]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=library_lines())
def test_fast_path_reads_library_lines_as_typer_does(argv: list[str]) -> None:
    assert library_call(argv, typer_path=False) == library_call(argv, typer_path=True)


def test_library_subcommands_go_to_typer() -> None:
    from papertrack.cli.library_app import library_app

    group = typer.main.get_group(library_app)
    assert set(spec.LIBRARY_SUBCOMMANDS) == set(group.commands)
    for name in spec.LIBRARY_SUBCOMMANDS:
        assert fast.parse(["library", name, "x"]) is None
    assert fast.parse(["library", "--help"]) is None
    parsed = fast.parse(["library", "agents", "-t", "rl", "--unread", "-n", "3"])
    assert parsed is not None and parsed[1]["terms"] == ["agents"] and parsed[1]["sort"] == "added"


@st.composite
def search_lines(draw: st.DrawFn) -> list[str]:
    argv = ["search", draw(WORD)]
    table = fast.TABLES["search"]
    chosen = draw(st.lists(st.sampled_from(table), max_size=6, unique_by=lambda row: row[0]))
    if any(name == "offline" for name, *_ in chosen):
        chosen = [row for row in chosen if row[0] != "refresh"]
    argv += spelled(draw, chosen)
    argv += draw(st.lists(WORD, max_size=2))
    return argv


def captured_call(argv: list[str], module: object, name: str, *, typer_path: bool) -> object:
    """What either parser hands the command function *module.name* (all but the context),
    or how the run ended when it never got there."""
    captured: list[object] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, name, lambda _, *args, **kw: captured.append((args, kw)))
        result = outcome(lambda: either_path(argv, typer_path=typer_path))
    return captured[0] if captured else result


def search_call(argv: list[str], *, typer_path: bool) -> object:
    return captured_call(argv, listing_module, "run_search", typer_path=typer_path)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=search_lines())
def test_fast_path_reads_search_lines_as_typer_does(argv: list[str]) -> None:
    assert search_call(argv, typer_path=False) == search_call(argv, typer_path=True)


@st.composite
def trends_lines(draw: st.DrawFn) -> list[str]:
    argv = ["trends", *draw(st.lists(WORD, max_size=2))]
    table = fast.TABLES["trends"]
    argv += spelled(
        draw, draw(st.lists(st.sampled_from(table), max_size=5, unique_by=lambda r: r[0]))
    )
    return argv


def trends_call(argv: list[str], *, typer_path: bool) -> object:
    from papertrack.cli import trends as trends_module

    return captured_call(argv, trends_module, "run_trends", typer_path=typer_path)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=trends_lines())
def test_fast_path_reads_trends_lines_as_typer_does(argv: list[str]) -> None:
    assert trends_call(argv, typer_path=False) == trends_call(argv, typer_path=True)


@st.composite
def trending_lines(draw: st.DrawFn) -> list[str]:
    argv = ["trending", *draw(st.lists(WORD, max_size=2))]
    table = fast.TABLES["trending"]
    chosen = draw(st.lists(st.sampled_from(table), max_size=6, unique_by=lambda r: r[0]))
    if any(name == "offline" for name, *_ in chosen):
        chosen = [row for row in chosen if row[0] != "refresh"]
    return argv + spelled(draw, chosen)


def trending_call(argv: list[str], *, typer_path: bool) -> object:
    return captured_call(argv, listing_module, "run_trending", typer_path=typer_path)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=trending_lines())
def test_fast_path_reads_trending_lines_as_typer_does(argv: list[str]) -> None:
    assert fast.parse(argv) is not None, argv
    assert trending_call(argv, typer_path=False) == trending_call(argv, typer_path=True)
