"""A full-text index over the JSON cache, for ``search --offline``.

The JSON files stay the record; ``{cache}/index.sqlite3`` is derived from them with SQLite's
FTS5 (in the standard library's sqlite3). It is updated when a listing is written, catches
up with files it has not seen (or that changed) before each search, forgets files that
were deleted, and is rebuilt from scratch when it is missing, from another version, or
corrupt. Losing it loses nothing.

Beside the text index it keeps, for ranking by taste, how many cached papers use each word
(``df``, in taste's own words): the inverse document frequencies of the whole cache are a
look-up, not a pass over every paper.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from papertrack.errors import PapertrackError
from papertrack.models import Paper
from papertrack.parsers import hf as parse_hf
from papertrack.store import cache
from papertrack.store.keys import Key

_T = TypeVar("_T")
SCHEMA_VERSION = "2"
INDEX_NAME = "index.sqlite3"
_TOKEN = re.compile(r'"([^"]+)"|(\S+)')
_FTS_WORD = re.compile(r"\w+", re.UNICODE)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER);
CREATE TABLE IF NOT EXISTS papers(
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    path TEXT NOT NULL,
    day TEXT,
    sources TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS papers_path ON papers(path);
CREATE INDEX IF NOT EXISTS papers_day ON papers(day);
CREATE TABLE IF NOT EXISTS df(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, abstract, authors, extra, tokenize='porter unicode61'
);
"""
# bm25 weights for title, abstract, authors, extra (AI summary and keywords, categories).
_WEIGHTS = "10.0, 2.0, 4.0, 3.0"


def index_path(root: Path) -> Path:
    return root / INDEX_NAME


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _prepare(connection: sqlite3.Connection) -> None:
    connection.executescript(_SCHEMA)
    # OR IGNORE: another process may have written it between our statements.
    connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if row is None or row[0] != SCHEMA_VERSION:
        raise sqlite3.DatabaseError("another schema version")


def _corrupt(exc: sqlite3.DatabaseError) -> bool:
    """Whether the index itself is bad ("file is not a database", "malformed", a foreign
    schema), as opposed to busy, locked or refused (its subclasses), which a rebuild
    would only make worse for the process building it."""
    return type(exc) is sqlite3.DatabaseError


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _open_on_disk(root: Path) -> sqlite3.Connection:
    """The index file, created, or rebuilt when it is foreign or corrupt. OSError or
    sqlite3.OperationalError when the folder refuses to be written."""
    path = index_path(root)
    ready = _open_ready(path)
    if ready is not None:
        return ready
    from filelock import FileLock, Timeout

    root.mkdir(parents=True, exist_ok=True)
    # Processes opening a new index take turns: creating it (WAL mode, the schema) from
    # several at once gives "database is locked", which is not a reason to delete it.
    try:
        with FileLock(root / f".{INDEX_NAME}.lock", timeout=30):
            return _open_prepared(path)
    except Timeout:
        raise sqlite3.OperationalError("another papertrack held the index for 30 s") from None


def _open_ready(path: Path) -> sqlite3.Connection | None:
    """The index when it exists at this schema: the usual case, opened without taking the
    lock (which only keeps processes from creating it at once)."""
    if not path.exists():
        return None
    try:
        connection = _connect(path)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is not None and row[0] == SCHEMA_VERSION:
            return connection
    except sqlite3.Error:
        pass  # missing, foreign or corrupt: the locked path below decides
    connection.close()
    return None


def _open_prepared(path: Path) -> sqlite3.Connection:
    connection = _connect(path)
    try:
        _prepare(connection)
    except sqlite3.DatabaseError as exc:
        connection.close()
        if not _corrupt(exc):
            raise
        # Derived data: start again from the JSON files.
        _remove(path)
        connection = _connect(path)
        _prepare(connection)
    return connection


def _open_in_memory(root: Path) -> sqlite3.Connection:
    """An index in memory, starting from a copy of the file's when it can be read: what a
    search uses when the cache folder is read-only or full."""
    memory = sqlite3.connect(":memory:", isolation_level=None)
    path = index_path(root)
    try:
        if path.exists():
            uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
            with closing(sqlite3.connect(uri, uri=True)) as disk:
                disk.backup(memory)
        _prepare(memory)
    except (OSError, sqlite3.DatabaseError):
        memory.close()
        memory = sqlite3.connect(":memory:", isolation_level=None)
        _prepare(memory)
    return memory


