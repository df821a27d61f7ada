from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from papertrack import freshness
from papertrack.dates import Period, day_period
from papertrack.files import atomic_write_bytes
from papertrack.store import cache, keys
from papertrack.store.keys import Key

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def cached_at(fetched_at: datetime, items: int = 1) -> cache.CachedListing:
    return cache.CachedListing(
        Key(("hf", "date", "x")), Path("x.json"), "http://h/api", fetched_at, [{}] * items
    )


def test_write_then_read_round_trip(isolated_env: Path) -> None:
    period = day_period(date(2025, 8, 25))
    items = [{"paper": {"id": "2508.00001", "title": "Ünïcode & <tags>"}}]
    key = keys.hf_listing(period)
    path = cache.write_entry(
        key,
        url="http://h/api?date=2025-08-25",
        fetched_at=NOW,
        items=items,
        meta={"etag": "x"},
        root=isolated_env,
    )
    assert path == isolated_env / "hf" / "date" / "2025-08-25.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["fetched_at"] == "2026-11-28T12:00:00Z"
    assert document["url"] == "http://h/api?date=2025-08-25"
    listing = cache.read_entry(key, isolated_env)
    assert listing is not None and listing.items == items and listing.fetched_at == NOW
    assert listing.meta == {"etag": "x"}
    assert [p.name for p in path.parent.iterdir()] == ["2025-08-25.json"]  # no temp left


def test_missing_is_none_and_corrupt_is_reported(isolated_env: Path) -> None:
    period = day_period(date(2025, 8, 25))
    key = keys.hf_listing(period)
    assert cache.read_entry(key, isolated_env) is None
    path = cache.key_path(key, isolated_env)
    path.parent.mkdir(parents=True)
    for content, reason in [
        (b'{"format": 1, "items": [', "not valid JSON"),
        (b"[]", "not a papertrack cache file"),
        (
            b'{"format": 99, "url": "u", "fetched_at": "2026-01-01T00:00:00Z", "items": []}',
            "known format",
        ),
    ]:
        path.write_bytes(content)
        with pytest.raises(cache.CorruptCacheError) as caught:
            cache.read_entry(key, isolated_env)
        assert reason in caught.value.message and str(path) in caught.value.message


def test_unsafe_keys_never_become_paths() -> None:
    for key in ("../../etc", "a/b", "", ".hidden"):
        with pytest.raises(ValueError):
            cache.key_path(
                keys.hf_listing(Period("date", key, date(2025, 1, 1), date(2025, 1, 1))),
                Path("/cache"),
            )
    with pytest.raises(ValueError):
        cache.key_path(Key(()), Path("/cache"))
    assert keys.id_part("hep-th/9901001") == "hep-th_9901001"


def test_newest_entry_skips_corrupt_files(isolated_env: Path) -> None:
    folder = keys.arxiv_feed_folder(["cs.CL"])
    assert cache.newest_entry(folder, isolated_env) is None
    for day in ("2025-08-18", "2025-08-19"):
        cache.write_entry(
            Key((*folder.parts, day)), url=day, fetched_at=NOW, items=[], root=isolated_env
        )
    cache.key_path(Key((*folder.parts, "2025-08-20")), isolated_env).write_text("{broken")
    newest = cache.newest_entry(folder, isolated_env)
    assert newest is not None and newest.url == "2025-08-19"


def test_atomic_write_leaves_old_file_when_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.json"
    atomic_write_bytes(target, b"old")

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_freshness_policy() -> None:
    today = day_period(NOW.date())
    assert freshness.hf_listing(today)(cached_at(NOW - timedelta(minutes=59)), NOW)
    assert not freshness.hf_listing(today)(cached_at(NOW - timedelta(minutes=61)), NOW)
    # An empty today (early morning) is looked at again sooner.
    assert freshness.hf_listing(today)(cached_at(NOW - timedelta(minutes=9), items=0), NOW)
    assert not freshness.hf_listing(today)(cached_at(NOW - timedelta(minutes=11), items=0), NOW)
    five_days = day_period(NOW.date() - timedelta(days=5))
    assert freshness.hf_listing(five_days)(cached_at(NOW - timedelta(hours=11)), NOW)
    assert not freshness.hf_listing(five_days)(cached_at(NOW - timedelta(hours=13)), NOW)
    old = day_period(date(2025, 8, 25))
    # Taken once the day had settled: final, whatever its age.
    assert freshness.hf_listing(old)(cached_at(datetime(2025, 10, 1, tzinfo=timezone.utc)), NOW)
    # Taken while the day was still changing: fetched once more.
    assert not freshness.hf_listing(old)(
        cached_at(datetime(2025, 8, 25, 9, tzinfo=timezone.utc)), NOW
    )
    # A copy from the future (clock moved back) is not trusted.
    assert not freshness.hf_listing(today)(cached_at(NOW + timedelta(hours=2)), NOW)


def test_configured_ttls() -> None:
    today = day_period(NOW.date())
    short = freshness.Freshness(current=timedelta(minutes=5), recent=timedelta(hours=1))
    assert not freshness.hf_listing(today, short)(cached_at(NOW - timedelta(minutes=6)), NOW)
    assert freshness.hf_listing(today, short)(cached_at(NOW - timedelta(minutes=4)), NOW)
    five_days = day_period(NOW.date() - timedelta(days=5))
    assert not freshness.hf_listing(five_days, short)(cached_at(NOW - timedelta(hours=2)), NOW)


def test_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    old = tmp_path / ".f.json.abc123.tmp"
    young = tmp_path / ".f.json.def456.tmp"
    for leftover in (old, young):
        leftover.write_bytes(b"half")
    os.utime(old, (0, 0))
    atomic_write_bytes(target, b"{}")
    assert not old.exists() and young.exists() and target.read_bytes() == b"{}"
