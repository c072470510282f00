"""The dense vector index of a store version: an exact flat scan, or an HNSW graph over the same
float vectors once a store is large enough for the scan to cost more than the graph.

Measured (bench/vector_index.py, README "Vector index"): a flat inner-product scan costs
~0.06 ms per 1,000 vectors of 384 dims on one core (≈ 6 ms at 100k, 60 ms at 1M); HNSW
(M=32) answers the Searcher's 200 dense candidates in well under a millisecond at 100k with
recall@10 ≥ 0.99 against the scan, costs ~260 bytes a vector for its graph and a build of
seconds per 10k vectors. Below `hnsw_from` vectors the scan is already at the floor and
exact, so `auto` keeps it flat. SQ8 and IVF were measured and not chosen (see the README).

Both kinds keep the float vectors themselves (HNSW's storage is a flat index), so the exact
cosines of any candidate rows (search.py) and the reuse of unchanged chunks' vectors by the
next build (indexer/build.py) read them without a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import faiss
import numpy as np

Kind = Literal["auto", "flat", "hnsw"]


@dataclass(frozen=True)
class VectorIndexSpec:
    """How `write_version` indexes vectors (settings VECTOR_INDEX, HNSW_*)."""

    kind: Kind = "auto"
    hnsw_from: int = 50_000  # `auto`: HNSW from this many vectors, flat below
    hnsw_m: int = 32  # graph neighbours per node (memory ≈ 8·M bytes a vector)
    ef_construction: int = 40  # faiss's default: build time against graph quality

    def kind_for(self, n: int) -> str:
        if self.kind == "auto":
            return "hnsw" if n >= self.hnsw_from else "flat"
        return self.kind

    def to_json(self, n: int) -> dict[str, Any]:
        """What the manifest records about the index written for `n` vectors."""
        kind = self.kind_for(n)
        if kind == "flat":
            return {"kind": "flat"}
        return {"kind": "hnsw", "m": self.hnsw_m, "ef_construction": self.ef_construction}


def build(vectors: np.ndarray, dimension: int, spec: VectorIndexSpec) -> faiss.Index:
    """An inner-product index over L2-normalised `vectors` (n × dimension float32)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if spec.kind_for(len(vectors)) == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, spec.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = spec.ef_construction
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(vectors)
    return index


DEFAULT_EF_SEARCH = 256


def prepare(index: faiss.Index, ef_search: int | None = None) -> faiss.Index:
    """A freshly read index as its own type, with HNSW's efSearch (candidates explored per
    query; `nearest` raises it to k when k is larger) set."""
    typed = faiss.downcast_index(index)
    if typed is not index:
        # The typed wrapper must own the C++ index: the untyped one is dropped here, and the
        # owner's garbage collection would free the index under it.
        index.thisown, typed.thisown = False, True
        index = typed
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = ef_search or DEFAULT_EF_SEARCH
    return index


def stored_vectors(index: faiss.Index) -> np.ndarray:
    """Row i's float vector for every row: a read-only view of the index's own memory."""
    n, d = index.ntotal, index.d
    if n == 0:
        return np.zeros((0, d), dtype=np.float32)
    flat = faiss.downcast_index(index)
    if isinstance(flat, faiss.IndexHNSW):
        flat = faiss.downcast_index(flat.storage)
    if not isinstance(flat, faiss.IndexFlat):
        raise TypeError(f"no float vectors in a {type(flat).__name__}")
    view = faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d)
    view.flags.writeable = False
    return view


def nearest(index: faiss.Index, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, rows) of the k nearest rows, best first; rows of -1 are padding. An
    HNSW search explores at least k candidates (its efSearch must not be below k)."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    query = np.ascontiguousarray(vector, dtype=np.float32)[None, :]
    if isinstance(index, faiss.IndexHNSW) and index.hnsw.efSearch < k:
        params = faiss.SearchParametersHNSW(efSearch=k)
        sims, rows = index.search(query, k, params=params)
    else:
        sims, rows = index.search(query, k)
    return sims[0], rows[0]
