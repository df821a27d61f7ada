"""`digest`: what each watch profile has not delivered yet, delivered once.

Order of work: check options and mail settings; take the digest lock; read the state; load
and filter; render; deliver; only then record what was sent. A failure before the last step
leaves the state as it was, so the next run sends the same papers again.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from papertrack.cli.listing import (
    apply_filters,
    load_config,
    make_loader,
    note,
    section_pattern,
    watch_filters,
)
from papertrack.dates import MAX_RANGE_DAYS, day_label, parse_since, range_period, utc_today
from papertrack.digest import DigestItem, DigestSection, mark_sent, select_new
from papertrack.errors import EXIT_EMPTY, OutputClosed, UsageError
from papertrack.listings import Loaded, Loader, Mode, Source, gather, load_today
from papertrack.query import sort_matches
from papertrack.record import record
from papertrack.render.digest import render

if TYPE_CHECKING:
    from papertrack.config import Config, Watch
    from papertrack.mail import MailSettings
    from papertrack.store.state import State


@record
class DigestOptions:
    watches: tuple[str, ...]
    since: str
    fmt: str | None
    output: str | None
    most: int | None
    updates: bool
    dry_run: bool
    fail_if_empty: bool
    mail: bool
    sendmail: bool
    mode: Mode


def run_digest(options: DigestOptions) -> int:
    settings = load_config()
    watches = _chosen(settings, options.watches)
    if options.mail and options.sendmail:
        raise UsageError("choose --mail (SMTP) or --sendmail, not both")
    fmt = options.fmt or settings.get("digest.format")
    most = options.most if options.most is not None else settings.get("digest.max")
    if most is not None and most < 1:
        raise UsageError(f"--max must be at least 1 (got {most})")
    emailing = options.mail or options.sendmail
    mail_settings = None
    if emailing:
        from papertrack.mail import settings_from

        mail_settings = settings_from(settings, smtp=options.mail)
    if options.since != "last":
        parse_since(options.since, today=utc_today())  # a bad --since fails before any work
    output = options.output or (None if emailing else settings.get("digest.output"))
    if options.dry_run:
        return _run(options, settings, watches, fmt, most, output, mail_settings)
    from papertrack.store.state import digest_lock

    with digest_lock():
        return _run(options, settings, watches, fmt, most, output, mail_settings)


def _chosen(settings: Config, names: tuple[str, ...]) -> list[Watch]:
    defined = settings.watches
    if not defined:
        raise UsageError(
            f"no watch profiles in {settings.path}; add one first, e.g. "
            "papertrack watch add ml --term 'language model' --category cs.CL"
        )
    if not names:
        return list(defined.values())
    unknown = [n for n in names if n not in defined]
    if unknown:
        raise UsageError(
            f"no watch profile named {unknown[0]!r} (defined: {', '.join(sorted(defined))})"
        )
    return [defined[n] for n in dict.fromkeys(names)]


def _run(
    options: DigestOptions,
    settings: Config,
    watches: list[Watch],
    fmt: str,
    most: int | None,
    output: str | None,
    mail_settings: MailSettings | None,
) -> int:
    from papertrack.store.state import read_state, write_state

    now = datetime.now(timezone.utc)
    today = utc_today(now)
    state = read_state()
    if not options.dry_run and complete_pending(state):
        write_state(state)
    sections: list[DigestSection] = []
    with make_loader(options.mode, settings, now=now) as loader:
        window = Window(loader, settings, today)
        for watch in watches:
            last = state.watch(watch.name).last_day
            loaded = window.load(watch, last if options.since == "last" else options.since)
            filters = (watch_filters(watch),)
            matches = sort_matches(apply_filters(loaded.papers, filters), "date")
            items = select_new(
                watch.name, matches, state.watch(watch.name), updates=options.updates, most=most
            )
            sections.append(
                DigestSection(watch.name, items, loaded.label, section_pattern(filters))
            )
    names = [w.name for w in watches]
    total = sum(len(s.items) for s in sections)
    if total == 0:
        note(f"No new papers for {', '.join(names)}; nothing sent.")
        if not options.dry_run:
            mark_sent(state, [], today=today, sent_at=now, watches=names)
            write_state(state)
        return EXIT_EMPTY if options.fail_if_empty else 0
    if options.dry_run:
        _write_stdout(
            render("text" if mail_settings else fmt, sections, now, _feed(sections, state, now))
        )
        note(f"Dry run: {total} paper(s) would be sent; nothing recorded.")
        return 0
    names_done = ", ".join(names)
    where = ""
    if mail_settings is not None:
        _send_mail(options, mail_settings, sections, now)
        where = "by mail"
    if output is not None:
        final = _deliver_file(fmt, output, sections, state, now, today=today, names=names)
        where = f"by mail and to {final}" if mail_settings is not None else f"to {final}"
    else:
        if mail_settings is None:
            _write_stdout(render(fmt, sections, now, _feed(sections, state, now)))
        mark_sent(state, sections, today=today, sent_at=now, watches=names)
        write_state(state)
    note(f"Sent {total} new paper(s) for {names_done} {where}".rstrip() + ".")
    return 0


def _feed(
    sections: list[DigestSection], state: State, now: datetime
) -> list[tuple[DigestItem, datetime]]:
    """This run's items, then earlier deliveries: what an RSS/Atom file should hold."""
    from papertrack.models import parse_timestamp

    fresh = [(item, now) for section in sections for item in section.items]
    earlier: list[tuple[DigestItem, datetime]] = []
    for record_ in state.recent:
        try:
            sent = parse_timestamp(record_.get("sent_at")) or now
            earlier.append((DigestItem.from_record(record_), sent))
        except (KeyError, TypeError, ValueError):
            continue
    return fresh + earlier


