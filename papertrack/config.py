"""config.toml: defaults, mail settings and watch profiles.

Read with tomllib (tomli before Python 3.11), written with tomli-w, atomically and under a
lock, keeping every key a command did not touch (comments are not kept: tomli-w cannot).
The file is created user-only (0600) because it may name a mail account; passwords never
live in it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from papertrack import choices
from papertrack.errors import UsageError
from papertrack.record import field, record

Kind = Literal[
    "str",
    "int",
    "bool",
    "list",
    "choice",
    "duration",
    "categories",
    "sources",
    "query",
    "sort",
    "score",
    "urls",
]
FORMATS = ("auto", *choices.FORMATS)
DIGEST_FORMATS = ("md", "html", "text", "json", "rss", "atom")
SECURITY = ("starttls", "ssl", "none")
PASSWORD_ENV = "PAPERTRACK_SMTP_PASSWORD"
_WATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_DURATION = re.compile(r"(\d+)\s*([smhd])")


@record
class Key:
    name: str
    kind: Kind
    help: str
    choices: tuple[str, ...] = ()
    default: Any = None


KEYS: tuple[Key, ...] = (
    Key("sources", "sources", "default --source: hf, arxiv or all", choices.SOURCES),
    Key("categories", "categories", "default arXiv categories", default=[]),
    Key("format", "choice", "default --format (auto: by terminal)", FORMATS, "auto"),
    Key("color", "choice", "default --color", choices.COLORS, "auto"),
    Key("cache.ttl_current", "duration", "reuse today's listings for", default="1h"),
    Key("cache.ttl_recent", "duration", "reuse listings up to 14 days old for", default="12h"),
    Key("digest.format", "choice", "default digest --format", DIGEST_FORMATS, "md"),
    Key("digest.max", "int", "default digest --max papers per watch", default=50),
    Key("digest.output", "str", "default digest --output file ({date} becomes the day)"),
    Key("mail.host", "str", "SMTP server"),
    Key("mail.port", "int", "SMTP port (587 for starttls, 465 for ssl)"),
    Key("mail.from", "str", "sender address"),
    Key("mail.to", "list", "recipient addresses"),
    Key("mail.username", "str", f"SMTP login (password from ${PASSWORD_ENV} or password_command)"),
    Key("mail.security", "choice", "starttls, ssl or none", SECURITY, "starttls"),
    Key("mail.password_command", "str", "a command printing the SMTP password"),
    Key("mail.sendmail_command", "str", "command for --sendmail (default: sendmail -t)"),
    Key("mail.subject", "str", "subject prefix", default="papertrack"),
    Key(
        "notify.urls",
        "urls",
        "where digest also notifies (Apprise URLs: slack://, discord://, tgram://, matrix://, "
        "ntfy://, json://, …; needs papertrack[notify])",
    ),
)
SECRET_KEYS = frozenset({"notify.urls"})
"""Keys whose values carry tokens: printed only through redacted()."""
WATCH_KEYS: tuple[Key, ...] = (
    Key("terms", "list", "match any of these (or all with match_all)"),
    Key("match_all", "bool", "require every term", default=False),
    Key("exclude", "list", "drop papers mentioning these"),
    Key("authors", "list", "an author's name contains one of these"),
    Key("categories", "categories", "arXiv categories to read"),
    Key(
        "sources",
        "sources",
        "hf, arxiv, all, or trending (Hugging Face's trending ranking)",
        choices.WATCH_SOURCES,
    ),
    Key("min_upvotes", "int", "at least this many upvotes"),
    Key("has_code", "bool", "a GitHub repository is linked", default=False),
    Key("replacements", "bool", "include arXiv replacements", default=False),
    Key("query", "query", "a filter-language expression (see README)"),
    Key("sort", "sort", "order: date, upvotes, stars, title, taste or taste:TAG"),
    Key("min_score", "score", "only papers this like your library: a taste score, -1 to 1"),
)
_BY_NAME = {key.name: key for key in KEYS}
_WATCH_BY_NAME = {key.name: key for key in WATCH_KEYS}


def parse_toml(text: str) -> dict[str, Any]:
    """tomllib (tomli before Python 3.11), imported only when there is a file to read."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        # tomli has no stubs installed on newer Pythons, where this line never runs.
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    document: dict[str, Any] = tomllib.loads(text)
    return document


