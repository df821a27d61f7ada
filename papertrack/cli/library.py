"""``papertrack library …`` and ``save``: the personal library, its listing and its exports."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from papertrack.cli.choices import ColorChoice, FormatChoice
from papertrack.cli.common import check_limit, make_session, write_sections
from papertrack.cli.context import Context
from papertrack.cli.paper import paper_ref
from papertrack.errors import PapertrackError, UsageError
from papertrack.matching import highlight_pattern
from papertrack.models import Mark, Paper
from papertrack.query import Filters, Match, filter_papers, sort_matches
from papertrack.render import Section
from papertrack.session import Mode

if TYPE_CHECKING:
    from papertrack.store.library import Entry, Library

EXPORT_FORMATS = ("json", "bibtex", "ris", "csl-json")
LIBRARY_SORTS = ("added", "date", "title", "taste")


@contextmanager
def opened(context: Context) -> Iterator[Library]:
    from papertrack.store import library

    with library.opened(library.data_dir(context.environ)) as shelf:
        yield shelf


def ids_of(texts: Sequence[str]) -> list[str]:
    """Versionless ids of what the user typed (ids or URLs), every one checked first."""
    return list(dict.fromkeys(paper_ref(text)[0] for text in texts))


def tags_of(values: Sequence[str] | None) -> list[str]:
    from papertrack.store.library import check_tag

    return list(dict.fromkeys(check_tag(t) for v in values or () for t in v.split(",") if t))


def look_up(context: Context, ids: Sequence[str], mode: Mode) -> list[Paper]:
    """Each paper's metadata through the cache, as ``show`` finds it; one that nobody knows
    stops the command before anything is saved."""
    from papertrack.papers import lookup

    found: list[Paper] = []
    with make_session(context, mode) as session:
        for paper_id in ids:
            paper = lookup(session, paper_id)
            if paper is None:
                where = "in the cache" if mode == "offline" else "on Hugging Face or arXiv"
                raise PapertrackError(f"no paper {paper_id} {where}; nothing was saved")
            found.append(paper)
    return found


def run_add(
    context: Context, texts: Sequence[str], *, tags: Sequence[str] | None, note: str | None,
    mode: Mode,
) -> None:  # fmt: skip
    ids = ids_of(texts)
    chosen = tags_of(tags)
    papers = look_up(context, ids, mode)
    with opened(context) as shelf:
        new = set(shelf.add(papers, now=context.now, tags=chosen, note=note))
    for paper in papers:
        state = "saved" if paper.id in new else "already saved; updated"
        context.note(f"{paper.id}: {state} ({paper.title})")


def run_remove(context: Context, texts: Sequence[str]) -> None:
    ids = ids_of(texts)
    with opened(context) as shelf:
        missing = shelf.remove(ids)
    for paper_id in ids:
        context.note(
            f"{paper_id}: " + ("not in your library" if paper_id in missing else "removed")
        )
    if len(missing) == len(ids):
        raise UsageError("none of the papers was in your library")


def run_tag(context: Context, text: str, tags: Sequence[str], *, add: bool) -> None:
    paper_id = ids_of([text])[0]
    chosen = tags_of(tags)
    if not chosen:
        raise UsageError("give at least one tag, e.g. papertrack library tag 2408.12345 to-read")
    with opened(context) as shelf:
        if not add:
            unknown = [t for t in chosen if t not in shelf.tags()]
            if unknown:
                known = ", ".join(shelf.tags()) or "none yet"
                raise UsageError(f"unknown tag {unknown[0]!r} (tags in use: {known})")
        shelf.tag(paper_id, chosen, add=add)


def run_note(context: Context, text: str, note: str) -> None:
    with opened(context) as shelf:
        shelf.set_note(ids_of([text])[0], note.strip())


def run_read(context: Context, texts: Sequence[str], *, read: bool) -> None:
    with opened(context) as shelf:
        shelf.mark_read(ids_of(texts), read=read, now=context.now)


def run_dismiss(context: Context, texts: Sequence[str], mode: Mode) -> None:
    papers = look_up(context, ids_of(texts), mode)
    with opened(context) as shelf:
        shelf.dismiss(papers, now=context.now)
    for paper in papers:
        context.note(f"{paper.id}: dismissed ({paper.title})")


def chosen_entries(
    shelf: Library, *, tag: str | None, unread: bool, limit: int | None = None
) -> list[Entry]:
    """The saved papers with *tag* (checked: an unknown tag is an error), unread ones only
    with *unread*, latest saved first."""
    if tag is not None:
        tag = tags_of([tag])[0]
        if tag not in shelf.tags():
            known = ", ".join(shelf.tags()) or "none yet"
            raise UsageError(f"unknown tag {tag!r} (tags in use: {known})")
    return shelf.entries(tag=tag, unread=unread, limit=limit)


def run_list(
    context: Context,
    terms: Sequence[str],
    *,
    tag: str | None,
    unread: bool,
    sort: str,
    limit: int | None,
    fmt: FormatChoice | None,
    color: ColorChoice,
    explain: bool = False,
) -> None:
    if sort == "score":
        sort = "taste"  # the name the issue tracker's users asked for; taste is ours
    if explain and not sort.startswith("taste"):
        raise UsageError("--explain shows why papers rank as they do: add --sort taste")
    if sort.partition(":")[0] not in LIBRARY_SORTS or (":" in sort and "taste:" not in sort):
        raise UsageError(f"--sort for the library is one of {', '.join(LIBRARY_SORTS)}, taste:TAG")
    check_limit(limit)
    with opened(context) as shelf:
        # Only an unfiltered list in the stored order can stop reading early.
        early = limit if sort == "added" and not terms else None
        entries = chosen_entries(shelf, tag=tag, unread=unread, limit=early)
        total = shelf.count()
    marks = {e.id: Mark(e.read_at is not None, e.tags) for e in entries}
    if terms:
        # The terms each paper matched (not every term asked for), in the library's order.
        papers = [e.paper for e in entries]
        matches = filter_papers(papers, Filters(tuple(terms), replacements=True), marks)
    else:
        matches = [Match(e.paper, mark=marks[e.id]) for e in entries]
    if sort.startswith("taste"):
        from papertrack.cli.rank import ranker

        tag_of_taste = sort.partition(":")[2] or None
        matches = ranker(context, "taste", tags_of([tag_of_taste])[0] if tag_of_taste else None)(
            matches
        )
    elif sort != "added":
        matches = sort_matches(matches, "date" if sort == "date" else "title")
    if limit is not None:
        matches = matches[:limit]
    label = "your library" + (f" · tag {tag}" if tag else "") + (" · unread" if unread else "")
    if not matches:
        context.note(
            f"No papers in {label} match." if total else
            "Your library is empty: save papers with papertrack save ID (or library add ID)."
        )  # fmt: skip
    section = Section(label, matches, total, highlight_pattern(terms), explain=explain)
    write_sections(context, [section], fmt=fmt, color=color)


def run_export(context: Context, *, fmt: str, tag: str | None, output: str | None) -> None:
    from papertrack.render import cite

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format for export is one of {', '.join(EXPORT_FORMATS)}")
    with opened(context) as shelf:
        if fmt == "json":
            if tag is not None:
                raise UsageError("the JSON backup is always the whole library; drop --tag")
            text = json.dumps(shelf.backup(), ensure_ascii=False, indent=2) + "\n"
        else:
            entries = sorted(chosen_entries(shelf, tag=tag, unread=False), key=lambda e: e.added_at)
            items = [(e.paper, e.tags, e.note) for e in entries]
            if fmt == "bibtex":
                text = cite.write_bibtex([e.paper for e in entries])
            elif fmt == "ris":
                text = cite.write_ris(items)
            else:
                text = cite.write_csl(items)
    if output is None or output == "-":
        context.write(text)
        return
    from papertrack.files import atomic_write_bytes

    path = Path(output).expanduser()
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise PapertrackError(f"cannot write {path}: {exc.strerror or exc}") from None
    context.note(f"wrote {path}")


def run_import(
    context: Context, source: str, *, tags: Sequence[str] | None = None, mode: Mode = "auto"
) -> None:
    path = Path(source).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".bib" or data.lstrip()[:1] in (b"@", b"%"):
        import_bibtex(context, path, data, tags=tags_of(tags), mode=mode)
        return
    if tags:
        raise UsageError("--tag is for BibTeX imports; a JSON backup keeps its own tags")
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON ({exc})") from None
    with opened(context) as shelf:
        entries, dismissed = shelf.restore(document)
    context.note(f"restored {entries} saved paper(s) and {dismissed} dismissal(s) from {path}")


def import_bibtex(
    context: Context, path: Path, data: bytes, *, tags: Sequence[str], mode: Mode
) -> None:
    """Save every entry of a .bib file that names an arXiv paper: its metadata from arXiv
    (through the cache, 100 ids a request), else what the file says. One line per entry
    skipped, and the counts at the end."""
    from papertrack.errors import ParseError
    from papertrack.papers import arxiv_records
    from papertrack.parsers.bibtex import arxiv_id, authors_of, parse_bibtex, plain
    from papertrack.text import AUTHORS_MAX, NAME_MAX, clean_line

    try:
        entries = parse_bibtex(data.decode("utf-8-sig", errors="replace"))
    except ParseError as exc:
        raise UsageError(f"{path}, {exc}") from None
    wanted: dict[str, tuple[int, str, str, tuple[str, ...]]] = {}
    for entry in entries:
        found = arxiv_id(entry)
        if found is None:
            context.note(f"skipped {path}:{entry.line} @{entry.kind}{{{entry.key}}}: no arXiv id")
        elif found in wanted:
            context.note(f"skipped {path}:{entry.line} {entry.key}: {found} again")
        else:
            title = plain(entry.fields.get("title", ""))
            wanted[found] = (entry.line, entry.key, title, authors_of(entry))
    papers: list[Paper] = []
    if wanted:
        with make_session(context, mode) as session:
            records = arxiv_records(session, list(wanted))
        for paper_id, (line, key, title, authors) in wanted.items():
            paper = records.get(paper_id)
            if paper is None and title:
                context.note(
                    f"note: {paper_id} ({key}) kept with the file's title and authors; "
                    "arXiv did not answer for it"
                )
                # Text from a file is cleaned like text from a service (papertrack.text).
                paper = Paper(
                    id=paper_id,
                    title=clean_line(title),
                    authors=tuple(clean_line(a, NAME_MAX) for a in authors[:AUTHORS_MAX]),
                    sources=("arxiv",),
                )
            if paper is None:
                context.note(f"skipped {path}:{line} {key}: arXiv does not know {paper_id}")
                continue
            papers.append(paper)
        with opened(context) as shelf:
            new = shelf.add(papers, now=context.now, tags=tags, note=None)
    else:
        new = []
    skipped = len(entries) - len(papers)
    context.note(
        f"imported {len(papers)} paper(s) from {path} ({len(new)} new, "
        f"{len(papers) - len(new)} already saved); skipped {skipped} of {len(entries)} entries"
    )
