"""Digest documents: Markdown, HTML (an email body), plain text, JSON, RSS 2.0 and Atom.

Remote text is escaped for each format: HTML and XML through ``html.escape`` and
ElementTree, Markdown by backslashes; a title containing ``<script>`` stays text.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from email.utils import format_datetime

from papertrack import __version__
from papertrack.digest import DigestItem, DigestSection
from papertrack.matching import find_spans
from papertrack.models import Paper, format_timestamp
from papertrack.render.formats import md_escape

SUMMARY_CHARS = 400
FEED_ITEMS = 100
MAX_AUTHORS = 8


def short_summary(paper: Paper, limit: int = SUMMARY_CHARS) -> str:
    """The AI summary, else the abstract cut at a word boundary."""
    text = paper.ai_summary or paper.abstract
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"


def link(paper: Paper) -> str:
    return paper.hf_url if "hf" in paper.sources else paper.arxiv_url


def authors(paper: Paper) -> str:
    names = list(paper.authors[:MAX_AUTHORS])
    if len(paper.authors) > MAX_AUTHORS:
        names.append(f"et al. ({len(paper.authors)} authors)")
    return ", ".join(names)


def facts(paper: Paper) -> str:
    parts: list[str] = []
    if paper.upvotes is not None:
        parts.append(f"▲ {paper.upvotes}")
    if paper.github_repo:
        parts.append(f"★ {paper.github_stars}" if paper.github_stars is not None else "code")
    if paper.categories:
        parts.append(" ".join(paper.categories[:4]))
    if paper.announce_type:
        parts.append(paper.announce_type)
    if paper.date:
        parts.append(paper.date.isoformat())
    return " · ".join(parts)


def _marked(text: str, pattern: re.Pattern[str] | None, escape: object, on: str, off: str) -> str:
    escaper = escape if callable(escape) else str
    out: list[str] = []
    last = 0
    for start, end in find_spans(text, pattern):
        out.append(escaper(text[last:start]))
        out.append(f"{on}{escaper(text[start:end])}{off}")
        last = end
    out.append(escaper(text[last:]))
    return "".join(out)


def count_items(sections: Sequence[DigestSection]) -> int:
    return sum(len(s.items) for s in sections)


def subject(sections: Sequence[DigestSection], generated: datetime, prefix: str) -> str:
    total = count_items(sections)
    names = ", ".join(s.watch for s in sections if s.items)
    return (
        f"{prefix}: {total} new paper{'s' if total != 1 else ''} ({names}) · {generated:%Y-%m-%d}"
    )


# -- Markdown and text ----------------------------------------------------------------------

WRAP = 78
"""Columns of the plain-text mail part and of the Markdown file's prose: read as they are
in a terminal or a mail client that shows text only. URLs are never broken."""


def wrapped(text: str, indent: str = "", *, first: str | None = None) -> list[str]:
    """*text* wrapped at WRAP columns, every line indented by *indent* (the first by
    *first*, when given)."""
    import textwrap

    return textwrap.wrap(
        text,
        WRAP,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def render_md(sections: Sequence[DigestSection], generated: datetime) -> str:
    lines = [f"# papertrack digest · {generated:%Y-%m-%d}", ""]
    for section in sections:
        if not section.items:
            continue
        lines += [f"## {md_escape(section.watch)} ({len(section.items)} new)", ""]
        for item in section.items:
            paper = item.paper
            update = " *(new version)*" if item.update else ""
            title = _marked(paper.title, section.pattern, md_escape, "**", "**")
            lines.append(f"### [{title}](<{link(paper)}>){update}")
            lines.append("")
            # Every ASCII punctuation mark is escaped, so no wrapped line can begin a list, a
            # heading or a quote.
            if paper.authors:
                author_lines = wrapped(f"*{md_escape(authors(paper))}*")
                author_lines[-1] += "  "  # a line break before the facts
                lines += author_lines
            line = md_escape(facts(paper))
            if paper.github_repo:
                line += f" · [code](<{paper.github_repo}>)"
            lines.append(line)
            lines.append("")
            summary = _marked(short_summary(paper), section.pattern, md_escape, "**", "**")
            lines += wrapped(summary)
            if item.matched:
                lines.append("")
                lines += wrapped(f"Matched: {md_escape(', '.join(item.matched))}")
            if item.reason is not None:
                lines.append("")
                lines += wrapped(f"Why: {md_escape(item.reason.text())}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_text(sections: Sequence[DigestSection], generated: datetime) -> str:
    lines = [f"papertrack digest · {generated:%Y-%m-%d}", ""]
    for section in sections:
        if not section.items:
            continue
        heading = f"{section.watch} ({len(section.items)} new)"
        lines += [heading, "=" * len(heading), ""]
        for number, item in enumerate(section.items, 1):
            paper = item.paper
            body = "   "  # under the title, past its number
            title = paper.title + (" (new version)" if item.update else "")
            lines += wrapped(title, body, first=f"{number}. ".ljust(len(body)))
            if paper.authors:
                lines += wrapped(authors(paper), body)
            lines += wrapped(facts(paper), body)
            lines.append("")
            lines += wrapped(short_summary(paper), body)
            if item.matched:
                lines += wrapped(f"Matched: {', '.join(item.matched)}", body)
            if item.reason is not None:
                lines += wrapped(f"Why: {item.reason.text()}", body)
            lines.append(f"{body}{link(paper)}")
            if paper.github_repo:
                lines.append(f"{body}Code: {paper.github_repo}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_json(sections: Sequence[DigestSection], generated: datetime) -> str:
    document = {
        "generated": format_timestamp(generated),
        "sections": [
            {
                "watch": section.watch,
                "read": section.label,
                "papers": [
                    {
                        **item.paper.to_dict(),
                        "matched_terms": list(item.matched),
                        "update": item.update,
                        **({"taste": item.reason.as_dict()} if item.reason else {}),
                    }
                    for item in section.items
                ],
            }
            for section in sections
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# -- HTML (an email body) ----------------------------------------------------------------------
#
# Mail clients drop <link>ed style sheets, scripts and most of <style>, so every rule is inline
# and the layout is tables (the one layout Outlook's Word engine draws). The only <style> is
# the dark-mode variant, which inline styles cannot express; clients that drop it keep the
# light one. A single column of at most 640 px that shrinks to the screen, and text that
# wraps anywhere (a long URL-like title), so a 375 px phone never scrolls sideways.

_LIGHT = {
    "page": "#f6f8fa",
    "card": "#ffffff",
    "text": "#1f2328",
    "muted": "#57606a",
    "link": "#0969da",
    "rule": "#d0d7de",
    "mark": "#fff3b0",
}
_FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif"
_WRAP = "word-wrap:break-word;overflow-wrap:anywhere;word-break:break-word"
_STYLE = {
    "body": f"margin:0;padding:0;background:{_LIGHT['page']};color:{_LIGHT['text']}",
    "page": f"width:100%;background:{_LIGHT['page']}",
    "column": "width:100%;max-width:640px",
    "h1": f"font-family:{_FONT};font-size:20px;line-height:1.3;font-weight:700;"
    f"color:{_LIGHT['text']};padding:16px 4px 4px",
    "lead": f"font-family:{_FONT};font-size:13px;color:{_LIGHT['muted']};padding:0 4px 8px",
    "h2": f"font-family:{_FONT};font-size:17px;line-height:1.3;font-weight:700;"
    f"color:{_LIGHT['text']};padding:18px 4px 8px;border-bottom:1px solid {_LIGHT['rule']}",
    "card": f"background:{_LIGHT['card']};border:1px solid {_LIGHT['rule']};border-radius:6px;"
    f"padding:12px 14px;font-family:{_FONT};color:{_LIGHT['text']};{_WRAP}",
    "gap": "height:10px;line-height:10px;font-size:1px",
    "title": f"font-size:16px;line-height:1.35;font-weight:600;color:{_LIGHT['link']};"
    "text-decoration:none",
    "meta": f"font-size:13px;line-height:1.45;color:{_LIGHT['muted']};margin:4px 0 0",
    "summary": f"font-size:14px;line-height:1.5;margin:8px 0 0;color:{_LIGHT['text']}",
    "why": f"font-size:13px;line-height:1.45;color:{_LIGHT['muted']};margin:8px 0 0;"
    "font-style:italic",
    "mark": f"background:{_LIGHT['mark']};color:{_LIGHT['text']};font-weight:600",
    "link": f"color:{_LIGHT['link']}",
    "footer": f"font-family:{_FONT};font-size:12px;color:{_LIGHT['muted']};padding:16px 4px",
}
_DARK = """@media (prefers-color-scheme: dark) {
  .pt-page { background:#0d1117 !important; color:#e6edf3 !important; }
  .pt-card { background:#161b22 !important; border-color:#30363d !important;
             color:#e6edf3 !important; }
  .pt-text { color:#e6edf3 !important; }
  .pt-muted { color:#9198a1 !important; }
  .pt-link { color:#4493f8 !important; }
  .pt-rule { border-color:#30363d !important; }
  .pt-mark { background:#4d3b00 !important; color:#ffe28a !important; }
}"""


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _block(style: str, css_class: str, content: str) -> str:
    return f'<div class="{css_class}" style="{_STYLE[style]}">{content}</div>'


def _row(style: str, css_class: str, content: str) -> str:
    return f'<tr><td class="{css_class}" style="{_STYLE[style]}">{content}</td></tr>'


def render_html(sections: Sequence[DigestSection], generated: datetime) -> str:
    """An email-safe document: inline styles, a table layout, a dark variant, no scripts and
    nothing fetched; every remote string escaped, links only to URLs papertrack built or
    checked (papertrack.text.clean_url takes http and https alone)."""
    mark_on = f'<strong class="pt-mark" style="{_STYLE["mark"]}">'
    total = count_items(sections)
    day = f"{generated:%Y-%m-%d}"
    table = 'role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"'
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        '<meta name="supported-color-schemes" content="light dark">',
        f"<title>papertrack digest {day}</title>",
        f"<style>\n{_DARK}\n</style></head>",
        f'<body class="pt-page" style="{_STYLE["body"]}">',
        f'<table {table} class="pt-page" style="{_STYLE["page"]}"><tr>',
        '<td align="center" style="padding:0 8px">',
        f'<table {table} style="{_STYLE["column"]}">',
        _row("h1", "pt-text", f"papertrack digest · {day}"),
        _row("lead", "pt-muted", f"{total} new paper{'s' if total != 1 else ''}"),
    ]
    for section in sections:
        if not section.items:
            continue
        heading = f"{_h(section.watch)} ({len(section.items)} new)"
        parts.append(_row("h2", "pt-text pt-rule", heading))
        parts.append(f'<tr><td style="{_STYLE["gap"]}">&nbsp;</td></tr>')
        for item in section.items:
            parts.append(_row("card", "pt-card", _card(item, section, mark_on)))
            parts.append(f'<tr><td style="{_STYLE["gap"]}">&nbsp;</td></tr>')
    footer = (
        f"Sent by papertrack {_h(__version__)}. "
        "Thank you to arXiv for use of its open access interoperability."
    )
    parts += [_row("footer", "pt-muted", footer), "</table></td></tr></table>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _card(item: DigestItem, section: DigestSection, mark_on: str) -> str:
    paper = item.paper
    title = _marked(paper.title, section.pattern, _h, mark_on, "</strong>")
    update = " <em>(new version)</em>" if item.update else ""
    lines = [
        f'<a class="pt-title pt-link" href="{_h(link(paper))}" style="{_STYLE["title"]}">'
        f"{title}</a>{update}"
    ]
    if paper.authors:
        lines.append(_block("meta", "pt-muted", _h(authors(paper))))
    meta = _h(facts(paper))
    if paper.github_repo:
        meta += (
            f' · <a class="pt-link" href="{_h(paper.github_repo)}" '
            f'style="{_STYLE["link"]}">code</a>'
        )
    lines.append(_block("meta", "pt-muted", meta))
    summary = _marked(short_summary(paper), section.pattern, _h, mark_on, "</strong>")
    lines.append(_block("summary", "pt-text", summary))
    reasons = []
    if item.matched:
        reasons.append(f"Matched: {_h(', '.join(item.matched))}")
    if item.reason is not None:
        reasons.append(f"Why: {_h(item.reason.text())}")
    if reasons:
        lines.append(_block("why", "pt-muted", "<br>".join(reasons)))
    return "".join(lines)


# -- chat and push messages (papertrack.notify) ------------------------------------------------

NoticeFormat = str
"""``markdown``, ``html`` or ``text``: what the service renders (Apprise's NotifyFormat)."""
NOTICE_SUMMARY = 160


def _notice_entry(item: DigestItem, fmt: NoticeFormat) -> str:
    """One paper, a few lines: the linked title, the facts and why it matched, a short
    summary. HTML is the subset Telegram takes (b, i, a; line breaks as newlines)."""
    paper = item.paper
    summary = short_summary(paper, NOTICE_SUMMARY)
    why = f"matched: {', '.join(item.matched)}" if item.matched else ""
    if item.reason is not None:
        why = f"{why}; {item.reason.text()}" if why else item.reason.text()
    update = " (new version)" if item.update else ""
    if fmt == "markdown":
        lines = [
            f"**[{md_escape(paper.title)}](<{link(paper)}>)**{update}",
            md_escape(facts(paper)),
        ]
        lines += [f"*{md_escape(why)}*"] if why else []
        lines.append(md_escape(summary))
    elif fmt == "html":
        lines = [
            f'<b><a href="{_h(link(paper))}">{_h(paper.title)}</a></b>{update}',
            _h(facts(paper)),
        ]
        lines += [f"<i>{_h(why)}</i>"] if why else []
        lines.append(_h(summary))
    else:
        lines = [f"• {paper.title}{update}", f"  {facts(paper)}"]
        lines += [f"  {why}"] if why else []
        lines += [f"  {summary}", f"  {link(paper)}"]
    return "\n".join(lines)


def _notice_heading(section: DigestSection, fmt: NoticeFormat) -> str:
    heading = f"{section.watch} ({len(section.items)} new)"
    if fmt == "markdown":
        return f"### {md_escape(heading)}"
    return f"<b>{_h(heading)}</b>" if fmt == "html" else heading.upper()


def render_notice(
    sections: Sequence[DigestSection],
    fmt: NoticeFormat,
    limit: int,
    size: Callable[[str], int] = len,
) -> list[str]:
    """The digest as message bodies of at most *limit* each, as *size* measures them
    (characters, or bytes as a service's API encodes them): one body when it fits, else as
    many as it takes, split between papers. A paper too long on its own shrinks to its
    title and link, as text, so no markup is cut in half. The caller numbers the parts in
    their titles."""
    blocks: list[str] = []
    for section in sections:
        if not section.items:
            continue
        blocks.append(_notice_heading(section, fmt))
        for item in section.items:
            block = _notice_entry(item, fmt)
            if size(block) > limit:
                block = _brief(item, fmt, limit, size)
            blocks.append(block)
    bodies: list[str] = []
    current = ""
    for block in blocks:
        joined = f"{current}\n\n{block}" if current else block
        if size(joined) <= limit:
            current = joined
            continue
        bodies.append(current)
        current = _fit(block, limit, size)
    if current:
        bodies.append(current)
    return bodies


def _brief(item: DigestItem, fmt: NoticeFormat, limit: int, size: Callable[[str], int]) -> str:
    """A paper too long for a message on its own: its title, shortened until it fits, and
    its link. The title is cut before it is escaped, so no escape is cut in half."""
    escape = {"markdown": md_escape, "html": _h}.get(fmt, str)
    title, url = item.paper.title, link(item.paper)
    block = f"{escape(title)} {url}"
    while title and size(block) > limit:
        title = title[: len(title) * 3 // 4]
        block = f"{escape(title)}… {url}"
    return block if size(block) <= limit else _fit(url, limit, size)


def _fit(text: str, limit: int, size: Callable[[str], int]) -> str:
    while text and size(text) > limit:
        text = text[: min(len(text) * limit // max(size(text), 1), len(text) - 1)]
    return text


# -- feeds ------------------------------------------------------------------------------------


def _feed_items(items: Sequence[tuple[DigestItem, datetime]]) -> list[tuple[DigestItem, datetime]]:
    return list(items[:FEED_ITEMS])


def render_rss(items: Sequence[tuple[DigestItem, datetime]], generated: datetime) -> str:
    """RSS 2.0 of the latest delivered items (newest first), for a feed reader."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = "papertrack digest"
    ET.SubElement(channel, "link").text = "https://huggingface.co/papers"
    ET.SubElement(channel, "description").text = "New papers matching your papertrack watches"
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(
        generated.astimezone(timezone.utc)
    )
    ET.SubElement(channel, "generator").text = f"papertrack {__version__}"
    for item, sent_at in _feed_items(items):
        paper = item.paper
        entry = ET.SubElement(channel, "item")
        ET.SubElement(entry, "title").text = paper.title + (" (new version)" if item.update else "")
        ET.SubElement(entry, "link").text = link(paper)
        guid = f"papertrack:{item.watch}:{paper.id}" + (f"v{paper.version}" if item.update else "")
        ET.SubElement(entry, "guid", {"isPermaLink": "false"}).text = guid
        ET.SubElement(entry, "pubDate").text = format_datetime(sent_at.astimezone(timezone.utc))
        ET.SubElement(entry, "category").text = item.watch
        description = f"{authors(paper)}\n{facts(paper)}\n\n{short_summary(paper)}"
        if item.reason is not None:
            description += f"\n\nWhy: {item.reason.text()}"
        ET.SubElement(entry, "description").text = description
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


def render_atom(items: Sequence[tuple[DigestItem, datetime]], generated: datetime) -> str:
    """Atom 1.0 of the latest delivered items (newest first)."""
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    feed = ET.Element(f"{{{ns}}}feed")
    ET.SubElement(feed, f"{{{ns}}}id").text = "urn:papertrack:digest"
    ET.SubElement(feed, f"{{{ns}}}title").text = "papertrack digest"
    ET.SubElement(feed, f"{{{ns}}}updated").text = format_timestamp(generated)
    author = ET.SubElement(feed, f"{{{ns}}}author")
    ET.SubElement(author, f"{{{ns}}}name").text = "papertrack"
    ET.SubElement(feed, f"{{{ns}}}generator", {"version": __version__}).text = "papertrack"
    for item, sent_at in _feed_items(items):
        paper = item.paper
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        suffix = f"v{paper.version}" if item.update and paper.version else ""
        ET.SubElement(entry, f"{{{ns}}}id").text = f"urn:papertrack:{item.watch}:{paper.id}{suffix}"
        ET.SubElement(entry, f"{{{ns}}}title").text = paper.title
        ET.SubElement(entry, f"{{{ns}}}link", {"href": link(paper), "rel": "alternate"})
        ET.SubElement(entry, f"{{{ns}}}updated").text = format_timestamp(sent_at)
        ET.SubElement(entry, f"{{{ns}}}category", {"term": item.watch})
        for name in paper.authors[:MAX_AUTHORS]:
            ET.SubElement(ET.SubElement(entry, f"{{{ns}}}author"), f"{{{ns}}}name").text = name
        ET.SubElement(entry, f"{{{ns}}}summary").text = f"{facts(paper)}\n\n{short_summary(paper)}"
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def render(
    fmt: str,
    sections: Sequence[DigestSection],
    generated: datetime,
    feed_items: Sequence[tuple[DigestItem, datetime]] = (),
) -> str:
    if fmt == "md":
        return render_md(sections, generated)
    if fmt == "html":
        return render_html(sections, generated)
    if fmt == "text":
        return render_text(sections, generated)
    if fmt == "json":
        return render_json(sections, generated)
    if fmt == "rss":
        return render_rss(feed_items, generated)
    return render_atom(feed_items, generated)
