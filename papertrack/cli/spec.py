"""The options of ``today``, ``list``, ``trending``, ``search``, ``trends`` and the
``library`` listing,
declared once and free of Typer.

papertrack.cli.options makes Typer's declarations from this table, and papertrack.cli.fast
parses plain command lines with it without importing Typer (as httpie's ParserSpec feeds
argparse); tests/test_fast.py checks that both read every line alike. Either parser hands
the values to the listing commands as papertrack.cli.listing.ListingArgs.
"""

from __future__ import annotations

from typing import Any, Literal

from papertrack.choices import as_sort
from papertrack.cli.choices import ColorChoice, FormatChoice, SourceChoice

Kind = Literal["flag", "text", "multi", "int", "source", "sort", "format", "color"]


class Opt:
    """One option: its parameter name (a field of ListingArgs), kind, spellings and help.
    A plain class, not a @record: the fast path reads this table on every run, and a
    record's generated methods cost start-up time it does not need."""

    __slots__ = ("flags", "help", "kind", "metavar", "name", "show_default")

    def __init__(
        self,
        name: str,
        kind: Kind,
        flags: tuple[str, ...],
        help: str,
        metavar: str | None = None,
        *,
        show_default: bool = False,
    ) -> None:
        self.name, self.kind, self.flags, self.help = name, kind, flags, help
        self.metavar, self.show_default = metavar, show_default


TERMS_HELP = (
    "Show papers mentioning any of these terms (title, abstract, AI summary and keywords; "
    'case-insensitive). Quote a phrase: "speculative decoding".'
)

LISTING: tuple[Opt, ...] = (
    Opt("source", "source", ("--source",),
        "Hugging Face Daily Papers, arXiv's announcement for your categories, or both joined "
        "by paper id. Default: all with --category, else hf."),
    Opt("category", "multi", ("--category", "-c"),
        "arXiv category or archive, e.g. cs.CL (repeatable, or a comma list).", "CAT"),
    Opt("replacements", "flag", ("--replacements",),
        "Also show arXiv replacements (new versions); new submissions and cross-lists always "
        "show.", show_default=True),
    Opt("query", "text", ("--query", "-q"),
        'Filter language: AND/OR/NOT, (…), "phrases", /regex/i, title: abstract: author: '
        "submitter: cat: type: upvotes:>=N stars:>=N has:code (see README).", "EXPR"),
    Opt("watch", "multi", ("--watch", "-W"),
        "Apply a watch profile from the config (repeatable: a section each).", "NAME"),
    Opt("match_all", "flag", ("--all",), "Require every term, not any.", show_default=True),
    Opt("exclude", "multi", ("--exclude", "-x"), "Drop papers mentioning TERM (repeatable).",
        "TERM"),
    Opt("author", "multi", ("--author", "-a"),
        "Only papers with an author whose name contains NAME (repeatable; any matches).",
        "NAME"),
    Opt("submitter", "multi", ("--submitter",),
        "Only papers put on Hugging Face Daily Papers by this user (repeatable; any "
        "matches; ignores case).", "USER"),
    Opt("min_upvotes", "int", ("--min-upvotes",), "Only papers with at least N upvotes.", "N"),
    Opt("has_code", "flag", ("--has-code",), "Only papers with a GitHub repository.",
        show_default=True),
    Opt("sort", "sort", ("--sort", "-s"),
        "Order: newest day first, most upvotes, most GitHub stars, title, as the service "
        "ranked them (relevance), or by your library (taste; taste:TAG for one tag's papers).",
        "KEY", show_default=True),
    Opt("explain", "flag", ("--explain",),
        "With --sort taste: why each paper ranks where it does (score, the terms that "
        "mattered, the closest saved paper).", show_default=True),
    Opt("limit", "int", ("--limit", "-n"), "Show at most N papers.", "N"),
    Opt("fmt", "format", ("--format", "-f"),
        "Output format. Default: table on a terminal, lines (tab-separated) when piped."),
    Opt("long", "flag", ("--long", "-l"),
        "One block per paper: authors, AI summary or abstract, code and links.",
        show_default=True),
    Opt("color", "color", ("--color",),
        "Colour and highlighting. auto honours NO_COLOR and FORCE_COLOR.", show_default=True),
    Opt("offline", "flag", ("--offline",), "Never use the network; read the cache only.",
        show_default=True),
    Opt("refresh", "flag", ("--refresh",), "Always fetch, even when the cached copy is fresh.",
        show_default=True),
)  # fmt: skip

