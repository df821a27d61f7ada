"""`show` and `open`: one paper, by id or URL."""

from __future__ import annotations

import json
import re

from papertrack.choices import CITATIONS
from papertrack.cli.choices import ColorChoice, FormatChoice, ShowFormatChoice
from papertrack.cli.common import make_session, terminal_width, write_sections
from papertrack.cli.context import Context
from papertrack.errors import NotCachedError, PapertrackError, UsageError
from papertrack.models import Paper, is_new_style, parse_paper_ref
from papertrack.query import Match
from papertrack.render import use_color
from papertrack.session import Mode

_GITHUB = re.compile(
    r"https?://(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/([A-Za-z0-9._-]{1,100})/?"
)


def paper_ref(text: str) -> tuple[str, int | None]:
    parsed = parse_paper_ref(text)
    if parsed is None:
        raise UsageError(
            f"{text!r} is not an arXiv id or paper URL: ids are YYMM.NNNNN (YYMM.NNNN before "
            "2015) with a month from 01 to 12, or archive/YYMMNNN before 2007; e.g. "
            "2408.12345, 2408.12345v2, arXiv:2408.12345, hep-th/9901001, "
            "https://arxiv.org/abs/2408.12345, https://huggingface.co/papers/2408.12345"
        )
    return parsed


def fetch_paper(context: Context, text: str, mode: Mode) -> Paper:
    from papertrack.papers import lookup

    paper_id, version = paper_ref(text)
    with make_session(context, mode) as session:
        paper = lookup(session, paper_id, version)
    shown = f"{paper_id}v{version}" if version else paper_id
    if paper is None and mode == "offline":
        raise NotCachedError(
            f"{shown} is not in the cache", hint="run without --offline to look it up"
        )
    if paper is None:
        raise PapertrackError(
            f"no paper {shown} on Hugging Face or arXiv",
            hint="check the id; new papers reach the arXiv API a few hours after announcement",
        )
    return paper


def run_show(
    context: Context, text: str, *, fmt: ShowFormatChoice | None, color: ColorChoice, mode: Mode
) -> None:
    """One paper: a readable page (table, the default), a Markdown document (md), one JSON
    object (json), the one row ``list`` would print (lines, jsonl, csv), or a citation
    (bibtex, ris, csl-json)."""
    paper = fetch_paper(context, text, mode)
    out = context.stdout
    if fmt is not None and fmt.value in CITATIONS:
        from papertrack.render import cite

        if fmt.value == "bibtex":
            out.write(cite.bibtex(paper) + "\n")
        elif fmt.value == "ris":
            out.write(cite.write_ris([(paper, (), "")]))
        else:
            out.write(cite.write_csl([(paper, (), "")]))
        return
    listed = FormatChoice(fmt.value) if fmt is not None and fmt.value != "table" else None
    if listed is FormatChoice.json:
        from papertrack.render.formats import match_dict

        json.dump(match_dict(Match(paper)), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif listed in (FormatChoice.lines, FormatChoice.jsonl, FormatChoice.csv):
        from papertrack.render import Section

        write_sections(context, [Section(paper.id, [Match(paper)], 1)], fmt=listed, color=color)
    elif listed is FormatChoice.md:
        from papertrack.render.formats import write_detail_md

        write_detail_md(out, paper)
    else:
        from papertrack.render.formats import paper_links
        from papertrack.render.terminal import render_detail

        isatty = context.stdout_isatty
        painted = use_color(color.value, isatty=isatty, environ=context.environ)
        render_detail(
            out,
            paper,
            paper_links(paper),
            color=painted,
            terminal=isatty or painted,
            width=terminal_width(context),
        )


def code_url(paper: Paper) -> str | None:
    """The paper's GitHub repository, rebuilt from its owner and name so nothing else a
    server sent ends up in a browser."""
    match = _GITHUB.fullmatch(paper.github_repo or "")
    if match is None:
        return None
    return f"https://github.com/{match.group(1)}/{match.group(2)}"


def run_open(context: Context, text: str, *, target: str, print_only: bool, mode: Mode) -> None:
    paper_id, version = paper_ref(text)
    versioned = f"{paper_id}v{version}" if version else paper_id
    if target in ("hf", "code") and not is_new_style(paper_id):
        raise UsageError(
            f"{paper_id} has no Hugging Face page, so no --{target} link: Hugging Face has "
            "pages only for new-style arXiv ids (YYMM.NNNNN); try --pdf or the abstract page"
        )
    if target == "pdf":
        url = f"https://arxiv.org/pdf/{versioned}"
    elif target == "hf":
        url = f"https://huggingface.co/papers/{paper_id}"
    elif target == "code":
        found = code_url(fetch_paper(context, text, mode))
        if found is None:
            raise PapertrackError(f"{paper_id} has no GitHub repository on Hugging Face")
        url = found
    else:
        url = f"https://arxiv.org/abs/{versioned}"
    if print_only:
        context.write(f"{url}\n")
        return
    context.note(f"Opening {url}")
    if not open_browser(url, context.environ.get("BROWSER", "")):
        raise PapertrackError(f"could not start a web browser for {url}", hint="set BROWSER")


def open_browser(url: str, browser: str) -> bool:
    """Start ``$BROWSER`` as Python's webbrowser reads it (commands separated by the path
    separator, ``%s`` for the URL), else the platform's default browser."""
    import os
    import shlex
    import subprocess

    for command in filter(None, (c.strip() for c in browser.split(os.pathsep))):
        argv = shlex.split(command)
        argv = [a.replace("%s", url) for a in argv] if "%s" in command else [*argv, url]
        try:
            if subprocess.run(argv, check=False).returncode == 0:
                return True
        except OSError:
            continue
    if browser.strip():
        return False
    import webbrowser

    return webbrowser.open(url)
