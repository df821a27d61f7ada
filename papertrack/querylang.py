"""The filter language of ``--query`` and watch profiles; pure, no I/O.

    expr   := term ( "OR" term )*
    term   := factor ( ["AND"] factor )*          adjacent factors are ANDed
    factor := "NOT" factor | "(" expr ")" | [field ":"] value
    value  := word | "quoted phrase" | /regex/flags | (">=" | ">" | "<=" | "<" | "=") number
    field  := title | abstract | author | submitter | cat | type | source | upvotes | stars | has
            | saved | read | tag                 (the user's library: yes/no, yes/no, a tag)

Operators are upper case, so the words "and", "or" and "not" can still be searched for.
Text matches ignore case (a regex only with its ``i`` flag). A syntax error names the
column, so the CLI can point at it with a caret. The text atoms that match a paper are what
gets highlighted and reported as "matched".
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

from papertrack.matching import fold, regex_time_limit, searchable_text, term_pattern
from papertrack.models import Mark, Paper
from papertrack.record import record

TEXT_FIELDS = ("title", "abstract", "author", "submitter", "cat", "type", "source")
NUMBER_FIELDS = ("upvotes", "stars")
HAS_VALUES = ("code", "summary", "project")
LIBRARY_FIELDS = ("saved", "read", "tag")
_YES_NO = {"yes": True, "true": True, "no": False, "false": False}
NO_MARKS: Mapping[str, Mark] = MappingProxyType({})
MAX_QUERY_LENGTH = 2000
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
}
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


class QuerySyntaxError(ValueError):
    def __init__(self, message: str, query: str, column: int) -> None:
        super().__init__(f"{message} at column {column}")
        self.message = message
        self.query = query
        self.column = column

    def pointer(self) -> str:
        """The query and a caret under the problem, for a terminal."""
        return f"  {self.query}\n  {' ' * (self.column - 1)}^"


# -- tokens ------------------------------------------------------------------------------


@record
class Token:
    kind: str  # "(", ")", "op", "word", "phrase", "regex"
    text: str
    column: int
    flags: str = ""


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    n = len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token(ch, ch, i + 1))
            i += 1
        elif ch == '"':
            end = i + 1
            chars: list[str] = []
            while end < n and query[end] != '"':
                if query[end] == "\\" and end + 1 < n:
                    end += 1
                chars.append(query[end])
                end += 1
            if end >= n:
                raise QuerySyntaxError("unclosed quote", query, i + 1)
            tokens.append(Token("phrase", "".join(chars), i + 1))
            i = end + 1
        elif ch == "/" and (
            not tokens or tokens[-1].kind != "word" or not tokens[-1].text.endswith(":")
        ):
            i = _regex(query, i, tokens)
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"':
                if query[i] == ":" and i + 1 < n and query[i + 1] in '/"(':
                    i += 1
                    break
                i += 1
            word = query[start:i]
            if word in ("AND", "OR", "NOT"):
                tokens.append(Token("op", word, start + 1))
            else:
                tokens.append(Token("word", word, start + 1))
            if word.endswith(":") and i < n and query[i] == "/":
                i = _regex(query, i, tokens)
    return tokens


def _regex(query: str, start: int, tokens: list[Token]) -> int:
    end = start + 1
    n = len(query)
    while end < n and query[end] != "/":
        end += 2 if query[end] == "\\" else 1
    if end >= n:
        raise QuerySyntaxError("unclosed /regex/", query, start + 1)
    flags_end = end + 1
    while flags_end < n and query[flags_end].isalpha():
        flags_end += 1
    flags = query[end + 1 : flags_end]
    bad = [f for f in flags if f not in _REGEX_FLAGS]
    if bad:
        raise QuerySyntaxError(f"unknown regex flag {bad[0]!r} (use i, m, s, x)", query, end + 2)
    tokens.append(Token("regex", query[start + 1 : end], start + 1, flags))
    return flags_end


# -- the tree ------------------------------------------------------------------------------


class Node:
    def matches(self, paper: Paper, hits: list[str], marks: Mapping[str, Mark] = NO_MARKS) -> bool:
        """Whether *paper* matches; the text atoms that matched are appended to *hits*.
        *marks* is the library's mark of each saved paper, for ``saved:``, ``read:``, ``tag:``."""
        raise NotImplementedError

    def children_nodes(self) -> tuple[Node, ...]:
        return ()

    def highlights(self) -> list[str]:
        """Regex sources (with inline flags) of the text this node can match, for display."""
        return []


