"""The command line's choice enums (what Typer shows and checks), made from the one
definition of each set in papertrack.choices; apart from Typer so the fast path can use them."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from papertrack.choices import COLORS, FORMATS, SHOW_FORMATS, SOURCES

if TYPE_CHECKING:
    # What mypy sees: the members spelled out (it cannot read members made at run time);
    # tests/test_hygiene.py checks that they equal the sets.
    class FormatChoice(enum.Enum):
        table = "table"
        lines = "lines"
        json = "json"
        jsonl = "jsonl"
        md = "md"
        csv = "csv"

    class SourceChoice(enum.Enum):
        hf = "hf"
        arxiv = "arxiv"
        all = "all"

    class ColorChoice(enum.Enum):
        auto = "auto"
        always = "always"
        never = "never"

    class ShowFormatChoice(enum.Enum):
        table = "table"
        lines = "lines"
        json = "json"
        jsonl = "jsonl"
        md = "md"
        csv = "csv"
        bibtex = "bibtex"
        ris = "ris"
        csl_json = "csl-json"

else:
    FormatChoice = enum.Enum("FormatChoice", {key: key for key in FORMATS})
    SourceChoice = enum.Enum("SourceChoice", {key: key for key in SOURCES})
    ColorChoice = enum.Enum("ColorChoice", {key: key for key in COLORS})
    # A member name cannot hold "-": csl-json is csl_json.
    ShowFormatChoice = enum.Enum(
        "ShowFormatChoice", {key.replace("-", "_"): key for key in SHOW_FORMATS}
    )
