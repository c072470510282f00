"""Lexical (BM25) index over chunks, suited to Vietnamese.

One bm25s index over diacritic-folded syllables + syllable bigrams: a question typed without
accents meets the documents on the same terms as an accented one. A second, accented index
was measured on the dev set and added nothing (same R@1 and MRR@10 with or without it, see
README) while doubling build time, memory and disk, so there is none. bm25s (sparse-matrix
BM25) scores 100k chunks in a few milliseconds, which SQLite FTS5 does not for long
natural-language questions.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Sequence

import bm25s
import numpy as np

from knowledge.text import fold, lexical_terms, syllables

logger = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG at import, which floods any application log at INFO.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Measured on the ALQAC dev set with our chunks (README): lower k1 ranked better (0.7 > 0.9 >
# 1.2 > 1.5); b made little difference.
BM25_K1 = 0.7
BM25_B = 0.75


def _fit(terms: list[list[str]]) -> bm25s.BM25:
    model = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    # bm25s cannot index an empty corpus; an empty store still needs a (trivial) index.
    model.index(terms or [[""]], show_progress=False)
    return model


# Question words and particles, folded. They say how a member asks, not what about, so the
# coverage signal ignores them (search itself keeps them: a stop list lowered dev-set MRR).
QUESTION_WORDS = frozenset(
    "gi nao sao may bao nhieu khong co phai la the nhu ai dau khi tai vi hay cho toi minh "
    "em anh chi a vay thi duoc hoi nhi nhe oi the_nao".split()
)
MIN_CONTENT_WORDS = 2


class _Field:
    """One bm25s index plus what we need to read back from it."""

    def __init__(self, model: bm25s.BM25) -> None:
        self.model = model
        self.vocab: dict[str, int] = model.vocab_dict
        self.num_docs = int(model.scores["num_docs"])
        indptr = np.asarray(model.scores["indptr"])
        self._indptr = indptr
        self._indices = np.asarray(model.scores["indices"])
        doc_freq = np.diff(indptr).astype(np.float64)
        n = max(self.num_docs, 1)
        self.idf = np.log(1.0 + (n - doc_freq + 0.5) / (doc_freq + 0.5))
        self.max_idf = math.log(1.0 + (n + 0.5) / 0.5)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        known = [t for t in terms if t in self.vocab]
        if not known:
            return np.zeros(self.num_docs, dtype=np.float32)
        return self.model.get_scores(known)

    def contains(self, term: str, rows: np.ndarray) -> np.ndarray:
        """Which of the given chunk rows contain the term: a binary search in its posting
        list (sorted by row in bm25s's CSC matrix), so a common word costs no more than a
        rare one."""
        posting = self.postings(term)
        if len(posting) == 0:
            return np.zeros(len(rows), dtype=bool)
        at = np.searchsorted(posting, rows)
        return posting[np.minimum(at, len(posting) - 1)] == rows

    def postings(self, term: str) -> np.ndarray:
        tid = self.vocab.get(term)
        if tid is None:
            return self._indices[:0]
        return self._indices[self._indptr[tid] : self._indptr[tid + 1]]


class LexicalIndex:
    FIELD = "folded"

    def __init__(self, folded: _Field) -> None:
        self._folded = folded

    @property
    def size(self) -> int:
        return self._folded.num_docs

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """Index normalised chunk texts (what is indexed must already be `normalize`d)."""
        return cls(_Field(_fit([lexical_terms(t, folded=True) for t in texts])))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for a normalised query, accented or not."""
        return self._folded.scores(lexical_terms(query, folded=True))

    def coverage(
        self, query: str, rows: Sequence[int], *, ignore: frozenset[str] = frozenset()
    ) -> np.ndarray:
        """IDF-weighted share of the query's (folded) syllables that each given chunk contains.

        An absolute relevance signal: BM25 scores are only comparable within one query, but
        "this passage contains the rare words of the question" means the same for every query.
        Syllables absent from the whole index count with the largest IDF; question words and
        the (folded) syllables in `ignore` do not count at all.
        """
        words = [
            w for w in dict.fromkeys(syllables(fold(query)))
            if w not in QUESTION_WORDS and w not in ignore
        ]
        out = np.zeros(len(rows), dtype=np.float64)
        if len(words) < MIN_CONTENT_WORDS:
            # "Nghị quyết 99 nói gì?" has one content word left: too little to call any
            # passage relevant by its words alone.
            return out
        field = self._folded
        weights = []
        hits = np.zeros((len(words), len(rows)), dtype=bool)
        rows_array = np.asarray(rows)
        for i, word in enumerate(words):
            tid = field.vocab.get(word)
            weights.append(field.idf[tid] if tid is not None else field.max_idf)
            if tid is not None:
                hits[i] = field.contains(word, rows_array)
        w = np.asarray(weights)
        return (w @ hits) / w.sum()

    def save(self, directory: Path) -> None:
        self._folded.model.save(str(directory / self.FIELD), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        model = bm25s.BM25.load(str(directory / cls.FIELD), show_progress=False, verbosity=0)
        return cls(_Field(model))
