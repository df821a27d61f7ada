"""`show` and `open`: one paper, by id or URL."""

from __future__ import annotations

import json
import re

from papertrack.cli.choices import ColorChoice, FormatChoice
from papertrack.cli.context import Context
from papertrack.cli.listing import make_loader, terminal_width
from papertrack.errors import PapertrackError, UsageError
from papertrack.listings import Mode
from papertrack.models import Paper, parse_paper_ref
from papertrack.render import use_color

_GITHUB = re.compile(
    r"https?://(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/([A-Za-z0-9._-]{1,100})/?"
)


def paper_ref(text: str) -> tuple[str, int | None]:
    parsed = parse_paper_ref(text)
    if parsed is None:
        raise UsageError(
            f"{text!r} is not an arXiv id or paper URL (e.g. 2408.12345, 2408.12345v2, "
            "arXiv:2408.12345, https://arxiv.org/abs/2408.12345, "
            "https://huggingface.co/papers/2408.12345)"
        )
    return parsed


def fetch_paper(context: Context, text: str, mode: Mode) -> Paper:
    from papertrack.papers import lookup

    paper_id, version = paper_ref(text)
    with make_loader(context, mode) as loader:
        paper = lookup(loader, paper_id, version)
    if paper is None:
        shown = f"{paper_id}v{version}" if version else paper_id
        raise PapertrackError(
            f"no paper {shown} on Hugging Face or arXiv",
            hint="check the id; new papers reach the arXiv API a few hours after announcement",
        )
    return paper


def run_show(
    context: Context, text: str, *, fmt: FormatChoice | None, color: ColorChoice, mode: Mode
) -> None:
    if fmt not in (None, FormatChoice.table, FormatChoice.json, FormatChoice.md):
        raise UsageError(f"show prints table, json or md, not {fmt.value}")
    paper = fetch_paper(context, text, mode)
    out = context.stdout
    if fmt is FormatChoice.json:
        json.dump(paper.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is FormatChoice.md:
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
