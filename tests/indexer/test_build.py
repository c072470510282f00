"""Incremental builds on real files in tmp_path, with the deterministic hashing embedder."""

from __future__ import annotations

import os
from pathlib import Path

import json

import bm25s
import numpy as np

from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from knowledge.lexical import COUNTS_FILE, LexicalIndex
from knowledge.passages import indexed_text
from knowledge.search import Searcher
from knowledge.store import (
    StoreReader,
    StoreVersion,
    current_version_name,
    load_current,
    versions_dir,
)
from tests.knowledge.bm25_reference import assert_same_index, reference

NQ57 = "nghi-quyet-57-NQ-TW.txt"
CT05 = "chi-thi-05-CT-TW.txt"


def version_names(store: Path) -> list[str]:
    return sorted(p.name for p in versions_dir(store).iterdir())


def assert_lexical_is_bm25s_own(version: StoreVersion) -> None:
    """The published lexical index equals bm25s's `index()` over the version's own texts."""
    texts = [indexed_text(d, c) for d, c in zip(version.chunk_docs, version.chunks)]
    published = bm25s.BM25.load(str(version.path / "lexical" / LexicalIndex.FIELD), verbosity=0)
    assert_same_index(published, reference(texts))


def first_version(knowledge_dir: Path, store: Path, embedder: HashingEmbedder) -> Path:
    """Build the store once; the folder of the version it published."""
    first = build_store([knowledge_dir], store, embedder)
    assert first.version is not None
    return versions_dir(store) / first.version


def edit_nq57(knowledge_dir: Path) -> str:
    """Change one passage of NQ57; returns the new wording."""
    path = knowledge_dir / NQ57
    text = path.read_text(encoding="utf-8")
    assert "tủ sách điện tử" in text
    path.write_text(text.replace("tủ sách điện tử", "trạm đọc sách lưu động"), encoding="utf-8")
    return "trạm đọc sách lưu động"


