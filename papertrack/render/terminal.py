"""The terminal faces: a Rich table and the --long summary blocks.

The only module that builds Rich consoles. Remote text enters Rich as ``Text`` objects,
never as markup strings, so a title containing ``[bold]`` or ``[link=…]`` prints as is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from papertrack.matching import find_spans
from papertrack.models import Mark, Paper
from papertrack.query import Match
from papertrack.render import Section
from papertrack.render.formats import origin

if TYPE_CHECKING:
    from papertrack.taste import Reason

HIGHLIGHT = "bold black on yellow"
MAX_AUTHORS_LONG = 12


def make_console(out: TextIO, *, color: bool, terminal: bool, width: int | None = None) -> Console:
    return Console(
        file=out,
        width=width,
        force_terminal=terminal,
        no_color=not color,
        color_system="auto" if color else None,
        markup=False,
        emoji=False,
        highlight=False,
    )


def highlighted(text: str, pattern: re.Pattern[str] | None, style: str = "") -> Text:
    rich_text = Text(text, style=style)
    for start, end in find_spans(text, pattern):
        rich_text.stylize(HIGHLIGHT, start, end)
    return rich_text


def _num(value: int | None) -> str:
    return "" if value is None else str(value)


def matched_outside_title(paper: Paper, pattern: re.Pattern[str] | None) -> str | None:
    """Where the highlighted terms are when the title has none of them: "abstract", "AI
    summary" or "keywords"; None when the title shows them (or nothing matched as text)."""
    if pattern is None or find_spans(paper.title, pattern):
        return None
    for label, text in (
        ("abstract", paper.abstract),
        ("AI summary", paper.ai_summary or ""),
        ("keywords", " ".join(paper.ai_keywords)),
    ):
        if find_spans(text, pattern):
            return label
    return None


def title_cell(paper: Paper, pattern: re.Pattern[str] | None, style: str = "") -> Text:
    """The title with the terms highlighted, and where they are when it has none."""
    cell = highlighted(paper.title, pattern, style)
    where = matched_outside_title(paper, pattern)
    if where:
        cell.append(f"  (matched in {where})", style="dim italic")
    return cell


def paper_table(
    matches: Sequence[Match],
    *,
    pattern: re.Pattern[str] | None,
    title: str | None = None,
    matched: bool = False,
    color: bool = True,
    explain: bool = False,
) -> Table:
    """A row per paper. *matched* (watch sections) adds a column naming the terms each row
    matched; so does a table without colour, where highlighting cannot show them."""
    matched = matched or (not color and pattern is not None)
    days = {m.paper.date for m in matches}
    mixed = any(m.paper.sources != ("hf",) for m in matches)
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        title=Text(title, style="bold") if title else None,
        title_justify="left",
    )
    # Columns nobody in the listing has data for (arXiv-only rows) are left out.
    votes = any(m.paper.upvotes is not None for m in matches)
    stars = any(m.paper.github_repo for m in matches)
    saved = any(m.mark is not None for m in matches)
    table.add_column("ID", style="cyan", no_wrap=True)
    if votes:
        table.add_column("▲", justify="right", no_wrap=True)
    table.add_column("Title", ratio=1, overflow="fold")
    if stars:
        table.add_column("★", justify="right", no_wrap=True)
    if mixed:
        table.add_column("From", no_wrap=True, style="magenta")
    if matched:
        table.add_column("Matched", style="yellow")
    if saved:
        table.add_column("Saved", no_wrap=True, style="green")
    if len(days) > 1:
        table.add_column("Date", no_wrap=True, style="dim")
    for match in matches:
        paper = match.paper
        row: list[Text | str] = [paper.id]
        if votes:
            row.append(_num(paper.upvotes))
        cell = title_cell(paper, pattern)
        if explain and match.reason is not None:
            cell.append(f"\nwhy: {match.reason.text()}", style="dim")
        row.append(cell)
        if stars:
            row.append(_num(paper.github_stars) if paper.github_repo else "")
        if mixed:
            row.append(origin(paper))
        if matched:
            row.append(", ".join(match.terms))
        if saved:
            row.append(match.mark.label if match.mark is not None else "")
        if len(days) > 1:
            row.append(paper.date.isoformat() if paper.date else "")
        table.add_row(*row)
    return table