def config_path(environ: Mapping[str, str]) -> Path:
    """``PAPERTRACK_CONFIG``, else config.toml in the platform's user config folder."""
    override = environ.get("PAPERTRACK_CONFIG", "").strip()
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("papertrack", appauthor=False)) / "config.toml"


def valid_keys() -> str:
    return ", ".join([*(k.name for k in KEYS), *(f"watch.NAME.{k.name}" for k in WATCH_KEYS)])


def find_key(name: str) -> tuple[Key, tuple[str, ...]]:
    """The schema entry of a dotted key and its path in the document."""
    parts = tuple(name.split("."))
    if parts[0] == "mail" and parts[1:] == ("password",):
        raise UsageError(
            f"mail.password cannot be stored in the config; set ${PASSWORD_ENV} or "
            "mail.password_command"
        )
    if len(parts) == 3 and parts[0] == "watch" and parts[2] in _WATCH_BY_NAME:
        check_watch_name(parts[1])
        return _WATCH_BY_NAME[parts[2]], parts
    key = _BY_NAME.get(name)
    if key is None:
        raise UsageError(f"unknown config key {name!r}; valid keys: {valid_keys()}")
    return key, parts


def check_watch_name(name: str) -> str:
    if not _WATCH_NAME.fullmatch(name):
        raise UsageError(
            f"invalid watch name {name!r}: use letters, digits, '-' and '_' (at most 40)"
        )
    return name


def parse_duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a duration like 30m, 1h, 12h or 2d")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    try:
        return timedelta(**{unit: int(match.group(1))})
    except OverflowError:
        raise ValueError(f"{text!r} is longer than any duration papertrack can use") from None


def coerce(key: Key, value: Any, *, from_text: bool = False) -> Any:
    """*value* checked (and, from the command line, converted) for *key*; ValueError says why."""
    value = _coerce(key, value, from_text=from_text)
    if key.name in MAIL_HEADER_KEYS:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not text.isprintable():
                # A line break here would add headers (or recipients) to every digest mail.
                raise ValueError("must be one line without control characters (a mail header)")
    return value


MAIL_HEADER_KEYS = frozenset({"mail.from", "mail.to", "mail.subject", "mail.host", "mail.username"})


def redacted(name: str, value: Any) -> Any:
    """*value* of the key *name* as it may be printed: notification URLs without their
    tokens (papertrack.text.redact_url)."""
    from papertrack.text import redact_url

    if name not in SECRET_KEYS:
        return value
    if isinstance(value, list):
        return [redact_url(v) if isinstance(v, str) else v for v in value]
    return redact_url(value) if isinstance(value, str) else value


