"""Digest documents: Markdown, HTML (an email body), plain text, JSON, RSS 2.0 and Atom.

Remote text is escaped for each format: HTML and XML through ``html.escape`` and
ElementTree, Markdown by backslashes; a title containing ``<script>`` stays text.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
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
            if paper.authors:
                lines.append(f"*{md_escape(authors(paper))}*  ")
            line = md_escape(facts(paper))
            if paper.github_repo:
                line += f" · [code](<{paper.github_repo}>)"
            lines.append(line)
            lines.append("")
            lines.append(_marked(short_summary(paper), section.pattern, md_escape, "**", "**"))
            if item.matched:
                lines.append("")
                lines.append(f"Matched: {md_escape(', '.join(item.matched))}")
            if item.reason is not None:
                lines.append("")
                lines.append(f"Why: {md_escape(item.reason.text())}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_text(sections: Sequence[DigestSection], generated: datetime) -> str:
    lines = [f"papertrack digest · {generated:%Y-%m-%d}", ""]
    for section in sections:
        if not section.items:
            continue
        heading = f"{section.watch} ({len(section.items)} new)"
        lines += [heading, "=" * len(heading), ""]
        for item in section.items:
            paper = item.paper
            lines.append(paper.title + (" (new version)" if item.update else ""))
            if paper.authors:
                lines.append(authors(paper))
            lines.append(facts(paper))
            lines.append(short_summary(paper))
            if item.matched:
                lines.append(f"Matched: {', '.join(item.matched)}")
            if item.reason is not None:
                lines.append(f"Why: {item.reason.text()}")
            lines.append(link(paper))
            if paper.github_repo:
                lines.append(f"Code: {paper.github_repo}")
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


# -- HTML (an email body: inline styles, no scripts, everything escaped) ----------------------

_STYLE = {
    "body": "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;"
    "max-width:720px;margin:0 auto;padding:16px;line-height:1.45",
    "h1": "font-size:20px;margin:0 0 16px",
    "h2": "font-size:17px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px",
    "item": "margin:0 0 18px",
    "title": "font-size:15px;font-weight:600;color:#0969da;text-decoration:none",
    "meta": "font-size:13px;color:#57606a;margin:2px 0",
    "summary": "font-size:14px;margin:4px 0",
    "mark": "background:#fff3b0;font-weight:600",
}


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(sections: Sequence[DigestSection], generated: datetime) -> str:
    marked_on = f'<strong style="{_STYLE["mark"]}">'
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>papertrack digest {generated:%Y-%m-%d}</title></head>",
        f'<body style="{_STYLE["body"]}">',
        f'<h1 style="{_STYLE["h1"]}">papertrack digest · {generated:%Y-%m-%d}</h1>',
    ]
    for section in sections:
        if not section.items:
            continue
        parts.append(
            f'<h2 style="{_STYLE["h2"]}">{_h(section.watch)} ({len(section.items)} new)</h2>'
        )
        for item in section.items:
            paper = item.paper
            title = _marked(paper.title, section.pattern, _h, marked_on, "</strong>")
            update = " <em>(new version)</em>" if item.update else ""
            parts.append(f'<div style="{_STYLE["item"]}">')
            parts.append(
                f'<a href="{_h(link(paper))}" style="{_STYLE["title"]}">{title}</a>{update}'
            )
            if paper.authors:
                parts.append(f'<div style="{_STYLE["meta"]}">{_h(authors(paper))}</div>')
            meta = _h(facts(paper))
            if paper.github_repo:
                meta += f' · <a href="{_h(paper.github_repo)}">code</a>'
            parts.append(f'<div style="{_STYLE["meta"]}">{meta}</div>')
            summary = _marked(short_summary(paper), section.pattern, _h, marked_on, "</strong>")
            parts.append(f'<div style="{_STYLE["summary"]}">{summary}</div>')
            if item.matched:
                parts.append(
                    f'<div style="{_STYLE["meta"]}">Matched: {_h(", ".join(item.matched))}</div>'
                )
            if item.reason is not None:
                parts.append(f'<div style="{_STYLE["meta"]}">Why: {_h(item.reason.text())}</div>')
            parts.append("</div>")
    parts.append(
        f'<p style="{_STYLE["meta"]}">Sent by papertrack {_h(__version__)}. '
        "Thank you to arXiv for use of its open access interoperability.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


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