def _unwritable(root: Path, exc: Exception, warn: Callable[[str], None] | None) -> None:
    if warn is not None:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        warn(
            f"warning: cannot update the search index in {root} ({reason}); "
            "searching the cached files without it"
        )


@contextmanager
def opened(
    root: Path, *, warn: Callable[[str], None] | None = None
) -> Iterator[sqlite3.Connection]:
    """The index, created or rebuilt (schema) if it is missing, foreign or corrupt; in
    memory, with a warning, when its folder cannot be written."""
    try:
        connection = _open_on_disk(root)
    except (OSError, sqlite3.OperationalError) as exc:
        _unwritable(root, exc, warn)
        connection = _open_in_memory(root)
    with closing(connection):
        yield connection


def papers_of(key: Key, items: list[Any]) -> list[Paper]:
    """The papers a cache entry holds, read again from what was stored: Hugging Face's raw
    answers through its parser, arXiv's entries as papertrack wrote them."""
    if key.source == "hf":
        if key.kind == "search":
            return parse_hf.parse_search(items)[0]
        if key.kind == "paper":
            items = [{"paper": item} for item in items]
        return parse_hf.parse_daily_papers(items, day=key.day)[0]
    papers: list[Paper] = []
    for item in items:
        try:
            papers.append(Paper.from_dict(item))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return papers


DOCUMENTS = ""
"""The ``df`` row counting the papers themselves: no word is empty."""


def _words(paper: Paper) -> set[str]:
    from papertrack.taste import terms

    return {DOCUMENTS, *terms(paper)}


def _add(
    connection: sqlite3.Connection, path: str, papers: Iterable[Paper], df: Counter[str]
) -> None:
    """Index *papers* from the file at *path*; *df* collects the change in word counts."""
    from papertrack.join import join_sources

    batch = {paper.id: paper for paper in papers}
    if not batch:
        return
    # Rows for these ids from other files (the same paper cached by another source or day).
    marks = ",".join("?" * len(batch))
    for rowid, data in connection.execute(
        f"SELECT rowid, data FROM papers WHERE id IN ({marks})", list(batch)
    ).fetchall():
        known = Paper.from_dict(json.loads(data))
        df.subtract(_words(known))
        paper = batch[known.id]
        # One row per paper: what Hugging Face and arXiv each know, joined.
        if "hf" in paper.sources and "arxiv" in known.sources and "hf" not in known.sources:
            batch[known.id] = join_sources([paper], [known])[0]
        elif "arxiv" in paper.sources and "hf" in known.sources and "hf" not in paper.sources:
            batch[known.id] = join_sources([known], [paper])[0]
        connection.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
        connection.execute("DELETE FROM papers WHERE rowid = ?", (rowid,))
    for paper in batch.values():
        df.update(_words(paper))
        cursor = connection.execute(
            "INSERT INTO papers(id, path, day, sources, data) VALUES (?, ?, ?, ?, ?)",
            (
                paper.id,
                path,
                paper.date.isoformat() if paper.date else None,
                " ".join(paper.sources),
                json.dumps(paper.to_dict(), ensure_ascii=False),
            ),
        )
        extra = " ".join([paper.ai_summary or "", *paper.ai_keywords, *paper.categories])
        connection.execute(
            "INSERT INTO fts(rowid, title, abstract, authors, extra) VALUES (?, ?, ?, ?, ?)",
            (cursor.lastrowid, paper.title, paper.abstract, " ".join(paper.authors), extra),
        )


def _forget(connection: sqlite3.Connection, path: str, df: Counter[str]) -> None:
    for (data,) in connection.execute("SELECT data FROM papers WHERE path = ?", (path,)):
        df.subtract(_words(Paper.from_dict(json.loads(data))))
    connection.execute(
        "DELETE FROM fts WHERE rowid IN (SELECT rowid FROM papers WHERE path = ?)", (path,)
    )
    connection.execute("DELETE FROM papers WHERE path = ?", (path,))
    connection.execute("DELETE FROM files WHERE path = ?", (path,))


