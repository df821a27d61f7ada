"""Ranking papers by the user's own taste, locally, with the reason shown. Pure.

A paper is a bag of weighted terms (its title and AI keywords count twice, then the abstract
and the AI summary), weighted tf-idf and normalised. The taste is Rocchio's classic profile:
the mean of the saved papers' vectors (recent saves weigh more) minus half the mean of the
dismissed ones. A paper's score is the cosine between the two, from -1 to 1; its reason is
the terms that added most to it, and the saved paper that shares most of those terms.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from papertrack.matching import fold
from papertrack.models import Paper
from papertrack.record import record
from papertrack.words import stop_words

_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
HALF_LIFE_DAYS = 180.0
"""A save this many days old counts half as much as one made today."""
MIN_RECENCY = 0.25
NEGATIVE_WEIGHT = 0.5
"""Rocchio's gamma: dismissals pull the profile away, but less than saves pull it in."""
PROFILE_TERMS = 3000
REASON_TERMS = 5

POSTINGS_PER_TERM = 4
MODEL_VERSION = 3
"""Which training a saved model (Taste.model) came from; change it when Taste changes."""
TERMS_VERSION = 1
"""Which tokenising a stored bag of words came from; change it when terms() changes, and
bags stored before are worked out again."""

Vector = dict[str, float]


def terms(paper: Paper) -> Counter[str]:
    stops = stop_words()
    twice = fold(f"{paper.title}\n{' '.join(paper.ai_keywords)}")
    once = fold(f"{paper.abstract}\n{paper.ai_summary or ''}")
    # Counter.update over a list counts in C; twice-weighted words go in twice.
    counts: Counter[str] = Counter()
    for text, times in ((twice, 2), (once, 1)):
        words = [w for w in _WORD.findall(text) if len(w) > 2 and w not in stops]
        for _ in range(times):
            counts.update(words)
    return counts


def vocabulary(paper: Paper) -> set[str]:
    """The distinct words of terms(paper), without counting them: what the index's word
    counts (IDF) need, at about half the cost."""
    text = fold(
        f"{paper.title}\n{' '.join(paper.ai_keywords)}\n{paper.abstract}\n{paper.ai_summary or ''}"
    )
    words = set(_WORD.findall(text))
    words.difference_update(stop_words())
    return {w for w in words if len(w) > 2}


def terms_json(paper: Paper) -> str:
    """*paper*'s words as the library stores them."""
    return json.dumps({"v": TERMS_VERSION, "terms": terms(paper)}, separators=(",", ":"))


