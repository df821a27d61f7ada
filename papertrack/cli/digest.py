"""`digest`: what each watch profile has not delivered yet, delivered once.

Order of work: check options and mail settings; take the digest lock; read the state; load
and filter; render; deliver; only then record what was sent. A failure before the last step
leaves the state as it was, so the next run sends the same papers again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from papertrack.choices import Feed, SortKey
from papertrack.cli.common import (
    apply_filters,
    library_marks,
    make_session,
    section_pattern,
    watch_filters,
    watch_reads,
)
from papertrack.cli.context import Context
from papertrack.dates import (
    MAX_RANGE_DAYS,
    announcement_days,
    day_label,
    parse_since,
    range_period,
)
from papertrack.digest import DigestItem, DigestSection, select_new, sent_marks
from papertrack.errors import EXIT_EMPTY, PapertrackError, UsageError
from papertrack.join import unique
from papertrack.listings import Loaded, gather, load_today
from papertrack.query import sort_matches
from papertrack.record import record
from papertrack.render.digest import render
from papertrack.session import Mode, Session

if TYPE_CHECKING:
    from papertrack.config import Config, Watch
    from papertrack.mail import MailSettings
    from papertrack.notify import Channel
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
    notify: tuple[str, ...] = ()
    no_notify: bool = False


def run_digest(context: Context, options: DigestOptions) -> int:
    settings = context.config
    watches = _chosen(settings, options.watches)
    if options.mail and options.sendmail:
        raise UsageError("choose --mail (SMTP) or --sendmail, not both")
    fmt = options.fmt or settings.text("digest.format") or "md"
    most = options.most if options.most is not None else settings.number("digest.max")
    if most is not None and most < 1:
        raise UsageError(f"--max must be at least 1 (got {most})")
    emailing = options.mail or options.sendmail
    mail_settings = None
    if emailing:
        from papertrack.mail import settings_from

        mail_settings = settings_from(settings, smtp=options.mail)
    if options.notify and options.no_notify:
        raise UsageError("--notify and --no-notify contradict each other; choose one")
    urls = options.notify or (() if options.no_notify else settings.strings("notify.urls"))
    targets: list[Channel] = []
    if urls and not options.dry_run:
        from papertrack.notify import channels

        targets = channels(urls)  # the extra and every URL checked before any work
    # An explicit window is checked before any work: honoured whole, or refused.
    since = None if options.since == "last" else explicit_since(context, options.since, watches)
    elsewhere = emailing or bool(targets)
    output = options.output or (None if elsewhere else settings.text("digest.output"))
    run = _Run(context, options, watches, fmt, most, output, mail_settings, since, targets)
    if options.dry_run:
        return run()
    from papertrack.store.state import digest_lock

    with digest_lock(context.state_dir):
        return run()


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


def explicit_since(context: Context, text: str, watches: list[Watch]) -> date:
    """The first day of ``--since``, when the whole window can be read: at most
    MAX_RANGE_DAYS days, and MAX_ARXIV_DAYS announcement days for watches reading arXiv."""
    from papertrack.listings.arxiv import MAX_ARXIV_DAYS

    today = context.today
    first = min(parse_since(text, today=today), today)
    span = (today - first).days + 1
    if span > MAX_RANGE_DAYS:
        earliest = today - timedelta(days=MAX_RANGE_DAYS - 1)
        raise UsageError(
            f"--since {text} reaches back {span} days; a digest reads at most "
            f"{MAX_RANGE_DAYS} days (use {earliest} or later)"
        )
    for watch in watches:
        source, _ = configured_reads(watch, context.config)
        if source in ("hf", "trending"):
            continue
        days = announcement_days(first, context.now)
        if len(days) > MAX_ARXIV_DAYS:
            raise UsageError(
                f"--since {text} covers {len(days)} arXiv announcement days for watch "
                f"{watch.name}; a digest reads at most {MAX_ARXIV_DAYS} "
                f"(use {days[-MAX_ARXIV_DAYS]} or later)"
            )
    return first


def configured_reads(watch: Watch, settings: Config) -> tuple[Feed, tuple[str, ...]]:
    """What a watch reads in a digest: its own sources and categories, else the config's."""
    return watch_reads(
        watch,
        categories=settings.strings("categories"),
        sources=settings.text("sources"),
    )


