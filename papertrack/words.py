"""English stop words, the ones scikit-learn uses (data/stopwords.txt, with its source):
arXiv's BibTeX keys skip exactly these, and the taste model ignores them."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def stop_words() -> frozenset[str]:
    # Read beside the module, as taxonomy.py reads its data: importlib.resources would
    # import shutil, bz2, lzma and random (~18 ms) for one small file.
    path = Path(__file__).parent / "data" / "stopwords.txt"
    return frozenset(path.read_text(encoding="utf-8").split())