@record
class Or(Node):
    children: tuple[Node, ...]

    def matches(self, paper: Paper, hits: list[str], marks: Mapping[str, Mark] = NO_MARKS) -> bool:
        found = [child.matches(paper, hits, marks) for child in self.children]
        return any(found)

    def children_nodes(self) -> tuple[Node, ...]:
        return self.children

    def highlights(self) -> list[str]:
        return [h for child in self.children for h in child.highlights()]


@record
class And(Node):
    children: tuple[Node, ...]

    def matches(self, paper: Paper, hits: list[str], marks: Mapping[str, Mark] = NO_MARKS) -> bool:
        mark = len(hits)
        for child in self.children:
            if not child.matches(paper, hits, marks):
                del hits[mark:]
                return False
        return True

    def highlights(self) -> list[str]:
        return [h for child in self.children for h in child.highlights()]

    def children_nodes(self) -> tuple[Node, ...]:
        return self.children


@record
class Not(Node):
    child: Node

    def matches(self, paper: Paper, hits: list[str], marks: Mapping[str, Mark] = NO_MARKS) -> bool:
        return not self.child.matches(paper, [], marks)

    def children_nodes(self) -> tuple[Node, ...]:
        return (self.child,)


@record
class Text(Node):
    field: str | None
    label: str
    pattern: re.Pattern[str]
    regex: bool = False
    """A user's regex, which may backtrack without end: searched under a time limit."""

    def matches(self, paper: Paper, hits: list[str], marks: Mapping[str, Mark] = NO_MARKS) -> bool:
        if self.regex:
            with regex_time_limit(self.label):
                found = any(self.pattern.search(text) for text in self._texts(paper))
        else:
            found = any(self.pattern.search(text) for text in self._texts(paper))
        if found:
            hits.append(self.label)
        return found

    def _texts(self, paper: Paper) -> list[str]:
        if self.field is None:
            return [searchable_text(paper)]
        if self.field == "title":
            return [paper.title]
        if self.field == "abstract":
            return [paper.abstract]
        if self.field == "author":
            return [fold(name) for name in paper.authors] + list(paper.authors)
        if self.field == "cat":
            return list(paper.categories)
        if self.field == "type":
            return [paper.announce_type or ""]
        if self.field == "submitter":
            return [paper.submitted_by or ""]
        return list(paper.sources)

    def highlights(self) -> list[str]:
        if self.field not in (None, "title", "abstract"):
            return []
        source = self.pattern.pattern
        return [f"(?i:{source})" if self.pattern.flags & re.IGNORECASE else source]


@record
class Compare(Node):
    field: str
    op: str
    number: int

    def matches(self, paper: Paper, hits: list[str], marks: Mapping[str, Mark] = NO_MARKS) -> bool:
        value = paper.upvotes if self.field == "upvotes" else paper.github_stars
        return _COMPARE[self.op](value or 0, self.number)


@record
class Has(Node):
    what: str

    def matches(self, paper: Paper, hits: list[str], marks: Mapping[str, Mark] = NO_MARKS) -> bool:
        if self.what == "code":
            return paper.github_repo is not None
        if self.what == "summary":
            return paper.ai_summary is not None
        return paper.project_page is not None


@record
class Shelf(Node):
    """``saved:yes|no``, ``read:yes|no`` (a paper not saved is not read) and ``tag:NAME``."""

    field: str
    value: str | bool

    def matches(self, paper: Paper, hits: list[str], marks: Mapping[str, Mark] = NO_MARKS) -> bool:
        mark = marks.get(paper.id)
        if self.field == "saved":
            return (mark is not None) is self.value
        if self.field == "read":
            return (mark is not None and mark.read) is self.value
        return mark is not None and self.value in mark.tags


def library_fields(node: Node) -> list[Shelf]:
    """The ``saved:``/``read:``/``tag:`` atoms of *node*: a query with any needs the library."""
    found = [node] if isinstance(node, Shelf) else []
    for child in node.children_nodes():
        found.extend(library_fields(child))
    return found


