"""Per-chunk term counts: what the lexical index is computed from.

A chunk × term matrix of counts (scipy CSR, one row per chunk) over the terms of
`lexical_terms(text, folded=True)`, with its vocabulary (term id → term). Each store version
keeps it beside its bm25s index, so the next build takes the rows of the chunks it reuses and
tokenises only the chunks whose text is new: tokenising every chunk again cost a one-file
republish ~1.3 s at 13.6k chunks.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from knowledge.text import lexical_terms

COUNT_DTYPE = np.int32


def chunk_terms(text: str) -> list[str]:
    """The lexical terms of one (normalised) chunk text: folded syllables and bigrams."""
    return lexical_terms(text, folded=True)


class TermCounts:
    """Term counts of an ordered list of chunks. Rows are chunks; columns index `vocabulary`."""

    def __init__(self, matrix: sp.csr_matrix, vocabulary: np.ndarray) -> None:
        if matrix.shape[1] != len(vocabulary):
            raise ValueError("count matrix and vocabulary do not line up")
        self.matrix = matrix
        self.vocabulary = vocabulary  # object array: term id → term

    @property
    def n_chunks(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def n_terms(self) -> int:
        return int(self.matrix.shape[1])

    @classmethod
    def empty(cls) -> TermCounts:
        return cls(_csr([], [], [0], (0, 0)), np.empty(0, dtype=object))

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> TermCounts:
        """Tokenise every text (a first build, or a store without saved counts)."""
        return assemble(None, np.full(len(texts), -1, dtype=np.int64), texts)

    def terms_of(self, row: int) -> dict[str, int]:
        """One chunk's terms and their counts (for tests and debugging)."""
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        return {
            str(self.vocabulary[t]): int(c)
            for t, c in zip(self.matrix.indices[start:end], self.matrix.data[start:end])
        }

    def compacted(self) -> TermCounts:
        """The same counts without the terms no chunk uses any more (dropped chunks' terms)."""
        used = np.bincount(self.matrix.indices, minlength=self.n_terms) > 0
        if used.all():
            return self
        new_ids = np.cumsum(used, dtype=np.int64) - 1
        m = self.matrix
        matrix = _csr(m.data, new_ids[m.indices], m.indptr, (m.shape[0], int(used.sum())))
        return TermCounts(matrix, self.vocabulary[used])


def assemble(
    previous: TermCounts | None, sources: np.ndarray, new_texts: Sequence[str]
) -> TermCounts:
    """Counts for a new list of chunks: row i is `previous`'s row `sources[i]` where that is
    >= 0; the rows marked -1 are, in order, the tokenised `new_texts`. Terms that no chunk
    uses any more are dropped from the vocabulary."""
    sources = np.asarray(sources, dtype=np.int64)
    if int((sources < 0).sum()) != len(new_texts):
        raise ValueError("one new text is needed for each row without a previous source")
    if previous is None:
        if (sources >= 0).any():
            raise ValueError("rows refer to previous counts but there are none")
        previous = TermCounts.empty()
    vocabulary = previous.vocabulary
    ids: dict[str, int] = dict(zip(vocabulary.tolist(), range(len(vocabulary))))
    n_old_terms = len(ids)
    fresh = _tokenise(new_texts, ids)
    if len(ids) > n_old_terms:
        added = np.empty(len(ids) - n_old_terms, dtype=object)
        added[:] = list(ids)[n_old_terms:]
        vocabulary = np.concatenate([vocabulary, added])
    shape_terms = len(vocabulary)
    old = previous.matrix
    old = _csr(old.data, old.indices, old.indptr, (old.shape[0], shape_terms))
    new = _csr(fresh.data, fresh.indices, fresh.indptr, (fresh.shape[0], shape_terms))
    stacked = sp.vstack([old, new], format="csr") if new.shape[0] else old
    order = sources.copy()
    order[sources < 0] = previous.n_chunks + np.arange(len(new_texts))
    matrix = stacked[order] if len(order) else _csr([], [], [0], (0, shape_terms))
    matrix.sort_indices()
    return TermCounts(matrix, vocabulary).compacted()


def _tokenise(texts: Sequence[str], ids: dict[str, int]) -> sp.csr_matrix:
    """Counts of the given texts, adding terms unknown to `ids` to it (new ids at the end)."""
    term_ids: list[int] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for row, text in enumerate(texts):
        terms = chunk_terms(text)
        lengths[row] = len(terms)
        for term in terms:
            if term not in ids:
                ids[term] = len(ids)
        term_ids.extend(map(ids.__getitem__, terms))
    rows = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)
    cols = np.asarray(term_ids, dtype=np.int32)
    ones = np.ones(len(cols), dtype=COUNT_DTYPE)
    # COO → CSR sums the duplicates: each (chunk, term) entry becomes its count.
    matrix = sp.coo_matrix((ones, (rows, cols)), shape=(len(texts), max(len(ids), 1))).tocsr()
    matrix.sum_duplicates()
    return matrix


def _csr(
    data: ArrayLike, indices: ArrayLike, indptr: ArrayLike, shape: tuple[int, int]
) -> sp.csr_matrix:
    return sp.csr_matrix(
        (np.asarray(data, dtype=COUNT_DTYPE), np.asarray(indices, dtype=np.int32),
         np.asarray(indptr, dtype=np.int32)),
        shape=shape,
    )
