"""The dense vector index of a store version: an exact flat scan for small stores, an inverted
file (IVF) for large ones; an HNSW graph on request.

Measured (bench/vector_index.py; docs/developers.md "Vector index" has the tables): a flat scan of 384-dim
vectors costs ~0.06–0.08 ms of one core per 1,000 (≈ 7 ms at 100k, 70 ms at 1M). IVF scans
only the lists of the centroids nearest the query: at 100k, 1,024 lists of which 128 probed
found the exact top-10 in 98.8% of cases on the hardest (synthetic) data and 99.1% on real-model
vectors at 10k, in ~1.5 ms, builds in seconds and keeps the same memory as the flat index.
HNSW searched fastest but missed more of the exact top-10 where many near-duplicate vectors
crowd together (0.97 at 100k), and its graph took 3× longer to build and ~8·M bytes more per
vector. SQ8 quarters the memory but halves the time only.

Every kind can give back any row's float vector exactly (flat and HNSW by a view of their
storage, IVF through its direct map), so search.py computes exact cosines for its candidates
and indexer/build.py reuses unchanged chunks' vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import faiss
import numpy as np

Kind = Literal["auto", "flat", "ivf", "hnsw"]
DEFAULT_EF_SEARCH = 256
DEFAULT_NPROBE_SHARE = 8  # probe 1/8 of the lists (128 of 1,024 at 100k)


@dataclass(frozen=True)
class VectorIndexSpec:
    """How `write_version` indexes vectors (settings VECTOR_INDEX, VECTOR_INDEX_*, HNSW_M)."""

    kind: Kind = "auto"
    ann_from: int = 50_000  # `auto`: IVF from this many vectors, exact flat below
    hnsw_m: int = 32  # graph neighbours per node (memory ≈ 8·M bytes a vector)
    ef_construction: int = 40  # faiss's default: build time against graph quality

    def kind_for(self, n: int) -> str:
        if self.kind == "auto":
            return "ivf" if n >= self.ann_from else "flat"
        return self.kind

    def to_json(self, n: int) -> dict[str, Any]:
        """What the manifest records about the index written for `n` vectors."""
        kind = self.kind_for(n)
        if kind == "hnsw":
            return {"kind": "hnsw", "m": self.hnsw_m, "ef_construction": self.ef_construction}
        if kind == "ivf":
            return {"kind": "ivf", "nlist": ivf_lists(n)}
        return {"kind": "flat"}


@dataclass(frozen=True)
class SearchParams:
    """Search-time settings, applied when a version is loaded (HNSW_EF_SEARCH, IVF_NPROBE)."""

    ef_search: int = DEFAULT_EF_SEARCH  # HNSW candidates explored per query
    nprobe: int = 0  # IVF lists probed per query; 0: one list in DEFAULT_NPROBE_SHARE


def ivf_lists(n: int) -> int:
    """Inverted lists for n vectors: the power of two nearest 4·√n (faiss's guideline),
    with at least 39 training vectors per list (k-means needs them)."""
    if n < 39:
        return 1
    lists = 2 ** int(round(np.log2(4 * np.sqrt(n))))
    return min(lists, 2 ** int(np.log2(n // 39)))


def build(vectors: np.ndarray, dimension: int, spec: VectorIndexSpec) -> faiss.Index:
    """An inner-product index over L2-normalised `vectors` (n × dimension float32)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    kind = spec.kind_for(len(vectors))
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, spec.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = spec.ef_construction
    elif kind == "ivf" and len(vectors):
        lists = ivf_lists(len(vectors))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists,
                                   faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = 1234  # the same input gives the same index
        # 64 vectors a list and 10 k-means rounds: measured at 100k, the same recall as 25
        # rounds (0.9885 / 0.9880 at nprobe 128) for 11.7 s of CPU instead of 30.5 s.
        index.cp.niter = 10
        step = max(1, len(vectors) // (64 * lists))
        index.train(vectors[::step])
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(vectors)
    return index


def prepare(index: faiss.Index, params: SearchParams | None = None) -> faiss.Index:
    """A freshly read index as its own type, with its search parameters set (and, for IVF,
    the map from row to list position that reading back vectors needs)."""
    params = params or SearchParams()
    typed = faiss.downcast_index(index)
    if typed is not index:
        # The typed wrapper must own the C++ index: the untyped one is dropped here, and the
        # owner's garbage collection would free the index under it.
        index.thisown, typed.thisown = False, True
        index = typed
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = params.ef_search
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = min(index.nlist, params.nprobe or max(1, index.nlist // DEFAULT_NPROBE_SHARE))
        index.make_direct_map()
    return index


def _flat_storage(index: faiss.Index) -> faiss.IndexFlat | None:
    flat = faiss.downcast_index(index)
    if isinstance(flat, faiss.IndexHNSW):
        flat = faiss.downcast_index(flat.storage)
    return flat if isinstance(flat, faiss.IndexFlat) else None


def stored_vectors(index: faiss.Index) -> np.ndarray:
    """Every row's float vector, row i for chunk i: a read-only view of a flat or HNSW
    index's own memory, a copy for IVF (build-time use: n × dimension × 4 bytes)."""
    n, d = index.ntotal, index.d
    if n == 0:
        return np.zeros((0, d), dtype=np.float32)
    flat = _flat_storage(index)
    if flat is None:
        return index.reconstruct_n(0, n)
    view = faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d)
    view.flags.writeable = False
    return view


def vectors_of(index: faiss.Index, rows: np.ndarray) -> np.ndarray:
    """The float vectors of the given rows (len(rows) × dimension), exactly as stored."""
    rows = np.asarray(rows, dtype=np.int64)
    if _flat_storage(index) is not None:
        return stored_vectors(index)[rows]
    if len(rows) == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_batch(rows)


def nearest(index: faiss.Index, vector: np.ndarray, k: int,
            allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, rows) of the k nearest rows, best first; rows of -1 are padding.
    `allowed`: rows to choose from (ascending); searched exactly whatever the kind. An HNSW
    search explores at least k candidates (its efSearch must not be below k)."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    query = np.ascontiguousarray(vector, dtype=np.float32)[None, :]
    if allowed is not None:
        return _nearest_among(index, query[0], k, allowed)
    if isinstance(index, faiss.IndexHNSW) and index.hnsw.efSearch < k:
        sims, rows = index.search(query, k, params=faiss.SearchParametersHNSW(efSearch=k))
    else:
        sims, rows = index.search(query, k)
    return sims[0], rows[0]


def _nearest_among(index: faiss.Index, vector: np.ndarray, k: int,
                   allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if _flat_storage(index) is not None:
        sims = stored_vectors(index)[allowed] @ vector
        order = np.argsort(-sims, kind="stable")[:k]
        return sims[order], allowed[order]
    # IVF: every list, only the allowed ids (faiss filters inside the scan).
    selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
    params = faiss.SearchParametersIVF(sel=selector, nprobe=index.nlist)
    sims, rows = index.search(vector[None, :], min(k, len(allowed)), params=params)
    return sims[0], rows[0]