class _Run:
    """One digest, from reading the state to recording what was delivered."""

    def __init__(
        self,
        context: Context,
        options: DigestOptions,
        watches: list[Watch],
        fmt: str,
        most: int | None,
        output: str | None,
        mail_settings: MailSettings | None,
        since: date | None,
        targets: list[Channel],
    ) -> None:
        self.context = context
        self.options = options
        self.watches = watches
        self.fmt = fmt
        self.most = most
        self.output = output
        self.mail_settings = mail_settings
        self.since = since
        self.targets = targets
        self.now = context.now
        self.today = context.today
        from papertrack.store.state import state_path

        self.state_path = state_path(context.state_dir)

    def __call__(self) -> int:
        from papertrack.store.state import StateError, check_writable, read_state, write_state

        context, options = self.context, self.options
        state = read_state(self.state_path)
        if not options.dry_run and complete_pending(context, state):
            write_state(state, self.state_path)
        sections = self._select(state)
        names = [w.name for w in self.watches]
        total = sum(len(s.items) for s in sections)
        if total == 0:
            context.note(f"No new papers for {', '.join(names)}; nothing sent.")
            if not options.dry_run:
                self._mark(state, [], names)
                try:
                    write_state(state, self.state_path)
                except StateError as exc:
                    # Nothing was sent, so nothing is lost: the next digest reads these
                    # days again.
                    context.note(f"warning: {exc.message}")
            return EXIT_EMPTY if options.fail_if_empty else 0
        if options.dry_run:
            fmt = "text" if self.mail_settings else self.fmt
            context.write(render(fmt, sections, self.now, _feed(sections, state, self.now)))
            context.stdout.flush()
            context.note(f"Dry run: {total} paper(s) would be sent; nothing recorded.")
            return 0
        # Before anything is sent: a state folder that refuses writes (a full disk) stops the
        # digest here, not after a delivery it could not record.
        check_writable(state, self.state_path, grow=2048 * total)
        ways: list[str] = []
        if self.mail_settings is not None:
            _send_mail(options, self.mail_settings, sections, self.now, context.environ)
            ways.append("by mail")
        if self.targets:
            self._notify(sections, mailed=bool(ways))
            services = ", ".join(dict.fromkeys(t.service for t in self.targets))
            ways.append(f"to {services}")
        if self.output is not None:
            final = self._deliver_file(sections, state, names)
            ways.append(f"to {final}")
        else:
            if not ways:
                context.write(
                    render(self.fmt, sections, self.now, _feed(sections, state, self.now))
                )
                context.stdout.flush()
            self._mark(state, sections, names)
            _record_delivered(state, self.state_path)
        where = " and ".join(ways)
        context.note(f"Sent {total} new paper(s) for {', '.join(names)} {where}".rstrip() + ".")
        return 0

    def _notify(self, sections: list[DigestSection], *, mailed: bool) -> None:
        """Every channel, or an error that records nothing (the next run sends again)."""
        from papertrack.notify import NotifyError, deliver

        prefix = self.context.config.text("mail.subject") or "papertrack"
        try:
            deliver(self.targets, sections, self.now, prefix)
        except NotifyError as exc:
            already = (
                "the mail and the channels that took it" if mailed else "channels that took it"
            )
            raise NotifyError(
                f"{exc.message}; nothing was recorded, so the next digest sends these papers "
                f"again (to the {already} too)"
            ) from None

    def _select(self, state: State) -> list[DigestSection]:
        sections: list[DigestSection] = []
        with make_session(self.context, self.options.mode) as session:
            window = Window(self.context, session)
            for watch in self.watches:
                first = self.since
                if self.options.since == "last":
                    first = self._since_last(watch.name, state.watch(watch.name).last_day)
                loaded = window.load(watch, first, explicit=self.since is not None)
                filters = (watch_filters(watch),)
                papers = unique(loaded.papers)  # one entry per paper, whatever was sent twice
                marks = library_marks(self.context, papers, filters)
                matched = apply_filters(papers, filters, marks)
                # A trending watch keeps Hugging Face's order unless it sets its own.
                default: SortKey = "relevance" if watch.sources == "trending" else "date"
                if watch.sort is None and watch.min_score is None:
                    matches = sort_matches(matched, default)
                else:
                    from papertrack.cli.rank import watch_ranker

                    matches = watch_ranker(self.context, watch, default)(matched)
                items = select_new(
                    watch.name,
                    matches,
                    state.watch(watch.name).seen,
                    updates=self.options.updates,
                    most=self.most,
                )
                sections.append(
                    DigestSection(watch.name, items, loaded.label, section_pattern(filters))
                )
        return sections

    def _since_last(self, name: str, last: date | None) -> date | None:
        """The day of this watch's last digest (None before the first one), at most
        MAX_RANGE_DAYS back."""
        if last is None:
            return None
        oldest = self.today - timedelta(days=MAX_RANGE_DAYS - 1)
        if last < oldest:
            self.context.note(
                f"warning: watch {name} last sent a digest on {last}; reading from {oldest} "
                f"only (a digest reads at most {MAX_RANGE_DAYS} days)"
            )
            return oldest
        return min(last, self.today)

    def _deliver_file(self, sections: list[DigestSection], state: State, names: list[str]) -> Path:
        """Exactly once, even if killed at any point: the document goes to a temporary
        file, the state records it as sent together with the pending rename, the rename
        happens, and the state forgets the rename. The next run completes a rename a crash
        left pending."""
        import hashlib
        import os

        from papertrack.files import atomic_write_bytes, mode_for
        from papertrack.store.state import write_state

        assert self.output is not None
        final = output_path(self.output, self.today, self.fmt)
        # Under the digest lock no other digest is writing: any pending file but the one the
        # state names was left by a run killed before it recorded anything. Its papers were
        # not sent and go out in this digest.
        # Only files this state's digests name: a user's own ".x.pending", or another
        # configuration's digest writing into the same folder, are none of our business.
        mine = hashlib.sha256(str(self.state_path).encode()).hexdigest()[:12]
        for leftover in final.parent.glob(f".*.papertrack-{mine}-*.pending"):
            if state.pending is None or str(leftover) != state.pending["temporary"]:
                leftover.unlink(missing_ok=True)
        temporary = final.with_name(f".{final.name}.papertrack-{mine}-{os.getpid()}.pending")
        document = render(self.fmt, sections, self.now, _feed(sections, state, self.now))
        try:
            atomic_write_bytes(temporary, document.encode("utf-8"), mode=mode_for(final))
        except OSError as exc:
            raise self._undelivered(final, exc) from None
        before = state.to_json()
        self._mark(state, sections, names)
        state.pending = {"temporary": str(temporary), "final": str(final)}
        write_state(state, self.state_path)
        try:
            os.replace(temporary, final)
        except OSError as exc:
            # Undo the record: these papers were not delivered.
            from papertrack.store.state import state_from_json

            write_state(state_from_json(before), self.state_path)
            temporary.unlink(missing_ok=True)
            raise self._undelivered(final, exc) from None
        state.pending = None
        _record_delivered(state, self.state_path)
        return final

    def _undelivered(self, final: Path, exc: OSError) -> PapertrackError:
        outcome = (
            "nothing was sent"
            if self.mail_settings is None
            else "the mail went out, but nothing was recorded, so the next digest sends "
            "these papers again"
        )
        return PapertrackError(
            f"cannot write the digest to {final}: {exc.strerror or exc}; {outcome}"
        )

    def _mark(self, state: State, sections: list[DigestSection], names: list[str]) -> None:
        marks = sent_marks(sections, today=self.today, sent_at=self.now)
        state.record_sent(marks, watches=names, today=self.today)


