"""``papertrack sync arxiv|hf`` and ``sync --status``: a field's whole history on disk.

Progress is drawn only when stderr is a terminal, and so is the closing summary: under
cron a sync says nothing unless it fails.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from papertrack.cli.common import make_session
from papertrack.cli.context import Context
from papertrack.errors import UsageError

if TYPE_CHECKING:
    from papertrack.listings.oai import Status
    from papertrack.session import Mode, Session

HF_CHUNK_DAYS = 92
"""Days of Hugging Face history gathered (and indexed, and let go) at a time."""


def _session(context: Context, mode: Mode = "refresh") -> Session:
    """A session whose client has no per-command budget: a sync runs as long as the
    history takes (each request keeps its own timeout and size cap)."""
    from papertrack.sources.http import HttpClient

    network = context.network
    client = HttpClient(
        timeout=network.timeout, backoff=network.backoff, budget=float("inf"), max_total=2**62
    )
    return make_session(context, mode, client=client)


def run_sync_arxiv(context: Context, *, categories: list[str] | None, since: str | None) -> None:
    from papertrack.listings import oai
    from papertrack.taxonomy import oai_set, parse_categories

    chosen = parse_categories(categories or [])
    first = _since(since, context.today) if since is not None else None
    wanted: dict[str, tuple[str, ...]]
    if chosen:
        wanted = {oai_set(c): (c,) for c in chosen}
    else:
        if first is not None:
            raise UsageError("--since needs the categories to sync: -c CATEGORY[,CATEGORY]")
        wanted = {s.set_spec: s.categories for s in oai.statuses(context.cache_dir)}
        if not wanted:
            raise UsageError(
                "nothing is synced yet: papertrack sync arxiv -c CATEGORY[,CATEGORY] "
                "[--since YYYY-MM-DD]"
            )
    with _session(context) as session:
        for set_spec, codes in wanted.items():
            status = oai.plan(context.cache_dir, set_spec, first, codes, context.now)
            done = _harvest_one(context, session, status)
            if context.stderr_isatty:
                context.note(_summary(done))


def _harvest_one(context: Context, session: Session, status: Status) -> Status:
    from papertrack.listings import oai
    from papertrack.render.progress import counter_for_stream

    counter = counter_for_stream(context.stderr, context.stderr_isatty, context.environ)
    label = f"arXiv {status.set_spec}"
    if status.page and context.stderr_isatty:
        context.note(f"{label}: going on from page {status.page + 1} of an interrupted sync")
    if counter is None:
        return oai.harvest(session, status)
    with counter(label) as show:
        started = time.monotonic()

        def on_page(now: Status) -> None:
            show(now.records, now.page, now.complete, time.monotonic() - started)

        return oai.harvest(
            session,
            status,
            on_page=on_page,
            on_wait=lambda seconds: context.note(f"{label}: arXiv asks to wait {seconds:.0f} s"),
        )


def _summary(status: Status) -> str:
    deleted = f", {status.deleted:,} deleted" if status.deleted else ""
    return (
        f"arXiv {status.set_spec}: {status.records:,} records in {status.page:,} pages"
        f"{deleted}; synced to {status.synced_until}"
    )


def _since(text: str, today: date) -> date:
    from papertrack.dates import ARXIV_FIRST_DAY, NotADate, parse_day

    try:
        return parse_day(text, option="--since", today=today, earliest=ARXIV_FIRST_DAY)
    except NotADate:
        raise UsageError(f"invalid --since {text!r}: expected a date as YYYY-MM-DD") from None


def run_sync_hf(context: Context, *, since: str | None) -> None:
    from papertrack.dates import HF_FIRST_DAY, range_period
    from papertrack.listings import hf

    first = _since(since, context.today) if since is not None else HF_FIRST_DAY
    first = max(first, HF_FIRST_DAY)
    today = context.today
    papers = 0
    # auto: days already cached (and settled) are not asked again.
    with _session(context, "auto") as session:
        start = first
        while start <= today:
            end = min(start + timedelta(days=HF_CHUNK_DAYS - 1), today)
            loaded = hf.listing(session, range_period(start, end), eager=False)
            papers += len(loaded.papers)
            session.flush_index()
            start = end + timedelta(days=1)
    if context.stderr_isatty:
        days = (today - first).days + 1
        context.note(
            f"Hugging Face Daily Papers: {first} to {today}, {days:,} days, {papers:,} papers"
        )


def run_status(context: Context, *, fmt: str | None) -> None:
    """What is synced: each set (its papers in the index, the records harvested, the
    window, the last datestamp, pages, disk use) and the Hugging Face days cached."""
    import json

    from papertrack.listings import oai
    from papertrack.store import cache, keys

    rows: list[dict[str, Any]] = []
    papers = _papers_by_folder(context)
    for status in oai.statuses(context.cache_dir):
        folder = cache.folder_path(keys.oai_folder(status.set_spec), context.cache_dir)
        files = list(folder.glob("*.json.gz"))
        rows.append(
            {
                "source": "arxiv",
                "set": status.set_spec,
                "categories": list(status.categories),
                "since": status.since,
                "synced_until": status.synced_until,
                "last_datestamp": status.last_datestamp,
                "state": "complete" if status.done else f"interrupted at page {status.page + 1}",
                "papers": papers.get(folder.name, 0),
                "records": status.total_records,
                "pages": len(files),
                "bytes": sum(p.stat().st_size for p in files),
            }
        )
    hf_folder = context.cache_dir / "hf" / "date"
    hf_files = sorted(hf_folder.glob("*.json")) if hf_folder.exists() else []
    if hf_files:
        rows.append(
            {
                "source": "hf",
                "set": "daily_papers",
                "categories": [],
                "since": hf_files[0].stem,
                "synced_until": hf_files[-1].stem,
                "last_datestamp": None,
                "state": f"{len(hf_files):,} days cached",
                "papers": papers.get("hf", 0),
                "records": None,
                "pages": len(hf_files),
                "bytes": sum(p.stat().st_size for p in hf_files),
            }
        )
    if fmt == "json":
        context.write(json.dumps(rows, indent=2) + "\n")
        return
    if not rows:
        context.note("Nothing synced yet: papertrack sync arxiv -c CATEGORY [--since DATE].")
        return
    for row in rows:
        fields = [
            row["source"],
            row["set"],
            f"{row['since'] or 'all'} to {row['synced_until'] or '-'}",
            str(row["state"]),
            f"{row['papers']:,} papers",
            f"{row['pages']:,} files",
            _size(int(row["bytes"])),
        ]
        context.write("\t".join(fields) + "\n")


def _papers_by_folder(context: Context) -> dict[str, int]:
    """Papers in the index by where their copy came from: each synced set's folder, and
    ``hf`` for Daily Papers days. A paper in two sets counts once, for one of them."""
    from papertrack.store import index

    if not index.index_path(context.cache_dir).exists():
        return {}

    def count(reader: index.Reader) -> dict[str, int]:
        rows = reader.connection.execute(
            "SELECT CASE WHEN path LIKE 'arxiv/oai/%' THEN substr(path, 11, "
            "instr(substr(path, 11), '/') - 1) WHEN path LIKE 'hf/date/%' THEN 'hf' END AS "
            "folder, count(*) FROM papers GROUP BY folder"
        )
        return {folder: n for folder, n in rows if folder}

    return index.read(context.cache_dir, count, warn=context.note)


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count = count / 1024  # type: ignore[assignment]
    return f"{count} B"