def _coerce(key: Key, value: Any, *, from_text: bool) -> Any:
    if key.kind == "urls":
        if from_text and isinstance(value, str):
            value = [part for part in value.split() if part]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of notification URLs")
        for url in value:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,31}://\S+", url):
                raise ValueError("each must be a URL like slack://…, ntfy://… or json://…")
        return value
    if key.kind in ("list", "categories"):
        if from_text and isinstance(value, str):
            value = [part.strip() for part in re.split(r"[,\s]+", value) if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of strings")
        if key.kind == "categories":
            from papertrack.taxonomy import parse_categories

            return list(parse_categories(value))
        return value
    if key.kind == "sources":
        if from_text and isinstance(value, str) and "," in value:
            value = [part.strip() for part in value.split(",")]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            chosen = set(value)
            if "trending" in chosen and len(chosen) > 1 and "trending" in key.choices:
                raise ValueError("trending is a ranking of its own, not combined with others")
            if chosen <= set(key.choices) and chosen:
                return "all" if len(chosen) > 1 or "all" in chosen else value[0]
        if isinstance(value, str) and value in key.choices:
            return value
        raise ValueError(f"must be one of {', '.join(key.choices)}")
    if key.kind == "int":
        if from_text and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError("must be a whole number, 0 or more")
        return value
    if key.kind == "score":
        if from_text and isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d*)?", value.strip()):
            value = float(value)
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not -1.0 <= value <= 1.0
        ):
            raise ValueError("must be a number from -1 to 1, e.g. 0.2")
        return value
    if key.kind == "bool":
        if (
            from_text
            and isinstance(value, str)
            and value.lower() in ("true", "false", "yes", "no", "1", "0")
        ):
            value = value.lower() in ("true", "yes", "1")
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if key.kind == "choice" and value not in key.choices:
        raise ValueError(f"must be one of {', '.join(key.choices)}")
    if key.kind == "duration":
        parse_duration(value)
    if key.kind == "sort":
        try:
            _, tag = choices.as_sort(value)
        except ValueError:
            raise ValueError(
                f"must be one of {', '.join(choices.SORT_KEYS)}, or taste:TAG"
            ) from None
        if tag is not None and not all(c.isalnum() or c in "-_.:/+" for c in tag):
            raise ValueError("taste:TAG needs a tag of letters, digits or - _ . : / +")
    if key.kind == "query":
        from papertrack.querylang import parse_query

        parse_query(value)  # raises QuerySyntaxError, a ValueError
    return value


@record
class Watch:
    name: str
    terms: tuple[str, ...] = ()
    match_all: bool = False
    exclude: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: str | None = None
    min_upvotes: int | None = None
    has_code: bool = False
    replacements: bool = False
    query: str | None = None
    sort: str | None = None
    """The order of its papers (``date`` when unset), as ``--sort`` takes it."""
    min_score: float | None = None
    """Keep only papers whose taste score (see papertrack.taste) is at least this."""

    def to_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for key in WATCH_KEYS:
            value = getattr(self, key.name)
            if value in (None, (), False):
                continue
            table[key.name] = list(value) if isinstance(value, tuple) else value
        return table


@record
class Config:
    path: Path
    document: dict[str, Any] = field(default_factory=dict)
    """The file as read, unknown keys included (they survive every write)."""

    def get(self, name: str) -> Any:
        key, parts = find_key(name)
        value: Any = self.document
        for part in parts:
            if not isinstance(value, dict) or part not in value:
                return key.default
            value = value[part]
        return value

    @property
    def watches(self) -> dict[str, Watch]:
        tables = self.document.get("watch", {})
        return {name: watch_from_table(name, table) for name, table in tables.items()}

    def duration(self, name: str) -> timedelta:
        return parse_duration(self.get(name))

    # Typed reads. load() refuses a value of the wrong type, so these only narrow the type;
    # a Config built some other way reads such a value as unset.

    def text(self, name: str) -> str | None:
        value = self.get(name)
        return value if isinstance(value, str) else None

    def number(self, name: str) -> int | None:
        value = self.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.get(name)
        if not isinstance(value, list):
            return ()
        return tuple(item for item in value if isinstance(item, str))


def watch_from_table(name: str, table: dict[str, Any]) -> Watch:
    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key)
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    sources = table.get("sources")
    min_upvotes = table.get("min_upvotes")
    query = table.get("query")
    sort = table.get("sort")
    min_score = table.get("min_score")
    return Watch(
        name=name,
        terms=strings("terms"),
        match_all=table.get("match_all") is True,
        exclude=strings("exclude"),
        authors=strings("authors"),
        categories=strings("categories"),
        sources=coerce(_WATCH_BY_NAME["sources"], sources) if sources is not None else None,
        min_upvotes=min_upvotes if isinstance(min_upvotes, int) else None,
        has_code=table.get("has_code") is True,
        replacements=table.get("replacements") is True,
        query=query if isinstance(query, str) else None,
        sort=sort if isinstance(sort, str) else None,
        min_score=float(min_score)
        if isinstance(min_score, (int, float)) and not isinstance(min_score, bool)
        else None,
    )


