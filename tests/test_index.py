"""The local full-text index behind ``search --offline``: derived from the JSON cache,
incremental, self-healing."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from papertrack.store import index
from tests.conftest import run_cli
from tests.hubserver import HubServer, hf_fixture


def cache_root() -> Path:
    return Path(os.environ["PAPERTRACK_CACHE_DIR"])


def rows(stdout: str) -> list[list[str]]:
    return [line.split("\t") for line in stdout.splitlines()]


def fetch_days(hub: HubServer, *days: str) -> None:
    for day in days:
        hub.serve(day, day)
        assert run_cli("list", "--date", day).returncode == 0


def test_offline_search_ranks_title_matches_first(hub: HubServer) -> None:
    fetch_days(hub, "2025-10-24", "2025-09-30")
    result = run_cli("search", "--offline", "speculative decoding", "-f", "json")
    assert result.returncode == 0, result.stderr
    papers = json.loads(result.stdout)
    assert papers, result.stderr
    assert "speculative decod" in papers[0]["title"].lower()  # porter stemming: decoders too
    assert all(
        "speculative" in (p["title"] + p["abstract"] + (p["ai_summary"] or "")).lower()
        for p in papers
    )
    assert hub.requests and all(r.path == "/api/daily_papers" for r in hub.requests)
    piped = run_cli("search", "--offline", "speculative decoding", "--color", "always")
    assert "\x1b[1;33m" in piped.stdout  # highlighted


def test_index_follows_the_cache(hub: HubServer, tmp_path: Path) -> None:
    fetch_days(hub, "2025-10-24")
    target = cache_root() / "hf" / "date"
    # A file the index never saw (another papertrack version, a restored backup).
    items: list[dict[str, Any]] = json.loads(hf_fixture("2026-03-10").read_bytes())
    document = json.loads((target / "2025-10-24.json").read_text())
    document["items"] = items
    (target / "2026-03-10.json").write_text(json.dumps(document))
    title = " ".join(items[0]["paper"]["title"].split())
    found = rows(run_cli("search", "--offline", f'"{title}"').stdout)
    assert found and found[0][0] == items[0]["paper"]["id"]
    (target / "2026-03-10.json").unlink()
    assert run_cli("search", "--offline", f'"{title}"').stdout == ""


def test_missing_or_corrupt_index_is_rebuilt(hub: HubServer) -> None:
    fetch_days(hub, "2025-10-24")
    first = run_cli("search", "--offline", "video").stdout
    assert first
    index.index_path(cache_root()).write_bytes(b"this is not a database" * 100)
    assert run_cli("search", "--offline", "video").stdout == first
    index.index_path(cache_root()).unlink()
    assert run_cli("search", "--offline", "video").stdout == first


def test_filters_dates_and_fts_syntax(hub: HubServer) -> None:
    fetch_days(hub, "2025-10-24", "2025-08-25")
    both = rows(run_cli("search", "--offline", "model", "-n", "100").stdout)
    assert {r[1] for r in both} == {"2025-10-24", "2025-08-25"}
    recent = rows(
        run_cli("search", "--offline", "model", "--since", "2025-10-01", "-n", "100").stdout
    )
    assert recent and {r[1] for r in recent} == {"2025-10-24"}
    assert run_cli("search", "--offline", "model", "--source", "arxiv").stdout == ""
    for hostile in ("AND OR NOT", "NEAR(a b)", '"unclosed', "title:x*", "a-b -c", "^"):
        result = run_cli("search", "--offline", hostile)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_the_index_is_derived_data(hub: HubServer, tmp_path: Path) -> None:
    """Rebuilding from a copy of the JSON alone gives the same answers."""
    fetch_days(hub, "2025-10-24", "2025-09-30")
    before = run_cli("search", "--offline", "agent", "-n", "100").stdout
    copy = tmp_path / "copy"
    shutil.copytree(cache_root(), copy, ignore=shutil.ignore_patterns("index.sqlite3*"))
    after = run_cli(
        "search", "--offline", "agent", "-n", "100", env={"PAPERTRACK_CACHE_DIR": str(copy)}
    )
    assert after.stdout == before


def test_word_counts_follow_the_cache(hub: HubServer) -> None:
    """The document frequencies kept for ranking by taste equal a count made from scratch,
    after new files, a file fetched again (the same papers once), and a file deleted."""
    from collections import Counter

    from papertrack.taste import terms

    def counts() -> tuple[int, dict[str, int]]:
        def both(reader: index.Reader) -> tuple[int, dict[str, int]]:
            rows = reader.connection.execute("SELECT term, docs FROM df").fetchall()
            return reader.documents(), dict(rows)

        return index.read(cache_root(), both)

    def from_scratch() -> tuple[int, dict[str, int]]:
        everything = index.read(cache_root(), lambda r: r.between(None, None, ("hf", "arxiv")))
        words = Counter(t for p in everything for t in set(terms(p)))
        return len(everything), {index.DOCUMENTS: len(everything), **words}

    fetch_days(hub, "2025-10-24", "2025-09-30", "2025-10-24")
    documents, frequencies = counts()
    assert documents > 50 and (documents, frequencies) == from_scratch()
    assert frequencies["decoding"] >= 2
    (cache_root() / "hf" / "date" / "2025-09-30.json").unlink()
    after = counts()
    assert after == from_scratch() and after[0] < documents
    assert run_cli("recommend").returncode == 0  # reads the same counts, caught up


def test_settled_folders_are_not_listed_again(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search costs a stat per folder, not a listing: an unchanged folder (its
    modification time stamped) is skipped; a write (a rename into it) is seen."""
    fetch_days(hub, "2025-10-24", "2025-09-30")
    root = cache_root()
    past = time.time() - 3600
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        os.utime(folder, (past, past))
    with index.opened(root) as connection:
        index.catch_up(connection, root)  # stamps the settled folders
    listed: list[str] = []
    real = os.scandir

    def counting(path: Any) -> Any:
        listed.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    with index.opened(root) as connection:
        assert index.catch_up(connection, root) == 0
    assert [p for p in listed if p != str(root)] == []
    # A new day lands in hf/date: that folder alone is listed, and the day indexed.
    hub.serve("2026-03-10", "2026-03-10")
    assert run_cli("list", "--date", "2026-03-10").returncode == 0
    with index.opened(root) as connection:
        connection.execute("DELETE FROM files WHERE path LIKE '%2026-03-10%'")
        listed.clear()
        assert index.catch_up(connection, root) == 1
    assert str(root / "hf" / "date") in listed and str(root / "hf") not in listed
    # A folder removed: its files are forgotten.
    shutil.rmtree(root / "hf" / "date")
    with index.opened(root) as connection:
        index.catch_up(connection, root)
        assert connection.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
