"""``papertrack trends TERM...``: cached papers per day, week or month for each term, from
the local index (nothing is fetched), with what the cache covers and how to fill the rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

from papertrack.cli.choices import ColorChoice, FormatChoice
from papertrack.cli.context import Context
from papertrack.errors import PapertrackError, UsageError
from papertrack.trends import BY, By, Report, Trend, bucket_start, buckets, count

if TYPE_CHECKING:
    from papertrack.models import Paper
    from papertrack.querylang import Node
    from papertrack.store.index import Reader

_T = TypeVar("_T")
FORMATS = ("table", "lines", "json", "csv")
SHOWN_MISSING = 5
"""Missing days named in the coverage note; the rest are counted."""


TOPS = ("authors", "orgs", "repos")


def run_trends(
    context: Context,
    terms: list[str],
    *,
    since: str | None,
    until: str | None,
    by: str,
    source: str,
    query: str | None,
    rising: bool = False,
    top: str | None = None,
    limit: int = 20,
    fmt: FormatChoice | None,
    color: ColorChoice,
) -> None:
    from papertrack.cli.common import check_limit, parse_query_option, source_option
    from papertrack.dates import ARXIV_FIRST_DAY, parse_day, parse_since

    words = [" ".join(t.split()) for t in terms if t.strip()]
    ranking = rising or top is not None
    if rising and top is not None:
        raise UsageError("--rising and --top are two views; choose one")
    if ranking and (words or query is not None):
        raise UsageError("--rising and --top rank every term; they take no TERMS or -q")
    if not words and query is None and not ranking:
        raise UsageError("trends needs a term, -q, --rising or --top, e.g. papertrack trends agent")
    if by not in BY:
        raise UsageError(f"--by {by!r} is not one of {', '.join(BY)}")
    if top is not None and top not in TOPS:
        raise UsageError(f"--top {top!r} is not one of {', '.join(TOPS)}")
    check_limit(limit)
    chosen = source_option(source)
    face = fmt.value if fmt else ("table" if context.stdout_isatty else "lines")
    if face not in FORMATS:
        raise UsageError(f"--format {face} does not draw trends; use {', '.join(FORMATS)}")
    today = context.today
    first = parse_since(
        since or ("30d" if ranking else "90d"), today=today, earliest=ARXIV_FIRST_DAY
    )
    last = parse_day(until, option="--until", today=today) if until is not None else today
    if last < first:
        raise UsageError(f"--until {last} is before --since {first}")
    node = parse_query_option(query) if query is not None else None
    bucketing: By = by  # narrowed by the check against BY above
    view = _View(context, chosen, face, color)
    if rising:
        _rising(view, first, last, limit)
    elif top is not None:
        _top(view, top, first, last, limit)
    else:
        _terms(view, words, query, node, first, last, bucketing)


class _View:
    """Where and how a trends view is drawn, and which cached papers it reads."""

    def __init__(self, context: Context, source: str, face: str, color: ColorChoice) -> None:
        from papertrack.cli.common import terminal_width
        from papertrack.render import use_color

        self.context = context
        self.source = source
        self.sources = ("hf", "arxiv") if source == "all" else (source,)
        self.face = face
        self.painted = use_color(color.value, isatty=context.stdout_isatty, environ=context.environ)
        self.width = terminal_width(context)

    def read(self, use: Callable[[Reader], _T]) -> _T:
        from papertrack.store import index

        return index.read(self.context.cache_dir, use, warn=self.context.note)

    def coverage(self, reader: Reader, first: date, last: date) -> tuple[set[str], set[str]]:
        """The Hugging Face days cached, and the arXiv announcement days with papers."""
        hf_days = {_day_of(path) for path in reader.files_under("hf/date")}
        arxiv = reader.announcement_days(first, last) if "arxiv" in self.sources else set()
        return hf_days, arxiv

    def require(self, papers: int, first: date, last: date) -> None:
        if not papers:
            raise PapertrackError(
                f"no cached {_source_name(self.source)} papers from {first} to {last}",
                hint=_fill_hint(self.context, self.source, first),
            )


def _terms(
    view: _View,
    words: list[str],
    query: str | None,
    node: Node | None,
    first: date,
    last: date,
    by: By,
) -> None:
    context = view.context

    def gather(reader: Reader) -> tuple[list[tuple[str, str]], tuple[set[str], set[str]]]:
        covered = view.coverage(reader, first, last)
        if node is None:
            return reader.texts(first, last, view.sources), covered
        from papertrack.cli.common import library_marks
        from papertrack.matching import lowered_text
        from papertrack.query import Filters, filter_papers

        papers = reader.between(first, last, view.sources)
        chain = [Filters(query=node, replacements=True)]
        marks = library_marks(context, papers, chain)
        kept = [m.paper for m in filter_papers(papers, chain[0], marks)]
        return [(p.date.isoformat(), lowered_text(p)) for p in kept if p.date], covered

    rows, (hf_days, arxiv_days) = view.read(gather)
    trends = count(rows, words or [""], first, last, by)
    if not words:  # -q alone: one row, the papers the query keeps
        trends = [Trend(query or "", trends[0].counts)]
    starts = tuple(buckets(first, last, by))
    report = Report(first, last, by, view.source, starts, tuple(trends), len(rows))
    _cover(context, report, hf_days, arxiv_days, rows_total=len(rows), query=node)
    view.require(len(rows), first, last)
    for trend in trends:
        if not trend.total:
            context.note(
                f"{trend.term!r} matches none of the {len(rows):,} cached papers "
                f"from {first} to {last}."
            )
    if not any(t.total for t in trends):
        raise PapertrackError("no term matches a cached paper in that window")
    from papertrack.render import trends as draw

    out = context.stdout
    if view.face == "table":
        draw.write_table(out, report, color=view.painted, width=view.width)
    elif view.face == "json":
        draw.write_json(out, report)
    elif view.face == "csv":
        draw.write_csv(out, report)
    else:
        draw.write_lines(out, report)


def _rising(view: _View, first: date, last: date, limit: int) -> None:
    from papertrack.trends import rising

    length = (last - first).days + 1
    before_first, before_last = first - timedelta(days=length), first - timedelta(days=1)

    def gather(reader: Reader) -> tuple[list[tuple[str, str]], tuple[set[str], set[str]]]:
        return reader.texts(before_first, last, view.sources), view.coverage(
            reader, before_first, last
        )

    rows, (hf_days, arxiv_days) = view.read(gather)
    cut = first.isoformat()
    now = [text for day, text in rows if day >= cut]
    before = [text for day, text in rows if day < cut]
    report = Report(before_first, last, "day", view.source, (), (), len(rows))
    _cover(view.context, report, hf_days, arxiv_days, rows_total=len(rows), query=None)
    view.require(len(now), first, last)
    view.require(len(before), before_first, before_last)
    rises = rising(now, before, limit=limit)
    if not rises:
        view.context.note(f"No term rose from {before_first}..{before_last} to {first}..{last}.")
        return
    from papertrack.render.trends import write_rows

    n1, n0 = len(now), len(before)
    document = {
        "since": first.isoformat(), "until": last.isoformat(),
        "before": {"since": before_first.isoformat(), "until": before_last.isoformat()},
        "papers": n1, "papers_before": n0,
        "score": "two-proportion z: how many standard errors the share of papers rose by",
        "terms": [
            {"term": r.term, "papers": r.now, "papers_before": r.before,
             "share": r.now / n1, "share_before": r.before / n0, "score": round(r.score, 2)}
            for r in rises
        ],
    }  # fmt: skip
    write_rows(
        view.context.stdout, view.face,
        ["term", "papers", "before", "share %", "before %", "score"],
        [[r.term, r.now, r.before, 100 * r.now / n1, 100 * r.before / n0, round(r.score, 2)]
         for r in rises],
        document=document,
        title=f"Rising: {first}..{last} ({n1:,} papers) against {before_first}..{before_last} "
        f"({n0:,})",
        color=view.painted, width=view.width,
    )  # fmt: skip


def _top(view: _View, what: str, first: date, last: date, limit: int) -> None:
    from papertrack.trends import top

    def gather(reader: Reader) -> tuple[list[Paper], tuple[set[str], set[str]]]:
        return reader.between(first, last, view.sources), view.coverage(reader, first, last)

    papers, (hf_days, arxiv_days) = view.read(gather)
    report = Report(first, last, "day", view.source, (), (), len(papers))
    _cover(view.context, report, hf_days, arxiv_days, rows_total=len(papers), query=None)
    view.require(len(papers), first, last)
    if what == "authors":
        values: list[str] = [name for p in papers for name in dict.fromkeys(p.authors)]
    elif what == "orgs":
        values = [p.organization or "" for p in papers]
    else:
        values = [p.github_repo or "" for p in papers]
    ranked = top(values, limit=limit)
    if not ranked:
        view.context.note(
            f"None of the {len(papers):,} cached papers from {first} to {last} names "
            f"{'an organisation' if what == 'orgs' else 'a repository'} (Hugging Face data)."
        )
        return
    from papertrack.render.trends import write_rows

    name = what[:-1]
    document = {
        "since": first.isoformat(), "until": last.isoformat(), "papers": len(papers),
        what: [{name: value, "papers": n} for value, n in ranked],
    }  # fmt: skip
    write_rows(
        view.context.stdout, view.face, [name, "papers"], [[v, n] for v, n in ranked],
        document=document, title=f"Top {what}, {first}..{last} ({len(papers):,} papers)",
        color=view.painted, width=view.width,
    )  # fmt: skip


def _day_of(path: str) -> str:
    """``hf/date/2026-11-30.json`` → ``2026-11-30``; empty for anything else."""
    name = path.rsplit("/", 1)[-1].removesuffix(".json")
    return name if len(name) == 10 and name[4] == "-" and name[7] == "-" else ""


def _source_name(source: str) -> str:
    return {"hf": "Hugging Face", "arxiv": "arXiv", "all": ""}.get(source, source).strip() or (
        "Hugging Face or arXiv"
    )


def _fill_hint(context: Context, source: str, first: date) -> str:
    commands = []
    if source in ("hf", "all"):
        commands.append(f"papertrack sync hf --since {first}")
    if source in ("arxiv", "all"):
        categories = ",".join(context.config.strings("categories")) or "CAT"
        commands.append(f"papertrack sync arxiv -c {categories} --since {first}")
    return "fill the cache first: " + " and ".join(commands)


def _cover(
    context: Context,
    report: Report,
    hf_days: set[str],
    arxiv_days: set[str],
    *,
    rows_total: int,
    query: object,
) -> None:
    """One note on stderr: the window, the papers in it, and the days the cache lacks for
    each source, with the command that would fetch them."""
    from papertrack.dates import is_announcement_day

    first, last = report.first, report.last
    every = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    parts = [f"Counted {rows_total:,} cached papers from {first} to {last}"]
    if query is not None:
        parts[0] += " matching -q"
    fills: list[str] = []
    if report.source in ("hf", "all"):
        missing = [d for d in every if d.isoformat() not in hf_days]
        parts.append(_missing("Hugging Face", len(every), missing))
        if missing:
            fills.append(f"papertrack sync hf --since {missing[0]}")
    if report.source in ("arxiv", "all"):
        wanted = [d for d in every if is_announcement_day(d)]
        missing = [d for d in wanted if d.isoformat() not in arxiv_days]
        parts.append(_missing("arXiv", len(wanted), missing, unit="announcement days"))
        if missing:
            categories = ",".join(context.config.strings("categories")) or "CAT"
            fills.append(f"papertrack sync arxiv -c {categories} --since {missing[0]}")
    partial = _partial(report)
    note = "; ".join(parts) + "." + (f" {partial}" if partial else "")
    if fills:
        note += " Fill the gaps: " + " and ".join(fills)
    context.note(note)


def _partial(report: Report) -> str:
    """Which end buckets the window cuts short (their counts cover fewer days)."""
    if not report.starts:
        return ""
    labels = report.labels
    cut = []
    if report.starts[0] < report.first:
        cut.append(f"{labels[0]} from {report.first}")
    if bucket_start(report.last + timedelta(days=1), report.by) <= report.last:
        cut.append(f"{labels[-1]} to {report.last}")
    return f"Partial {report.by}s: {', '.join(cut)}." if cut else ""


def _missing(name: str, of: int, missing: list[date], *, unit: str = "days") -> str:
    if not missing:
        return f"{name}: all {of} {unit} cached"
    shown = ", ".join(d.isoformat() for d in missing[:SHOWN_MISSING])
    more = f" and {len(missing) - SHOWN_MISSING} more" if len(missing) > SHOWN_MISSING else ""
    return f"{name}: {of - len(missing)} of {of} {unit} cached (missing {shown}{more})"
