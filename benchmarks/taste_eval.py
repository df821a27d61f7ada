"""How well does ``--sort taste`` find what a researcher would save? An offline evaluation on
real arXiv records, against two baselines measured in the same run.

    python benchmarks/taste_eval.py            # every category, 5 seeds each
    python benchmarks/taste_eval.py --quick    # 2 seeds

Data: the 2,265 records of a real OAI-PMH harvest (tests/fixtures/arxiv/oai/, 2023-03-07),
with their arXiv subjects as stand-in labels. For a subject, a library is drawn from its
papers (LIBRARY_SIZE of them, seeded); the pool to rank is every other record, and the
papers of that subject in it are the ones the researcher would want. Ranked three ways:

- taste: papertrack's own model (papertrack.taste), the library as saved papers;
- BM25: SQLite FTS5 over title and abstract, queried with the words of the library's titles
  (any of them), which is what a keyword search for "more like these" gives;
- upvotes: what ranking falls back to without a library. These records come from arXiv,
  which has no upvotes, so every paper ties: the figure shows what no signal looks like.

Reported: ROC-AUC (the chance a wanted paper ranks above an unwanted one) and precision@10
(wanted papers among the first ten), averaged over seeds; and the mean over subjects.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from papertrack.models import Paper  # noqa: E402
from papertrack.parsers.arxiv import parse_xml  # noqa: E402
from papertrack.taste import Saved, Taste  # noqa: E402

PAGES = sorted((ROOT / "tests" / "fixtures" / "arxiv" / "oai").glob("listrecords_oai_dc_*.xml"))
SUBJECTS = (
    "Computer Science - Computation and Language",
    "Computer Science - Computer Vision and Pattern Recognition",
    "Computer Science - Robotics",
    "Quantum Physics",
    "High Energy Physics - Phenomenology",
    "Condensed Matter - Materials Science",
    "Mathematics - Combinatorics",
    "Mathematics - Optimization and Control",
)
LIBRARY_SIZE = 20
NOW = datetime(2023, 3, 8, tzinfo=timezone.utc)
_DC = "{http://purl.org/dc/elements/1.1/}"
_WORD = re.compile(r"\w+")


def load() -> list[tuple[Paper, frozenset[str]]]:
    records: list[tuple[Paper, frozenset[str]]] = []
    for page in PAGES:
        for dc in parse_xml(page.read_bytes()).iter(
            "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
        ):
            texts = {}
            for name in ("title", "identifier"):
                element = dc.find(f"{_DC}{name}")
                texts[name] = " ".join((element.text or "").split()) if element is not None else ""
            descriptions = [d.text or "" for d in dc.findall(f"{_DC}description")]
            abstract = next((d for d in descriptions if not d.startswith("Comment:")), "")
            paper_id = texts["identifier"].rsplit("/abs/", 1)[-1]
            subjects = frozenset((s.text or "").strip() for s in dc.findall(f"{_DC}subject"))
            records.append(
                (
                    Paper(
                        id=paper_id,
                        title=texts["title"],
                        abstract=" ".join(abstract.split()),
                        sources=("arxiv",),
                    ),
                    subjects,
                )
            )
    return records


def roc_auc(scores: Sequence[float], wanted: Sequence[bool]) -> float:
    """Mann-Whitney: P(score of a wanted paper > an unwanted one), ties counting half."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(wanted)
    negatives = len(wanted) - positives
    total = sum(r for r, w in zip(ranks, wanted, strict=True) if w)
    return (total - positives * (positives + 1) / 2) / (positives * negatives)


def precision_at(k: int, scores: Sequence[float], wanted: Sequence[bool], seed: int) -> float:
    # Ties broken at random (seeded): a ranking with no signal must not look lucky.
    shuffle = random.Random(seed).random
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], shuffle()))
    return sum(wanted[i] for i in order[:k]) / k


def bm25_scores(library: Sequence[Paper], pool: Sequence[Paper]) -> list[float]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, abstract, tokenize='porter unicode61')")
    db.executemany(
        "INSERT INTO t(rowid, title, abstract) VALUES (?, ?, ?)",
        [(i, p.title, p.abstract) for i, p in enumerate(pool)],
    )
    words = {w.lower() for p in library for w in _WORD.findall(p.title) if len(w) > 2}
    query = " OR ".join(f'"{w}"' for w in sorted(words))
    scores = [float("-inf")] * len(pool)
    for rowid, rank in db.execute("SELECT rowid, bm25(t) FROM t WHERE t MATCH ?", (query,)):
        scores[rowid] = -rank  # bm25() is lower for better matches
    return scores


def evaluate(
    records: list[tuple[Paper, frozenset[str]]], subject: str, seed: int
) -> dict[str, tuple[float, float]]:
    members = [p for p, s in records if subject in s]
    library = random.Random(seed).sample(members, LIBRARY_SIZE)
    chosen = {p.id for p in library}
    pool = [(p, subject in s) for p, s in records if p.id not in chosen]
    papers = [p for p, _ in pool]
    wanted = [w for _, w in pool]
    taste = Taste([Saved(p, NOW) for p in library], [], now=NOW, corpus=papers)
    rankings = {
        "taste": [taste.score(p) for p in papers],
        "BM25": bm25_scores(library, papers),
        "upvotes": [float(p.upvotes or 0) for p in papers],
    }
    return {
        name: (roc_auc(scores, wanted), precision_at(10, scores, wanted, seed))
        for name, scores in rankings.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds instead of 5")
    seeds = range(2 if parser.parse_args().quick else 5)
    records = load()
    print(f"{len(records)} records, library of {LIBRARY_SIZE}, seeds {len(seeds)}\n")
    names = ("taste", "BM25", "upvotes")
    print(f"{'subject':<64}" + "".join(f"{n + ' AUC':>13}{'P@10':>7}" for n in names))
    totals: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    for subject in SUBJECTS:
        runs = [evaluate(records, subject, seed) for seed in seeds]
        cells = ""
        for name in names:
            auc = statistics.mean(r[name][0] for r in runs)
            p10 = statistics.mean(r[name][1] for r in runs)
            totals[name].append((auc, p10))
            cells += f"{auc:>13.3f}{p10:>7.2f}"
        members = sum(subject in s for _, s in records)
        print(f"{subject + f' ({members})':<64}{cells}")
    mean = ""
    for name in names:
        aucs, p10s = zip(*totals[name], strict=True)
        mean += f"{statistics.mean(aucs):>13.3f}{statistics.mean(p10s):>7.2f}"
    print(f"{'mean':<64}{mean}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