# -- the parser ----------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.at = 0

    def error(self, message: str, token: Token | None = None) -> QuerySyntaxError:
        column = token.column if token else len(self.query) + 1
        return QuerySyntaxError(message, self.query, column)

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise self.error("empty query")
        node = self.expr(None)
        extra = self.peek()
        if extra is not None:
            raise self.error(f"unexpected {extra.text!r}", extra)
        return node

    def expr(self, field: str | None) -> Node:
        children = [self.term(field)]
        while (token := self.peek()) is not None and token.kind == "op" and token.text == "OR":
            self.take()
            children.append(self.term(field))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def term(self, field: str | None) -> Node:
        children = [self.factor(field)]
        while (token := self.peek()) is not None and token.kind != ")" and token.text != "OR":
            if token.kind == "op" and token.text == "AND":
                self.take()
            children.append(self.factor(field))
        return children[0] if len(children) == 1 else And(tuple(children))

    def factor(self, field: str | None) -> Node:
        token = self.peek()
        if token is None:
            raise self.error("expected a word, phrase, /regex/ or '(' after this")
        if token.kind == "op":
            if token.text != "NOT":
                raise self.error(f"{token.text} needs something before it", token)
            self.take()
            return Not(self.factor(field))
        if token.kind == "(":
            self.take()
            node = self.expr(field)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise self.error("expected ')' to close the '('", closing or token)
            self.take()
            return node
        if token.kind == ")":
            raise self.error("unexpected ')'", token)
        self.take()
        if token.kind == "word" and ":" in token.text:
            name, _, rest = token.text.partition(":")
            lowered = name.lower()
            if lowered in (*TEXT_FIELDS, *NUMBER_FIELDS, "has", *LIBRARY_FIELDS):
                if field is not None:
                    raise self.error(f"{name}: inside {field}:(…) is not supported", token)
                return self.fielded(lowered, rest, token)
        return self.text(field, token)

    def fielded(self, name: str, rest: str, token: Token) -> Node:
        if name in NUMBER_FIELDS:
            match = re.fullmatch(r"(>=|<=|>|<|=)?(\d{1,9})", rest)
            if match is None:
                raise self.error(f"{name}: needs a number, e.g. {name}:>=10", token)
            return Compare(name, match.group(1) or "=", int(match.group(2)))
        if name == "has":
            if rest.lower() not in HAS_VALUES:
                raise self.error(f"has: takes {', '.join(HAS_VALUES)}", token)
            return Has(rest.lower())
        if name == "tag":
            if not rest or not all(c.isalnum() or c in "-_.:/+" for c in rest):
                raise self.error("tag: needs a tag name, e.g. tag:to-read", token)
            return Shelf(name, rest)
        if name in LIBRARY_FIELDS:
            if rest.lower() not in _YES_NO:
                raise self.error(f"{name}: takes yes or no, e.g. {name}:yes", token)
            return Shelf(name, _YES_NO[rest.lower()])
        if rest:
            return self.text(name, Token("word", rest, token.column + len(name) + 1))
        value = self.peek()
        if value is None or value.kind in (")", "op"):
            raise self.error(f"{name}: needs a value", token)
        if value.kind == "(":
            self.take()
            node = self.expr(name)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise self.error("expected ')' to close the '('", closing or value)
            self.take()
            return node
        self.take()
        return self.text(name, value)

    def text(self, field: str | None, token: Token) -> Node:
        if token.kind == "regex":
            flags = 0
            for flag in token.flags:
                flags |= _REGEX_FLAGS[flag]
            try:
                pattern = re.compile(token.text, flags)
            except (re.error, OverflowError, RecursionError) as exc:
                raise self.error(f"invalid regex: {exc}", token) from None
            return Text(field, f"/{token.text}/{token.flags}", pattern, regex=True)
        value = token.text.strip()
        if not value:
            raise self.error("empty phrase", token)
        if field == "author":
            return Text(field, value, re.compile(re.escape(fold(value))))
        if field in ("cat", "type", "source", "submitter"):
            # Whole values: cat:cs matches cs.CL (an archive) but cat:cs.C does not match cs.CL.
            suffix = r"(?:\..+)?" if field == "cat" else ""
            return Text(field, value, re.compile(rf"^{re.escape(value)}{suffix}$", re.IGNORECASE))
        return Text(field, value, term_pattern(value))


def parse_query(query: str) -> Node:
    """The syntax tree of *query*; QuerySyntaxError (a ValueError) when it is not valid."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"query longer than {MAX_QUERY_LENGTH} characters", query[:60], 1)
    try:
        return _Parser(query).parse()
    except RecursionError:
        raise QuerySyntaxError("query nested too deeply", query[:60], 1) from None


def highlight_sources(node: Node) -> list[str]:
    """Regex sources for everything *node* can highlight (each compiles on its own)."""
    sources: list[str] = []
    for source in node.highlights():
        try:
            re.compile(source)
        except re.error:
            continue  # e.g. a global inline flag, fine alone, not inside an alternation
        if source not in sources:
            sources.append(source)
    return sources
