"""The personal library: saved papers with tags, notes and read state, and dismissed papers.

User data, unlike the cache: never rebuilt, never dropped. SQLite in the user data folder
(``PAPERTRACK_DATA_DIR`` moves it), in WAL mode with full syncs, so a reader never waits for
a writer and a committed change survives a crash or a power cut. Every change is one
transaction (``BEGIN IMMEDIATE``, so two writers take turns instead of failing midway). The
schema carries its version (``PRAGMA user_version``) and is migrated forward, step by step,
inside the opening transaction; a library from a newer papertrack is refused, not touched.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from papertrack.errors import PapertrackError, UsageError
from papertrack.models import Mark, Paper, format_timestamp, parse_timestamp
from papertrack.record import record
from papertrack.store import user_folder

LIBRARY_NAME = "library.sqlite3"
BACKUP_FORMAT = "papertrack-library"
BACKUP_VERSION = 1
BUSY_SECONDS = 30.0
"""How long a change waits for another process's change to finish."""

# MIGRATIONS[n] takes a library from schema version n to n + 1; never edit one that shipped.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE entries(
        id TEXT PRIMARY KEY,
        added_at TEXT NOT NULL,
        read_at TEXT,
        note TEXT NOT NULL DEFAULT '',
        paper TEXT NOT NULL
    );
    CREATE TABLE tags(
        id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (id, tag)
    );
    CREATE INDEX tags_by_tag ON tags(tag);
    CREATE TABLE dismissed(id TEXT PRIMARY KEY, at TEXT NOT NULL, paper TEXT NOT NULL);
    """,
    # 2: the latest saves are read from an index, not by sorting every entry.
    """
    CREATE INDEX entries_by_added ON entries(added_at DESC, id);
    """,
    # 3: each saved paper's words, so ranking by taste reads them instead of the whole record
    # and tokenising it again (NULL for papers saved before: worked out when read).
    """
    ALTER TABLE entries ADD COLUMN terms TEXT;
    """,
    # 4: a token that changes with every change, so what is derived from the library (a
    # trained taste) knows when it is out of date. Random, not a count: a library restored
    # from a backup must not match what was derived from another.
    """
    CREATE TABLE generation(token TEXT NOT NULL);
    INSERT INTO generation VALUES (hex(randomblob(8)));
    """
    + "".join(
        f"""
    CREATE TRIGGER {table}_{event.lower()} AFTER {event} ON {table}
    BEGIN UPDATE generation SET token = hex(randomblob(8)); END;
    """
        for table in ("entries", "tags", "dismissed")
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class LibraryError(PapertrackError):
    """The library cannot be read or changed; it is left as it was."""


@record
class Entry:
    paper: Paper
    added_at: datetime
    read_at: datetime | None = None
    note: str = ""
    tags: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.paper.id


@record
class Liked:
    """A saved paper as ranking by taste reads it: no whole record, its words."""

    id: str
    title: str
    added_at: datetime
    terms: Counter[str]


@record
class Dismissal:
    paper: Paper
    at: datetime


def data_dir(environ: Mapping[str, str]) -> Path:
    """``PAPERTRACK_DATA_DIR``, else the platform's user data folder."""
    return user_folder(environ, "data")


def library_path(folder: Path) -> Path:
    return folder / LIBRARY_NAME


def check_tag(tag: str) -> str:
    """A tag as stored: trimmed; letters, digits and ``-_.:/+`` only (it appears in the
    filter language and in file names of exports)."""
    value = tag.strip()
    if not value or len(value) > 64 or not all(c.isalnum() or c in "-_.:/+" for c in value):
        raise UsageError(
            f"invalid tag {tag!r}: use 1-64 letters, digits or - _ . : / +, e.g. to-read"
        )
    return value


def _failure(path: Path, exc: sqlite3.Error) -> LibraryError:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return LibraryError(
            f"the library {path} is busy: another papertrack has been changing it for "
            f"{BUSY_SECONDS:g} s",
            hint="try again",
        )
    if type(exc) is sqlite3.DatabaseError or "malformed" in text:
        return LibraryError(
            f"the library {path} is damaged or not a papertrack library ({text}); it was "
            "left untouched",
            hint="restore it from a backup made with 'papertrack library export --format json'",
        )
    return LibraryError(f"cannot use the library {path}: {text}")


