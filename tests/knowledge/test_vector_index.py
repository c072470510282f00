"""The store's vector index: flat below the threshold, HNSW above, the same search results
either way, a changed setting republished, filtered searches exact."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from knowledge.vector_index import VectorIndexSpec, build, nearest, prepare, stored_vectors

QUESTIONS = ["thư viện số văn hóa đọc", "phong chong thien tai", "dư luận xã hội cộng tác viên",
             "chỉ thị 05 nói gì về lực lượng xung kích", "sinh hoạt chi bộ"]


def clustered(n: int, d: int, seed: int) -> np.ndarray:
    """Unit vectors around 40 centres: nearest neighbours mean something, as in real data."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, d))
    v = centres[rng.integers(0, 40, n)] + 0.6 * rng.standard_normal((n, d))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def test_hnsw_finds_what_the_flat_scan_finds() -> None:
    vectors, queries = clustered(3000, 48, 1), clustered(50, 48, 2)
    flat = build(vectors, 48, VectorIndexSpec(kind="flat"))
    graph = prepare(faiss.deserialize_index(faiss.serialize_index(
        build(vectors, 48, VectorIndexSpec(kind="hnsw")))), ef_search=16)
    assert isinstance(graph, faiss.IndexHNSWFlat) and graph.hnsw.efSearch == 16
    np.testing.assert_array_equal(stored_vectors(graph), vectors)  # exact cosines stay exact
    recall = []
    for q in queries:
        _, exact = nearest(flat, q, 200)
        sims, found = nearest(graph, q, 200)  # k above efSearch: explores k candidates
        assert len(found) == 200 and np.all(np.diff(sims) <= 1e-6)
        recall.append(len(set(found[:10]) & set(exact[:10])) / 10)
    assert np.mean(recall) >= 0.99


def test_auto_is_flat_for_small_stores_and_hnsw_for_large_ones() -> None:
    spec = VectorIndexSpec(hnsw_from=1000)
    assert spec.kind_for(999) == "flat" and spec.kind_for(1000) == "hnsw"
    assert spec.to_json(10) == {"kind": "flat"}
    assert spec.to_json(5000) == {"kind": "hnsw", "m": 32, "ef_construction": 40}


@pytest.fixture
def stores(knowledge_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    flat, graph = tmp_path / "flat", tmp_path / "hnsw"
    build_store([knowledge_dir], flat, HashingEmbedder(), index_spec=VectorIndexSpec(kind="flat"))
    build_store([knowledge_dir], graph, HashingEmbedder(),
                index_spec=VectorIndexSpec(kind="hnsw", hnsw_m=8))
    return flat, graph


def test_the_same_search_results_on_either_index(stores: tuple[Path, Path]) -> None:
    flat, graph = (StoreReader(s).current() for s in stores)
    assert flat is not None and graph is not None
    assert flat.manifest["vector_index"] == {"kind": "flat"}
    assert graph.manifest["vector_index"]["kind"] == "hnsw"
    assert isinstance(graph.vectors, faiss.IndexHNSWFlat)
    np.testing.assert_array_equal(graph.all_embeddings(), flat.all_embeddings())
    for mode in ("hybrid", "dense"):
        for question in QUESTIONS:
            a = Searcher(StoreReader(stores[0]), HashingEmbedder()).search(question, k=5, mode=mode)
            b = Searcher(StoreReader(stores[1]), HashingEmbedder()).search(question, k=5, mode=mode)
            assert [(h.row, round(h.score, 6)) for h in a] == [(h.row, round(h.score, 6)) for h in b]


def test_a_filtered_search_is_exact_within_the_filter(stores: tuple[Path, Path]) -> None:
    version = StoreReader(stores[1]).current()
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
                           index_spec=VectorIndexSpec(kind="hnsw"))
    assert switched.version and switched.embedded == 0 and embedder.calls == calls
    version = StoreReader(store).current()
    assert version is not None and isinstance(version.vectors, faiss.IndexHNSWFlat)
