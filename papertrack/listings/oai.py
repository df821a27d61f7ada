"""``papertrack sync arxiv``: harvesting OAI-PMH sets page by page into the cache.

Each page is a cache entry (``arxiv/oai/{set}/{start}.{page}.json.gz``: the request, the
time and the raw XML, compressed), indexed as soon as it is written; what commands read
comes from the index, rebuilt from these pages if lost. Progress is a small status file
per set, written after its page, so an interrupted harvest (Ctrl-C, SIGKILL, a lost
network, an expired token) goes on from the last page it stored, with the token when it
still works and a fresh request otherwise; and a page stored twice replaces itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from papertrack.dates import ARXIV_FIRST_DAY
from papertrack.errors import FetchError
from papertrack.models import format_timestamp, parse_timestamp
from papertrack.record import field, record, replace
from papertrack.session import Session
from papertrack.store import cache, keys

STATUS_NAME = ".status.json"
STATUS_FORMAT = 1


@record
class Status:
    """Where the harvest of one set stands."""

    set_spec: str
    since: str | None
    """The ``from`` of the first harvest (None: the whole set)."""
    start: str
    """Names the pages of the current harvest (harvest_name)."""
    page: int = 0
    """The next page to store."""
    token: str | None = None
    """The token that asks for that page; None: a fresh request from *resume_from*."""
    token_expires: str | None = None
    resume_from: str | None = None
    """``from`` of a fresh request when the token is gone."""
    done: bool = True
    records: int = 0
    """Records stored by this harvest so far."""
    deleted: int = 0
    complete: int | None = None
    """``completeListSize`` when the server says it (the old service did)."""
    last_datestamp: str | None = None
    ordered: bool = True
    """Every record so far came in datestamp order (the 2025 service's order): a fresh
    request may start at the last datestamp rather than at the harvest's start."""
    synced_until: str | None = None
    """The server's responseDate of the last complete harvest: the next one's ``from``."""
    total_records: int = 0
    categories: tuple[str, ...] = field(default_factory=tuple)


def status_path(root: Path, set_spec: str) -> Path:
    return cache.folder_path(keys.oai_folder(set_spec), root) / STATUS_NAME


def read_status(root: Path, set_spec: str) -> Status | None:
    try:
        data = json.loads(status_path(root, set_spec).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != STATUS_FORMAT:
        return None
    try:
        values = {k: v for k, v in data.items() if k != "format"}
        values["categories"] = tuple(values.get("categories", ()))
        return Status(**values)
    except TypeError:
        return None


def write_status(root: Path, status: Status) -> None:
    from papertrack.files import atomic_write_bytes

    data = {"format": STATUS_FORMAT, **status_fields(status)}
    atomic_write_bytes(status_path(root, status.set_spec), json.dumps(data).encode())


def status_fields(status: Status) -> dict[str, Any]:
    from papertrack.record import fields

    return {
        name: list(value) if isinstance(value, tuple) else value
        for name in fields(Status)
        for value in [getattr(status, name)]
    }


def statuses(root: Path) -> list[Status]:
    """Every set synced (or being synced) in this cache."""
    folder = cache.folder_path(keys.oai_folder("x"), root).parent
    found = []
    for path in sorted(folder.glob(f"*/{STATUS_NAME}")) if folder.exists() else []:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        status = read_status(root, data.get("set_spec", "")) if isinstance(data, dict) else None
        if status is not None:
            found.append(status)
    return found


def harvest_name(now: datetime, start: str | None) -> str:
    """The name of a harvest's pages: when it began, then its ``from`` (``all`` for the
    whole set). Names sort in the order harvests began, so of two copies of a record the
    later harvest's wins in the index."""
    return f"{now.astimezone(timezone.utc):%Y%m%dT%H%M%S}-{start or 'all'}"


def plan(
    root: Path, set_spec: str, since: date | None, categories: tuple[str, ...], now: datetime
) -> Status:
    """What the next harvest of *set_spec* does: go on with an interrupted one; bring a
    complete one up to date (from its last responseDate, the day re-read); or start."""
    status = read_status(root, set_spec)
    asked = since.isoformat() if since else None
    if status is not None and not status.done:
        return status
    if status is not None and (asked is None or status.since is None or asked >= status.since):
        return replace(
            status,
            start=harvest_name(now, status.synced_until),
            page=0,
            token=None,
            resume_from=status.synced_until,
            done=False,
            records=0,
            deleted=0,
            complete=None,
            ordered=True,
            categories=tuple(dict.fromkeys((*status.categories, *categories))),
        )
    return Status(
        set_spec=set_spec,
        since=asked,
        start=harvest_name(now, asked),
        resume_from=asked,
        done=False,
        total_records=status.total_records if status else 0,
        synced_until=status.synced_until if status else None,
        categories=tuple(dict.fromkeys((*(status.categories if status else ()), *categories))),
    )


Report = Callable[[Status], None]


def harvest(
    session: Session,
    status: Status,
    *,
    on_page: Report | None = None,
    on_wait: Callable[[float], None] | None = None,
) -> Status:
    """Harvest pages until the list ends, storing and indexing each; returns the final
    status. FetchError when the service fails (what was stored stays, and the next run
    goes on from there)."""
    from papertrack.sources import oai

    base = session.network.arxiv_oai
    if status.page == 0:
        _clear(session, status)
    fresh_tries = 0
    while True:
        token = status.token
        expired = status.token_expires is not None and (
            (parse_timestamp(status.token_expires) or session.now) <= session.now
        )
        if token is not None and not expired:
            url = oai.list_url(base, token=token)
        else:
            url = oai.list_url(base, set_spec=status.set_spec, start=status.resume_from)
            token = None
        got = oai.fetch_page(session.client, session.gate, url, waiting=on_wait, papers=False)
        page = got.page
        if page.error is not None:
            code, message = page.error
            if code == "badResumptionToken" and token is not None and fresh_tries < 3:
                # Expired or refused: the same place asked afresh, never the list from zero.
                fresh_tries += 1
                status = replace(status, token=None, token_expires=None)
                continue
            if code == "noRecordsMatch":
                return _finish(session, status, page.response_date)
            raise FetchError(url, f"arXiv's OAI-PMH service answered {code}: {message}")
        fresh_tries = 0
        status = _store(session, status, got)
        write_status(session.root, status)
        if on_page is not None:
            on_page(status)
        if page.token is None:
            return _finish(session, status, page.response_date)


def _clear(session: Session, status: Status) -> None:
    """Remove the pages of an earlier harvest with this one's name (begun in the same
    second, as under a pinned clock), which would otherwise outrank this harvest's first
    pages."""
    folder = cache.folder_path(keys.oai_folder(status.set_spec), session.root)
    stale = list(folder.glob(f"{status.start}.*.json.gz")) if folder.exists() else []
    if not stale:
        return
    for path in stale:
        path.unlink(missing_ok=True)
    from papertrack.store import index

    index.read(session.root, lambda reader: None, warn=session.warn)  # forget them now


def _store(session: Session, status: Status, got: Any) -> Status:
    """Write one page (the cache entry first, then its index rows) and say where the
    harvest goes on."""
    from papertrack.store import index

    page = got.page
    key = keys.oai_page(status.set_spec, status.start, status.page)
    items = [got.body.decode("utf-8", errors="replace")]
    datestamps = [r.datestamp for r in page.records if r.datestamp]
    token = page.token
    meta = {
        "set": status.set_spec,
        "page": status.page,
        "records": len(page.records),
        "token": token.value if token else None,
        "cursor": token.cursor if token else None,
        "complete": token.complete if token else None,
        "response_date": format_timestamp(page.response_date),
    }
    cache.write_entry(
        key, url=got.url, fetched_at=session.now, items=items, meta=meta, root=session.root
    )
    # The index reads the papers from the page as stored (fetch_page read only the headers).
    index.add_entries([(key, items, None)], session.root)
    kept = sum(1 for r in page.records if not r.deleted)
    previous = status.last_datestamp
    ordered = (
        status.ordered
        and datestamps == sorted(datestamps)
        and (previous is None or not datestamps or datestamps[0] >= previous)
    )
    last = max([*datestamps, *([previous] if previous else [])], default=None)
    return replace(
        status,
        page=status.page + 1,
        token=token.value if token else None,
        token_expires=format_timestamp(token.expires) if token and token.expires else None,
        # Without a token, ask again from the last day stored (re-read: pages can end
        # part-way through a day) when records come in datestamp order, else from the start.
        resume_from=(last if ordered else status.resume_from),
        records=status.records + kept,
        deleted=status.deleted + len(page.records) - kept,
        complete=(token.complete if token and token.complete else status.complete),
        last_datestamp=last,
        ordered=ordered,
        total_records=status.total_records + kept,
    )


def _finish(session: Session, status: Status, response_date: datetime | None) -> Status:
    when = response_date or session.now
    done = replace(
        status,
        done=True,
        token=None,
        token_expires=None,
        synced_until=when.date().isoformat(),
        resume_from=None,
    )
    write_status(session.root, done)
    return done


def synced_window(root: Path, categories: tuple[str, ...]) -> tuple[date, date] | None:
    """The days for which every one of *categories* is synced (first harvest's ``from``
    to the last complete one), or None."""
    from papertrack.taxonomy import oai_set

    windows = []
    for category in categories:
        status = read_status(root, oai_set(category))
        if status is None or status.synced_until is None:
            return None
        first = date.fromisoformat(status.since) if status.since else ARXIV_FIRST_DAY
        windows.append((first, date.fromisoformat(status.synced_until) - timedelta(days=1)))
    if not windows:
        return None
    return max(w[0] for w in windows), min(w[1] for w in windows)