def paper_block(
    paper: Paper,
    *,
    pattern: re.Pattern[str] | None,
    terms: Sequence[str] = (),
    color: bool = True,
    reason: Reason | None = None,
    mark: Mark | None = None,
) -> Group:
    header = Text()
    header.append(paper.id, style="cyan")
    if mark is not None:
        header.append(f"  {mark.label}", style="green")
    if paper.upvotes is not None:
        header.append(f"  ▲ {paper.upvotes}")
    if paper.comments:
        plural = "s" if paper.comments != 1 else ""
        header.append(f"  {paper.comments} comment{plural}", style="dim")
    if paper.date:
        header.append(f"  {paper.date.isoformat()}", style="dim")
    if paper.sources != ("hf",):
        header.append(f"  {origin(paper)}", style="magenta")
    if paper.categories:
        header.append(f"  {' '.join(paper.categories)}", style="dim")
    authors = list(paper.authors[:MAX_AUTHORS_LONG])
    if len(paper.authors) > MAX_AUTHORS_LONG:
        authors.append(f"… ({len(paper.authors)} authors)")
    parts: list[Text] = [header, title_cell(paper, pattern, style="bold")]
    if terms and not color:
        parts.append(Text(f"Matched: {', '.join(terms)}"))
    if reason is not None:
        parts.append(Text(f"Why: {reason.text()}", style="green"))
    if authors:
        parts.append(Text(", ".join(authors), style="dim"))
    if paper.ai_summary:
        summary = Text("AI summary: ", style="italic")
        summary.append_text(highlighted(paper.ai_summary, pattern))
        parts.append(summary)
    elif paper.abstract:
        parts.append(highlighted(paper.abstract, pattern))
    if paper.arxiv_comment:
        parts.append(Text(f"Comment: {paper.arxiv_comment}", style="dim"))
    if paper.github_repo:
        code = Text("Code: ")
        code.append(paper.github_repo, style="blue")
        if paper.github_stars is not None:
            code.append(f"  ★ {paper.github_stars}")
        parts.append(code)
    if paper.project_page:
        page = Text("Project: ")
        page.append(paper.project_page, style="blue")
        parts.append(page)
    parts.append(Text(paper.hf_url if "hf" in paper.sources else paper.arxiv_url, style="blue"))
    return Group(*parts)


def render(
    out: TextIO,
    sections: Sequence[Section],
    *,
    color: bool,
    terminal: bool,
    long: bool = False,
    width: int | None = None,
) -> None:
    """Draw a table per section, or with *long* one block per paper, under its title."""
    console = make_console(out, color=color, terminal=terminal, width=width)
    for number, section in enumerate(sections):
        if number:
            console.print()
        if not long:
            console.print(
                paper_table(
                    section.matches,
                    pattern=section.pattern,
                    title=section.title,
                    matched=section.watch is not None,
                    color=color,
                    explain=section.explain,
                )
            )
            continue
        console.print(Text(section.title, style="bold"))
        for match in section.matches:
            console.print()
            console.print(
                paper_block(
                    match.paper,
                    pattern=section.pattern,
                    terms=match.terms,
                    color=color,
                    reason=match.reason,
                    mark=match.mark,
                )
            )


def _line(label: str, value: str, style: str = "") -> Text:
    # The label alone is bold: a Text's own style would reach everything appended to it.
    text = Text()
    text.append(f"{label}: ", style="bold")
    text.append(value, style=style)
    return text


def paper_detail(
    paper: Paper,
    links: list[tuple[str, str, str]],
    *,
    pattern: re.Pattern[str] | None = None,
    reason: Reason | None = None,
) -> Group:
    """Everything known about one paper, for ``papertrack show`` and the browser's detail
    pane (with the terms highlighted, and why it ranks where it does)."""
    parts: list[Text] = [highlighted(paper.title, pattern, "bold"), Text(paper.id, style="cyan")]
    if reason is not None:
        parts.append(Text(f"Why: {reason.text()}", style="green"))
    if paper.authors:
        parts.append(_line("Authors", ", ".join(paper.authors)))
    dates = []
    if paper.published:
        dates.append(f"submitted {paper.published:%Y-%m-%d}")
    if paper.updated and paper.version and paper.version > 1:
        dates.append(f"v{paper.version} {paper.updated:%Y-%m-%d}")
    if paper.announced:
        dates.append(f"announced {paper.announced}")
    if paper.daily_date:
        dates.append(f"on HF Daily Papers {paper.daily_date}")
    if dates:
        parts.append(_line("Dates", ", ".join(dates)))
    if paper.categories:
        parts.append(_line("Categories", " ".join(paper.categories)))
    counts = []
    if paper.upvotes is not None:
        counts.append(f"▲ {paper.upvotes} upvotes")
    if paper.comments is not None:
        counts.append(f"{paper.comments} comments")
    if counts:
        parts.append(_line("Hugging Face", ", ".join(counts)))
    for label, value in (
        ("Comment", paper.arxiv_comment),
        ("Journal", paper.journal_ref),
        ("DOI", paper.doi),
    ):
        if value:
            parts.append(_line(label, value))
    if paper.ai_summary:
        summary = _line("AI summary", "")
        summary.append_text(highlighted(paper.ai_summary, pattern))
        parts.extend([Text(""), summary])
    if paper.ai_keywords:
        parts.append(_line("Keywords", ", ".join(paper.ai_keywords), "dim"))
    if paper.abstract:
        parts.extend(
            [Text(""), Text("Abstract", style="bold"), highlighted(paper.abstract, pattern)]
        )
    parts.append(Text(""))
    for label, url, extra in links:
        line = _line(label, url, "blue")
        if extra:
            line.append(f"  {extra}")
        parts.append(line)
    if paper.withdrawn:
        parts.append(Text("This paper has been withdrawn.", style="bold red"))
    return Group(*parts)


def render_detail(
    out: TextIO,
    paper: Paper,
    links: list[tuple[str, str, str]],
    *,
    color: bool,
    terminal: bool,
    width: int | None = None,
) -> None:
    console = make_console(out, color=color, terminal=terminal, width=width)
    console.print(paper_detail(paper, links))
