"""``papertrack browse``: the papers of a listing in a full-screen keyboard UI (Textual).

Only this command imports Textual. The UI draws and asks; what it changes (save, dismiss,
read) goes through *actions*, which cli/browse.py writes through the library as the CLI
does, one transaction per key press, so a crash of the UI loses nothing already done.
Remote text reaches the screen as Rich Text, never as markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static

from papertrack.errors import PapertrackError
from papertrack.models import Mark, Paper
from papertrack.query import Match
from papertrack.render.formats import paper_links
from papertrack.render.terminal import highlighted, paper_detail

NARROW = 70
"""Below this width the ▲ and ★ columns go."""
SHORT = 16
"""Below this height the detail pane shows only when asked for (enter)."""

KEYS: tuple[tuple[str, str], ...] = (
    ("j / k, ↓ / ↑", "next / previous paper"),
    ("g / G", "first / last paper"),
    ("enter", "detail pane: show, or give it the whole screen"),
    ("/", "filter as you type: agent AND NOT survey"),
    ("escape", "close the filter (it stays applied) or the detail"),
    ("s", "save to your library (asks for tags)"),
    ("d", "dismiss: not for me (taste learns from it)"),
    ("r", "mark a saved paper read / unread"),
    ("o / p / c", "open the abstract page / PDF / code in the browser"),
    ("y / Y", "copy the id / arXiv's BibTeX entry"),
    ("?", "this help"),
    ("q", "quit"),
)


class Actions(Protocol):
    """What the UI asks of the library and the desktop (cli/browse.LibraryActions).
    PapertrackError for what the user should read (a tag refused, a saved paper dismissed);
    filter raises ValueError while its expression does not parse."""

    def save(self, paper: Paper, tags: Sequence[str]) -> Mark: ...
    def dismiss(self, paper: Paper) -> None: ...
    def read(self, paper: Paper, read: bool) -> Mark: ...
    def open(self, url: str) -> None: ...
    def bibtex(self, paper: Paper) -> str: ...
    def filter(self, matches: Sequence[Match], expression: str) -> list[Match]: ...


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "app.pop_screen", "close")
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help { width: auto; max-width: 78; height: auto; border: round $accent; padding: 0 1;
            background: $surface; }
    """

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Keys\n", style="bold")
        for key, what in KEYS:
            text.append(f"{key:<14}", style="bold cyan")
            text.append(f"{what}\n")
        text.append("\nescape or q closes this help", style="dim")
        yield Static(text, id="help")


class TagScreen(ModalScreen[list[str] | None]):
    """Asks for the tags of a paper being saved (none is fine)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]
    DEFAULT_CSS = """
    TagScreen { align: center middle; }
    #tags { width: 60; border: round $accent; }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.paper_title = title

    def compose(self) -> ComposeResult:
        field = Input(placeholder="tags, comma-separated (enter: none)", id="tags")
        field.border_title = Text(f"Save: {self.paper_title[:50]}")
        yield field

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss([t.strip() for t in event.value.split(",") if t.strip()])

    def action_cancel(self) -> None:
        self.dismiss(None)