def _record_delivered(state: State, path: Path) -> None:
    from papertrack.store.state import StateError, write_state

    try:
        write_state(state, path)
    except StateError as exc:
        raise StateError(
            f"{exc.message}; the digest was delivered but could not be recorded, so its "
            "papers will be sent again"
        ) from None


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


def complete_pending(context: Context, state: State) -> bool:
    """Finish a file delivery that a crash interrupted after it was recorded as sent; True
    when there was one (the state changed)."""
    import os

    if state.pending is None:
        return False
    temporary, final = Path(state.pending["temporary"]), Path(state.pending["final"])
    if temporary.exists():
        try:
            os.replace(temporary, final)
        except OSError as exc:
            raise PapertrackError(
                f"cannot complete an interrupted digest delivery to {final}: {exc.strerror or exc}",
                hint=f"the digest is in {temporary}",
            ) from None
        context.note(f"Completed an interrupted digest delivery: {final}.")
    state.pending = None
    return True


def _send_mail(
    options: DigestOptions,
    settings: MailSettings,
    sections: list[DigestSection],
    now: datetime,
    environ: Mapping[str, str],
) -> None:
    from papertrack.mail import build_message, send_sendmail, send_smtp
    from papertrack.render.digest import render_html, render_text, subject

    message = build_message(
        settings,
        subject=subject(sections, now, settings.subject_prefix),
        text=render_text(sections, now),
        html=render_html(sections, now),
        now=now,
    )
    (send_smtp if options.mail else send_sendmail)(message, settings, environ)