def test_first_build_indexes_every_file_and_publishes(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    store = tmp_path / "store"
    report = build_store([knowledge_dir], store, hashing_embedder)

    assert report.files_total == 3
    assert report.files_changed == 3
    assert report.files_unchanged == report.files_removed == 0
    assert report.skipped == []
    assert report.documents == 3
    assert report.chunks >= 6  # each document has a header and at least two sections
    assert report.embedded == report.chunks
    assert report.reused_vectors == 0
    assert hashing_embedder.calls == report.chunks
    assert report.version is not None
    assert current_version_name(store) == report.version
    assert "published" in report.summary()

    version = load_current(store)
    assert version is not None and version.name == report.version
    assert sorted(version.documents) == sorted(os.listdir(knowledge_dir))
    assert len(version.chunks) == version.vectors.ntotal == version.lexical.size == report.chunks
    assert version.manifest["counts"] == {"files": 3, "documents": 3, "chunks": report.chunks}
    assert version.model.name == hashing_embedder.name
    ct05 = version.documents[CT05]
    assert (ct05.number, ct05.doc_type, ct05.issued.isoformat()) == ("05-CT/TW", "Chỉ thị", "2016-05-15")


def test_unchanged_input_embeds_and_publishes_nothing(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    store = tmp_path / "store"
    first = build_store([knowledge_dir], store, hashing_embedder)
    calls = hashing_embedder.calls
    pointer_mtime = (store / "CURRENT").stat().st_mtime_ns

    second = build_store([knowledge_dir], store, hashing_embedder)

    assert second.embedded == 0
    assert second.version is None
    assert hashing_embedder.calls == calls
    assert second.files_unchanged == 3 and second.files_changed == 0
    assert second.chunks == first.chunks and second.documents == first.documents
    assert current_version_name(store) == first.version
    assert (store / "CURRENT").stat().st_mtime_ns == pointer_mtime
    assert version_names(store) == [first.version]
    assert "already up to date" in second.summary()


def test_changed_file_is_the_only_one_embedded_again(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    store = tmp_path / "store"
    first = build_store([knowledge_dir], store, hashing_embedder)
    before = load_current(store)
    assert before is not None
    nq_chunks = sum(1 for c in before.chunks if c.doc_id == NQ57)
    calls = hashing_embedder.calls

    path = knowledge_dir / NQ57
    old = "tủ sách điện tử"
    new = "trạm đọc sách lưu động cho vùng cao"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")

    report = build_store([knowledge_dir], store, hashing_embedder)

    assert report.files_changed == 1 and report.files_unchanged == 2
    assert 0 < report.embedded <= nq_chunks < report.chunks
    assert report.embedded < report.chunks
    # chunks of the changed file whose text did not change keep their vectors
    assert report.embedded + report.reused_vectors == nq_chunks
    assert hashing_embedder.calls - calls == report.embedded
    assert report.version is not None and report.version != first.version
    assert current_version_name(store) == report.version

    searcher = Searcher(StoreReader(store), hashing_embedder)
    hits = searcher.search(new, k=3)
    assert hits and hits[0].doc.doc_id == NQ57 and new in hits[0].chunk.text
    assert all(old not in h.chunk.text for h in searcher.search(old, k=20))
    version = load_current(store)
    assert version is not None
    assert not any(old in c.text for c in version.chunks)
    # unchanged documents' chunks are the very same as before
    assert [c for c in version.chunks if c.doc_id == CT05] == [
        c for c in before.chunks if c.doc_id == CT05
    ]


def test_deleted_file_drops_out_without_embedding(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    store = tmp_path / "store"
    first = build_store([knowledge_dir], store, hashing_embedder)
    calls = hashing_embedder.calls

    (knowledge_dir / CT05).unlink()
    report = build_store([knowledge_dir], store, hashing_embedder)

    assert report.files_removed == 1
    assert report.files_total == 2 and report.files_unchanged == 2
    assert report.embedded == 0 and hashing_embedder.calls == calls
    assert report.version is not None and report.version != first.version
    version = load_current(store)
    assert version is not None and version.name == report.version
    assert CT05 not in version.documents
    assert all(c.doc_id != CT05 for c in version.chunks)
    assert len(version.chunks) == version.vectors.ntotal == version.lexical.size == report.chunks
    assert report.chunks < first.chunks
    searcher = Searcher(StoreReader(store), hashing_embedder)
    assert all(h.doc.doc_id != CT05 for h in searcher.search("chỉ thị 05 phòng chống thiên tai", k=20))


def test_corrupt_empty_and_unsupported_files_are_skipped_with_reasons(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    (knowledge_dir / "hong.pdf").write_bytes(os.urandom(4096))
    (knowledge_dir / "trong.txt").write_bytes(b"")
    (knowledge_dir / "bang-tinh.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    store = tmp_path / "store"

    report = build_store([knowledge_dir], store, hashing_embedder)

    reasons = {Path(path).name: reason for path, reason in report.skipped}
    assert set(reasons) == {"hong.pdf", "trong.txt", "bang-tinh.xlsx"}
    assert all(reasons.values())
    assert "empty" in reasons["trong.txt"]
    assert "unsupported" in reasons["bang-tinh.xlsx"] and ".xlsx" in reasons["bang-tinh.xlsx"]
    assert report.files_total == 6 and report.files_changed == 3
    assert report.documents == 3 and report.embedded == report.chunks > 0
    assert "3 skipped" in report.summary()
    version = load_current(store)
    assert version is not None
    assert sorted(version.documents) == sorted(
        ["chi-thi-05-CT-TW.txt", "ket-luan-01-KL-TU.txt", "nghi-quyet-57-NQ-TW.txt"]
    )
    # the bad files are not remembered as indexed: a later run still reports them
    again = build_store([knowledge_dir], store, hashing_embedder)
    assert {Path(p).name for p, _ in again.skipped} == set(reasons)
    assert again.version is None and again.embedded == 0


def test_store_of_another_model_is_rebuilt_never_mixed(
    knowledge_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    small = HashingEmbedder(dimension=32)
    first = build_store([knowledge_dir], store, small)
    old = load_current(store)
    assert old is not None
    assert old.manifest["model"]["dimension"] == 32 and old.vectors.d == 32

    large = HashingEmbedder(dimension=64)
    report = build_store([knowledge_dir], store, large)

    assert report.version is not None and report.version != first.version
    assert report.embedded == report.chunks == first.chunks
    assert report.reused_vectors == 0
    assert large.calls == report.chunks
    version = load_current(store)
    assert version is not None
    assert version.manifest["model"]["name"] == "hashing-64"
    assert version.manifest["model"]["dimension"] == 64
    assert version.vectors.d == 64 and version.vectors.ntotal == len(version.chunks)
    # every vector is the new model's own, none copied over from the 32-dim store
    texts = [indexed_text(d, c) for d, c in zip(version.chunk_docs, version.chunks)]
    assert np.array_equal(version.all_embeddings(), HashingEmbedder(64).embed(texts, kind="passage"))


def test_old_versions_are_pruned_to_the_last_two(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    store = tmp_path / "store"
    published = []
    for round_ in range(4):
        (knowledge_dir / "thong-bao.txt").write_text(
            f"THÔNG BÁO\nvề lịch sinh hoạt chi bộ đợt {round_ + 1}\n"
            f"Chi bộ sinh hoạt vào ngày {round_ + 5} hằng tháng.",
            encoding="utf-8",
        )
        report = build_store([knowledge_dir], store, hashing_embedder)
        assert report.version is not None
        published.append(report.version)

    assert len(set(published)) == 4
    assert version_names(store) == sorted(published[-2:])
    assert current_version_name(store) == published[-1]
    assert not list(versions_dir(store).glob(".tmp-*"))
    assert not list(store.glob(".CURRENT.*"))


def test_seed_articles_index_and_find_their_own_sentences(
    seeds_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    seeds = sorted(p for p in seeds_dir.iterdir() if p.suffix == ".txt")
    assert seeds
    store = tmp_path / "store"
    report = build_store([seeds_dir], store, hashing_embedder)
    assert report.skipped == [] and report.documents == len(seeds)
    assert report.embedded == report.chunks >= len(seeds)

    searcher = Searcher(StoreReader(store), hashing_embedder)
    for seed in seeds:
        lines = [line for line in seed.read_text(encoding="utf-8").splitlines() if len(line) > 120]
        sentence = lines[len(lines) // 2]
        hits = searcher.search(sentence, k=1, mode="lexical")
        assert hits and hits[0].doc.doc_id == seed.name, sentence

    again = build_store([seeds_dir], store, hashing_embedder)
    assert again.version is None and again.embedded == 0


def test_republish_tokenises_only_new_chunks_and_keeps_bm25s_scores(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    store = tmp_path / "store"
    first = build_store([knowledge_dir], store, hashing_embedder)
    assert first.tokenised == first.chunks
    v1 = load_current(store)
    assert v1 is not None
    assert_lexical_is_bm25s_own(v1)

    new = edit_nq57(knowledge_dir)
    (knowledge_dir / CT05).unlink()
    report = build_store([knowledge_dir], store, hashing_embedder)

    # only the changed passage is new: tokenised (and embedded) once, the rest reused
    assert report.files_changed == 1 and report.files_removed == 1
    assert report.tokenised == report.embedded == 1
    version = load_current(store)
    assert version is not None and version.name == report.version
    assert_lexical_is_bm25s_own(version)
    counts = version.lexical.term_counts()
    assert counts is not None and counts.n_chunks == len(version.chunks)
    # terms only the deleted document had are gone from the vocabulary
    assert "xung_kich" in set(v1.lexical.term_counts().vocabulary)  # type: ignore[union-attr]
    assert "xung_kich" not in set(counts.vocabulary)
    hits = Searcher(StoreReader(store), None).search(new, k=1, mode="lexical")
    assert hits and new in hits[0].chunk.text


def test_version_without_term_counts_is_tokenised_again(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    store = tmp_path / "store"
    first = first_version(knowledge_dir, store, hashing_embedder)
    (first / "lexical" / COUNTS_FILE).unlink()
    # versions from before term counts were kept had no file hashes in their manifest either
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    del manifest["store_files"]
    (first / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    edit_nq57(knowledge_dir)
    report = build_store([knowledge_dir], store, hashing_embedder)

    assert report.files_changed == 1 and report.embedded == 1
    assert report.tokenised == report.chunks  # nothing to reuse: every chunk tokenised
    version = load_current(store)
    assert version is not None
    assert_lexical_is_bm25s_own(version)
    assert (version.path / "lexical" / COUNTS_FILE).exists()


def test_store_of_an_older_pipeline_is_chunked_and_tokenised_again(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    store = tmp_path / "store"
    first = first_version(knowledge_dir, store, hashing_embedder)
    manifest_path = first / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["pipeline"] = "3/bm25-folded-k1=0.7-b=0.75"  # before versions kept term counts
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")

    report = build_store([knowledge_dir], store, hashing_embedder)

    assert report.version is not None and report.version != first.name
    assert report.files_changed == report.files_total == 3
    assert report.tokenised == report.chunks == json.loads(
        (first / "manifest.json").read_text(encoding="utf-8"))["counts"]["chunks"]
    assert report.embedded == 0  # identical texts keep their vectors across pipelines
    version = load_current(store)
    assert version is not None
    assert_lexical_is_bm25s_own(version)
