"""The library: the store (transactions, migrations, backups, two writers, SIGKILL), the
commands against the local servers, and the citations (arXiv's own BibTeX, byte for byte)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrack.errors import UsageError
from papertrack.models import Paper
from papertrack.parsers.arxiv import parse_api
from papertrack.render import cite
from papertrack.store import library
from tests.conftest import ROOT, run_cli
from tests.hubserver import ARXIV_FIXTURES, HubServer

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)
SEARCH = "api_search_all-testing_2026-04-12.xml"
LEGACY = "api_search_au-del_maestro_2016-10-09_legacy.xml"


def recorded(name: str) -> dict[str, Paper]:
    return {p.id: p for p in parse_api((ARXIV_FIXTURES / name).read_bytes()).papers}


def paper(n: int) -> Paper:
    return Paper(id=f"2511.{n:05d}", title=f"Paper {n}", authors=("Ada Lovelace",))


# -- the store -----------------------------------------------------------------------


def test_add_tag_note_read_remove(tmp_path: Path) -> None:
    with library.opened(tmp_path) as shelf:
        assert shelf.add([paper(1), paper(2)], now=NOW, tags=["ml"], note="look") == [
            "2511.00001",
            "2511.00002",
        ]
        # Saving again refreshes the metadata and keeps when it was added.
        renamed = Paper(id="2511.00001", title="Paper one", authors=("Ada Lovelace",))
        later = NOW + timedelta(days=1)
        assert shelf.add([renamed], now=later, tags=["to-read"], note=None) == []
        entry = shelf.get("2511.00001")
        assert entry is not None and entry.paper.title == "Paper one"
        assert entry.added_at == NOW and entry.tags == ("ml", "to-read") and entry.note == "look"
        shelf.tag("2511.00002", ["x"], add=True)
        shelf.tag("2511.00002", ["ml"], add=False)
        shelf.set_note("2511.00002", "")
        shelf.mark_read(["2511.00002"], read=True, now=later)
        shelf.mark_read(["2511.00002"], read=True, now=later + timedelta(hours=1))
        second = shelf.get("2511.00002")
        assert second is not None and second.tags == ("x",) and second.read_at == later
        assert [e.id for e in shelf.entries(unread=True)] == ["2511.00001"]
        assert [e.id for e in shelf.entries(tag="x")] == ["2511.00002"]
        assert shelf.tags() == {"ml": 1, "to-read": 1, "x": 1}
        with pytest.raises(UsageError, match="not in your library"):
            shelf.tag("2511.09999", ["x"], add=True)
        assert shelf.remove(["2511.00002", "2511.09999"]) == ["2511.09999"]
        assert shelf.tags() == {"ml": 1, "to-read": 1}  # the tags went with the paper


def test_dismissing_is_not_saving(tmp_path: Path) -> None:
    with library.opened(tmp_path) as shelf:
        shelf.dismiss([paper(3)], now=NOW)
        assert [d.paper.id for d in shelf.dismissed()] == ["2511.00003"]
        shelf.add([paper(4)], now=NOW, note=None)
        with pytest.raises(UsageError, match="remove it first"):
            shelf.dismiss([paper(4)], now=NOW)
        shelf.add([paper(3)], now=NOW, note=None)  # changed their mind: saving undoes it
        assert shelf.dismissed() == []


def test_backup_round_trips_exactly(tmp_path: Path) -> None:
    papers = recorded(SEARCH)
    with library.opened(tmp_path / "a") as shelf:
        shelf.add(list(papers.values())[:3], now=NOW, tags=["a", "b"], note="ünïcode note")
        shelf.mark_read([next(iter(papers))], read=True, now=NOW + timedelta(hours=2))
        shelf.dismiss(list(papers.values())[5:6], now=NOW)
        backup = shelf.backup()
    text = json.dumps(backup)
    with library.opened(tmp_path / "b") as other:
        assert other.restore(json.loads(text)) == (3, 1)
        assert other.backup() == backup
        assert other.restore(json.loads(text)) == (3, 1)  # again: nothing doubles
        assert other.backup() == backup


def test_a_newer_or_damaged_library_is_refused_and_left_alone(tmp_path: Path) -> None:
    newer = tmp_path / "newer"
    with library.opened(newer):
        pass
    with sqlite3.connect(library.library_path(newer)) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(library.LibraryError, match="newer papertrack"), library.opened(newer):
        pass
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    garbage = b"this is not a database, it is a shopping list\n" * 200
    library.library_path(damaged).write_bytes(garbage)
    refused = pytest.raises(library.LibraryError, match="damaged or not a papertrack library")
    with refused, library.opened(damaged):
        pass
    assert library.library_path(damaged).read_bytes() == garbage


WRITER = """
import sys
from datetime import datetime, timezone
from pathlib import Path
from papertrack.models import Paper
from papertrack.store import library

