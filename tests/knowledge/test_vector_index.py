"""The store's vector index: flat below the threshold, IVF above (HNSW on request), the same
search results either way, a changed setting republished, filtered searches exact."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from knowledge.vector_index import (
    SearchParams,
    VectorIndexSpec,
    build,
    ivf_lists,
    nearest,
    prepare,
    stored_vectors,
    vectors_of,
)

QUESTIONS = ["thư viện số văn hóa đọc", "phong chong thien tai", "dư luận xã hội cộng tác viên",
             "chỉ thị 05 nói gì về lực lượng xung kích", "sinh hoạt chi bộ"]


def clustered(n: int, d: int, seed: int) -> np.ndarray:
    """Unit vectors around 40 centres: nearest neighbours mean something, as in real data."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, d))
    v = centres[rng.integers(0, 40, n)] + 0.6 * rng.standard_normal((n, d))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def reloaded(index: faiss.Index, params: SearchParams) -> faiss.Index:
    """As a store version loads it: written, read back, prepared."""
    return prepare(faiss.deserialize_index(faiss.serialize_index(index)), params)


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_an_approximate_index_finds_what_the_flat_scan_finds(kind: str) -> None:
    vectors, queries = clustered(6000, 48, 1), clustered(50, 48, 2)
    flat = build(vectors, 48, VectorIndexSpec(kind="flat"))
    index = reloaded(build(vectors, 48, VectorIndexSpec(kind=kind)), SearchParams(ef_search=16))
    expected_type = faiss.IndexIVFFlat if kind == "ivf" else faiss.IndexHNSWFlat
    assert isinstance(index, expected_type)
    # Exact cosines stay exact: every row's stored vector, and any rows', come back as given.
    np.testing.assert_array_equal(stored_vectors(index), vectors)
    rows = np.array([5, 4000, 17, 5])
    np.testing.assert_array_equal(vectors_of(index, rows), vectors[rows])
    recall = []
    for q in queries:
        _, exact = nearest(flat, q, 200)
        sims, found = nearest(index, q, 200)  # HNSW: k above efSearch explores k candidates
        assert len(found) == 200 and np.all(np.diff(sims) <= 1e-6)
        recall.append(len(set(found[:10]) & set(exact[:10])) / 10)
    # Approximate, not broken (a wrong metric or wrong ids would find next to nothing):
    # bench/vector_index.py measures the recall of the real settings on real vectors.
    assert np.mean(recall) >= 0.9
    assert all(nearest(index, vectors[row], 1)[1][0] == row for row in range(0, 6000, 97))
    allowed = np.flatnonzero(np.arange(6000) % 7 == 3)  # a filter: exact within it
    _, exact = nearest(flat, queries[0], 20, allowed)
    _, found = nearest(index, queries[0], 20, allowed)
    assert list(found) == list(exact) and set(found) <= set(allowed)


def test_ivf_probes_one_list_in_eight_unless_told() -> None:
    vectors = clustered(6000, 48, 1)
    assert ivf_lists(6000) == 128 and ivf_lists(100_000) == 1024 and ivf_lists(20) == 1
    index = reloaded(build(vectors, 48, VectorIndexSpec(kind="ivf")), SearchParams())
    assert (index.nlist, index.nprobe) == (128, 16)
    assert reloaded(index, SearchParams(nprobe=40)).nprobe == 40


def test_auto_is_flat_for_small_stores_and_ivf_for_large_ones() -> None:
    spec = VectorIndexSpec(ann_from=1000)
    assert spec.kind_for(999) == "flat" and spec.kind_for(1000) == "ivf"
    assert spec.to_json(10) == {"kind": "flat"}
    assert spec.to_json(5000) == {"kind": "ivf", "nlist": 128}
    assert VectorIndexSpec(kind="hnsw").to_json(10) == {"kind": "hnsw", "m": 32,
                                                         "ef_construction": 40}


KINDS = ("flat", "ivf", "hnsw")


@pytest.fixture
def stores(knowledge_dir: Path, tmp_path: Path) -> dict[str, Path]:
    out = {}
    for kind in KINDS:
        out[kind] = tmp_path / kind
        build_store([knowledge_dir], out[kind], HashingEmbedder(),
                    index_spec=VectorIndexSpec(kind=kind, hnsw_m=8))  # type: ignore[arg-type]
    return out


def test_the_same_search_results_on_every_index(stores: dict[str, Path]) -> None:
    versions = {kind: StoreReader(store).current() for kind, store in stores.items()}
    assert all(v is not None for v in versions.values())
    for kind, version in versions.items():
        assert version.manifest["vector_index"]["kind"] == kind  # type: ignore[union-attr]
        np.testing.assert_array_equal(version.all_embeddings(),  # type: ignore[union-attr]
                                      versions["flat"].all_embeddings())  # type: ignore[union-attr]
    for mode in ("hybrid", "dense"):
        for question in QUESTIONS:
            results = {kind: [(h.row, round(h.score, 6)) for h in Searcher(
                StoreReader(store), HashingEmbedder()).search(question, k=5, mode=mode)]
                for kind, store in stores.items()}
            assert results["ivf"] == results["flat"] and results["hnsw"] == results["flat"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_filtered_search_is_exact_within_the_filter(stores: dict[str, Path], kind: str) -> None:
    version = StoreReader(stores[kind]).current()
    assert version is not None
    query = HashingEmbedder().embed(["nghị quyết thư viện số"], kind="query")[0]
    sims = version.all_embeddings() @ query
    mask = np.array([d.doc_type == "Chỉ thị" for d in version.chunk_docs])
    best, rows = version.nearest(query, 3, mask)
    assert best == pytest.approx(float(sims.max()))  # the store's best, as without a filter
    assert mask[rows].all() and list(rows) == list(np.flatnonzero(mask)[np.argsort(
        -sims[mask], kind="stable")][:3])


def test_a_new_index_setting_republishes_without_embedding(
    knowledge_dir: Path, tmp_path: Path
) -> None:
    store, embedder = tmp_path / "store", HashingEmbedder()
    first = build_store([knowledge_dir], store, embedder, index_spec=VectorIndexSpec(kind="flat"))
    same = build_store([knowledge_dir], store, embedder, index_spec=VectorIndexSpec(kind="flat"))
    assert first.version and same.version is None  # nothing changed: nothing published
    calls = embedder.calls
    switched = build_store([knowledge_dir], store, embedder,
                           index_spec=VectorIndexSpec(kind="ivf"))
    assert switched.version and switched.embedded == 0 and embedder.calls == calls
    version = StoreReader(store).current()
    assert version is not None and isinstance(version.vectors, faiss.IndexIVFFlat)
