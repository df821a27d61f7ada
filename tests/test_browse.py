"""papertrack browse: the keyboard UI driven by Textual's own test driver (keys pressed,
screen and library asserted), screen snapshots (text compared, SVG kept for review),
one real run in a pty, and the refusal without a terminal."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from papertrack.cli.context import Context
from tests.conftest import ROOT, run_cli
from tests.hubserver import HubServer

DAY = "2025-08-25"
SNAPSHOTS = Path(__file__).with_name("snapshots")
UPDATE = os.environ.get("PAPERTRACK_UPDATE_SNAPSHOTS") == "1"


def app_for(*args: str, env: dict[str, str] | None = None, **mode: Any) -> Any:
    """The UI over what ``list ARGS`` shows, built as the command builds it."""
    from papertrack.cli import fast
    from papertrack.cli.browse import build_app
    from papertrack.cli.listing import ListingArgs, ListingOptions

    parsed = fast.parse(["list", *args])
    assert parsed is not None
    _, values = parsed
    options, period = fast.split_period(values)
    options.pop("fmt"), options.pop("long")
    if "search" in mode and "--sort" not in args:
        options["sort"] = "relevance"  # as browse orders a search
    context = Context(
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        environ={**os.environ, **(env or {})},
        stdout_isatty=True,
    )
    built = ListingOptions.build(context, ListingArgs(**options), needs_categories=not mode)
    return build_app(context, built, period, **mode)


@dataclass
class Seen:
    """What a driven UI showed when the keys were done (taken before it closed)."""

    app: Any
    text: str
    svg: str
    current: Any
    """The highlighted Match, or None."""


async def settled(pilot: Any) -> None:
    """Until the footer has drawn its keys: on a loaded machine it composes them a few
    frames after the rest, and a screenshot taken sooner lacks its line."""
    from textual.widgets import Footer

    await pilot.pause()
    for _ in range(100):
        footers = pilot.app.screen.query(Footer) or pilot.app.query(Footer)
        if all(footer.children for footer in footers):
            break
        await pilot.pause(0.05)
    await pilot.pause()


def run(app: Any, keys: list[str], size: tuple[int, int] = (80, 24)) -> Seen:
    async def drive() -> Seen:
        async with app.run_test(size=size) as pilot:
            for key in keys:
                await pilot.press(key)
            await settled(pilot)
            svg = pilot.app.export_screenshot()
            return Seen(pilot.app, screen_text(svg), svg, pilot.app.current())

    return asyncio.run(drive())


CHAR_WIDTH = 12.2
"""Rich's SVG export places each run of text at x = column × 12.2."""


def screen_text(svg: str) -> str:
    """The screen as text, from its SVG: what a snapshot compares (the SVG is for eyes)."""
    import html

    found = re.findall(r'<text class="[^"]*" x="([^"]*)" y="([^"]*)"[^>]*>([^<]*)</text>', svg)
    rows: dict[float, dict[int, str]] = {}
    for x, y, text in found:
        rows.setdefault(float(y), {})[round(float(x) / CHAR_WIDTH)] = html.unescape(text)
    lines = []
    for _, runs in sorted(rows.items()):
        line = ""
        for column, text in sorted(runs.items()):
            line = line.ljust(column) + text.replace("\xa0", " ")
        lines.append(line.rstrip())
    return "\n".join(lines)


def snapshot(seen: Seen, name: str) -> None:
    SNAPSHOTS.mkdir(exist_ok=True)
    expected = SNAPSHOTS / f"browse-{name}.txt"
    if UPDATE:
        expected.write_text(seen.text + "\n", encoding="utf-8")
        (SNAPSHOTS / f"browse-{name}.svg").write_text(seen.svg, encoding="utf-8")
    assert expected.exists(), f"no snapshot {expected.name}: run with PAPERTRACK_UPDATE_SNAPSHOTS=1"
    assert seen.text + "\n" == expected.read_text(encoding="utf-8")


@pytest.fixture
def day(hub: HubServer) -> HubServer:
    hub.serve(DAY, DAY)
    assert run_cli("list", "--date", DAY, "-f", "json").returncode == 0
    hub.requests.clear()
    return hub


def day_ids() -> list[str]:
    """The ids ``list`` shows for the day, in its order."""
    import json

    listed = run_cli("list", "--date", DAY, "--offline", "-f", "json")
    return [p["id"] for p in json.loads(listed.stdout)]