def terms_from_json(text: str) -> Counter[str] | None:
    """Words stored by terms_json, or None when they came from another tokenising."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != TERMS_VERSION:
        return None
    return Counter(data.get("terms") or {})


class Idf:
    """Inverse document frequencies over a corpus of papers."""

    def __init__(self, documents: int, frequency: dict[str, int]) -> None:
        self.documents = documents
        self.frequency = frequency
        self._weights: dict[str, float] = {}

    @classmethod
    def of(cls, bags: Iterable[Counter[str]]) -> Idf:
        frequency: Counter[str] = Counter()
        count = 0
        for bag in bags:
            frequency.update(bag.keys())
            count += 1
        return cls(count, dict(frequency))

    def weight(self, term: str) -> float:
        # Each word's weight is worked out once: a ranking asks for the same words thousands
        # of times.
        found = self._weights.get(term)
        if found is None:
            # Smoothed, so a term the corpus never saw still counts (as the rarest).
            found = math.log((1 + self.documents) / (1 + self.frequency.get(term, 0))) + 1.0
            self._weights[term] = found
        return found


_TF = [0.0, *(1.0 + math.log(n) for n in range(1, 64))]
"""Sublinear term frequency, 1 + ln(n), worked out once for the counts words usually have."""


def vector(bag: Counter[str], idf: Idf) -> Vector:
    weights = idf._weights
    for term in bag.keys() - weights.keys():
        idf.weight(term)
    tf, log = _TF, math.log
    raw = {t: (tf[n] if n < 64 else 1.0 + log(n)) * weights[t] for t, n in bag.items()}
    norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
    scale = 1.0 / norm
    return {t: v * scale for t, v in raw.items()}


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(v * large.get(t, 0.0) for t, v in small.items())


@record
class Saved:
    paper: Paper
    added_at: datetime


@record
class Reason:
    score: float
    terms: tuple[str, ...]
    """The terms that added most to the score, strongest first."""
    like: Saved | None = None
    """The saved paper sharing most of *terms* (weighted as they count in both)."""

    def text(self) -> str:
        """One line: "0.42 · diffusion, guidance, sampling · like "X" (saved 2026-11-02)"."""
        if not self.terms:
            return f"{self.score:.2f} · nothing in common with your library"
        parts = [f"{self.score:.2f}", ", ".join(self.terms)]
        if self.like is not None:
            parts.append(f'like "{self.like.paper.title}" (saved {self.like.added_at:%Y-%m-%d})')
        return " · ".join(parts)

    def as_dict(self) -> dict[str, object]:
        like = self.like
        return {
            "score": round(self.score, 4),
            "terms": list(self.terms),
            "like": None
            if like is None
            else {
                "id": like.paper.id,
                "title": like.paper.title,
                "saved": like.added_at.date().isoformat(),
            },
        }


Frequencies = Callable[[set[str]], Idf]
"""How common each of a set of words is in a corpus (the whole cache, from its index)."""


class Taste:
    """A profile trained on saved (and dismissed) papers, scoring others with reasons."""

    def __init__(
        self,
        saved: Sequence[Saved],
        dismissed: Sequence[Paper],
        *,
        now: datetime,
        corpus: Iterable[Paper] = (),
        frequencies: Frequencies | None = None,
        bags: Mapping[str, Counter[str]] | None = None,
    ) -> None:
        """IDF comes from *frequencies* when given (asked once, for every word of the
        library and *corpus*), else from the library and *corpus* themselves. *bags* are
        papers' words already known (by id), e.g. stored with the library."""
        self._bags: dict[str, Counter[str]] = dict(bags or {})
        papers = [*(s.paper for s in saved), *dismissed, *corpus]
        known = [self._bag(p) for p in {p.id: p for p in papers}.values()]
        if frequencies is None:
            self.idf = Idf.of(known)
        else:
            self.idf = frequencies(set().union(*known))
        self.saved = list(saved)
        vectors = [self._vector(s.paper) for s in saved]
        profile: dict[str, float] = {}
        weights = [_recency(s.added_at, now) for s in saved]
        total = sum(weights) or 1.0
        for vec, weight in zip(vectors, weights, strict=True):
            for term, value in vec.items():
                profile[term] = profile.get(term, 0.0) + value * weight / total
        for paper in dismissed:
            for term, value in self._vector(paper).items():
                profile[term] = profile.get(term, 0.0) - NEGATIVE_WEIGHT * value / len(dismissed)
        strongest = sorted(profile.items(), key=lambda item: -abs(item[1]))[:PROFILE_TERMS]
        norm = math.sqrt(sum(v * v for _, v in strongest)) or 1.0
        self.profile = {t: v / norm for t, v in strongest}
        # Which saved papers use each word the profile favours: a reason's "like" is the
        # saved paper sharing most of the words that made the score.
        positive = {t for t, v in self.profile.items() if v > 0}
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, vec in enumerate(vectors):
            for term in vec.keys() & positive:
                # Rounded: the saved copy of a taste (model()) stays small, and answers alike.
                postings.setdefault(term, []).append((index, round(vec[term], 4)))
        # The saved papers that use a word most are enough to find the one most like a paper.
        self._postings = {
            t: sorted(pairs, key=lambda p: (-p[1], p[0]))[:POSTINGS_PER_TERM]
            for t, pairs in postings.items()
        }

    def model(self) -> dict[str, Any]:
        """What restore() needs to score papers without training again (plain JSON data)."""
        return {
            "version": MODEL_VERSION,
            "saved": [[s.paper.id, s.paper.title, s.added_at.isoformat()] for s in self.saved],
            "profile": self.profile,
            "postings": self._postings,
        }

    @classmethod
    def restore(
        cls, model: Mapping[str, Any], *, corpus: Iterable[Paper], frequencies: Frequencies
    ) -> Taste | None:
        """A taste saved by model(), scoring with *frequencies* (asked for *corpus*'s words);
        None when *model* is not one this version wrote."""
        # Written by model() under a key naming everything it depends on, atomically: the
        # shape is checked, the numbers are taken as JSON gave them.
        try:
            if model.get("version") != MODEL_VERSION:
                return None
            saved = [
                Saved(Paper(id=str(i), title=str(t)), datetime.fromisoformat(str(at)))
                for i, t, at in model["saved"]
            ]
            profile, postings = model["profile"], model["postings"]
            if not isinstance(profile, dict) or not isinstance(postings, dict):
                return None
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        taste = cls.__new__(cls)
        taste._bags = {}
        taste.saved, taste.profile, taste._postings = saved, profile, postings
        words = [taste._bag(p) for p in corpus]
        taste.idf = frequencies(set().union(*words))
        return taste

    def _bag(self, paper: Paper) -> Counter[str]:
        bag = self._bags.get(paper.id)
        if bag is None:
            bag = self._bags[paper.id] = terms(paper)
        return bag

    def _vector(self, paper: Paper) -> Vector:
        return vector(self._bag(paper), self.idf)

    @property
    def empty(self) -> bool:
        return not self.saved

    def score(self, paper: Paper) -> float:
        return _dot(self._vector(paper), self.profile)

    def reason(self, paper: Paper) -> Reason:
        vec = self._vector(paper)
        contributions = {t: v * self.profile[t] for t, v in vec.items() if t in self.profile}
        score = sum(contributions.values())
        top = sorted((c, t) for t, c in contributions.items() if c > 0)[::-1][:REASON_TERMS]
        similarity: dict[int, float] = {}
        for _, term in top:
            value = vec[term]
            for index, weight in self._postings.get(term, ()):
                similarity[index] = similarity.get(index, 0.0) + value * weight
        closest = self._closest(similarity, paper.id)
        like = None if closest is None else self.saved[closest]
        return Reason(score, tuple(t for _, t in top), like)

    def _closest(self, similarity: Mapping[int, float], paper_id: str) -> int | None:
        best = min(
            ((-sim, self.saved[i].paper.id, i) for i, sim in similarity.items()
             if sim > 0 and self.saved[i].paper.id != paper_id),
            default=None,
        )  # fmt: skip
        return None if best is None else best[2]


def _recency(added_at: datetime, now: datetime) -> float:
    age = max(0.0, (now - added_at).total_seconds() / 86400)
    return max(MIN_RECENCY, math.pow(0.5, age / HALF_LIFE_DAYS))
