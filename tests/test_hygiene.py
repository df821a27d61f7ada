"""What the code itself must not carry: references to files outside the repository (a
user's installed copy has no ../shared), help panels that never show, stale lint
exceptions, and reads of the clock or the process environment below the CLI."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "papertrack"


def sources() -> dict[str, str]:
    return {
        str(path.relative_to(PACKAGE.parent)): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_nothing_cites_files_outside_the_repository() -> None:
    assert [name for name, text in sources().items() if "../shared" in text] == []


def test_no_dead_declarations() -> None:
    for name, text in sources().items():
        assert "rich_help_panel" not in text, name  # Rich help is off: panels never show
        assert "noqa: UP045" not in text, name  # X | None works with Typer on Python 3.10
        assert "Optional[" not in text, name


def test_only_the_run_context_reads_the_clock_and_the_environment() -> None:
    """Time and the environment are inputs: cli/context.py reads them once per run (and
    the console script, its process); everything else is handed them."""
    allowed = {"papertrack/cli/context.py", "papertrack/cli/__init__.py"}
    clock = re.compile(r"datetime\.now\(|date\.today\(|utc_today\(\)")
    environment = re.compile(r"os\.environ|os\.getenv|sys\.stdout|sys\.stderr")
    for name, text in sources().items():
        if name in allowed:
            continue
        assert not clock.search(text), f"{name} reads the clock"
        assert not environment.search(text), f"{name} reads the process's streams or environment"


def test_the_command_line_choices_are_the_one_definition_of_each_set() -> None:
    from papertrack import choices
    from papertrack.cli import choices as cli_choices

    pairs = [
        (cli_choices.SourceChoice, choices.SOURCES),
        (cli_choices.FormatChoice, choices.FORMATS),
        (cli_choices.ColorChoice, choices.COLORS),
    ]
    for enum_class, values in pairs:
        assert tuple(member.value for member in enum_class) == values
        assert tuple(member.name for member in enum_class) == values
    shown = tuple(member.value for member in cli_choices.ShowFormatChoice)
    assert shown == choices.SHOW_FORMATS
    assert [m.name for m in cli_choices.ShowFormatChoice] == [v.replace("-", "_") for v in shown]