def library_rows(isolated_env: Path, table: str) -> list[tuple[Any, ...]]:
    path = isolated_env.parent / "data" / "library.sqlite3"
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT * FROM {table}").fetchall()


def test_the_list_and_the_detail_show_the_days_papers(day: HubServer) -> None:
    seen = run(app_for("--date", DAY, "--offline"), [])
    first = seen.current.paper
    ids = day_ids()
    assert [m.paper.id for m in seen.app.shown] == ids and first.title[:30] in seen.text
    assert f"{len(ids)} of {len(ids)} papers" in seen.text and "▲" in seen.text
    snapshot(seen, "list")
    moved = run(app_for("--date", DAY, "--offline"), ["j", "j", "k"])
    assert moved.current.paper.id == moved.app.shown[1].paper.id
    bottom = run(app_for("--date", DAY, "--offline"), ["G"])
    assert bottom.current.paper.id == bottom.app.shown[-1].paper.id
    top = run(app_for("--date", DAY, "--offline"), ["G", "g"])
    assert top.current.paper.id == first.id


def test_enter_gives_the_detail_the_screen_and_escape_takes_it_back(day: HubServer) -> None:
    seen = run(app_for("--date", DAY, "--offline", "agent"), ["enter"])
    paper = seen.current.paper
    second = seen.app.shown[1].paper.title[:25]
    assert "Authors:" in seen.text and paper.id in seen.text and second not in seen.text
    snapshot(seen, "detail")
    back = run(app_for("--date", DAY, "--offline", "agent"), ["enter", "escape"])
    assert back.app.detail_mode == "split"


def test_help_lists_every_key(day: HubServer) -> None:
    seen = run(app_for("--date", DAY, "--offline"), ["question_mark"])
    for key in ("j / k", "enter", "/", "s", "d", "r", "o / p / c", "y / Y", "q"):
        assert key in seen.text
    snapshot(seen, "help")


def test_an_empty_day_says_what_to_do(hub: HubServer) -> None:
    hub.serve(DAY, DAY)
    seen = run(app_for("--date", DAY, "zzzz-nothing"), [])
    assert seen.app.shown == [] and "0 of 0 papers" in seen.text
    snapshot(seen, "empty")


def test_typing_a_filter_narrows_the_list_and_a_bad_one_says_why(day: HubServer) -> None:
    keys = ["slash", *"agent AND NOT survey"]
    seen = run(app_for("--date", DAY, "--offline"), keys)
    listed = run_cli("list", "--date", DAY, "--offline", "-q", "agent AND NOT survey", "-f", "json")
    import json

    assert [m.paper.id for m in seen.app.shown] == [p["id"] for p in json.loads(listed.stdout)]
    assert 0 < len(seen.app.shown) < len(day_ids())
    broken = run(app_for("--date", DAY, "--offline"), ["slash", *"agent AND ("])
    assert "filter:" in broken.text


def test_save_with_tags_read_and_dismiss_write_through_the_library(
    day: HubServer, isolated_env: Path
) -> None:
    seen = run(
        app_for("--date", DAY, "--offline"),
        ["s", *"rl, agents", "enter", "r", "j", "d"],
    )
    first = seen.app.shown[0].paper.id
    entries = library_rows(isolated_env, "entries")
    assert [row[0] for row in entries] == [first]
    tags = sorted(tag for _, tag in library_rows(isolated_env, "tags"))
    assert tags == ["agents", "rl"]
    ((dismissed, *_),) = library_rows(isolated_env, "dismissed")
    assert (
        dismissed not in [m.paper.id for m in seen.app.shown]
        and len(seen.app.shown) == len(day_ids()) - 1
    )
    listed = run_cli("library", "-f", "json")
    assert '"read": true' in listed.stdout.replace('"read":true', '"read": true')
    # Read again without saving: a line, not a crash, and nothing written.
    unsaved = run(app_for("--date", DAY, "--offline"), ["j", "j", "r"])
    assert "save it first" in unsaved.text


def test_open_keys_start_the_browser_with_the_papers_links(day: HubServer, tmp_path: Path) -> None:
    log = tmp_path / "opened.txt"
    browser = f"{sys.executable} -c \"import sys; open(r'{log}', 'a').write(sys.argv[1] + '\\n')\""
    seen = run(app_for("--date", DAY, "--offline", env={"BROWSER": browser}), ["o", "p"])
    paper = seen.current.paper
    assert log.read_text().splitlines() == [paper.arxiv_url, paper.pdf_url]


