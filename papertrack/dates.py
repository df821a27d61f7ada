"""What a date, week, month or range on the command line means; pure, the clock passed in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal

from papertrack.errors import UsageError
from papertrack.record import record

HF_FIRST_DAY = date(2023, 5, 4)
"""The first Hugging Face Daily Papers batch."""
ARXIV_FIRST_DAY = date(1991, 8, 14)
"""arXiv's first paper (hep-th/9108001)."""
MAX_RANGE_DAYS = 100
"""The longest window one digest reads."""
TODAY_LOOKBACK_DAYS = 7

PeriodKind = Literal["date", "week", "month", "range"]

_DAYS_AGO = re.compile(r"(\d{1,4})d")
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def utc_date(moment: datetime) -> date:
    """Hugging Face buckets Daily Papers by UTC date (``submittedOnDailyAt[:10]``)."""
    return moment.astimezone(timezone.utc).date()


def day_label(day: date) -> str:
    return f"{day:%a} {day.isoformat()}"


@record
class Period:
    """A span of Daily Papers days that one command asks for."""

    kind: PeriodKind
    key: str
    """What the API and the cache call it: ``2025-08-25``, ``2025-W35``, ``2025-08``."""
    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def label(self) -> str:
        if self.kind == "date":
            return day_label(self.first)
        if self.kind == "range":
            return f"{self.first.isoformat()} to {self.last.isoformat()}"
        return f"{self.key} ({self.first.isoformat()} to {self.last.isoformat()})"


def day_period(day: date) -> Period:
    return Period("date", day.isoformat(), day, day)


def _check_bounds(day: date, option: str, today: date, earliest: date = HF_FIRST_DAY) -> date:
    if day < earliest:
        if earliest != HF_FIRST_DAY:
            raise UsageError(f"{option} {day.isoformat()} is before {earliest.isoformat()}")
        raise UsageError(
            f"{option} {day.isoformat()} is before Hugging Face Daily Papers began "
            f"({HF_FIRST_DAY.isoformat()})"
        )
    # One day of slack: a user east of UTC is already on tomorrow's date.
    if day > today + timedelta(days=1):
        raise UsageError(f"{option} {day.isoformat()} is in the future (today is {today})")
    return day


def _whole_period(
    kind: PeriodKind, key: str, first: date, last: date, today: date, earliest: date = HF_FIRST_DAY
) -> Period:
    if last < earliest:
        if earliest != HF_FIRST_DAY:
            raise UsageError(f"--{kind} {key} is before {earliest}")
        raise UsageError(
            f"--{kind} {key} is before Hugging Face Daily Papers began ({HF_FIRST_DAY})"
        )
    if first > today + timedelta(days=1):
        raise UsageError(f"--{kind} {key} is in the future (today is {today})")
    return Period(kind, key, first, last)


class NotADate(UsageError):
    """The text is no date at all (as opposed to a date out of range)."""


def parse_day(text: str, *, option: str, today: date, earliest: date = HF_FIRST_DAY) -> date:
    """A calendar day from *earliest* to tomorrow: YYYY-MM-DD, ``today`` or ``yesterday``."""
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise NotADate(
            f"invalid {option} {text!r}: expected a date as YYYY-MM-DD "
            "(e.g. 2025-08-25), 'today' or 'yesterday'"
        ) from None
    return _check_bounds(day, option, today, earliest)


def parse_week(text: str, *, today: date, earliest: date = HF_FIRST_DAY) -> Period:
    """An ISO week, ``YYYY-Www`` (Monday to Sunday), as Hugging Face's ``week=`` takes it."""
    match = _WEEK.fullmatch(text.strip())
    first: date | None = None
    if match:
        year, week = int(match.group(1)), int(match.group(2))
        try:
            first = date.fromisocalendar(year, week, 1)
        except ValueError:
            first = None
    if match is None or first is None:
        raise UsageError(
            f"invalid --week {text!r}: expected an ISO week as YYYY-Www "
            "(e.g. 2025-W09; weeks run 01 to 52 or 53)"
        )
    key = f"{year:04d}-W{week:02d}"
    return _whole_period("week", key, first, first + timedelta(6), today, earliest)