class Window:
    """Loads what a watch has not seen: the days since its last digest (first run: the
    latest day, as ``today``), or the trending ranking of now; shared between watches
    reading the same listings."""

    def __init__(self, context: Context, session: Session) -> None:
        self.context = context
        self.session = session
        self._loaded: dict[tuple[object, ...], Loaded] = {}

    def load(self, watch: Watch, first: date | None, *, explicit: bool = False) -> Loaded:
        source, categories = configured_reads(watch, self.context.config)
        key = (source, categories, first)
        if key not in self._loaded:
            self._loaded[key] = self._fetch(source, categories, first, explicit=explicit)
        return self._loaded[key]

    def _fetch(
        self, source: Feed, categories: tuple[str, ...], first: date | None, *, explicit: bool
    ) -> Loaded:
        if source == "trending":
            # The ranking as it stands: what it holds that this watch never sent goes out.
            from papertrack.listings.hf import trending

            return trending(self.session)
        if first is None:
            loaded, notes = load_today(self.session, source=source, categories=categories)
            for message in notes:
                self.context.note(message)
            return loaded
        from papertrack.listings import hf

        period = range_period(first, self.context.today)
        loaded, _ = gather(
            self.session,
            source,
            lambda: (hf.listing(self.session, period), None),
            lambda: (self._arxiv(categories, first, explicit=explicit), None),
        )
        return loaded

    def _arxiv(self, categories: tuple[str, ...], first: date, *, explicit: bool) -> Loaded:
        from papertrack.listings import arxiv
        from papertrack.listings.arxiv import MAX_ARXIV_DAYS

        announced = announcement_days(first, self.session.now)
        if not announced:
            return arxiv.latest(self.session, categories)[0]
        if len(announced) > MAX_ARXIV_DAYS:
            assert not explicit, "explicit_since() refuses such a window"
            announced = announced[-MAX_ARXIV_DAYS:]
            self.context.note(
                f"warning: reading arXiv from {day_label(announced[0])} only "
                f"(a digest reads at most {MAX_ARXIV_DAYS} announcement days)"
            )
        return arxiv.period(self.session, categories, range_period(announced[0], announced[-1]))