class BrowseApp(App[None]):
    TITLE = "papertrack"
    CSS = """
    #papers { height: 1fr; }
    #detail { height: 1fr; border-top: solid $accent; padding: 0 1; }
    #detail.hidden { display: none; }
    #papers.hidden { display: none; }
    #filter { display: none; }
    #filter.shown { display: block; }
    #status { height: 1; color: $text-muted; padding: 0 1; }
    #empty { padding: 1 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "down", "next", show=False),
        Binding("k,up", "up", "previous", show=False),
        Binding("g", "first", "first", show=False),
        Binding("G", "last", "last", show=False),
        Binding("enter", "detail", "detail"),
        Binding("slash", "filter", "filter"),
        Binding("escape", "close", "close", show=False),
        Binding("s", "save", "save"),
        Binding("d", "dismiss", "dismiss"),
        Binding("r", "read", "read"),
        Binding("o", "open('abstract')", "open"),
        Binding("p", "open('pdf')", "PDF"),
        Binding("c", "open('code')", "code"),
        Binding("y", "copy_id", "copy id"),
        Binding("Y", "copy_bibtex", "BibTeX", show=False),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(
        self,
        matches: Sequence[Match],
        *,
        label: str,
        pattern: re.Pattern[str] | None,
        actions: Actions,
    ) -> None:
        super().__init__()
        self.everything = list(matches)
        self.shown = list(matches)
        self.label = label
        self.pattern = pattern
        self.actions = actions
        self.expression = ""
        self.detail_mode = "split"  # split, full, or off (a short terminal)

    # -- building ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(id="papers", cursor_type="row", zebra_stripes=True)
        yield table
        yield VerticalScroll(Static(id="detail-text"), id="detail")
        yield Static(id="status")
        yield Input(placeholder="filter: agent AND NOT survey", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.label
        self._fill()
        self._layout()
        self.query_one("#papers", DataTable).focus()

    def on_resize(self) -> None:
        self._layout()
        self._fill()

    def _narrow(self) -> bool:
        return self.size.width < NARROW

    def _fill(self) -> None:
        table = self.query_one("#papers", DataTable)
        keep = table.cursor_row if table.row_count else 0
        table.clear(columns=True)
        fixed = [("mark", " ", 1)]
        if not self._narrow():
            fixed += [("up", "▲", 4), ("stars", "★", 6)]
        fixed.append(("src", "src", 8))
        # The title takes what the other columns leave (each cell is padded by one on
        # both sides, and a scrollbar may take two).
        title = max(10, self.size.width - sum(w + 2 for _, _, w in fixed) - 4)
        table.add_column(" ", key="mark", width=1)
        table.add_column("title", key="title", width=title)
        for key, label, width in fixed[1:]:
            table.add_column(label, key=key, width=width)
        for match in self.shown:
            table.add_row(*self._cells(match), key=match.paper.id)
        if self.shown:
            table.move_cursor(row=min(keep, len(self.shown) - 1))
        self._show_detail()
        self._status()

    def _cells(self, match: Match) -> list[Any]:
        paper = match.paper
        mark = "" if match.mark is None else ("✓" if match.mark.read else "●")
        cells: list[Any] = [mark, highlighted(paper.title, self.pattern)]
        if not self._narrow():
            cells.append(_count(paper.upvotes))
            cells.append(_count(paper.github_stars))
        kind = f" {paper.announce_type}" if paper.announce_type else ""
        cells.append(Text(f"{paper.source_label}{kind}"[:8]))
        return cells

    def _layout(self) -> None:
        detail = self.query_one("#detail")
        papers = self.query_one("#papers")
        if self.detail_mode == "split" and self.size.height < SHORT:
            self.detail_mode = "off"
        detail.set_class(self.detail_mode == "off" and bool(self.shown), "hidden")
        papers.set_class(self.detail_mode == "full", "hidden")

    def _status(self, message: str = "") -> None:
        count = f"{len(self.shown)} of {len(self.everything)} papers · {self.label}"
        where = f" · filter: {self.expression}" if self.expression else ""
        line = Text(f"{count}{where}")
        if message:
            line.append(f" · {message}", style="bold")
        self.query_one("#status", Static).update(line)

    def current(self) -> Match | None:
        table = self.query_one("#papers", DataTable)
        if not self.shown or not table.row_count:
            return None
        return self.shown[min(table.cursor_row, len(self.shown) - 1)]

    def _show_detail(self) -> None:
        match = self.current()
        if match is None:
            empty = (
                "No paper passes the filter. Press / to change it, or q to leave."
                if self.everything
                else "No papers in this listing with these options. Press q to leave."
            )
            self.query_one("#detail-text", Static).update(Text(empty))
            return
        group = paper_detail(
            match.paper, paper_links(match.paper), pattern=self.pattern, reason=match.reason
        )
        self.query_one("#detail-text", Static).update(group)
        self.query_one("#detail", VerticalScroll).scroll_home(animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_detail()

    # -- moving ------------------------------------------------------------------------

    def action_down(self) -> None:
        self.query_one("#papers", DataTable).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#papers", DataTable).action_cursor_up()

    def action_first(self) -> None:
        self.query_one("#papers", DataTable).move_cursor(row=0)

    def action_last(self) -> None:
        self.query_one("#papers", DataTable).move_cursor(row=max(0, len(self.shown) - 1))

    def action_detail(self) -> None:
        self.detail_mode = {"split": "full", "full": "split", "off": "full"}[self.detail_mode]
        if self.detail_mode == "split" and self.size.height < SHORT:
            self.detail_mode = "off"
        self._layout()
        if self.detail_mode != "full":
            self.query_one("#papers", DataTable).focus()

    def action_close(self) -> None:
        field = self.query_one("#filter", Input)
        if field.has_class("shown"):
            field.remove_class("shown")
            self.query_one("#papers", DataTable).focus()
        elif self.detail_mode == "full":
            self.action_detail()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # -- filtering ---------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("shown")
        field.value = self.expression
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "filter":
            return
        try:
            self.shown = self.actions.filter(self.everything, event.value)
        except ValueError as exc:  # an expression still being typed
            self._status(str(exc).splitlines()[0])
            return
        self.expression = event.value.strip()
        self._fill()
        self._layout()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.action_close()

    # -- acting ------------------------------------------------------------------------

    def _act(self, do: Callable[[Match], str | None]) -> None:
        match = self.current()
        if match is None:
            return
        try:
            said = do(match)
        except PapertrackError as exc:  # say it on the status line, keep the UI
            self._status(exc.message.splitlines()[0])
            return
        except OSError as exc:  # the library's folder or the browser refused
            self._status(str(exc.strerror or exc))
            return
        if said:
            self._status(said)

    def _replace(self, match: Match, mark: Mark | None) -> None:
        new = Match(match.paper, match.terms, match.reason, mark)
        self.everything = [new if m is match else m for m in self.everything]
        self.shown = [new if m is match else m for m in self.shown]
        self._fill()

    def action_save(self) -> None:
        match = self.current()
        if match is None:
            return

        def saved(tags: list[str] | None) -> None:
            if tags is None:
                return

            def do(m: Match) -> str:
                self._replace(m, self.actions.save(m.paper, tags))
                return f"saved {m.paper.id}" + (f" [{', '.join(tags)}]" if tags else "")

            self._act(do)

        self.push_screen(TagScreen(match.paper.title), saved)

    def action_dismiss(self) -> None:
        def do(m: Match) -> str:
            self.actions.dismiss(m.paper)
            self.everything = [x for x in self.everything if x is not m]
            self.shown = [x for x in self.shown if x is not m]
            self._fill()
            self._layout()
            return f"dismissed {m.paper.id}"

        self._act(do)

    def action_read(self) -> None:
        def do(m: Match) -> str:
            if m.mark is None:
                return "save it first (s): read marks are for your library"
            mark = self.actions.read(m.paper, not m.mark.read)
            self._replace(m, mark)
            return f"{m.paper.id} marked {'read' if mark.read else 'unread'}"

        self._act(do)

    def action_open(self, what: str) -> None:
        def do(m: Match) -> str:
            url = {"abstract": m.paper.arxiv_url, "pdf": m.paper.pdf_url}.get(what)
            if what == "code":
                url = m.paper.github_repo
            if not url:
                return "no code link for this paper"
            self.actions.open(url)
            return f"opened {url}"

        self._act(do)

    def action_copy_id(self) -> None:
        def do(m: Match) -> str:
            self.copy_to_clipboard(m.paper.id)
            return f"copied {m.paper.id}"

        self._act(do)

    def action_copy_bibtex(self) -> None:
        def do(m: Match) -> str:
            self.copy_to_clipboard(self.actions.bibtex(m.paper))
            return f"copied the BibTeX entry of {m.paper.id}"

        self._act(do)


def _count(value: int | None) -> Text:
    return Text("" if value is None else f"{value:,}", justify="right")