def parse_month(text: str, *, today: date, earliest: date = HF_FIRST_DAY) -> Period:
    """A calendar month, ``YYYY-MM``."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"invalid --month {text!r}: expected a month as YYYY-MM (e.g. 2025-08)")
    period = month_period(int(match.group(1)), int(match.group(2)))
    return _whole_period("month", period.key, period.first, period.last, today, earliest)


def parse_since(text: str, *, today: date, earliest: date = HF_FIRST_DAY) -> date:
    """``Nd`` (the last N days, today included) or a date, from *earliest* on."""
    match = _DAYS_AGO.fullmatch(text.strip().lower())
    if match:
        count = int(match.group(1))
        if count < 1:
            raise UsageError(f"invalid --since {text!r}: the number of days must be at least 1")
        return max(today - timedelta(days=count - 1), earliest)
    try:
        return parse_day(text, option="--since", today=today, earliest=earliest)
    except NotADate:
        raise UsageError(
            f"invalid --since {text!r}: expected Nd (e.g. 7d for the last 7 days) "
            "or a date as YYYY-MM-DD"
        ) from None


def range_period(first: date, last: date) -> Period:
    if last < first:
        raise UsageError(f"--until {last.isoformat()} is before --since {first.isoformat()}")
    if first == last:
        return day_period(first)
    return Period("range", f"{first.isoformat()}..{last.isoformat()}", first, last)


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period("month", f"{year:04d}-{month:02d}", first, following - timedelta(days=1))


def week_period(day: date) -> Period:
    """The ISO week (Monday to Sunday) *day* is in."""
    year, week, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    return Period("week", f"{year:04d}-W{week:02d}", monday, monday + timedelta(days=6))


WHOLE_MONTH_FROM = 15
"""Days of a month a range needs before the whole month is asked for in one listing."""


def covering(days: Sequence[date]) -> list[Period]:
    """Few listings (months, ISO weeks, dates) that together hold *days*.

    A month when the days fill at least half of it; then an ISO week for two or more of
    the remaining days in it; a date for the rest. A month or week may reach past the days
    asked for: those days come along. Any 18 months cost at most 23 listings."""
    needed = sorted(set(days))
    chosen: list[Period] = []
    left: list[date] = []
    by_month: dict[tuple[int, int], list[date]] = {}
    for day in needed:
        by_month.setdefault((day.year, day.month), []).append(day)
    for (year, month), inside in by_month.items():
        whole = month_period(year, month)
        if len(inside) >= WHOLE_MONTH_FROM:
            chosen.append(whole)
        else:
            left.extend(inside)
    by_week: dict[Period, list[date]] = {}
    for day in left:
        by_week.setdefault(week_period(day), []).append(day)
    for week, inside in by_week.items():
        if len(inside) >= 2:
            chosen.append(week)
        else:
            chosen.extend(day_period(day) for day in inside)
    return sorted(chosen, key=lambda period: (period.first, period.last))


def resolve_period(
    *,
    day: str | None,
    week: str | None,
    month: str | None,
    since: str | None,
    until: str | None,
    today: date,
    earliest: date = HF_FIRST_DAY,
) -> Period:
    """Turn ``list``'s mutually exclusive period options into one Period; *earliest* is
    the first day the sources asked for can have (arXiv's is decades before Hugging
    Face's)."""
    chosen = [
        name
        for name, value in (
            ("--date", day),
            ("--week", week),
            ("--month", month),
            ("--since", since),
        )
        if value is not None
    ]
    if until is not None and since is None:
        raise UsageError("--until only works together with --since")
    if not chosen:
        raise UsageError(
            "list needs a period: --date YYYY-MM-DD, --week YYYY-Www, --month YYYY-MM "
            "or --since DATE|Nd"
        )
    if len(chosen) > 1:
        raise UsageError(f"choose one of {', '.join(chosen)}; they cannot be combined")
    if day is not None:
        return day_period(parse_day(day, option="--date", today=today, earliest=earliest))
    if week is not None:
        return parse_week(week, today=today, earliest=earliest)
    if month is not None:
        return parse_month(month, today=today, earliest=earliest)
    assert since is not None
    first = parse_since(since, today=today, earliest=earliest)
    last = (
        parse_day(until, option="--until", today=today, earliest=earliest)
        if until is not None
        else today
    )
    return range_period(first, last)


# -- arXiv's calendar ------------------------------------------------------------------
# arXiv announces Sunday to Thursday at 20:00 US Eastern; the RSS feed for a day is built
# at midnight Eastern, so feed days run Monday to Friday (info.arxiv.org/help/availability).

ARXIV_HOLIDAYS = frozenset(
    date.fromisoformat(d)
    for d in (
        # "2026 Holidays" on info.arxiv.org/help/availability: no mailing on these days.
        "2026-01-01", "2026-01-19", "2026-06-19", "2026-07-03", "2026-09-07",
        "2026-11-26", "2026-12-25", "2026-12-29", "2026-12-31",
    )
)  # fmt: skip
ARXIV_CUTOFF_HOUR = 14
"""Submissions received by 14:00 Eastern go out in that evening's announcement."""


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def eastern_offset(moment: datetime) -> timedelta:
    """US Eastern's UTC offset at *moment* (DST from the 2nd Sunday of March, 02:00 local,
    to the 1st Sunday of November, 02:00 local; the rule since 2007). Computed rather than
    read from a time-zone database, which Windows machines may lack."""
    utc = moment.astimezone(timezone.utc)
    start = datetime.combine(_nth_sunday(utc.year, 3, 2), time(7), timezone.utc)
    end = datetime.combine(_nth_sunday(utc.year, 11, 1), time(6), timezone.utc)
    return timedelta(hours=-4) if start <= utc < end else timedelta(hours=-5)


def eastern_date(moment: datetime) -> date:
    return (moment.astimezone(timezone.utc) + eastern_offset(moment)).date()


def eastern_to_utc(day: date, hour: int) -> datetime:
    naive = datetime.combine(day, time(hour), timezone.utc)
    return naive - eastern_offset(naive + timedelta(hours=5))


def is_announcement_day(day: date) -> bool:
    """Whether arXiv's feed for *day* should carry an announcement."""
    return day.weekday() < 5 and day not in ARXIV_HOLIDAYS


def latest_announcement_day(today: date) -> date:
    """The newest feed day on or before *today* (Eastern) that should have an announcement."""
    day = today
    while not is_announcement_day(day):
        day -= timedelta(days=1)
    return day


def _previous_weekday(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def announcement_window(day: date) -> tuple[datetime, datetime]:
    """The submission times (UTC) that the feed of *day* announces as new.

    Feed Tuesday: Friday 14:00 to Monday 14:00 Eastern; feed Monday: Thursday 14:00 to
    Friday 14:00. Holidays shift real windows; this is what a backfill asks the API for.
    """
    end_day = _previous_weekday(day)
    start_day = _previous_weekday(end_day)
    return eastern_to_utc(start_day, ARXIV_CUTOFF_HOUR), eastern_to_utc(end_day, ARXIV_CUTOFF_HOUR)


def announcement_days(first: date, now: datetime) -> list[date]:
    """arXiv's announcement days from *first* to today (US Eastern)."""
    last = eastern_date(now)
    days = (first + timedelta(n) for n in range((last - first).days + 1))
    return [d for d in days if is_announcement_day(d)]