def _toml_problem(message: str, text: str) -> str:
    """tomllib says "(at line 3, column 7)" or "(at end of document)"; lead with the line."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
    if found:
        problem = message[: found.start()] + message[found.end() :]
        return f"line {found.group(1)}, column {found.group(2)}: invalid TOML: {problem.strip()}"
    problem = message.replace(" (at end of document)", "").strip()
    return f"line {max(1, len(text.splitlines()))} (end of file): invalid TOML: {problem}"


def _line_of(text: str, parts: tuple[str, ...]) -> int | None:
    """Best-effort line of a key, for messages about values (tomllib reports only syntax)."""
    table = ".".join(parts[:-1])
    in_table = not table
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == table
        elif in_table and re.match(rf"{re.escape(parts[-1])}\s*=", stripped):
            return number
    return None


def _validate(path: Path, text: str, document: dict[str, Any]) -> list[str]:
    """Check every known key; return warnings for unknown ones. Bad values are UsageErrors."""
    warnings: list[str] = []

    def fail(parts: tuple[str, ...], problem: str) -> UsageError:
        line = _line_of(text, parts)
        where = f"{path}, line {line}" if line else str(path)
        return UsageError(f"{where}: {'.'.join(parts)} {problem}")

    def walk(table: dict[str, Any], prefix: tuple[str, ...]) -> None:
        for name, value in table.items():
            parts = (*prefix, name)
            if parts == ("watch",):
                if not isinstance(value, dict):
                    raise fail(parts, "must be a table of [watch.NAME] tables")
                for watch, profile in value.items():
                    if not _WATCH_NAME.fullmatch(watch) or not isinstance(profile, dict):
                        raise fail((*parts, watch), "is not a valid watch profile")
                    for field_name, field_value in profile.items():
                        key = _WATCH_BY_NAME.get(field_name)
                        if key is None:
                            warnings.append(f"{path}: unknown key watch.{watch}.{field_name}")
                            continue
                        try:
                            coerce(key, field_value)
                        except (ValueError, UsageError) as exc:
                            raise fail((*parts, watch, field_name), str(exc)) from None
                continue
            dotted = ".".join(parts)
            if dotted == "mail.password":
                raise fail(parts, f"is not allowed: set ${PASSWORD_ENV} or mail.password_command")
            if isinstance(value, dict) and any(k.name.startswith(f"{dotted}.") for k in KEYS):
                walk(value, parts)
                continue
            key = _BY_NAME.get(dotted)
            if key is None:
                warnings.append(f"{path}: unknown key {dotted} (valid: {valid_keys()})")
                continue
            try:
                coerce(key, value)
            except (ValueError, UsageError) as exc:
                raise fail(parts, str(exc)) from None

    walk(document, ())
    return warnings


def load(path: Path, *, warn: Callable[[str], None] | None = None) -> Config:
    """The config; an absent file is an empty config. Invalid content is a UsageError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the config file {path}: {exc}") from None
    try:
        document = parse_toml(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise UsageError(f"{path}, {_toml_problem(str(exc), text)}") from None
    for message in _validate(path, text, document):
        if warn is not None:
            warn(f"warning: {message}")
    return Config(path, document)


def checked(key: Key, value: Any, *, what: str, from_text: bool = False) -> Any:
    """coerce(), with a usage error (a caret under a query's mistake) instead of ValueError."""
    from papertrack.querylang import QuerySyntaxError

    try:
        return coerce(key, value, from_text=from_text)
    except QuerySyntaxError as exc:
        raise UsageError(f"invalid {what}: {exc}\n{exc.pointer()}") from None
    except ValueError as exc:
        shown = redacted(key.name, value) if key.kind == "urls" else value
        raise UsageError(f"invalid value for {what}: {exc} (got {shown!r})") from None
