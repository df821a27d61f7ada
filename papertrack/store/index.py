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
from time import time_ns
from typing import Any, TypeVar

from papertrack.errors import PapertrackError
from papertrack.matching import lowered_text
from papertrack.models import Paper
from papertrack.parsers import hf as parse_hf
from papertrack.store import cache
from papertrack.store.keys import Key

_T = TypeVar("_T")
SCHEMA_VERSION = "5"
INDEX_NAME = "index.sqlite3"
_TOKEN = re.compile(r'"([^"]+)"|(\S+)')
_FTS_WORD = re.compile(r"\w+", re.UNICODE)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER);
CREATE TABLE IF NOT EXISTS dirs(path TEXT PRIMARY KEY, mtime_ns INTEGER, subdirs TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers(
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    path TEXT NOT NULL,
    day TEXT,
    announced TEXT,
    revised TEXT,
    sources TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS paper_data(rowid INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS paper_text(rowid INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS papers_path ON papers(path);
CREATE INDEX IF NOT EXISTS papers_day ON papers(day);
CREATE INDEX IF NOT EXISTS papers_announced ON papers(announced);
CREATE INDEX IF NOT EXISTS papers_revised ON papers(revised);
CREATE TABLE IF NOT EXISTS gone(id TEXT PRIMARY KEY, path TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS gone_path ON gone(path);
CREATE TABLE IF NOT EXISTS df(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, abstract, authors, extra, tokenize='porter unicode61'
);
"""
# A paper's JSON lives beside its row, not in it: searches and windows join and filter the
# narrow rows and read the JSON of the few papers they return. paper_text holds the text
# filters match (matching.lowered_text), so trends count a year of papers without JSON.
_WITH_DATA = "papers JOIN paper_data ON paper_data.rowid = papers.rowid"
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
    if row is not None and row[0] == "4":
        _migrate_from_4(connection)
        return
    if row is None or row[0] != SCHEMA_VERSION:
        raise sqlite3.DatabaseError("another schema version")


def _migrate_from_4(connection: sqlite3.Connection) -> None:
    """Schema 5 adds paper_text, made from the papers' JSON already here: half a minute
    for a million papers, where a rebuild from the cache files takes several."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        rows = connection.execute("SELECT rowid, data FROM paper_data")
        connection.executemany(
            "INSERT OR REPLACE INTO paper_text VALUES (?, ?)",
            ((rowid, lowered_text(Paper.from_dict(json.loads(data)))) for rowid, data in rows),
        )
        connection.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


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
    answers through its parser, harvested OAI-PMH pages through theirs, arXiv's other
    entries as papertrack wrote them."""
    if key.kind == "oai":
        return [r.paper for r in _oai_records(items) if r.paper is not None]
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


def _oai_records(items: list[Any]) -> list[Any]:
    from papertrack.errors import ParseError
    from papertrack.parsers.oai import parse_page

    if not items or not isinstance(items[0], str):
        return []
    try:
        return parse_page(items[0].encode("utf-8")).records
    except ParseError:
        return []


def deleted_of(key: Key, items: list[Any]) -> list[str]:
    """The ids a harvested page says were deleted (the protocol's ``status="deleted"``
    headers; arXiv has sent none so far, so the page is parsed only when it has one)."""
    if key.kind != "oai" or not items or not isinstance(items[0], str):
        return []
    text = items[0]
    if 'status="deleted"' not in text and "status='deleted'" not in text:
        return []
    return [r.id for r in _oai_records(items) if r.deleted]


def _page_name(path: str) -> str | None:
    """The harvest-order name of an OAI page's path, else None:
    ``20261202T150000-2018-01-01.00012`` (when the harvest began, its from, the page)."""
    parts = Path(path).parts
    if len(parts) >= 4 and parts[0] == "arxiv" and parts[1] == "oai":
        return parts[-1].removesuffix(".json.gz")
    return None


def _later(path: str, than: str) -> bool:
    """Whether the page at *path* was harvested after the one at *than* (both pages)."""
    mine, theirs = _page_name(path), _page_name(than)
    return mine is not None and theirs is not None and mine > theirs


DOCUMENTS = ""
"""The ``df`` row counting the papers themselves: no word is empty."""


def _words(paper: Paper) -> set[str]:
    from papertrack.taste import vocabulary

    words = vocabulary(paper)
    words.add(DOCUMENTS)
    return words


def _add(
    connection: sqlite3.Connection,
    path: str,
    papers: Iterable[Paper],
    df: Counter[str],
    deleted: Sequence[str] = (),
) -> None:
    """Index *papers* from the file at *path*; *df* collects the change in word counts.

    Harvested pages: of two copies of a paper the later page's wins, whichever is indexed
    first (a rebuild reads files in any order); a deletion is kept as a tombstone that
    hides the paper from earlier pages and is undone by a later one."""
    from papertrack.join import join_sources

    batch = {paper.id: paper for paper in papers}
    if _page_name(path) is not None and (batch or deleted):
        _apply_tombstones(connection, path, batch, deleted, df)
    if not batch:
        return
    # Rows for these ids from other files (the same paper cached by another source or day).
    marks = ",".join("?" * len(batch))
    for rowid, data, known_path in connection.execute(
        f"SELECT papers.rowid, data, path FROM {_WITH_DATA} WHERE id IN ({marks})", list(batch)
    ).fetchall():
        if _later(known_path, path):
            del batch[json.loads(data)["id"]]
            continue
        known = Paper.from_dict(json.loads(data))
        df.subtract(_words(known))
        paper = batch[known.id]
        # One row per paper: what Hugging Face and arXiv each know, joined.
        if "hf" in paper.sources and "arxiv" in known.sources and "hf" not in known.sources:
            batch[known.id] = join_sources([paper], [known])[0]
        elif "arxiv" in paper.sources and "hf" in known.sources and "hf" not in paper.sources:
            batch[known.id] = join_sources([known], [paper])[0]
        _drop(connection, rowid)
    for paper in batch.values():
        df.update(_words(paper))
        cursor = connection.execute(
            "INSERT INTO papers(id, path, day, announced, revised, sources) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                paper.id,
                path,
                paper.date.isoformat() if paper.date else None,
                paper.announced.isoformat() if paper.announced else None,
                _revised(paper),
                " ".join(paper.sources),
            ),
        )
        connection.execute(
            "INSERT INTO paper_data VALUES (?, ?)",
            (cursor.lastrowid, json.dumps(paper.to_dict(), ensure_ascii=False)),
        )
        connection.execute(
            "INSERT INTO paper_text VALUES (?, ?)", (cursor.lastrowid, lowered_text(paper))
        )
        extra = " ".join([paper.ai_summary or "", *paper.ai_keywords, *paper.categories])
        connection.execute(
            "INSERT INTO fts(rowid, title, abstract, authors, extra) VALUES (?, ?, ?, ?, ?)",
            (cursor.lastrowid, paper.title, paper.abstract, " ".join(paper.authors), extra),
        )


def _revised(paper: Paper) -> str | None:
    """The announcement day of a revised paper's latest version."""
    if paper.version is None or paper.version < 2 or paper.updated is None:
        return None
    from papertrack.parsers.oai import announcement_day

    return announcement_day(paper.updated).isoformat()


def _apply_tombstones(
    connection: sqlite3.Connection,
    path: str,
    batch: dict[str, Paper],
    deleted: Sequence[str],
    df: Counter[str],
) -> None:
    """Record this page's deletions, and keep out of *batch* what a later page deleted."""
    ids = [*batch, *deleted]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        rows = connection.execute(
            f"SELECT id, path FROM gone WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        for paper_id, gone_path in rows:
            if _later(gone_path, path) or gone_path == path:
                batch.pop(paper_id, None)
            elif paper_id in batch:
                connection.execute("DELETE FROM gone WHERE id = ?", (paper_id,))
    for paper_id in deleted:
        row = connection.execute(
            f"SELECT papers.rowid, data, path FROM {_WITH_DATA} WHERE id = ?", (paper_id,)
        ).fetchone()
        if row is not None and not _later(row[2], path) and row[2].startswith("arxiv"):
            df.subtract(_words(Paper.from_dict(json.loads(row[1]))))
            _drop(connection, row[0])
        known = connection.execute("SELECT path FROM gone WHERE id = ?", (paper_id,)).fetchone()
        if known is None or not _later(known[0], path):
            connection.execute("INSERT OR REPLACE INTO gone VALUES (?, ?)", (paper_id, path))


_ROW_TABLES = ("fts", "paper_data", "paper_text")
"""Tables keyed by a paper's rowid in ``papers``."""


def _drop(connection: sqlite3.Connection, rowid: int) -> None:
    for table in (*_ROW_TABLES, "papers"):
        connection.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))


def _forget(connection: sqlite3.Connection, path: str, df: Counter[str]) -> None:
    for (data,) in connection.execute(f"SELECT data FROM {_WITH_DATA} WHERE path = ?", (path,)):
        df.subtract(_words(Paper.from_dict(json.loads(data))))
    for table in _ROW_TABLES:
        connection.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM papers WHERE path = ?)",
            (path,),
        )
    connection.execute("DELETE FROM papers WHERE path = ?", (path,))
    connection.execute("DELETE FROM gone WHERE path = ?", (path,))
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
                _add(connection, relative, parsed, df, deleted_of(key, items))
                connection.execute(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                    (relative, stat.st_mtime_ns, stat.st_size),
                )
            _count_words(connection, df)
            connection.execute("COMMIT")
    except (OSError, sqlite3.Error, ValueError):
        pass


def _is_entry(name: str) -> bool:
    return name.endswith((".json", ".json.gz")) and not name.startswith(".")


STAMP_SETTLE_NS = 2_000_000_000
"""A folder changed this recently is listed again next time: its modification time may not
yet show a file added in the same clock tick (file systems keep it coarsely)."""


class _Scan:
    """What changed in the cache since the index last looked, found from folder stamps:
    an unchanged folder (same modification time; every cache write is a rename into its
    folder, which changes it) is not listed again, only its known subfolders visited. So a
    search costs a stat per folder, not per file, however large the cache grows."""

    def __init__(self, connection: sqlite3.Connection, root: Path) -> None:
        self.connection = connection
        self.root = root
        self.changed: list[tuple[str, os.stat_result]] = []
        self.gone: list[str] = []
        self.stamps: list[tuple[str, int | None, str]] = []
        self.dropped: list[str] = []
        self._dirs = {
            path: (mtime, json.loads(subdirs))
            for path, mtime, subdirs in connection.execute(
                "SELECT path, mtime_ns, subdirs FROM dirs"
            )
        }
        self._files: dict[str, dict[str, tuple[int, int]]] | None = None
        self._now = time_ns()

    def files_in(self, folder: str) -> dict[str, tuple[int, int]]:
        """The indexed files directly in *folder*."""
        if self._files is not None:
            return self._files.get(folder, {})
        if folder:
            rows = self.connection.execute(
                "SELECT path, mtime_ns, size FROM files WHERE path > ? AND path < ?",
                (f"{folder}{os.sep}", f"{folder}{chr(ord(os.sep) + 1)}"),
            )
        else:
            rows = self.connection.execute(
                "SELECT path, mtime_ns, size FROM files WHERE instr(path, ?) = 0", (os.sep,)
            )
        return {
            path: (mtime, size) for path, mtime, size in rows if os.path.dirname(path) == folder
        }

    def all_files(self) -> dict[str, dict[str, tuple[int, int]]]:
        if self._files is None:
            self._files = {}
            for path, mtime, size in self.connection.execute(
                "SELECT path, mtime_ns, size FROM files"
            ):
                self._files.setdefault(os.path.dirname(path), {})[path] = (mtime, size)
        return self._files

    def run(self) -> None:
        self.visit("")

    def visit(self, folder: str) -> None:
        full = os.path.join(self.root, folder) if folder else str(self.root)
        try:
            stat = os.stat(full)
        except FileNotFoundError:
            self.forget_folder(folder)
            return
        known = self._dirs.get(folder)
        if known is not None and known[0] == stat.st_mtime_ns:
            for sub in known[1]:
                self.visit(sub)
            return
        indexed = self.files_in(folder)
        here: set[str] = set()
        subdirs: list[str] = []
        try:
            listing = os.scandir(full)
        except OSError as exc:
            if not folder:
                raise PapertrackError(
                    f"cannot read the cache folder {self.root}: {exc.strerror or exc}"
                ) from None
            return  # a folder papertrack cannot read holds nothing it wrote
        with listing as entries:
            for entry in entries:
                relative = os.path.join(folder, entry.name) if folder else entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        subdirs.append(relative)
                    elif _is_entry(entry.name) and entry.is_file():
                        here.add(relative)
                        info = entry.stat()
                        if indexed.get(relative) != (info.st_mtime_ns, info.st_size):
                            self.changed.append((relative, info))
                except OSError:
                    continue
        self.gone.extend(path for path in indexed if path not in here)
        for old in known[1] if known is not None else []:
            if old not in subdirs:
                self.forget_folder(old)
        # The cache folder itself is listed every time (it holds the index, whose files
        # come and go with every run, and a few folders): its stamp would never hold.
        settled = bool(folder) and self._now - stat.st_mtime_ns > STAMP_SETTLE_NS
        stamp = stat.st_mtime_ns if settled else None
        if known is None or known != (stamp, subdirs):
            self.stamps.append((folder, stamp, json.dumps(subdirs)))
        for sub in subdirs:
            self.visit(sub)

    def forget_folder(self, folder: str) -> None:
        """A folder that is gone: every file under it, and its stamps."""
        prefix = f"{folder}{os.sep}"
        for parent, files in self.all_files().items():
            if parent == folder or parent.startswith(prefix):
                self.gone.extend(files)
        self.dropped.extend(p for p in self._dirs if p == folder or p.startswith(prefix))

    def save(self) -> None:
        self.connection.executemany("DELETE FROM dirs WHERE path = ?", [(p,) for p in self.dropped])
        self.connection.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?, ?)", self.stamps)


def catch_up(connection: sqlite3.Connection, root: Path) -> int:
    """Index cache files that are new or changed since last time; forget deleted ones.
    Returns how many files were (re)indexed."""
    if not root.exists():
        return 0
    scan = _Scan(connection, root)
    scan.run()
    changed, gone = scan.changed, sorted(set(scan.gone))
    if not changed and not gone:
        if scan.stamps or scan.dropped:
            scan.save()
        return 0
    connection.execute("BEGIN IMMEDIATE")
    df: Counter[str] = Counter()
    try:
        scan.save()
        for path in gone:
            _forget(connection, path, df)
        for relative, stat in changed:
            key = cache.key_of(relative)
            try:
                entry = cache.read_entry(key, root) if key is not None else None
            except (cache.CorruptCacheError, ValueError):
                entry = None
            _forget(connection, relative, df)
            if entry is not None:
                papers = papers_of(entry.key, entry.items)
                _add(connection, relative, papers, df, deleted_of(entry.key, entry.items))
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
            row = connection.execute(
                f"SELECT data FROM {_WITH_DATA} WHERE id = ?", (paper_id,)
            ).fetchone()
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
        clauses.insert(0, "papers.day IS NOT NULL")
        rows = self.connection.execute(
            f"SELECT data FROM {_WITH_DATA} WHERE {' AND '.join(clauses)} "
            "ORDER BY papers.day DESC, papers.id",
            parameters,
        )
        return [Paper.from_dict(json.loads(data)) for (data,) in rows]

    def texts(
        self, since: date | None, until: date | None, sources: Sequence[str]
    ) -> list[tuple[str, str]]:
        """``(day, lowered text)`` of every cached paper listed from *since* to *until*:
        what trends count, without reading a paper's JSON."""
        clauses, parameters = _window(since, until, sources)
        clauses.insert(0, "papers.day IS NOT NULL")
        return self.connection.execute(
            "SELECT papers.day, text FROM papers "
            "JOIN paper_text ON paper_text.rowid = papers.rowid "
            f"WHERE {' AND '.join(clauses)}",
            parameters,
        ).fetchall()

    def announcement_days(self, since: date, until: date) -> set[str]:
        """The arXiv announcement days from *since* to *until* that cached papers were
        announced on (ISO dates)."""
        rows = self.connection.execute(
            "SELECT DISTINCT announced FROM papers WHERE announced BETWEEN ? AND ?",
            (since.isoformat(), until.isoformat()),
        )
        return {day for (day,) in rows}

    def files_under(self, folder: str) -> list[str]:
        """Indexed cache files under *folder* (``hf/date``), as paths under the cache."""
        prefix = f"{folder}{os.sep}"
        rows = self.connection.execute(
            "SELECT path FROM files WHERE path > ? AND path < ?",
            (prefix, f"{folder}{chr(ord(os.sep) + 1)}"),
        )
        return [path for (path,) in rows]

    def announced(
        self, since: date, until: date, categories: Sequence[str]
    ) -> tuple[list[Paper], list[Paper]]:
        """arXiv's announcements from *since* to *until* in *categories* (cross-lists too),
        rebuilt from harvested records: the papers first announced then, and the papers
        whose latest version was."""
        window = (since.isoformat(), until.isoformat())
        new = self.connection.execute(
            f"SELECT data FROM {_WITH_DATA} WHERE announced BETWEEN ? AND ? "
            "AND instr(sources, 'arxiv') > 0 ORDER BY announced DESC, id",
            window,
        ).fetchall()
        revised = self.connection.execute(
            f"SELECT data FROM {_WITH_DATA} WHERE revised BETWEEN ? AND ? "
            "AND instr(sources, 'arxiv') > 0 ORDER BY revised DESC, id",
            window,
        ).fetchall()
        wanted = tuple(categories)

        def inside(paper: Paper) -> bool:
            return any(c == w or c.startswith(f"{w}.") for c in paper.categories for w in wanted)

        def papers(rows: list[Any]) -> list[Paper]:
            found = (Paper.from_dict(json.loads(data)) for (data,) in rows)
            return [p for p in found if inside(p)]

        return papers(new), papers(revised)


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
        # Counting every match of a common word through the join costs three times the
        # text index alone: join only when days or sources filter.
        self.counted = "fts JOIN papers ON papers.rowid = fts.rowid" if clauses else "fts"
        clauses.insert(0, "fts MATCH ?")
        parameters.insert(0, expression)
        self.clause = " AND ".join(clauses)
        self.parameters = parameters
        self.limit = limit

    def run(self, connection: sqlite3.Connection) -> tuple[list[Paper], int]:
        total = connection.execute(
            f"SELECT count(*) FROM {self.counted} WHERE {self.clause}", self.parameters
        ).fetchone()[0]
        ranked = [
            rowid
            for (rowid,) in connection.execute(
                f"SELECT papers.rowid FROM fts JOIN papers ON papers.rowid = fts.rowid "
                f"WHERE {self.clause} ORDER BY bm25(fts, {_WEIGHTS}), papers.day DESC, papers.id "
                "LIMIT ?",
                [*self.parameters, self.limit],
            )
        ]
        marks = ",".join("?" * len(ranked))
        found = dict(
            connection.execute(
                f"SELECT rowid, data FROM paper_data WHERE rowid IN ({marks})", ranked
            )
        )
        rows = [(found[rowid],) for rowid in ranked if rowid in found]
        return [Paper.from_dict(json.loads(data)) for (data,) in rows], int(total)
