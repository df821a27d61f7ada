"""Plain-text faces of a listing: tab-separated lines, JSON, JSON Lines, CSV, Markdown.

No Rich here: a piped run should not pay for importing it. Every string written comes
from models already cleaned to one line without control characters.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from typing import Any, TextIO

from papertrack.matching import find_spans
from papertrack.models import Paper
from papertrack.query import Match
from papertrack.render import Section

LINE_FIELDS = ("id", "date", "source", "type", "upvotes", "stars", "saved", "title")
WATCH_LINE_FIELDS = (
    "id",
    "date",
    "source",
    "type",
    "upvotes",
    "stars",
    "saved",
    "watch",
    "matched",
    "title",
)
CSV_FIELDS = (
    "id",
    "date",
    "source",
    "type",
    "categories",
    "upvotes",
    "stars",
    "comments",
    "title",
    "authors",
    "github_repo",
    "project_page",
    "hf_url",
    "arxiv_url",
    "matched_terms",
    "saved",
)
_HIGHLIGHT_ON = "\x1b[1;33m"
_HIGHLIGHT_OFF = "\x1b[0m"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|$~&#!])")


def _num(value: int | None) -> str:
    return "" if value is None else str(value)


def _highlight(text: str, pattern: re.Pattern[str] | None, on: str, off: str) -> str:
    spans = find_spans(text, pattern)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.extend((text[last:start], on, text[start:end], off))
        last = end
    out.append(text[last:])
    return "".join(out)


def origin(paper: Paper) -> str:
    """Where a row came from, for people: ``HF``, an announce type, or ``HF+new``."""
    arxiv = paper.announce_type or ("arXiv" if "arxiv" in paper.sources else "")
    if "hf" in paper.sources:
        return f"HF+{arxiv}" if arxiv else "HF"
    return arxiv


def saved_label(match: Match) -> str:
    """The ``saved`` column: empty when not in the library, else ``saved`` or ``read``."""
    return match.mark.label if match.mark is not None else ""


def match_dict(match: Match, watch: str | None = None) -> dict[str, Any]:
    data = match.paper.to_dict()
    data["matched_terms"] = list(match.terms)
    mark = match.mark
    data["saved"] = mark is not None
    data["read"] = mark is not None and mark.read
    data["tags"] = list(mark.tags) if mark is not None else []
    if match.reason is not None:
        data["taste"] = match.reason.as_dict()
    if watch is not None:
        data["watch"] = watch
    return data


def _watched(sections: Sequence[Section]) -> bool:
    return any(section.watch for section in sections)


def write_lines(out: TextIO, sections: Sequence[Section], *, color: bool = False) -> None:
    """One paper per line (LINE_FIELDS, or WATCH_LINE_FIELDS with watch profiles; with
    --explain, the taste reason before the title), tab-separated, never wrapped; the title
    last."""
    watched = _watched(sections)
    explained = any(section.explain for section in sections)
    for section in sections:
        for match in section.matches:
            paper = match.paper
            title = paper.title
            if color:
                title = _highlight(title, section.pattern, _HIGHLIGHT_ON, _HIGHLIGHT_OFF)
            day = paper.date.isoformat() if paper.date else ""
            profile = f"{section.watch or ''}\t{', '.join(match.terms)}\t" if watched else ""
            if explained:
                profile += f"{match.reason.text() if match.reason else ''}\t"
            out.write(
                f"{paper.id}\t{day}\t{paper.source_label}\t{paper.announce_type or ''}\t"
                f"{_num(paper.upvotes)}\t{_num(paper.github_stars)}\t{saved_label(match)}\t"
                f"{profile}{title}\n"
            )


def _records(sections: Sequence[Section]) -> list[dict[str, Any]]:
    return [match_dict(m, s.watch) for s in sections for m in s.matches]


def write_json(out: TextIO, sections: Sequence[Section]) -> None:
    json.dump(_records(sections), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(out: TextIO, sections: Sequence[Section]) -> None:
    for record in _records(sections):
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")


def write_csv(out: TextIO, sections: Sequence[Section]) -> None:
    watched = _watched(sections)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_FIELDS, "watch"] if watched else CSV_FIELDS)
    for section in sections:
        for match in section.matches:
            row = _csv_row(match)
            cells = [*row, section.watch or ""] if watched else row
            writer.writerow([csv_cell(cell) for cell in cells])


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula (``=``, ``+``,
    ``-``, ``@``, tab, CR: OWASP's list) gets a leading ``'``, so a title such as
    ``=HYPERLINK(…)`` is never evaluated. JSON and lines output stay byte-faithful."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv_row(match: Match) -> list[str]:
    paper = match.paper
    return [
        paper.id,
        paper.date.isoformat() if paper.date else "",
        paper.source_label,
        paper.announce_type or "",
        " ".join(paper.categories),
        _num(paper.upvotes),
        _num(paper.github_stars),
        _num(paper.comments),
        paper.title,
        "; ".join(paper.authors),
        paper.github_repo or "",
        paper.project_page or "",
        paper.hf_url,
        paper.arxiv_url,
        "; ".join(match.terms),
        saved_label(match),
    ]


_PLAIN_CODE = re.compile(r"[A-Za-z0-9.\-]+")


def _md_code(text: str) -> str:
    """A category as inline code when it is a plain code; escaped text otherwise (a
    backtick would end the code span and let the rest be read as Markdown or HTML)."""
    return f"`{text}`" if _PLAIN_CODE.fullmatch(text) else md_escape(text)


def md_escape(text: str) -> str:
    """Backslash-escape what Markdown would read as markup (CommonMark allows it for all
    ASCII punctuation), so titles with ``$``, ``<think>`` or ``|`` print as written."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_highlight(text: str, pattern: re.Pattern[str] | None) -> str:
    spans = find_spans(text, pattern)
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(md_escape(text[last:start]))
        out.append(f"**{md_escape(text[start:end])}**")
        last = end
    out.append(md_escape(text[last:]))
    return "".join(out)