class Library:
    """An open library. Reads see a consistent snapshot; each change is one transaction."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @contextmanager
    def _change(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _failure(self.path, exc) from None
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise _failure(self.path, exc) from None

    # -- reading ---------------------------------------------------------------------

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM entries").fetchone()[0])

    def entries(
        self, *, tag: str | None = None, unread: bool = False, limit: int | None = None
    ) -> list[Entry]:
        """Saved papers, newest addition first (the first *limit* of them)."""
        clauses, parameters = [], []
        if tag is not None:
            clauses.append("id IN (SELECT id FROM tags WHERE tag = ?)")
            parameters.append(tag)
        if unread:
            clauses.append("read_at IS NULL")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.execute(
            f"SELECT id, added_at, read_at, note, paper FROM entries {where} "
            "ORDER BY added_at DESC, id LIMIT ?",
            [*parameters, -1 if limit is None else limit],
        ).fetchall()
        tags = self._tags([row[0] for row in rows])
        return [_entry(row, tags.get(row[0], ())) for row in rows]

    def get(self, paper_id: str) -> Entry | None:
        row = self.db.execute(
            "SELECT id, added_at, read_at, note, paper FROM entries WHERE id = ?", (paper_id,)
        ).fetchone()
        return _entry(row, self._tags().get(paper_id, ())) if row else None

    def marks(self, ids: Iterable[str]) -> dict[str, Mark]:
        """The library's mark for each of *ids* that is saved (a listing's few hundred papers
        are looked up by id, not by reading the whole library)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Mark] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.db.execute(
                f"SELECT id, read_at IS NOT NULL FROM entries WHERE id IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            tags = self._tags([row[0] for row in rows])
            for paper_id, read in rows:
                found[paper_id] = Mark(bool(read), tags.get(paper_id, ()))
        return found

    def generation(self) -> str:
        """A token that changes whenever anything in the library does."""
        return str(self.db.execute("SELECT token FROM generation").fetchone()[0])

    def dismissed_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM dismissed")}

    def ids(self) -> set[str]:
        """Every saved paper's id."""
        return {row[0] for row in self.db.execute("SELECT id FROM entries")}

    def liked(self, *, tag: str | None = None) -> list[Liked]:
        """The saved papers (with *tag*) as ranking by taste reads them."""
        from papertrack.taste import terms, terms_from_json

        where, parameters = "", []
        if tag is not None:
            where, parameters = "WHERE id IN (SELECT id FROM tags WHERE tag = ?)", [tag]
        try:
            rows = self.db.execute(
                "SELECT id, json_extract(paper, '$.title'), added_at, terms, "
                f"CASE WHEN terms IS NULL THEN paper END FROM entries {where}",
                parameters,
            ).fetchall()
        except sqlite3.OperationalError:
            # An SQLite built without its JSON functions: the titles from the records.
            rows = [
                (i, _paper(paper).title, added_at, terms, None if terms else paper)
                for i, added_at, terms, paper in self.db.execute(
                    f"SELECT id, added_at, terms, paper FROM entries {where}", parameters
                )
            ]
        found: list[Liked] = []
        for paper_id, title, added_at, stored, whole in rows:
            words = terms_from_json(stored) if stored else None
            if words is None:
                words = terms(_paper(whole or self._paper_of(paper_id)))
            found.append(Liked(paper_id, str(title or ""), _time(added_at), words))
        return found

    def _paper_of(self, paper_id: str) -> str:
        return str(
            self.db.execute("SELECT paper FROM entries WHERE id = ?", (paper_id,)).fetchone()[0]
        )

    def tags(self) -> dict[str, int]:
        """Every tag in use and how many papers carry it."""
        rows = self.db.execute("SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY tag")
        return {str(tag): int(count) for tag, count in rows}

    def dismissed(self) -> list[Dismissal]:
        rows = self.db.execute("SELECT at, paper FROM dismissed ORDER BY at DESC, id")
        return [Dismissal(_paper(paper), _time(at)) for at, paper in rows]

    def _tags(self, ids: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        query, parameters = "SELECT id, tag FROM tags ORDER BY id, tag", []
        if ids is not None and len(ids) <= 500:
            marks = ",".join("?" * len(ids))
            query = f"SELECT id, tag FROM tags WHERE id IN ({marks}) ORDER BY id, tag"
            parameters = list(ids)
        for paper_id, tag in self.db.execute(query, parameters):
            found.setdefault(paper_id, []).append(tag)
        return {paper_id: tuple(tags) for paper_id, tags in found.items()}

    # -- changing --------------------------------------------------------------------

    def add(
        self, papers: Sequence[Paper], *, now: datetime, tags: Sequence[str] = (), note: str | None
    ) -> list[str]:
        """Save *papers* (their metadata refreshed when already saved; tags added, the note
        replaced when given); returns the ids that were new. Saving undoes a dismissal."""
        stamp = format_timestamp(now)
        with self._change() as db:
            marks = ",".join("?" * len(papers))
            known = {
                row[0]
                for row in db.execute(
                    f"SELECT id FROM entries WHERE id IN ({marks})", [p.id for p in papers]
                )
            }
            for paper in papers:
                db.execute(
                    "INSERT INTO entries(id, added_at, note, paper, terms) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET paper = excluded.paper, terms = excluded.terms",
                    (paper.id, stamp, note or "", _json(paper), _terms(paper)),
                )
                if note is not None:
                    db.execute("UPDATE entries SET note = ? WHERE id = ?", (note, paper.id))
                db.executemany(
                    "INSERT OR IGNORE INTO tags VALUES (?, ?)", [(paper.id, t) for t in tags]
                )
                db.execute("DELETE FROM dismissed WHERE id = ?", (paper.id,))
        return [p.id for p in papers if p.id not in known]

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove papers; returns the ids that were not in the library."""
        missing = []
        with self._change() as db:
            for paper_id in ids:
                if db.execute("DELETE FROM entries WHERE id = ?", (paper_id,)).rowcount == 0:
                    missing.append(paper_id)
        return missing

    def tag(self, paper_id: str, tags: Sequence[str], *, add: bool = True) -> None:
        with self._change() as db:
            self._require(db, paper_id)
            if add:
                db.executemany(
                    "INSERT OR IGNORE INTO tags VALUES (?, ?)", [(paper_id, t) for t in tags]
                )
            else:
                db.executemany(
                    "DELETE FROM tags WHERE id = ? AND tag = ?", [(paper_id, t) for t in tags]
                )

    def set_note(self, paper_id: str, note: str) -> None:
        with self._change() as db:
            self._require(db, paper_id)
            db.execute("UPDATE entries SET note = ? WHERE id = ?", (note, paper_id))

    def mark_read(self, ids: Sequence[str], *, read: bool, now: datetime) -> None:
        stamp = format_timestamp(now) if read else None
        with self._change() as db:
            for paper_id in ids:
                self._require(db, paper_id)
            # Marking read again keeps the first time it was read.
            condition = "AND read_at IS NULL" if read else ""
            db.executemany(
                f"UPDATE entries SET read_at = ? WHERE id = ? {condition}",
                [(stamp, paper_id) for paper_id in ids],
            )

    def dismiss(self, papers: Sequence[Paper], *, now: datetime) -> None:
        """Record *papers* as "not for me". A saved paper is refused: remove it first."""
        with self._change() as db:
            for paper in papers:
                if db.execute("SELECT 1 FROM entries WHERE id = ?", (paper.id,)).fetchone():
                    raise UsageError(
                        f"{paper.id} is in your library; remove it first: "
                        f"papertrack library rm {paper.id}"
                    )
            db.executemany(
                "INSERT OR REPLACE INTO dismissed VALUES (?, ?, ?)",
                [(p.id, format_timestamp(now), _json(p)) for p in papers],
            )

    @staticmethod
    def _require(db: sqlite3.Connection, paper_id: str) -> None:
        if not db.execute("SELECT 1 FROM entries WHERE id = ?", (paper_id,)).fetchone():
            raise UsageError(
                f"{paper_id} is not in your library", hint=f"papertrack library add {paper_id}"
            )

    # -- backup ----------------------------------------------------------------------

    def backup(self) -> dict[str, Any]:
        """Everything, losslessly: what ``library import`` restores."""
        return {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "entries": [
                {
                    "id": e.id,
                    "added_at": format_timestamp(e.added_at),
                    "read_at": format_timestamp(e.read_at),
                    "note": e.note,
                    "tags": list(e.tags),
                    "paper": e.paper.to_dict(),
                }
                for e in self.entries()
            ],
            "dismissed": [
                {"id": d.paper.id, "at": format_timestamp(d.at), "paper": d.paper.to_dict()}
                for d in self.dismissed()
            ],
        }

    def restore(self, document: Any) -> tuple[int, int]:
        """Put a backup's entries and dismissals back exactly as they were (each one
        replacing what the library holds for its id); returns how many of each."""
        entries, dismissed = _backup_parts(document)
        with self._change() as db:
            for entry in entries:
                db.execute("DELETE FROM entries WHERE id = ?", (entry.id,))
                db.execute(
                    "INSERT INTO entries(id, added_at, read_at, note, paper, terms) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        entry.id,
                        format_timestamp(entry.added_at),
                        format_timestamp(entry.read_at),
                        entry.note,
                        _json(entry.paper),
                        _terms(entry.paper),
                    ),
                )
                db.executemany(
                    "INSERT OR IGNORE INTO tags VALUES (?, ?)", [(entry.id, t) for t in entry.tags]
                )
            db.executemany(
                "INSERT OR REPLACE INTO dismissed VALUES (?, ?, ?)",
                [(d.paper.id, format_timestamp(d.at), _json(d.paper)) for d in dismissed],
            )
        return len(entries), len(dismissed)


def _backup_parts(document: Any) -> tuple[list[Entry], list[Dismissal]]:
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise UsageError("not a papertrack library backup (made by 'library export --format json')")
    if document.get("version") != BACKUP_VERSION:
        raise UsageError(
            f"library backup version {document.get('version')!r} is not one this papertrack "
            f"reads ({BACKUP_VERSION})"
        )
    entries: list[Entry] = []
    dismissed: list[Dismissal] = []
    try:
        for number, item in enumerate(document.get("entries") or [], 1):
            where = f"entry {number}"
            added = parse_timestamp(item["added_at"])
            if added is None:
                raise ValueError("added_at is not a time")
            entries.append(
                Entry(
                    Paper.from_dict(item["paper"]),
                    added,
                    parse_timestamp(item.get("read_at")),
                    str(item.get("note") or ""),
                    tuple(check_tag(str(t)) for t in item.get("tags") or ()),
                )
            )
        for number, item in enumerate(document.get("dismissed") or [], 1):
            where = f"dismissed paper {number}"
            at = parse_timestamp(item["at"])
            if at is None:
                raise ValueError("at is not a time")
            dismissed.append(Dismissal(Paper.from_dict(item["paper"]), at))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"library backup: {where} is malformed ({exc!r})") from None
    return entries, dismissed


def _json(paper: Paper) -> str:
    return json.dumps(paper.to_dict(), ensure_ascii=False, sort_keys=True)


def _terms(paper: Paper) -> str:
    from papertrack.taste import terms_json

    return terms_json(paper)


def _paper(data: str) -> Paper:
    return Paper.from_dict(json.loads(data))


def _time(text: str) -> datetime:
    value = parse_timestamp(text)
    if value is None:
        raise sqlite3.DatabaseError(f"bad time {text!r} in the library")
    return value


def _entry(row: tuple[Any, ...], tags: tuple[str, ...]) -> Entry:
    _, added_at, read_at, note, paper = row
    return Entry(_paper(paper), _time(added_at), parse_timestamp(read_at), note, tags)


def _ready(db: sqlite3.Connection) -> bool:
    """In WAL mode and at this schema: the usual case, checked without a write lock."""
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    return bool(mode == "wal" and db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION)


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    """Switch a new library to WAL and migrate it, one process at a time: two processes
    creating it at once would otherwise see "database is locked" with no wait (changing
    the journal mode does not wait for a busy database)."""
    from filelock import FileLock, Timeout

    try:
        with FileLock(path.with_name(f".{path.name}.lock"), timeout=BUSY_SECONDS):
            db.execute("PRAGMA journal_mode=WAL")
            _migrate(db, path)
    except Timeout:
        raise LibraryError(
            f"the library {path} is busy: another papertrack has been preparing it for "
            f"{BUSY_SECONDS:g} s",
            hint="try again",
        ) from None


def _statements(script: str) -> Iterator[str]:
    """The statements of *script* one by one (a trigger's body holds semicolons too)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LibraryError(
                f"the library {path} was made by a newer papertrack (schema {version}, this "
                f"one knows {SCHEMA_VERSION}); it was left untouched",
                hint="upgrade papertrack",
            )
        for step in range(version, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[step]):
                db.execute(statement)
        # PRAGMA takes no parameters; the value is our own integer.
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


@contextmanager
def opened(folder: Path) -> Iterator[Library]:
    """The library in *folder*, created or migrated forward on first use."""
    path = library_path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(
            f"cannot create the library folder {folder}: {exc.strerror or exc}",
            hint="make it writable, or point PAPERTRACK_DATA_DIR elsewhere",
        ) from None
    try:
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise _failure(path, exc) from None
    with closing(connection):
        try:
            connection.execute("PRAGMA synchronous=FULL")  # user data: survive a power cut
            connection.execute("PRAGMA foreign_keys=ON")
            if not _ready(connection):
                _prepare(connection, path)
        except sqlite3.Error as exc:
            raise _failure(path, exc) from None
        try:
            yield Library(connection, path)
        except sqlite3.Error as exc:
            raise _failure(path, exc) from None
