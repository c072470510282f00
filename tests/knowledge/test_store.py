"""The published store: atomic switching under a live reader, missing and corrupt stores."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import POINTER, StoreError, StoreReader, StoreVersion, load_current, versions_dir

WAIT = 30.0  # seconds; generous, only reached when something is broken


def write_round(folder: Path, word: str, documents: int) -> None:
    """A folder whose every passage carries `word`, with a per-round number of documents."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for i in range(documents):
        (folder / f"thong-bao-{i}.txt").write_text(
            f"THÔNG BÁO\nvề tài liệu {word} số {i}\n"
            f"I. NỘI DUNG\nTài liệu {word} hướng dẫn sinh hoạt chi bộ đợt {i}.\n"
            f"II. THỰC HIỆN\nCác chi bộ học tập tài liệu {word} trước ngày {i + 10}.",
            encoding="utf-8",
        )


@dataclass(frozen=True)
class Seen:
    name: str
    chunks: int
    vectors: int
    lexical: int
    manifest_chunks: int
    words: frozenset[str]  # the round words found in the version's chunks


ROUNDS = ["alpha", "beta", "gamma", "delta", "epsilon"]


def observe(version: StoreVersion) -> Seen:
    words = frozenset(w for c in version.chunks for w in ROUNDS if w in c.text)
    return Seen(
        version.name, len(version.chunks), version.vectors.ntotal, version.lexical.size,
        version.manifest["counts"]["chunks"], words,
    )


def test_reader_sees_whole_versions_while_the_store_is_rebuilt(tmp_path: Path) -> None:
    store = tmp_path / "store"
    folder = tmp_path / "docs"
    embedder = HashingEmbedder()
    write_round(folder, ROUNDS[0], 3)
    first = build_store([folder], store, embedder)
    assert first.version is not None

    reader = StoreReader(store)
    searcher = Searcher(reader, HashingEmbedder())
    seen: list[Seen] = []
    hit_words: list[frozenset[str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()
    progressed = threading.Condition()

    def read() -> None:
        try:
            while not stop.is_set():
                version = reader.current()
                assert version is not None
                hits = searcher.search("tài liệu sinh hoạt chi bộ", k=20)
                with progressed:
                    seen.append(observe(version))
                    hit_words.append(frozenset(w for h in hits for w in ROUNDS if w in h.chunk.text))
                    progressed.notify_all()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            with progressed:
                progressed.notify_all()

    def wait_for(predicate: Callable[[], bool]) -> None:
        with progressed:
            assert progressed.wait_for(lambda: predicate() or bool(errors), timeout=WAIT)
        assert not errors, errors

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    published = [first.version]
    try:
        wait_for(lambda: any(s.name == first.version for s in seen))
        for word, documents in zip(ROUNDS[1:], (5, 2, 4, 1)):
            write_round(folder, word, documents)
            report = build_store([folder], store, embedder)
            assert report.version is not None
            published.append(report.version)
            # the same reader object picks the new version up, without being recreated
            wait_for(lambda: any(s.name == report.version for s in seen))
            # and several more reads after it, so reads overlap the next build
            count = len(seen)
            wait_for(lambda: len(seen) >= count + 3)
    finally:
        stop.set()
        thread.join(timeout=WAIT)
    assert not thread.is_alive()
    assert not errors, errors

    names = [s.name for s in seen]
    assert set(names) <= set(published)
    # versions appear in publishing order, each one a contiguous run: never back to an old one
    firsts = list(dict.fromkeys(names))
    assert firsts == [p for p in published if p in firsts]
    assert firsts[-1] == published[-1]
    expected_word = dict(zip(published, ROUNDS))
    for s in seen:
        assert s.chunks == s.vectors == s.lexical == s.manifest_chunks > 0
        assert s.words == {expected_word[s.name]}
    # every search answered from one version: its hits carry one round's word only
    assert all(len(words) == 1 for words in hit_words)
    assert reader.current() is not None and reader.current().name == published[-1]


def test_missing_pointer_means_no_store(tmp_path: Path) -> None:
    assert StoreReader(tmp_path / "nowhere").current() is None
    (tmp_path / "empty").mkdir()
    assert StoreReader(tmp_path / "empty").current() is None
    assert load_current(tmp_path / "empty") is None


def test_pointer_removed_while_serving_keeps_the_loaded_version(knowledge_dir: Path,
                                                                tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, HashingEmbedder())
    reader = StoreReader(store)
    loaded = reader.current()
    assert loaded is not None
    (store / POINTER).unlink()  # a bad pointer (tests/security/test_store_faults.py has more)
    assert reader.current() is loaded
    assert reader.problem == f"{store / POINTER} is missing or empty"


def _built(knowledge_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    store = tmp_path / "store"
    report = build_store([knowledge_dir], store, HashingEmbedder())
    assert report.version is not None
    return store, versions_dir(store) / report.version


def test_corrupt_vectors_raise_store_error(knowledge_dir: Path, tmp_path: Path) -> None:
    store, version = _built(knowledge_dir, tmp_path)
    (version / "vectors.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(StoreError):
        StoreReader(store).current()


def test_corrupt_manifest_raises_store_error(knowledge_dir: Path, tmp_path: Path) -> None:
    store, version = _built(knowledge_dir, tmp_path)
    (version / "manifest.json").write_text("{ truncated", encoding="utf-8")
    with pytest.raises(StoreError):
        StoreReader(store).current()


def test_pointer_to_a_deleted_version_raises_store_error(knowledge_dir: Path, tmp_path: Path) -> None:
    store, version = _built(knowledge_dir, tmp_path)
    shutil.rmtree(version)
    with pytest.raises(StoreError):
        StoreReader(store).current()


def test_build_over_a_corrupt_store_rebuilds_everything(knowledge_dir: Path, tmp_path: Path) -> None:
    store, version = _built(knowledge_dir, tmp_path)
    (version / "chunks.jsonl").write_text("[1, 2", encoding="utf-8")
    embedder = HashingEmbedder()
    report = build_store([knowledge_dir], store, embedder)
    assert report.version is not None and report.embedded == report.chunks > 0
    assert StoreReader(store).current().name == report.version
