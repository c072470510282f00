"""Reference for the lexical index: bm25s's own `index()`, and a comparison that accepts
only identical indexes (used by the lexical and the incremental-build tests)."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np

from knowledge.lexical import BM25_B, BM25_K1, LexicalIndex
from knowledge.term_counts import TermCounts
from knowledge.text import lexical_terms, normalize

QUERIES = [
    "phòng chống thiên tai ở cơ sở", "thu vien so", "sinh hoat chi bo", "nghị quyết 57",
    "tổ xung kích tập huấn", "báo cáo kết quả", "học tập quán triệt nghị quyết",
]


def reference(texts: list[str]) -> bm25s.BM25:
    """bm25s's own index of the texts' terms, as `index()` builds it."""
    model = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    model.index([lexical_terms(t, folded=True) for t in texts], show_progress=False)
    return model


def saved_and_loaded(counts: TermCounts, directory: Path) -> bm25s.BM25:
    """Our index of the counts, written as the store writes it and read back by bm25s."""
    directory.mkdir(parents=True, exist_ok=True)
    LexicalIndex.from_counts(counts).save(directory)
    return bm25s.BM25.load(str(directory / LexicalIndex.FIELD), show_progress=False, verbosity=0)


def assert_same_index(ours: bm25s.BM25, ref: bm25s.BM25) -> None:
    """Same parameters, vocabulary, postings and float32 weights, and the same scores."""
    assert ours.scores["num_docs"] == ref.scores["num_docs"]
    assert (ours.k1, ours.b, ours.method, ours.idf_method) == (ref.k1, ref.b, ref.method, ref.idf_method)
    # bm25s adds an empty token "" to the vocabulary it builds; it has no column in the index
    ref_terms = set(ref.vocab_dict) - {""}
    assert set(ours.vocab_dict) == ref_terms
    ours_indptr, ref_indptr = ours.scores["indptr"], ref.scores["indptr"]
    for term in ref_terms:
        a, b = ours.vocab_dict[term], ref.vocab_dict[term]
        ours_rows = ours.scores["indices"][ours_indptr[a] : ours_indptr[a + 1]]
        ref_rows = ref.scores["indices"][ref_indptr[b] : ref_indptr[b + 1]]
        assert np.array_equal(ours_rows, ref_rows), term  # same postings, sorted by chunk
        ours_w = ours.scores["data"][ours_indptr[a] : ours_indptr[a + 1]]
        ref_w = ref.scores["data"][ref_indptr[b] : ref_indptr[b + 1]]
        assert ours_w.dtype == ref_w.dtype == np.float32
        assert np.array_equal(ours_w, ref_w), term  # identical weights, not merely close
    searched = 0
    for query in QUERIES:
        terms = [t for t in lexical_terms(normalize(query), folded=True) if t in ref.vocab_dict]
        if terms:
            assert np.array_equal(ours.get_scores(terms), ref.get_scores(terms)), query
            searched += 1
    assert searched >= len(QUERIES) // 2  # the queries fit the corpus: the check means something
