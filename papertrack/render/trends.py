"""``papertrack trends`` drawn: a table of sparklines on a terminal, ``term bucket count``
lines when piped, JSON or CSV for programs. Terms are the user's own words, but they are
still drawn as text, never as Rich markup."""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING, TextIO

from papertrack.trends import Report, Trend, sparkline

if TYPE_CHECKING:
    from rich.text import Text


def write_lines(out: TextIO, report: Report) -> None:
    labels = report.labels
    for trend in report.trends:
        for label, n in zip(labels, trend.counts, strict=True):
            out.write(f"{_cell(trend.term)}\t{label}\t{n}\n")


def write_csv(out: TextIO, report: Report) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["term", "bucket", "count"])
    for trend in report.trends:
        for label, n in zip(report.labels, trend.counts, strict=True):
            writer.writerow([trend.term, label, n])


def write_json(out: TextIO, report: Report) -> None:
    labels = report.labels
    document = {
        "since": report.first.isoformat(),
        "until": report.last.isoformat(),
        "by": report.by,
        "source": report.source,
        "papers": report.papers,
        "buckets": labels,
        "terms": [
            {
                "term": t.term,
                "counts": list(t.counts),
                "total": t.total,
                "change": t.change,
                "peak": labels[t.peak] if t.peak is not None else None,
            }
            for t in report.trends
        ],
    }
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def write_table(out: TextIO, report: Report, *, color: bool, width: int | None) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from papertrack.render.terminal import make_console

    labels = report.labels
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    # The numbers keep their width; a long term and a long run of bars fold onto more
    # lines rather than be cut (a year by week is 53 bars, more than an 80-column row has
    # to spare).
    table.add_column("term", overflow="fold", max_width=24)
    table.add_column(f"{labels[0]} … {labels[-1]}, per {report.by}", overflow="fold", ratio=1)
    for name in ("total", "last", "change"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("peak", no_wrap=True)
    for trend in report.trends:
        table.add_row(
            Text(trend.term),
            _bars(trend),
            f"{trend.total:,}",
            f"{trend.counts[-1]:,}",
            _change(trend),
            labels[trend.peak] if trend.peak is not None else "-",
        )
    console = make_console(out, color=color, terminal=True, width=width)
    console.print(table)


def _bars(trend: Trend) -> Text:
    from rich.text import Text

    bars = Text(sparkline(trend.counts), style="cyan")
    if trend.peak is not None:
        bars.stylize("bold yellow", trend.peak, trend.peak + 1)
    return bars


def _change(trend: Trend) -> str:
    change = trend.change
    if change is None:
        return "-"
    return f"+{change:,}" if change > 0 else f"{change:,}"


def _cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def write_rows(
    out: TextIO,
    face: str,
    headers: list[str],
    rows: list[list[object]],
    *,
    document: object,
    title: str,
    color: bool = False,
    width: int | None = None,
) -> None:
    """A plain ranking (``--rising``, ``--top``) in any face: a table, tab-separated lines
    (no header, as every piped listing), CSV with a header, or *document* as JSON."""
    if face == "json":
        out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    elif face == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
    elif face == "lines":
        for row in rows:
            out.write("\t".join(_cell(str(value)) for value in row) + "\n")
    else:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        from papertrack.render.terminal import make_console

        table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for n, header in enumerate(headers):
            table.add_column(header, justify="left" if n == 0 else "right", overflow="fold")
        for row in rows:
            table.add_row(Text(str(row[0])), *(_shown(value) for value in row[1:]))
        make_console(out, color=color, terminal=True, width=width).print(table)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