folder, first, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for n in range(first, first + count):
    with library.opened(folder) as shelf:
        shelf.add([Paper(id=f"2511.{n:05d}", title=f"P{n}")], tags=[f"t{n % 3}"],
                  now=datetime(2026, 12, 2, tzinfo=timezone.utc), note=None)
    print(n, flush=True)
"""


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(first), "40"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for first in (1, 1001)
    ]
    for writer in writers:
        writer.communicate(timeout=120)
        assert writer.returncode == 0
    with library.opened(tmp_path) as shelf:
        ids = {e.id for e in shelf.entries()}
    assert len(ids) == 80 and "2511.00040" in ids and "2511.01040" in ids


def test_sigkill_mid_write_keeps_every_committed_save(tmp_path: Path) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), "1", "100000"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    committed = [writer.stdout.readline() for _ in range(25)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    with library.opened(tmp_path) as shelf:
        ids = {e.id for e in shelf.entries()}
    assert {f"2511.{int(line):05d}" for line in committed} <= ids


# -- citations -----------------------------------------------------------------------

ATTENTION = """@misc{vaswani2023attentionneed,
      title={Attention Is All You Need}, 
      author={Ashish Vaswani and Noam Shazeer and Niki Parmar and Jakob Uszkoreit and Llion Jones and Aidan N. Gomez and Lukasz Kaiser and Illia Polosukhin},
      year={2023},
      eprint={1706.03762},
      archivePrefix={arXiv},
      primaryClass={cs.CL},
      url={https://arxiv.org/abs/1706.03762}, 
}"""  # noqa: E501, W291 - arXiv's own long line and trailing spaces


def test_bibtex_is_arxivs_own_for_attention_is_all_you_need() -> None:
    attention = Paper(
        id="1706.03762",
        title="Attention Is All You\n  Need",
        authors=(
            "Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones",
            "Aidan N. Gomez", "Lukasz Kaiser", "Illia Polosukhin",
        ),
        published=datetime(2017, 6, 12, 17, 57, 34, tzinfo=timezone.utc),
        updated=datetime(2023, 8, 2, 0, 41, 18, tzinfo=timezone.utc),  # v7: the year is 2023
        primary_category="cs.CL",
    )  # fmt: skip
    assert cite.bibtex(attention) == ATTENTION


def test_bibtex_of_recorded_papers_old_ids_dois_and_names() -> None:
    legacy = recorded(LEGACY)["cond-mat/0412498"]
    entry = cite.bibtex(legacy)
    assert entry.splitlines()[0] == "@misc{delmaestro2004thermalmeltingdensitywaves,"
    assert "      eprint={cond-mat/0412498},\n" in entry
    assert "      url={https://arxiv.org/abs/cond-mat/0412498}, \n}" in entry
    assert f"      doi={{https://doi.org/{legacy.doi}}},\n" in entry
    revised = recorded(SEARCH)["2005.14124"]  # v1 in May 2020, the latest in July 2020
    assert "year={2020}" in cite.bibtex(revised)
    accented = recorded(SEARCH)["2405.13786"]
    first = accented.authors[0]
    assert not all(a.isascii() for a in accented.authors)
    assert f"author={{{first} and " in cite.bibtex(accented)
    latex = Paper(
        id="2501.00001",
        title=r"$\mathcal{O}(n)$ Attention   for Élan",
        authors=("Jean-Pierre van der Waals", "J.R. Smith Jr."),
        updated=datetime(2025, 1, 2, tzinfo=timezone.utc),
    )
    text = cite.bibtex(latex)
    assert text.startswith("@misc{vanderwaals2025mathcalonattentionélan,\n")
    assert r"title={$\mathcal{O}(n)$ Attention for Élan}, " in text
    assert "author={Jean-Pierre van der Waals and J. R. Smith Jr.}," in text
    assert "primaryClass={unknown}" in text and "doi=" not in text


def test_ris_and_csl_json_carry_the_same_paper() -> None:
    revised = recorded(SEARCH)["2005.14124"]
    ris = cite.ris(revised, ["cps"], "read later")
    assert ris.startswith("TY  - UNPB\nTI  - Active Fuzzing") and ris.endswith("ER  - ")
    assert "UR  - https://arxiv.org/abs/2005.14124" in ris and "KW  - cps" in ris
    assert f"DO  - {revised.doi}" in ris
    [item] = json.loads(cite.write_csl([(revised, ["cps"], "")]))
    assert item["id"] == cite.citation_key(revised) and item["type"] == "article"
    assert item["issued"] == {"date-parts": [[2020, 7, 16]]}
    assert item["author"][0] == dict(
        zip(("given", "family"), cite.split_name(revised.authors[0]), strict=True)
    )


# -- the commands --------------------------------------------------------------------


def serve_search(hub: HubServer) -> dict[str, Paper]:
    hub.api("id_list=", SEARCH)
    return recorded(SEARCH)


def test_save_list_tag_read_export_import(hub: HubServer, tmp_path: Path) -> None:
    papers = serve_search(hub)
    saved = run_cli("save", "2202.12139", "https://arxiv.org/abs/2005.14124v2", "-t", "test,cps")
    assert saved.returncode == 0, saved.stderr
    assert "2202.12139: saved" in saved.stderr and "2005.14124: saved" in saved.stderr
    listed = run_cli("library")
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == [
        "2005.14124",
        "2202.12139",
    ]  # both added at the same (pinned) time: by id
    assert run_cli("library", "tag", "2202.12139", "deep").returncode == 0
    assert run_cli("library", "read", "2005.14124").returncode == 0
    unread = run_cli("library", "--unread", "-f", "json")
    assert [p["id"] for p in json.loads(unread.stdout)] == ["2202.12139"]
    deep = run_cli("library", "--tag", "deep", "-f", "jsonl")
    assert [json.loads(line)["id"] for line in deep.stdout.splitlines()] == ["2202.12139"]
    fuzz = run_cli("library", "fuzzing")
    assert [line.split("\t")[0] for line in fuzz.stdout.splitlines()] == ["2005.14124"]
    bib = run_cli("library", "export", "--format", "bibtex", "--tag", "cps")
    assert bib.returncode == 0 and bib.stdout.count("@misc{") == 2
    assert cite.bibtex(papers["2005.14124"]).splitlines()[0] in bib.stdout
    backup = tmp_path / "backup.json"
    assert run_cli("library", "export", "-o", str(backup)).returncode == 0
    assert run_cli("library", "note", "2202.12139", "changed").returncode == 0
    assert run_cli("library", "rm", "2005.14124").returncode == 0
    restored = run_cli("library", "import", str(backup))
    assert restored.returncode == 0 and "restored 2 saved paper(s)" in restored.stderr
    again = run_cli("library", "export")
    assert json.loads(again.stdout) == json.loads(backup.read_text(encoding="utf-8"))


def test_show_as_a_citation(hub: HubServer) -> None:
    papers = serve_search(hub)
    bib = run_cli("show", "2005.14124", "-f", "bibtex")
    assert bib.returncode == 0, bib.stderr
    assert bib.stdout == cite.bibtex(papers["2005.14124"]) + "\n"
    csl = run_cli("show", "2005.14124", "-f", "csl-json")
    assert json.loads(csl.stdout)[0]["URL"] == "https://arxiv.org/abs/2005.14124"


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["save", "not-an-id"], 2, "is not an arXiv id or paper URL"),
        (["save", "2202.12139", "-t", "no spaces"], 2, "invalid tag"),
        (["save", "2501.99999"], 1, "no paper 2501.99999"),
        (["library", "tag", "2202.12139", "x"], 2, "2202.12139 is not in your library"),
        (["library", "--tag", "nope"], 2, "unknown tag 'nope'"),
        (["library", "--sort", "upvotes"], 2, "--sort for the library is one of"),
        (["library", "export", "-f", "pdf"], 2, "--format for export is one of"),
        (["library", "import", "/nonexistent/backup.json"], 2, "cannot read"),
        (["library", "rm", "2202.12139"], 2, "none of the papers was in your library"),
    ],
)
def test_bad_input_gets_one_line(hub: HubServer, argv: list[str], code: int, needle: str) -> None:
    serve_search(hub)
    result = run_cli(*argv)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert lines and lines[-1].startswith("papertrack: error: ") and needle in lines[-1]
    assert "Traceback" not in result.stderr


def test_a_damaged_library_is_one_line_and_untouched(tmp_path: Path) -> None:
    folder = Path(os.environ["PAPERTRACK_DATA_DIR"])
    folder.mkdir(parents=True)
    library.library_path(folder).write_bytes(b"\x00garbage" * 512)
    result = run_cli("library")
    assert result.returncode == 1
    assert result.stderr.startswith("papertrack: error: the library ")
    assert "damaged or not a papertrack library" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_busy_library_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library, "BUSY_SECONDS", 0.2)
    folder = Path(os.environ["PAPERTRACK_DATA_DIR"])
    with library.opened(folder):
        pass
    holder = sqlite3.connect(library.library_path(folder), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run_cli("library", "note", "2202.12139", "x")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1 and "is busy" in result.stderr


BIB = r"""% exported by Zotero
@comment{jabref-meta: databaseType:bibtex;}
@string{arx = "arXiv preprint"}
@article{first,
  title = {Testing Deep Learning Models},
  author = {Doe, Jane and Roe, Richard},
  eprint = {2202.12139v1}, archivePrefix = {arXiv}, primaryClass = {cs.SE},
}
@online{byurl, url = {http://arxiv.org/abs/2005.14124v2}}
@article{bydoi, doi = {10.48550/arXiv.2204.08348}, journal = arx # " arXiv:2204.08348"}
@misc{old, title = "An {Old} Paper", author = "Ann Old", eprint = "hep-th/9901001",
       eprinttype = {arxiv}}
@book{nothing, title = {A Book Without arXiv}}
@misc{again, eprint = {2202.12139}}
"""


def test_bibtex_files_are_read_for_their_arxiv_ids() -> None:
    from papertrack.parsers.bibtex import arxiv_id, authors_of, parse_bibtex, plain

    entries = parse_bibtex(BIB)
    assert [(e.key, e.line, arxiv_id(e)) for e in entries] == [
        ("first", 4, "2202.12139"),
        ("byurl", 9, "2005.14124"),
        ("bydoi", 10, "2204.08348"),
        ("old", 11, "hep-th/9901001"),
        ("nothing", 13, None),
        ("again", 14, "2202.12139"),
    ]
    assert authors_of(entries[0]) == ("Jane Doe", "Richard Roe")
    assert plain(entries[3].fields["title"]) == "An Old Paper"
    assert entries[2].fields["journal"] == "arXiv preprint arXiv:2204.08348"


def test_import_a_bib_file(hub: HubServer, tmp_path: Path) -> None:
    serve_search(hub)
    bib = tmp_path / "zotero.bib"
    bib.write_text(BIB, encoding="utf-8")
    result = run_cli("library", "import", str(bib), "-t", "zotero")
    assert result.returncode == 0, result.stderr
    notes = result.stderr.splitlines()
    assert f"skipped {bib}:13 @book{{nothing}}: no arXiv id" in notes
    assert f"skipped {bib}:14 again: 2202.12139 again" in notes
    assert any("hep-th/9901001 (old) kept with the file's title" in n for n in notes)
    assert notes[-1] == (
        f"imported 4 paper(s) from {bib} (4 new, 0 already saved); skipped 2 of 6 entries"
    )
    saved = run_cli("library", "--tag", "zotero", "-f", "json")
    by_id = {p["id"]: p for p in json.loads(saved.stdout)}
    assert set(by_id) == {"2202.12139", "2005.14124", "2204.08348", "hep-th/9901001"}
    assert by_id["2005.14124"]["primary_category"]  # arXiv's record, not the file's
    assert by_id["hep-th/9901001"]["title"] == "An Old Paper"
    again = run_cli("library", "import", str(bib))
    assert "(0 new, 4 already saved)" in again.stderr.splitlines()[-1]


def test_a_malformed_bib_file_names_the_line(tmp_path: Path) -> None:
    bib = tmp_path / "broken.bib"
    bib.write_text("@article{ok, title = {Fine}}\n\n@article{bad,\n  title = ,\n}\n")
    result = run_cli("library", "import", str(bib))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"papertrack: error: {bib}, line 4: expected a value "
        '({…}, "…", a number or a @string name)'
    )


# -- ranking by taste ----------------------------------------------------------------


def test_taste_ranks_by_the_library_and_says_why() -> None:
    from papertrack.taste import Saved, Taste

    def p(n: int, title: str, abstract: str) -> Paper:
        return Paper(id=f"2512.{n:05d}", title=title, abstract=abstract)

    saved = [
        Saved(p(1, "Diffusion models for image synthesis", "denoising diffusion sampling"), NOW),
        Saved(p(2, "Faster diffusion sampling", "fewer denoising steps for diffusion"), NOW),
    ]
    dismissed = [p(3, "Graph neural networks for molecules", "message passing on graphs")]
    candidates = [
        p(10, "Guided diffusion for video", "denoising diffusion with guidance"),
        p(11, "Graph transformers", "message passing meets attention on graphs"),
        p(12, "A survey of databases", "indexes and transactions"),
    ]
    taste = Taste(saved, dismissed, now=NOW, corpus=candidates)
    reasons = {c.id: taste.reason(c) for c in candidates}
    ranked = sorted(candidates, key=lambda c: -reasons[c.id].score)
    assert ranked[0].id == "2512.00010"
    assert reasons["2512.00011"].score < 0 < reasons["2512.00010"].score  # dismissed: pushed down
    best = reasons["2512.00010"]
    assert best.terms and all(
        t in ("guided diffusion video denoising guidance") for t in best.terms
    )
    assert best.like is not None and best.like.paper.id in ("2512.00001", "2512.00002")
    assert "nothing in common" in reasons["2512.00012"].text()
    assert Taste([], [], now=NOW).empty


def test_today_sorted_by_taste(hub: HubServer) -> None:
    from tests.conftest import TODAY
    from tests.hubserver import hf_fixture

    hub.serve(TODAY, "2025-10-24")
    empty = run_cli("today", "--sort", "taste", "-f", "json")
    assert empty.returncode == 0, empty.stderr
    assert "Your library is empty" in empty.stderr
    by_upvotes = [p["id"] for p in json.loads(empty.stdout)]
    upvotes = [p["upvotes"] or 0 for p in json.loads(empty.stdout)]
    assert upvotes == sorted(upvotes, reverse=True)
    day = json.loads(hf_fixture("2025-10-24").read_bytes())
    liked = [p for p in json.loads(empty.stdout) if p["id"] == by_upvotes[-1]]
    with library.opened(Path(os.environ["PAPERTRACK_DATA_DIR"])) as shelf:
        shelf.add([Paper.from_dict(liked[0])], now=NOW, tags=["mine"], note=None)
    ranked = run_cli("today", "--sort", "taste:mine", "-f", "json")
    assert ranked.returncode == 0, ranked.stderr
    records = json.loads(ranked.stdout)
    assert len(records) == len(day)
    scores = [r["taste"]["score"] for r in records]
    assert scores == sorted(scores, reverse=True)
    top = records[0]
    assert top["id"] == liked[0]["id"]  # the saved paper itself is most like the library
    text = " ".join([top["title"], top["abstract"], " ".join(top["ai_keywords"])]).lower()
    assert top["taste"]["terms"] and all(t in text for t in top["taste"]["terms"])
    unknown = run_cli("today", "--sort", "taste:nope")
    assert (
        unknown.returncode == 2
        and "unknown tag 'nope' to rank by taste (tags in use: mine)" in unknown.stderr
    )
    bad = run_cli("today", "--sort", "hot")
    assert bad.returncode == 2 and "taste:TAG" in bad.stderr


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='@{}()",=#% \n\\abtcmrisgex0123:', max_size=200))
def test_any_bibtex_text_parses_or_names_a_line(text: str) -> None:
    from papertrack.errors import ParseError
    from papertrack.parsers.bibtex import arxiv_id, parse_bibtex

    try:
        entries = parse_bibtex(text)
    except ParseError as exc:
        assert str(exc).startswith("line ")
    else:
        for entry in entries:
            arxiv_id(entry)  # never raises either


def test_explain_shows_why_in_lines_table_and_long(hub: HubServer) -> None:
    from tests.conftest import TODAY

    hub.serve(TODAY, "2025-10-24")
    first = json.loads(run_cli("today", "-f", "json").stdout)[0]
    with library.opened(Path(os.environ["PAPERTRACK_DATA_DIR"])) as shelf:
        shelf.add([Paper.from_dict(first)], now=NOW, note=None)
    lines = run_cli("today", "--sort", "taste", "--explain").stdout.splitlines()
    columns = [line.split("\t") for line in lines]
    assert all(len(c) == 9 for c in columns)  # the reason sits before the title
    assert columns[0][0] == first["id"] and columns[0][-1] == first["title"]
    assert [c[6] for c in columns] == ["saved"] + [""] * (len(columns) - 1)
    assert any(c[7].split(" · ")[0].replace(".", "").isdigit() for c in columns)
    assert any('like "' in c[7] for c in columns[1:])
    table = run_cli("today", "--sort", "taste", "--explain", "-f", "table", env={"COLUMNS": "120"})
    assert "why: " in table.stdout
    long = run_cli("today", "--sort", "taste", "--long", env={"COLUMNS": "120"})
    assert "Why: " in long.stdout
    plain = run_cli("today", "--explain")
    assert plain.returncode == 2 and "add --sort taste" in plain.stderr
    assert len(run_cli("today").stdout.splitlines()[0].split("\t")) == 8  # unchanged without


def test_listings_mark_saved_papers_and_filter_by_the_library(hub: HubServer) -> None:
    from tests.conftest import TODAY

    hub.serve(TODAY, "2025-10-24")
    day = json.loads(run_cli("today", "-f", "json").stdout)
    assert not any(p["saved"] for p in day)  # no library yet, and none was created
    assert not (Path(os.environ["PAPERTRACK_DATA_DIR"]) / library.LIBRARY_NAME).exists()
    first, second = day[0]["id"], day[1]["id"]
    assert run_cli("save", first, "-t", "rl").returncode == 0
    assert run_cli("save", second).returncode == 0
    assert run_cli("library", "read", second).returncode == 0

    marked = {p["id"]: (p["saved"], p["read"], p["tags"]) for p in json.loads(
        run_cli("today", "-f", "json").stdout)}  # fmt: skip
    assert marked[first] == (True, False, ["rl"]) and marked[second] == (True, True, [])
    assert sum(saved for saved, _, _ in marked.values()) == 2
    lines = {
        line.split("\t")[0]: line.split("\t")[6] for line in run_cli("today").stdout.splitlines()
    }
    assert (lines[first], lines[second]) == ("saved", "read")
    assert set(lines.values()) == {"saved", "read", ""}
    rows = run_cli("today", "-f", "csv").stdout.splitlines()
    assert rows[0].endswith(",saved") and any(
        r.startswith(first) and r.endswith(",saved") for r in rows
    )
    assert "| Saved |" in run_cli("today", "-f", "md").stdout
    table = run_cli("today", "-f", "table", env={"COLUMNS": "160"}).stdout
    assert "Saved" in table and " read " in table

    def ids(query: str) -> set[str]:
        result = run_cli("today", "-q", query)
        assert result.returncode == 0, result.stderr
        return {line.split("\t")[0] for line in result.stdout.splitlines()}

    assert ids("saved:yes") == {first, second}
    assert ids("saved:no") == set(lines) - {first, second}
    assert ids("tag:rl") == {first}
    assert ids("read:yes") == {second} and ids("read:no") == set(lines) - {second}
    assert ids("saved:yes AND NOT read:yes") == {first}
    unknown = run_cli("today", "-q", "tag:nope")
    assert unknown.returncode == 0 and unknown.stdout == ""
    assert "no paper in your library has the tag 'nope' (tags in use: rl)" in unknown.stderr
    bad = run_cli("today", "-q", "saved:maybe")
    assert bad.returncode == 2 and "saved: takes yes or no" in bad.stderr
    # The library listing marks its own papers and reports only the terms each one matched.
    listed = json.loads(run_cli("library", "-f", "json").stdout)
    assert {p["id"]: p["read"] for p in listed} == {first: False, second: True}


def test_a_damaged_library_costs_the_marks_not_the_listing(hub: HubServer) -> None:
    from tests.conftest import TODAY

    hub.serve(TODAY, "2025-10-24")
    folder = Path(os.environ["PAPERTRACK_DATA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / library.LIBRARY_NAME).write_bytes(b"not a database at all" * 100)
    result = run_cli("today")
    assert result.returncode == 0 and len(result.stdout.splitlines()) > 10
    assert (
        "warning: the library" in result.stderr and "saved papers are not marked" in result.stderr
    )
    needed = run_cli("today", "-q", "saved:no")
    assert needed.returncode == 1 and needed.stdout == ""
    assert len(needed.stderr.strip().splitlines()) == 1 and "damaged" in needed.stderr


def test_recommend_ranks_the_cache_by_the_library(hub: HubServer) -> None:
    from papertrack.taste import terms
    from tests.conftest import TODAY

    empty = run_cli("recommend")
    assert empty.returncode == 0 and empty.stdout == "" and "library is empty" in empty.stderr
    hub.serve(TODAY, "2025-10-24")
    day = json.loads(run_cli("today", "-f", "json").stdout)
    by_id = {p["id"]: p for p in day}
    # Save the papers about decoding; dismiss one paper; the rest is the pool.
    liked = [p["id"] for p in day if "decod" in p["title"].lower()][:2]
    disliked = next(p["id"] for p in day if p["id"] not in liked)
    assert liked and run_cli("save", *liked, "-t", "decoding").returncode == 0
    assert run_cli("library", "dismiss", disliked).returncode == 0

    result = run_cli("recommend", "-f", "json", "-n", "5")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert 0 < len(found) <= 5
    ids = [p["id"] for p in found]
    assert not set(ids) & {*liked, disliked}  # saved and dismissed papers are left out
    scores = [p["taste"]["score"] for p in found]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    for paper in found:
        words = set(terms(Paper.from_dict(by_id[paper["id"]])))
        assert paper["taste"]["terms"] and set(paper["taste"]["terms"]) <= words
        assert paper["taste"]["like"]["id"] in liked
    # The same order in lines, with the reason before the title; and by tag.
    lines = run_cli("recommend", "-n", "5").stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ids
    assert all('like "' in line.split("\t")[7] for line in lines)
    assert run_cli("recommend", "--tag", "decoding", "-n", "5").stdout.splitlines() == lines
    table = run_cli("recommend", "-f", "table", env={"COLUMNS": "140"}).stdout
    assert "why: " in table and "recommended from" in table
    jsonl = run_cli("recommend", "-n", "5", "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in jsonl] == ids
    csv_rows = run_cli("recommend", "-n", "5", "-f", "csv").stdout.splitlines()
    assert [row.split(",")[0] for row in csv_rows[1:]] == ids
    markdown = run_cli("recommend", "-n", "5", "-f", "md").stdout
    assert all(f"[{paper_id}]" in markdown for paper_id in ids)
    # Read papers are saved papers: also left out.
    assert run_cli("save", ids[0]).returncode == 0
    assert run_cli("library", "read", ids[0]).returncode == 0
    again = [line.split("\t")[0] for line in run_cli("recommend", "-n", "5").stdout.splitlines()]
    assert ids[0] not in again
    # A window with nothing cached says how to fill it.
    old = run_cli("recommend", "--since", "2024-01-01", "--source", "arxiv")
    assert old.returncode == 0 and old.stdout == ""
    assert "papertrack list --since 2024-01-01" in old.stderr


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["recommend", "--since", "lately"], "invalid --since 'lately'"),
        (["recommend", "-n", "0"], "--limit must be at least 1"),
        (["recommend", "--source", "rss"], "--source 'rss' is not one of hf, arxiv, all"),
        (["recommend", "--tag", "bad tag"], "invalid tag 'bad tag'"),
        (["recommend", "--tag", "nope"], "unknown tag 'nope'"),
    ],
)
def test_recommend_bad_input_is_one_line(argv: list[str], needle: str) -> None:
    with library.opened(Path(os.environ["PAPERTRACK_DATA_DIR"])) as shelf:
        shelf.add([paper(1)], now=NOW, tags=["x"], note=None)
    result = run_cli(*argv)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr


def test_a_library_from_the_first_version_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / library.LIBRARY_NAME
    with sqlite3.connect(path) as db:
        db.executescript(library.MIGRATIONS[0])
        db.execute(
            "INSERT INTO entries VALUES (?, ?, NULL, 'kept', ?)",
            ("2511.00001", "2026-01-02T03:04:05Z", json.dumps(paper(1).to_dict())),
        )
        db.execute("INSERT INTO tags VALUES ('2511.00001', 'old')")
        db.execute("PRAGMA user_version = 1")
    db.close()
    with library.opened(tmp_path) as shelf:
        entry = shelf.get("2511.00001")
        assert entry is not None and (entry.note, entry.tags) == ("kept", ("old",))
        assert entry.paper == paper(1)
        from papertrack.taste import terms

        # Saved before words were stored: ranking works them out from the record.
        assert [(p.id, p.title, p.terms) for p in shelf.liked()] == [
            ("2511.00001", "Paper 1", terms(paper(1)))
        ]
        version = shelf.db.execute("PRAGMA user_version").fetchone()[0]
        plan = shelf.db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM entries ORDER BY added_at DESC, id LIMIT 5"
        ).fetchall()
    assert version == library.SCHEMA_VERSION == 4
    assert "entries_by_added" in str(plan)  # the latest saves come from the index


def test_a_trained_taste_is_kept_and_follows_the_library(hub: HubServer) -> None:
    """The second ranking loads the taste the first one trained, with the same result; a
    change to the library or a damaged copy means training again, never a stale answer."""
    from papertrack.cli.rank import MODEL_NAME
    from tests.conftest import TODAY

    hub.serve(TODAY, "2025-10-24")
    day = json.loads(run_cli("today", "-f", "json").stdout)
    assert run_cli("save", day[3]["id"], day[5]["id"]).returncode == 0
    model = Path(os.environ["PAPERTRACK_CACHE_DIR"]) / MODEL_NAME
    first = run_cli("today", "--sort", "taste", "-f", "json")
    assert first.returncode == 0 and model.exists()
    key = json.loads(model.read_bytes())["key"]
    again = run_cli("today", "--sort", "taste", "-f", "json")
    assert again.stdout == first.stdout and json.loads(model.read_bytes())["key"] == key
    # The library changes: a new key, and the new paper counts.
    assert run_cli("save", day[7]["id"]).returncode == 0
    changed = run_cli("today", "--sort", "taste", "-f", "json")
    assert json.loads(model.read_bytes())["key"] != key and changed.stdout != first.stdout
    model.unlink()
    fresh = run_cli("today", "--sort", "taste", "-f", "json")
    assert fresh.stdout == changed.stdout  # trained from scratch: the same answer
    model.write_text('{"key": "', encoding="utf-8")
    assert run_cli("today", "--sort", "taste", "-f", "json").stdout == changed.stdout
    # A dismissal changes it too.
    assert run_cli("library", "dismiss", day[9]["id"]).returncode == 0
    dismissed = run_cli("today", "--sort", "taste", "-f", "json").stdout
    assert dismissed != changed.stdout
    model.unlink()
    assert run_cli("today", "--sort", "taste", "-f", "json").stdout == dismissed


def test_ranking_reads_the_library_without_sqlites_json_functions(tmp_path: Path) -> None:
    with library.opened(tmp_path) as shelf:
        shelf.add([paper(1), paper(2)], now=NOW, tags=["x"], note=None)
        expected = shelf.liked(tag="x")

        def missing(*_: object) -> None:
            raise RuntimeError("no such function")  # as an SQLite without JSON1 would fail

        shelf.db.create_function("json_extract", 2, missing)
        assert shelf.liked(tag="x") == expected and {p.title for p in expected} == {
            "Paper 1",
            "Paper 2",
        }
