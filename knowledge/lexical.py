"""Lexical (BM25) index over chunks, suited to Vietnamese.

One bm25s index over diacritic-folded syllables + syllable bigrams: a question typed without
accents meets the documents on the same terms as an accented one. A second, accented index
was measured on the dev set and added nothing (same R@1 and MRR@10 with or without it, see
docs/developers.md) while doubling build time, memory and disk, so there is none. bm25s (sparse-matrix
BM25) scores 100k chunks in a few milliseconds, which SQLite FTS5 does not for long
natural-language questions.

The index is computed here from per-chunk term counts (`TermCounts`) rather than by bm25s's
`index()`, which tokenises and refits every chunk (3 s at 13.6k chunks, the bulk of a
one-file republish): the same BM25 weights, vectorised, written in bm25s's own on-disk format
and read back by `bm25s.BM25.load`. The counts are saved beside the index so the next build
reuses them for every chunk whose text did not change.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Mapping, Sequence, cast

import bm25s
import numpy as np
import scipy.sparse as sp

from knowledge.postings_file import PostingsFile
from knowledge.term_counts import COUNT_DTYPE, TermCounts
from knowledge.text import fold, lexical_terms, syllables

logger = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG at import, which floods any application log at INFO.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Measured on the ALQAC dev set with our chunks (docs/developers.md): lower k1 ranked better (0.7 > 0.9 >
# 1.2 > 1.5); b made little difference.
BM25_K1 = 0.7
BM25_B = 0.75
# bm25s's default variant; `_weights` computes exactly its formulas (tests compare the two).
BM25_METHOD = "lucene"
COUNTS_FILE = "term_counts.npy"  # beside the bm25s folder: counts aligned with its CSC arrays


def _weights(counts: TermCounts) -> tuple[bm25s.BM25, np.ndarray]:
    """The bm25s index of these counts, as bm25s's `index()` would compute it from the same
    tokens, plus the counts in the order of its CSC arrays (what `save` keeps).

    bm25s (lucene variant): idf = log(1 + (N - df + 0.5) / (df + 0.5)) in float64, stored as
    float32; weight = idf * tf / (k1 * (1 - b + b * len / avg_len) + tf) in float64, stored as
    float32. Every operation is done in the same order and precision, so the weights are
    bit-identical, not just close.
    """
    csc = counts.matrix.tocsc()
    csc.sort_indices()  # row (chunk) order within each term: `_Field.contains` relies on it
    n_docs, n_terms = csc.shape
    doc_freq = np.diff(csc.indptr)
    # math.log on each distinct df, exactly as bm25s computes idf term by term.
    distinct, which = np.unique(doc_freq, return_inverse=True)
    idf_distinct = np.array(
        [math.log(1 + (n_docs - int(df) + 0.5) / (int(df) + 0.5)) for df in distinct],
        dtype=np.float32,
    )
    idf = idf_distinct[which].astype(np.float64)
    tf = csc.data.astype(np.float32).astype(np.float64)
    if n_docs:
        doc_len = np.asarray(counts.matrix.sum(axis=1, dtype=np.int64)).ravel()
        avg_len = doc_len.mean()
        length_norm = BM25_K1 * ((1 - BM25_B) + BM25_B * doc_len / avg_len)
        terms = np.repeat(np.arange(n_terms), doc_freq)
        data = (idf[terms] * (tf / (length_norm[csc.indices] + tf))).astype(np.float32)
    else:
        data = np.zeros(0, dtype=np.float32)
    model = bm25s.BM25(k1=BM25_K1, b=BM25_B, method=BM25_METHOD)
    model.scores = {
        "data": data,
        "indices": csc.indices.astype(np.int32, copy=False),
        "indptr": csc.indptr.astype(np.int64),
        "num_docs": int(n_docs),
    }
    model.vocab_dict = dict(zip(counts.vocabulary.tolist(), range(n_terms)))
    model.unique_token_ids_set = set(range(n_terms))
    model.nonoccurrence_array = None
    return model, csc.data


def _count_dtype(counts: np.ndarray) -> type[np.unsignedinteger]:
    """The smallest unsigned type that holds every count (uint16 for any real chunk)."""
    fits = counts.size == 0 or int(counts.max()) <= np.iinfo(np.uint16).max
    return np.uint16 if fits else np.uint32


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
        # Loaded with mmap (a serving store): the postings are read per query with pread
        # (knowledge/postings_file.py), so they do not pile up in the process's memory.
        self._on_disk = isinstance(model.scores["data"], np.memmap)
        if self._on_disk:
            self._data: np.ndarray | PostingsFile = PostingsFile(model.scores["data"])
            self._indices: np.ndarray | PostingsFile = PostingsFile(model.scores["indices"])
            model.scores["data"] = model.scores["indices"] = None  # the maps are not kept
        else:
            self._data = np.asarray(model.scores["data"])
            self._indices = np.asarray(model.scores["indices"])
        doc_freq = np.diff(indptr).astype(np.float64)
        n = max(self.num_docs, 1)
        self.idf = np.log(1.0 + (n - doc_freq + 0.5) / (doc_freq + 0.5))
        self.max_idf = math.log(1.0 + (n + 0.5) / 0.5)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        known = [t for t in terms if t in self.vocab]
        if not known:
            return np.zeros(self.num_docs, dtype=np.float32)
        if not self._on_disk:
            return self.model.get_scores(known)
        # bm25s's own scoring over just the query's posting lists, read from disk and laid
        # side by side in query order (a repeated term counts twice, as in get_scores).
        ids = [self.vocab[t] for t in known]
        starts, ends = self._indptr[ids], self._indptr[np.asarray(ids) + 1]
        spans = [(int(a), int(b)) for a, b in zip(starts, ends)]
        data, rows = cast(PostingsFile, self._data), cast(PostingsFile, self._indices)
        local_indptr = np.concatenate([[0], np.cumsum(ends - starts)]).astype(self._indptr.dtype)
        scores = self.model._compute_relevance_from_scores(
            data=data.gather(spans), indptr=local_indptr, indices=rows.gather(spans),
            num_docs=self.num_docs, query_tokens_ids=np.arange(len(ids), dtype=np.int64),
            dtype=np.dtype(self.model.dtype),
        )
        if self.model.nonoccurrence_array is not None:  # other BM25 variants (not lucene)
            scores += self.model.nonoccurrence_array[ids].sum()
        return scores

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

    def __init__(
        self,
        folded: _Field,
        *,
        counts: np.ndarray | None = None,
        directory: Path | None = None,
    ) -> None:
        self._folded = folded
        self._counts = counts  # term counts in CSC order, when built here (for `save`)
        self._directory = directory  # where it was loaded from (for `term_counts`)

    @property
    def size(self) -> int:
        return self._folded.num_docs

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """Index normalised chunk texts (what is indexed must already be `normalize`d)."""
        return cls.from_counts(TermCounts.from_texts(texts))

    @classmethod
    def from_counts(cls, counts: TermCounts) -> LexicalIndex:
        model, csc_counts = _weights(counts)
        return cls(_Field(model), counts=csc_counts)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for a normalised query, accented or not."""
        return self._folded.scores(lexical_terms(query, folded=True))

    def phrase_scores(self, phrases: Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk for several phrases at once (query expansion): the sum of
        each phrase's own terms, with no bigram across two phrases."""
        return self._folded.scores([t for p in phrases for t in lexical_terms(p, folded=True)])

    def term_scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk for index terms as given (no bigrams are formed)."""
        return self._folded.scores(terms)

    def idf(self, term: str) -> float:
        """The term's IDF in this index; the largest possible for a term it does not hold."""
        tid = self._folded.vocab.get(term)
        return float(self._folded.idf[tid]) if tid is not None else self._folded.max_idf

    def coverage(
        self,
        query: str,
        rows: Sequence[int],
        *,
        ignore: frozenset[str] = frozenset(),
        alternatives: Mapping[str, Sequence[tuple[str, ...]]] | None = None,
    ) -> np.ndarray:
        """IDF-weighted share of the query's (folded) syllables that each given chunk contains.

        An absolute relevance signal: BM25 scores are only comparable within one query, but
        "this passage contains the rare words of the question" means the same for every query.
        Syllables absent from the whole index count with the largest IDF; question words and
        the (folded) syllables in `ignore` do not count at all. `alternatives` (from the
        lexicon, `Expansion.coverage_alternatives`) maps a word to term sets that stand for it:
        a chunk holding every term of one set holds the word ("nq" for "nghi", "quyet").
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
            for terms in (alternatives or {}).get(word, ()):
                found = np.ones(len(rows_array), dtype=bool)
                for term in terms:
                    found &= field.contains(term, rows_array)
                hits[i] |= found
        w = np.asarray(weights)
        return (w @ hits) / w.sum()

    def save(self, directory: Path) -> None:
        self._folded.model.save(str(directory / self.FIELD), show_progress=False)
        if self._counts is not None:
            counts = self._counts
            np.save(directory / COUNTS_FILE, counts.astype(_count_dtype(counts)))

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = False) -> LexicalIndex:
        """`mmap`: map the posting arrays instead of reading them (a serving process then
        holds only the postings its queries touch; the version's files never change)."""
        model = bm25s.BM25.load(str(directory / cls.FIELD), show_progress=False, verbosity=0,
                                mmap=mmap)
        return cls(_Field(model), directory=directory)

    def term_counts(self) -> TermCounts | None:
        """The per-chunk term counts this index was computed from, read from disk; None when
        the version has none (written before they were kept) or they do not fit the index."""
        if self._directory is None:
            return None
        try:
            counts = np.load(self._directory / COUNTS_FILE)
        except (OSError, ValueError) as exc:
            logger.info("no reusable term counts in %s: %s", self._directory, exc)
            return None
        field = self._folded
        n_terms = len(field._indptr) - 1
        if len(counts) != len(field._indices) or len(field.vocab) != n_terms:
            logger.warning("term counts in %s do not fit its index; ignoring them", self._directory)
            return None
        indices = field._indices
        if isinstance(indices, PostingsFile):
            indices = indices.read_all()
        vocabulary = np.empty(n_terms, dtype=object)
        ids = np.fromiter(field.vocab.values(), dtype=np.int64, count=n_terms)
        vocabulary[ids] = list(field.vocab)
        matrix = sp.csc_matrix(
            (counts.astype(COUNT_DTYPE), indices, field._indptr),
            shape=(field.num_docs, n_terms),
        ).tocsr()
        matrix.sort_indices()
        return TermCounts(matrix, vocabulary)