def _count_words(connection: sqlite3.Connection, df: Counter[str]) -> None:
    """Apply the change in word counts collected by _add and _forget (one statement per
    word changed, not per paper)."""
    changes = [(term, n) for term, n in df.items() if n]
    connection.executemany(
        "INSERT INTO df VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
        changes,
    )
    if any(n < 0 for _, n in changes):
        connection.execute("DELETE FROM df WHERE docs <= 0")
    if changes:
        # Random, not a count: an index rebuilt from scratch must not match a taste trained
        # on the one before.
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('words', hex(randomblob(8)))")


def add_entries(entries: Sequence[tuple[Key, list[Any], list[Paper] | None]], root: Path) -> None:
    """Index cache entries just written (with their papers when already parsed), in one
    transaction. Best effort: a search catches up with anything missed."""
    if not entries:
        return
    try:
        with closing(_open_on_disk(root)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            df: Counter[str] = Counter()
            for key, items, papers in entries:
                path = cache.key_path(key, root)
                stat = path.stat()
                relative = str(path.relative_to(root))
                _forget(connection, relative, df)
                parsed = papers if papers is not None else papers_of(key, items)
                _add(connection, relative, parsed, df)
                connection.execute(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                    (relative, stat.st_mtime_ns, stat.st_size),
                )
            _count_words(connection, df)
            connection.execute("COMMIT")
    except (OSError, sqlite3.Error, ValueError):
        pass


def _cache_files(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    def unreadable(exc: OSError) -> None:
        if exc.filename == str(root) and not isinstance(exc, FileNotFoundError):
            raise PapertrackError(f"cannot read the cache folder {root}: {exc.strerror or exc}")

    for folder, _, names in os.walk(root, onerror=unreadable):
        for name in names:
            if name.endswith(".json") and not name.startswith("."):
                full = os.path.join(folder, name)
                try:
                    yield os.path.relpath(full, root), os.stat(full)
                except OSError:
                    continue


def catch_up(connection: sqlite3.Connection, root: Path) -> int:
    """Index cache files that are new or changed since last time; forget deleted ones.
    Returns how many files were (re)indexed."""
    known = {
        path: (mtime, size)
        for path, mtime, size in connection.execute("SELECT path, mtime_ns, size FROM files")
    }
    changed: list[tuple[str, os.stat_result]] = []
    present: set[str] = set()
    for relative, stat in _cache_files(root):
        present.add(relative)
        if known.get(relative) != (stat.st_mtime_ns, stat.st_size):
            changed.append((relative, stat))
    gone = [path for path in known if path not in present]
    if not changed and not gone:
        return 0
    connection.execute("BEGIN IMMEDIATE")
    df: Counter[str] = Counter()
    try:
        for path in gone:
            _forget(connection, path, df)
        for relative, stat in changed:
            key = Key.from_parts(Path(relative).with_suffix("").parts)
            try:
                entry = cache.read_entry(key, root) if key is not None else None
            except (cache.CorruptCacheError, ValueError):
                entry = None
            _forget(connection, relative, df)
            if entry is not None:
                _add(connection, relative, papers_of(entry.key, entry.items), df)
            connection.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                (relative, stat.st_mtime_ns, stat.st_size),
            )
        _count_words(connection, df)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return len(changed)


def match_expression(query: str) -> str:
    """The user's words and "phrases" as an FTS5 expression: every one must occur. Each is
    quoted, so FTS5's own syntax (NEAR, *, -, column filters) cannot be triggered by accident."""
    parts: list[str] = []
    for phrase, word in _TOKEN.findall(query):
        words = _FTS_WORD.findall(phrase or word)
        if words:
            parts.append('"' + " ".join(words) + '"')
    return " AND ".join(parts)


def lookup(paper_id: str, *, root: Path, warn: Callable[[str], None] | None = None) -> Paper | None:
    """The cached copy of one paper (what listings, searches and look-ups have stored,
    joined across sources), after catching the index up with the cache."""
    try:
        with opened(root, warn=warn) as connection:
            catch_up(connection, root)
            row = connection.execute("SELECT data FROM papers WHERE id = ?", (paper_id,)).fetchone()
    except sqlite3.DatabaseError:
        return None  # best effort: the services are asked anyway
    except PapertrackError as exc:  # an unreadable cache folder
        if warn is not None:
            warn(f"warning: {exc.message}")
        return None
    return Paper.from_dict(json.loads(row[0])) if row else None


def _window(
    since: date | None, until: date | None, sources: Sequence[str]
) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``papers``) and their parameters for days and sources."""
    clauses: list[str] = []
    parameters: list[Any] = []
    if since is not None:
        clauses.append("papers.day >= ?")
        parameters.append(since.isoformat())
    if until is not None:
        clauses.append("papers.day <= ?")
        parameters.append(until.isoformat())
    if set(sources) != {"hf", "arxiv"}:
        clauses.append("(" + " OR ".join("instr(papers.sources, ?) > 0" for _ in sources) + ")")
        parameters.extend(sources)
    return clauses, parameters


class Reader:
    """Reads of an open index beyond a text search: papers by day, and word counts."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def documents(self) -> int:
        row = self.connection.execute("SELECT docs FROM df WHERE term = ?", (DOCUMENTS,))
        found = row.fetchone()
        return int(found[0]) if found else 0

    def generation(self) -> str:
        """A token that changes whenever the word counts do."""
        row = self.connection.execute("SELECT value FROM meta WHERE key = 'words'").fetchone()
        return str(row[0]) if row else ""

    def frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """How many cached papers use each of *terms* (taste's words); absent ones, none."""
        wanted = list(terms)
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            rows = self.connection.execute(
                f"SELECT term, docs FROM df WHERE term IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update(rows)
        return found

    def between(
        self, since: date | None, until: date | None, sources: Sequence[str]
    ) -> list[Paper]:
        """Every cached paper listed from *since* to *until* (by its day), newest first."""
        clauses, parameters = _window(since, until, sources)
        clauses.insert(0, "day IS NOT NULL")
        rows = self.connection.execute(
            f"SELECT data FROM papers WHERE {' AND '.join(clauses)} ORDER BY day DESC, id",
            parameters,
        )
        return [Paper.from_dict(json.loads(data)) for (data,) in rows]


def read(
    root: Path,
    use: Callable[[Reader], _T],
    *,
    current: bool = True,
    warn: Callable[[str], None] | None = None,
) -> _T:
    """*use* an index that has caught up with the cache (only as it is, when not *current*:
    a quick look, for a listing that needs word counts and not every file's news). Rebuilt
    once when corrupt; worked around in memory when its folder cannot be written."""

    def run(connection: sqlite3.Connection) -> _T:
        if current:
            catch_up(connection, root)
        return use(Reader(connection))

    try:
        with opened(root, warn=warn) as connection:
            return run(connection)
    except sqlite3.OperationalError as exc:
        _unwritable(root, exc, warn)
        with closing(_open_in_memory(root)) as connection:
            return run(connection)
    except sqlite3.DatabaseError as exc:
        if not _corrupt(exc):
            raise
        _remove(index_path(root))
        with opened(root, warn=warn) as connection:
            return run(connection)


def search(
    query: str,
    *,
    limit: int,
    root: Path,
    sources: Sequence[str] = ("hf", "arxiv"),
    since: date | None = None,
    until: date | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[list[Paper], int]:
    """Ranked papers matching *query* in the cache (title matches weigh most), and how many
    match in all. A corrupt index is rebuilt once; an unwritable one is worked around."""
    expression = match_expression(query)
    if not expression:
        return [], 0
    where = _Where(expression, limit, sources, since, until)
    return read(root, lambda reader: where.run(reader.connection), warn=warn)


class _Where:
    """One search: the FTS expression and the filters, run against an index."""

    def __init__(
        self,
        expression: str,
        limit: int,
        sources: Sequence[str],
        since: date | None,
        until: date | None,
    ) -> None:
        clauses, parameters = _window(since, until, sources)
        clauses.insert(0, "fts MATCH ?")
        parameters.insert(0, expression)
        self.clause = " AND ".join(clauses)
        self.parameters = parameters
        self.limit = limit

    def run(self, connection: sqlite3.Connection) -> tuple[list[Paper], int]:
        total = connection.execute(
            f"SELECT count(*) FROM fts JOIN papers ON papers.rowid = fts.rowid WHERE {self.clause}",
            self.parameters,
        ).fetchone()[0]
        rows = connection.execute(
            f"SELECT papers.data FROM fts JOIN papers ON papers.rowid = fts.rowid "
            f"WHERE {self.clause} ORDER BY bm25(fts, {_WEIGHTS}), papers.day DESC, papers.id "
            "LIMIT ?",
            [*self.parameters, self.limit],
        ).fetchall()
        return [Paper.from_dict(json.loads(data)) for (data,) in rows], int(total)