def output_path(output: str, today: date, fmt: str) -> Path:
    """Where a digest file goes. A feed (rss, atom) is rewritten in place; another document
    never overwrites an earlier digest of the same day: ``-2``, ``-3``… are added."""
    path = Path(output.replace("{date}", today.isoformat())).expanduser()
    if fmt in ("rss", "atom") or not path.exists():
        return path
    for number in range(2, 1000):
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise UsageError(f"too many digests named like {path}")


def complete_pending(state: State) -> bool:
    """Finish a file delivery that a crash interrupted after it was recorded as sent."""
    import os

    if state.pending is None:
        return False
    temporary, final = Path(state.pending["temporary"]), Path(state.pending["final"])
    if temporary.exists():
        os.replace(temporary, final)
        note(f"Completed an interrupted digest delivery: {final}.")
    state.pending = None
    return True


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed from None


def _send_mail(
    options: DigestOptions, settings: MailSettings, sections: list[DigestSection], now: datetime
) -> None:
    from papertrack.mail import build_message, send_sendmail, send_smtp
    from papertrack.render.digest import render_html, render_text, subject

    message = build_message(
        settings,
        subject=subject(sections, now, settings.subject_prefix),
        text=render_text(sections, now),
        html=render_html(sections, now),
    )
    (send_smtp if options.mail else send_sendmail)(message, settings)


def _deliver_file(
    fmt: str,
    output: str,
    sections: list[DigestSection],
    state: State,
    now: datetime,
    *,
    today: date,
    names: list[str],
) -> Path:
    """Exactly once, even if killed at any point: the document goes to a temporary file, the
    state records it as sent together with the pending rename, the rename happens, and the
    state forgets the rename. The next run completes a rename a crash left pending."""
    import os

    from papertrack.store.files import atomic_write_bytes
    from papertrack.store.state import write_state

    final = output_path(output, today, fmt)
    # Under the digest lock no other digest is writing: any pending file but the one the
    # state names was left by a run killed before it recorded anything. Its papers were not
    # sent and go out in this digest.
    for leftover in final.parent.glob(".*.pending"):
        if state.pending is None or str(leftover) != state.pending["temporary"]:
            leftover.unlink(missing_ok=True)
    temporary = final.with_name(f".{final.name}.{os.getpid()}.pending")
    document = render(fmt, sections, now, _feed(sections, state, now))
    try:
        atomic_write_bytes(temporary, document.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write the digest to {final}: {exc.strerror or exc}") from None
    mark_sent(state, sections, today=today, sent_at=now, watches=names)
    state.pending = {"temporary": str(temporary), "final": str(final)}
    write_state(state)
    os.replace(temporary, final)
    state.pending = None
    write_state(state)
    return final


class Window:
    """Loads what a watch has not seen: the days since its last digest (first run: the
    latest day, as ``today``), shared between watches reading the same listings."""

    def __init__(self, loader: Loader, settings: Config, today: date) -> None:
        self.loader = loader
        self.settings = settings
        self.today = today
        self._loaded: dict[tuple[object, ...], Loaded] = {}

    def load(self, watch: Watch, since: date | str | None) -> Loaded:
        categories = watch.categories or tuple(self.settings.get("categories") or ())
        source: Source = (
            watch.sources
            or self.settings.get("sources")
            or (  # type: ignore[assignment]
                "all" if categories else "hf"
            )
        )
        if source != "hf" and not categories:
            raise UsageError(f"watch {watch.name} reads arXiv but has no categories")
        first = self._first_day(since)
        key = (source, categories, first)
        if key not in self._loaded:
            self._loaded[key] = self._fetch(source, categories, first)
        return self._loaded[key]

    def _first_day(self, since: date | str | None) -> date | None:
        if since is None:
            return None
        first = since if isinstance(since, date) else parse_since(since, today=self.today)
        oldest = self.today - timedelta(days=MAX_RANGE_DAYS - 1)
        if first < oldest:
            note(f"warning: the last digest was on {first}; reading from {oldest} only.")
            first = oldest
        return min(first, self.today)

    def _fetch(self, source: Source, categories: tuple[str, ...], first: date | None) -> Loaded:
        if first is None:
            loaded, notes = load_today(self.loader, source=source, categories=categories)
            for message in notes:
                note(message)
            return loaded
        period = range_period(first, self.today)
        loaded, _ = gather(
            self.loader,
            source,
            lambda: (self.loader.load(period), None),
            lambda: (self._arxiv(categories, first), None),
        )
        return loaded

    def _arxiv(self, categories: tuple[str, ...], first: date) -> Loaded:
        from papertrack.dates import eastern_date, is_announcement_day
        from papertrack.listings import MAX_ARXIV_DAYS

        last = eastern_date(self.loader.now)
        days = [first + timedelta(n) for n in range((last - first).days + 1)]
        announced = [d for d in days if is_announcement_day(d)][-MAX_ARXIV_DAYS:]
        if not announced:
            return self.loader.arxiv_latest(categories)[0]
        if announced[0] > first and len(announced) == MAX_ARXIV_DAYS:
            note(
                f"warning: reading arXiv from {day_label(announced[0])} only "
                f"(at most {MAX_ARXIV_DAYS} announcement days)."
            )
        return self.loader.arxiv_period(categories, range_period(announced[0], announced[-1]))