def write_md(out: TextIO, sections: Sequence[Section]) -> None:
    """GitHub-flavoured Markdown tables (a heading per watch profile); matched terms bold."""
    watched = _watched(sections)
    for number, section in enumerate(sections):
        if watched:
            out.write(f"{'' if number == 0 else chr(10)}## {md_escape(section.title)}\n\n")
        saved = any(m.mark is not None for m in section.matches)
        out.write(f"| ID | Date | From | ▲ | ★ | Title | Code |{' Saved |' if saved else ''}\n")
        out.write(f"|---|---|---|--:|--:|---|---|{'---|' if saved else ''}\n")
        for match in section.matches:
            paper = match.paper
            code = f"[code](<{paper.github_repo}>)" if paper.github_repo else ""
            day = paper.date.isoformat() if paper.date else ""
            out.write(
                f"| [{paper.id}](<{paper.hf_url}>) | {day} | {origin(paper)} | "
                f"{_num(paper.upvotes)} | {_num(paper.github_stars)} | "
                f"{md_highlight(paper.title, section.pattern)} | {code} |"
                f"{f' {saved_label(match)} |' if saved else ''}\n"
            )


def paper_links(paper: Paper) -> list[tuple[str, str, str]]:
    """``(label, url, note)`` for a paper: all http(s), built by us or checked by the parser."""
    links = [("Abstract", paper.arxiv_url, ""), ("PDF", paper.pdf_url, "")]
    if "hf" in paper.sources:
        links.append(("Hugging Face", paper.hf_url, ""))
    if paper.github_repo:
        stars = f"★ {paper.github_stars}" if paper.github_stars is not None else ""
        links.append(("Code", paper.github_repo, stars))
    if paper.project_page:
        links.append(("Project", paper.project_page, ""))
    return links


def write_detail_md(out: TextIO, paper: Paper) -> None:
    """One paper as a Markdown document."""
    out.write(f"# {md_escape(paper.title)}\n\n")
    out.write(f"**{paper.id}**")
    if paper.authors:
        out.write(f" · {md_escape(', '.join(paper.authors))}")
    out.write("\n\n")
    facts = []
    if paper.published:
        facts.append(f"Submitted {paper.published:%Y-%m-%d}")
    if paper.announced:
        facts.append(f"announced {paper.announced}")
    if paper.daily_date:
        facts.append(f"on Hugging Face Daily Papers {paper.daily_date}")
    if paper.categories:
        facts.append(" ".join(_md_code(c) for c in paper.categories))
    if paper.upvotes is not None:
        facts.append(f"▲ {paper.upvotes}")
    if facts:
        out.write(" · ".join(facts) + "\n\n")
    if paper.arxiv_comment:
        out.write(f"*Comment:* {md_escape(paper.arxiv_comment)}\n\n")
    if paper.ai_summary:
        out.write(f"**AI summary:** {md_escape(paper.ai_summary)}\n\n")
    if paper.abstract:
        out.write(f"## Abstract\n\n{md_escape(paper.abstract)}\n\n")
    out.write("## Links\n\n")
    for label, url, extra in paper_links(paper):
        out.write(f"- {label}: <{url}>{f' ({extra})' if extra else ''}\n")
