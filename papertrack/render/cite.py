"""Citations: BibTeX exactly as arXiv writes it, RIS, and CSL-JSON (what Zotero, Pandoc and
citeproc read). Pure: papers in, text out.

The BibTeX entry and its key follow arXiv's own ``/bibtex/ID`` output
(shared/reference/bibtex.md), so a citation saved from arXiv and one from papertrack are the
same bytes and the same key. Names are split into given and family names the way arXiv's
author parser does (particles such as "Del" or "van der" belong to the family name); where
arXiv's code writes a stray "au2" after a suffix (Jr., III), papertrack does not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from papertrack.models import Paper
from papertrack.words import stop_words

# The surname particles and suffixes arXiv's author parser knows (arxiv-base, arxiv/authors),
# matched regardless of case, as it does.
_PARTICLE = r"(?:van|der|de|la|von|del|della|da|mac|ter|dem|di|vaziri)"
_NAME_SHAPES = (
    re.compile(rf"^(.*)\s+({_PARTICLE}\s{_PARTICLE}\s\S+)()$", re.IGNORECASE),
    re.compile(rf"^(.*)\s+({_PARTICLE}\s\S+)()$", re.IGNORECASE),
    re.compile(r"^(.*)\s+(\S+)\s(I|II|III|IV|V|Sr|Jr|Sr\.|Jr\.)$", re.IGNORECASE),
    re.compile(r"^(.*)\s+(\S+)()$"),
)
_DOT = re.compile(r"(?<!\\)\.(\S)")


def parse_name(name: str) -> tuple[str, str, str]:
    """(given names, family name, suffix) of "Firstnames Lastname", as arXiv splits them:
    spaces collapsed, a space after each initial's dot, particles kept with the family name
    ("Del Maestro", "van der Waals")."""
    tidy = _DOT.sub(r". \1", " ".join(name.split()))
    for shape in _NAME_SHAPES:
        match = shape.match(tidy)
        if match:
            return match.group(1), match.group(2), match.group(3)
    return "", tidy, ""


def split_name(name: str) -> tuple[str, str]:
    """(given names, family name)."""
    given, family, _ = parse_name(name)
    return given, family


def display_name(name: str) -> str:
    """The name as arXiv's BibTeX writes it: "Firstnames Lastname" (and a suffix; arXiv's
    own code adds a stray "au2" after one, which is not copied)."""
    return " ".join(part for part in parse_name(name) if part)


def year(paper: Paper) -> str | None:
    """The year of the latest version (arXiv's rule), else of the first."""
    when = paper.updated or paper.published
    return str(when.year) if when else None


def title_text(paper: Paper) -> str:
    return " ".join(paper.title.split())


def citation_key(paper: Paper) -> str:
    family = split_name(paper.authors[0])[1] if paper.authors else ""
    stops = stop_words()
    words = [w for w in title_text(paper).split(" ") if w.lower() not in stops][:4]
    raw = (family or "unknown") + (year(paper) or "") + "".join(words)
    return "".join(c for c in raw if c.isalnum()).lower()


def bibtex(paper: Paper) -> str:
    """arXiv's ``@misc`` entry for *paper*, byte for byte (no newline after the ``}``)."""
    lines = [
        f"@misc{{{citation_key(paper)},",
        f"      title={{{title_text(paper)}}}, ",
        f"      author={{{' and '.join(display_name(a) for a in paper.authors)}}},",
        f"      year={{{year(paper) or ''}}},",
        f"      eprint={{{paper.id}}},",
        "      archivePrefix={arXiv},",
        f"      primaryClass={{{paper.primary_category or 'unknown'}}},",
    ]
    if paper.doi:
        lines.append(f"      doi={{https://doi.org/{paper.doi}}},")
    lines.append(f"      url={{https://arxiv.org/abs/{paper.id}}}, ")
    lines.append("}")
    return "\n".join(lines)


def write_bibtex(papers: Sequence[Paper]) -> str:
    return "\n\n".join(bibtex(p) for p in papers) + ("\n" if papers else "")


def arxiv_doi(paper: Paper) -> str:
    """The DOI arXiv registers for every paper."""
    return f"10.48550/arXiv.{paper.id}"


def ris(paper: Paper, tags: Sequence[str] = (), note: str = "") -> str:
    lines = ["TY  - UNPB", f"TI  - {title_text(paper)}"]
    for author in paper.authors:
        given, family = split_name(author)
        lines.append(f"AU  - {family}, {given}" if given else f"AU  - {family}")
    if year(paper):
        lines.append(f"PY  - {year(paper)}")
    if paper.published:
        lines.append(f"DA  - {paper.published:%Y/%m/%d}")
    if paper.abstract:
        lines.append(f"AB  - {' '.join(paper.abstract.split())}")
    lines += [
        f"UR  - https://arxiv.org/abs/{paper.id}",
        f"DO  - {paper.doi or arxiv_doi(paper)}",
        "PB  - arXiv",
        f"M1  - arXiv:{paper.id}",
    ]
    lines += [f"KW  - {tag}" for tag in tags]
    if note:
        lines.append(f"N1  - {' '.join(note.split())}")
    lines.append("ER  - ")
    return "\n".join(lines)


def write_ris(items: Sequence[tuple[Paper, Sequence[str], str]]) -> str:
    return "".join(ris(p, tags, note) + "\n\n" for p, tags, note in items)


def csl(paper: Paper, tags: Sequence[str] = (), note: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": citation_key(paper),
        "type": "article",
        "title": title_text(paper),
        "author": [_csl_name(a) for a in paper.authors],
        "publisher": "arXiv",
        "number": f"arXiv:{paper.id}",
        "DOI": paper.doi or arxiv_doi(paper),
        "URL": f"https://arxiv.org/abs/{paper.id}",
    }
    when = paper.updated or paper.published
    if when:
        item["issued"] = {"date-parts": [[when.year, when.month, when.day]]}
    if paper.abstract:
        item["abstract"] = " ".join(paper.abstract.split())
    if tags:
        item["keyword"] = ", ".join(tags)
    if note:
        item["note"] = note
    return item


def _csl_name(name: str) -> dict[str, str]:
    given, family = split_name(name)
    return {"family": family, "given": given} if given else {"literal": family}


def write_csl(items: Sequence[tuple[Paper, Sequence[str], str]]) -> str:
    return json.dumps([csl(p, t, n) for p, t, n in items], ensure_ascii=False, indent=2) + "\n"
