from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from papertrack.dates import (
    Period,
    parse_day,
    parse_month,
    parse_since,
    parse_week,
    resolve_period,
    utc_date,
)
from papertrack.errors import UsageError

TODAY = date(2026, 11, 28)


def period(**kwargs: str | None) -> Period:
    options: dict[str, str | None] = {
        "day": None,
        "week": None,
        "month": None,
        "since": None,
        "until": None,
    }
    options.update(kwargs)
    return resolve_period(
        day=options["day"],
        week=options["week"],
        month=options["month"],
        since=options["since"],
        until=options["until"],
        today=TODAY,
    )


def test_utc_today_uses_utc_not_local_time() -> None:
    late_in_new_york = datetime(2026, 11, 27, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert utc_date(late_in_new_york) == date(2026, 11, 28)


def test_days() -> None:
    assert parse_day("2025-08-25", option="--date", today=TODAY) == date(2025, 8, 25)
    assert parse_day("today", option="--date", today=TODAY) == TODAY
    assert parse_day("Yesterday", option="--date", today=TODAY) == date(2026, 11, 27)
    assert parse_day("2026-11-29", option="--date", today=TODAY) == date(2026, 11, 29)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2025-13-40", "expected a date as YYYY-MM-DD"),
        ("2025-8-25", "expected a date as YYYY-MM-DD"),
        ("25-08-2025", "expected a date as YYYY-MM-DD"),
        ("2025-02-30", "expected a date as YYYY-MM-DD"),
        ("2020-01-01", "before Hugging Face Daily Papers began (2023-05-04)"),
        ("2027-01-01", "is in the future"),
    ],
)
def test_bad_days(text: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_day(text, option="--date", today=TODAY)
    assert says in caught.value.message
    assert caught.value.exit_code == 2


def test_weeks_are_iso_weeks() -> None:
    week = parse_week("2025-W09", today=TODAY)
    assert (week.key, week.first, week.last) == ("2025-W09", date(2025, 2, 24), date(2025, 3, 2))
    assert parse_week("2025w9", today=TODAY).key == "2025-W09"
    # 2026 has 53 ISO weeks, 2025 only 52 (see test_bad_weeks).
    assert parse_week("2026-W53", today=date(2027, 1, 2)).first == date(2026, 12, 28)


@pytest.mark.parametrize("text", ["2025-W54", "2025-W00", "2025-09", "W09", "2025-W9x", "2025-W53"])
def test_bad_weeks(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_week(text, today=TODAY)
    assert "YYYY-Www" in caught.value.message


def test_future_and_ancient_weeks() -> None:
    with pytest.raises(UsageError, match="in the future"):
        parse_week("2027-W10", today=TODAY)
    with pytest.raises(UsageError, match="before Hugging Face Daily Papers began"):
        parse_week("2022-W10", today=TODAY)


def test_months() -> None:
    feb = parse_month("2024-02", today=TODAY)
    assert (feb.first, feb.last, feb.key) == (date(2024, 2, 1), date(2024, 2, 29), "2024-02")
    dec = parse_month("2025-12", today=TODAY)
    assert dec.last == date(2025, 12, 31)
    for bad in ("2025-13", "2025-00", "2025", "2025-08-01", "Aug 2025"):
        with pytest.raises(UsageError, match="YYYY-MM"):
            parse_month(bad, today=TODAY)


def test_since_days_count_today() -> None:
    assert parse_since("7d", today=TODAY) == date(2026, 11, 22)
    assert parse_since("1d", today=TODAY) == TODAY
    assert parse_since("2026-11-01", today=TODAY) == date(2026, 11, 1)
    with pytest.raises(UsageError, match="expected Nd"):
        parse_since("last week", today=TODAY)
    with pytest.raises(UsageError, match="at least 1"):
        parse_since("0d", today=TODAY)


def test_resolve_period_rules() -> None:
    assert period(day="2025-08-25").kind == "date"
    seven = period(since="7d")
    assert seven.kind == "range" and len(seven.days()) == 7
    assert period(since="2026-11-20", until="2026-11-20").kind == "date"
    with pytest.raises(UsageError, match="needs a period"):
        period()
    with pytest.raises(UsageError, match="cannot be combined"):
        period(day="2025-08-25", week="2025-W35")
    with pytest.raises(UsageError, match="only works together with --since"):
        period(day="2025-08-25", until="2025-08-26")
    with pytest.raises(UsageError, match="is before --since"):
        period(since="2026-11-20", until="2026-11-10")
    assert period(since="2023-05-04").first == date(2023, 5, 4)  # no cap: the whole history