def test_a_small_terminal_keeps_the_list_and_hides_the_detail(day: HubServer) -> None:
    small = run(app_for("--date", DAY, "--offline"), [], size=(50, 12))
    assert small.app.detail_mode == "off" and "▲" not in small.text
    shown = run(app_for("--date", DAY, "--offline"), ["enter"], size=(50, 12))
    assert shown.app.detail_mode == "full"


def test_without_a_terminal_browse_refuses_in_one_line() -> None:
    result = run_cli("browse", "--offline")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "browse needs a terminal" in result.stderr
    assert "papertrack today" in result.stderr
    unknown = run_cli("browse", "--format", "json")  # a listing option browse has not
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert "No such option: --format" in unknown.stderr


def test_browse_in_a_real_pty_draws_and_quits(day: HubServer) -> None:
    import pty
    import select
    import subprocess
    import time

    main, child = pty.openpty()
    os.set_inheritable(child, True)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "papertrack", "browse", "--date", DAY, "--offline"],
        stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, close_fds=True,
    )  # fmt: skip
    os.close(child)
    seen = b""
    deadline = time.monotonic() + 30
    while b" papers" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                seen += os.read(main, 65536)
            except OSError:
                break
    assert f"{len(day_ids())} of {len(day_ids())} papers".encode() in seen
    os.write(main, b"q")
    assert proc.wait(timeout=30) == 0
    os.close(main)


def test_textual_is_imported_by_browse_only() -> None:
    code = (
        "import sys; from papertrack.cli import run; run(['today', '--offline']); "
        "print('textual' in sys.modules)"
    )
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_no_color_turns_the_screen_monochrome(
    day: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Textual reads NO_COLOR and filters every frame it sends to the terminal through a
    # monochrome filter; the screenshot (taken before the filters) keeps its colours.
    from textual.filter import Monochrome, NoColor

    assert not run(app_for("--date", DAY, "--offline"), []).app.no_color
    monkeypatch.setenv("NO_COLOR", "1")
    plain = run(app_for("--date", DAY, "--offline"), [])
    assert plain.app.no_color
    assert any(isinstance(f, (Monochrome, NoColor)) for f in plain.app._filters)


def test_a_refused_tag_is_a_status_line_and_saves_nothing(
    day: HubServer, isolated_env: Path
) -> None:
    seen = run(app_for("--date", DAY, "--offline"), ["s", *"no way!", "enter"])
    assert "tag" in seen.text.splitlines()[-2]
    library = isolated_env.parent / "data" / "library.sqlite3"
    assert not library.exists() or library_rows(isolated_env, "entries") == []


def test_a_search_and_the_library_browse_like_their_commands(day: HubServer) -> None:
    import json

    found = run(app_for("--offline", search="agent"), [])
    searched = run_cli("search", "agent", "--offline", "-f", "json")
    assert [m.paper.id for m in found.app.shown] == [p["id"] for p in json.loads(searched.stdout)]
    assert found.app.shown and "cache search 'agent'" in found.text
    ids = day_ids()
    for paper_id, tag in ((ids[0], "rl"), (ids[2], "rl"), (ids[1], "vision")):
        assert run_cli("save", paper_id, "--offline", "-t", tag).returncode == 0
    shelf = run(app_for("-q", "tag:rl", library=True), [])
    assert sorted(m.paper.id for m in shelf.app.shown) == sorted([ids[0], ids[2]])
    assert all(m.mark is not None for m in shelf.app.shown) and "your library" in shelf.text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--search", "x", "--library"], "choose one"),
        (["--search", "x", "--week", "2025-W35"], "--week goes with today's or list's papers"),
        (["--library", "--since", "7d"], "do not choose library papers"),
    ],
)
def test_browse_modes_refuse_what_they_cannot_take(args: list[str], says: str) -> None:
    result = run_cli("browse", *args)
    assert result.returncode == 2 and says in result.stderr and result.stderr.count("\n") == 1


def test_y_copies_the_id_and_capital_y_arxivs_bibtex(day: HubServer) -> None:
    from papertrack.render.cite import bibtex

    seen = run(app_for("--date", DAY, "--offline"), ["j", "y"])
    assert seen.app.clipboard == seen.current.paper.id and "copied" in seen.text
    entry = run(app_for("--date", DAY, "--offline"), ["j", "Y"])
    assert entry.app.clipboard == bibtex(entry.current.paper)
    assert (
        entry.app.clipboard.startswith("@misc{") and entry.current.paper.id in entry.app.clipboard
    )
