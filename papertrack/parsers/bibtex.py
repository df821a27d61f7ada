"""Reading BibTeX files (Zotero, Better BibTeX, JabRef, by hand) far enough to find the arXiv
papers in them. Pure; a malformed file is a ParseError naming the line.

Entries are ``@type{key, name = value, …}`` where a value is ``{…}`` (braces nest), ``"…"``,
a number, a ``@string`` macro, or several joined by ``#``. ``@comment``, ``@preamble`` and
text between entries are skipped, as BibTeX does.
"""

from __future__ import annotations

import re

from papertrack.errors import ParseError
from papertrack.models import normalize_arxiv_id
from papertrack.record import record

_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_NAME = re.compile(r"[A-Za-z0-9_:.+/\-]+")
_URL_ID = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#{}]+?)(?:\.pdf)?/?(?:[?#].*)?$", re.I)
_DOI_ID = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.(.+)$", re.I)
_TEXT_ID = re.compile(r"arxiv:\s*([a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", re.I)


@record
class BibEntry:
    kind: str
    key: str
    fields: dict[str, str]
    line: int
    """Where the entry starts (1-based), for messages."""


def parse_bibtex(text: str) -> list[BibEntry]:
    return _Reader(text).entries()


def arxiv_id(entry: BibEntry) -> str | None:
    """The arXiv id an entry names: ``eprint`` (with ``archivePrefix = {arXiv}`` or
    ``eprinttype = {arxiv}``, or an id-shaped eprint), an arxiv.org URL, an arXiv DOI
    (``10.48550/arXiv.ID``), or ``arXiv:ID`` in the journal or note."""
    fields = entry.fields
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = fields.get("eprint", "").strip()
    if eprint and prefix in ("arxiv", ""):
        found = normalize_arxiv_id(eprint.removeprefix("arXiv:").removeprefix("arxiv:"))
        if found:
            return found
    for name in ("url", "doi"):
        value = fields.get(name, "").strip()
        match = (_URL_ID if name == "url" else _DOI_ID).search(value)
        if match and normalize_arxiv_id(match.group(1)):
            return normalize_arxiv_id(match.group(1))
    for name in ("journal", "note", "howpublished"):
        match = _TEXT_ID.search(fields.get(name, ""))
        if match and normalize_arxiv_id(match.group(1)):
            return normalize_arxiv_id(match.group(1))
    return None


def plain(value: str) -> str:
    """A field value without BibTeX's protective braces, on one line."""
    return " ".join(value.replace("{", "").replace("}", "").split())


def authors_of(entry: BibEntry) -> tuple[str, ...]:
    """``Last, First and First Last`` as "First Last" names."""
    names = re.split(r"\s+and\s+", plain(entry.fields.get("author", "")))
    out = []
    for name in names:
        if "," in name:
            last, _, first = name.partition(",")
            name = f"{first.strip()} {last.strip()}"
        if name.strip():
            out.append(name.strip())
    return tuple(out)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.macros = {m: m.capitalize() for m in ("jan", "feb", "mar", "apr", "may", "jun",
                       "jul", "aug", "sep", "oct", "nov", "dec")}  # fmt: skip

    def line(self, position: int | None = None) -> int:
        return self.text.count("\n", 0, self.at if position is None else position) + 1

    def fail(self, what: str) -> ParseError:
        return ParseError(f"line {self.line()}: {what}")

    def skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def entries(self) -> list[BibEntry]:
        found: list[BibEntry] = []
        while True:
            match = _ENTRY.search(self.text, self.at)
            if match is None:
                return found
            start = match.start()
            kind = match.group(1).lower()
            closing = "}" if match.group(2) == "{" else ")"
            self.at = match.end()
            if kind in ("comment", "preamble"):
                self.braced(closing)  # free text: skipped whole
                continue
            if kind == "string":
                name, value = self.field()
                self.macros[name] = value
                self.expect(closing)
                continue
            key = self.name("a citation key")
            fields: dict[str, str] = {}
            self.skip_space()
            while self.peek() == ",":
                self.at += 1
                self.skip_space()
                if self.peek() == closing:
                    break
                name, value = self.field()
                fields[name] = value
                self.skip_space()
            self.expect(closing)
            found.append(BibEntry(kind, key, fields, self.line(start)))

    def peek(self) -> str:
        return self.text[self.at : self.at + 1]

    def expect(self, char: str) -> None:
        self.skip_space()
        if self.peek() != char:
            got = repr(self.peek()) if self.peek() else "the end of the file"
            raise self.fail(f"expected {char!r}, found {got}")
        self.at += 1

    def name(self, what: str) -> str:
        self.skip_space()
        match = _NAME.match(self.text, self.at)
        if match is None:
            raise self.fail(f"expected {what}")
        self.at = match.end()
        return match.group(0)

    def field(self) -> tuple[str, str]:
        name = self.name("a field name").lower()
        self.expect("=")
        parts = [self.value()]
        self.skip_space()
        while self.peek() == "#":
            self.at += 1
            parts.append(self.value())
            self.skip_space()
        return name, "".join(parts)

    def value(self) -> str:
        self.skip_space()
        char = self.peek()
        if char == "{":
            self.at += 1
            return self.braced("}")
        if char == '"':
            self.at += 1
            return self.quoted()
        name = self.name('a value ({…}, "…", a number or a @string name)')
        return name if name.isdigit() else self.macros.get(name.lower(), name)

    def braced(self, closing: str) -> str:
        start, depth = self.at, 1
        opening = "{" if closing == "}" else "("
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\":
                self.at += 2
                continue
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    self.at += 1
                    return self.text[start : self.at - 1]
            self.at += 1
        self.at = start
        raise self.fail(f"a {opening} here is never closed")

    def quoted(self) -> str:
        start, depth = self.at, 0
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\":
                self.at += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == '"' and depth == 0:
                self.at += 1
                return self.text[start : self.at - 1]
            self.at += 1
        self.at = start
        raise self.fail('a " here is never closed')