PERIOD: tuple[Opt, ...] = (
    Opt("date", "text", ("--date", "-d"), "One day ('today' and 'yesterday' work too).",
        "YYYY-MM-DD"),
    Opt("week", "text", ("--week", "-w"), "An ISO week, e.g. 2025-W35.", "YYYY-Www"),
    Opt("month", "text", ("--month", "-m"), "A month, e.g. 2025-08.", "YYYY-MM"),
    Opt("since", "text", ("--since",),
        "From DATE, or the last N days (7d = today and the 6 days before).", "DATE|Nd"),
    Opt("until", "text", ("--until",), "Last day of a --since range (default: today).", "DATE"),
)  # fmt: skip

SHELF: tuple[Opt, ...] = (
    Opt("tag", "text", ("--tag", "-t"), "Only papers with this tag.", "TAG"),
    Opt("unread", "flag", ("--unread",), "Only papers not marked read.", show_default=True),
    Opt("sort", "text", ("--sort", "-s"),
        "Order: latest saved first (added), newest paper, title, or likeness to your library "
        "(taste; taste:TAG to one tag's papers).", "added|date|title|taste[:TAG]",
        show_default=True),
    *(opt for opt in LISTING if opt.name in ("explain", "limit", "fmt", "color")),
)  # fmt: skip
"""``papertrack library [TERMS] …``: listing the library (its declarations in library_app)."""
LIBRARY_SUBCOMMANDS = (
    "list", "add", "rm", "tag", "untag", "note", "read", "unread", "dismiss", "export", "import",
)  # fmt: skip
"""What ``library`` takes as a subcommand rather than a term (test_fast checks the group)."""

BY_NAME_LISTING = {opt.name: opt for opt in LISTING}

SEARCH: tuple[Opt, ...] = (
    *(opt for opt in LISTING if opt.name in (
        "source", "exclude", "author", "min_upvotes", "has_code", "sort", "explain", "fmt",
        "long", "color", "offline", "refresh",
    )),
    Opt("since", "text", ("--since",), "Only papers submitted since DATE or in the last N days.",
        "DATE|Nd"),
    Opt("until", "text", ("--until",), "Only papers submitted until DATE.", "DATE"),
    Opt("limit", "int", ("--limit", "-n"), "Ask each source for N results.", "N"),
)  # fmt: skip
"""``papertrack search WORDS …`` (its Typer declarations are in cli/app.py)."""

TRENDS: tuple[Opt, ...] = (
    Opt("since", "text", ("--since",), "From DATE, or the last N days (default 90d; 30d with "
        "--rising and --top).", "DATE|Nd"),
    Opt("until", "text", ("--until",), "Up to DATE (default: today).", "DATE"),
    Opt("by", "text", ("--by",), "One bar per day, week or month.", "day|week|month",
        show_default=True),
    Opt("source", "text", ("--source",), "Which cached papers.", "hf|arxiv|all",
        show_default=True),
    Opt("query", "text", ("--query", "-q"), "Count only papers matching this filter "
        "expression; alone, it is the one row.", "EXPR"),
    Opt("rising", "flag", ("--rising",), "The words and two-word phrases whose share of "
        "papers rose most against the window before, of the same length.", show_default=True),
    Opt("top", "text", ("--top",), "The most frequent authors, organisations or GitHub "
        "repositories of the window (the last two from Hugging Face data).",
        "authors|orgs|repos"),
    Opt("limit", "int", ("--limit", "-n"), "Rows of --rising and --top.", "N",
        show_default=True),
    Opt("fmt", "format", ("--format", "-f"), "table (a terminal's default), lines (piped: "
        "term, bucket, count, tab-separated), json or csv."),
    BY_NAME_LISTING["color"],
)  # fmt: skip
"""``papertrack trends [TERMS] …`` (its Typer declarations are in cli/app.py)."""

TRENDING: tuple[Opt, ...] = tuple(
    opt for opt in LISTING if opt.name not in ("source", "category", "replacements", "watch")
)
"""``papertrack trending [TERMS] …``: today's filters on Hugging Face's trending ranking."""

COMMANDS: dict[str, tuple[Opt, ...]] = {
    "today": LISTING,
    "trending": TRENDING,
    "list": (*LISTING, *PERIOD),
    "library": SHELF,
    "search": SEARCH,
    "trends": TRENDS,
}
BY_NAME: dict[str, Opt] = {opt.name: opt for opt in (*LISTING, *PERIOD)}
CHOICES: dict[str, Any] = {
    "source": SourceChoice,
    "sort": lambda text: text if as_sort(text) else None,
    "format": FormatChoice,
    "color": ColorChoice,
}
