"""Builds that read files while the model embeds: the same store whatever the timing, copies
left out of embedding, failures that leave nothing behind, progress shown."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from indexer.build import SEQUENTIAL, Overlap, build_store
from indexer.loaders import ocr
from knowledge.embedder import HashingEmbedder, SentenceTransformerEmbedder
from knowledge.store import StoreVersion, current_version_name, load_current
from tests.indexer.conftest import CASES, need, page_image_pdf

SAME_TWICE = CASES / "same-document-twice"
COPY_PDF = "chi-thi-18-CT-TU (ban scan gui xa).pdf"
ORIGINAL_DOCX = "chi-thi-18-CT-TU.docx"
SPACED = CASES / "letter-spaced-pdf" / "nghi-quyet-31-NQ-DU-gian-chu.pdf"


def published(store: Path) -> StoreVersion:
    version = load_current(store)
    assert version is not None
    return version


def chunk_rows(version: StoreVersion) -> list[tuple[str, tuple[str, ...], str]]:
    return [(c.doc_id, c.section, c.text) for c in version.chunks]


def pipeline_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("index-")]


@pytest.mark.model
def test_same_inputs_give_the_same_store_however_the_reads_interleave(
    knowledge_dir: Path, seeds_dir: Path, tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    for seed in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(seed, knowledge_dir / f"bai-{seed.name}")
    if ocr.missing_reason("tesseract", "vie") is None:
        # A slow file first (seconds of OCR): with several readers the quick files after it
        # are read before it is, and their texts must still reach the model after its.
        (knowledge_dir / "0-scan.pdf").write_bytes(page_image_pdf(need(SPACED)))
    builds = {
        "4 readers": Overlap(workers=4, ahead=4, window=8),
        "1 reader": Overlap(workers=1, ahead=0, window=8),
        "sequential": SEQUENTIAL,
    }
    versions = {}
    for name, overlap in builds.items():
        report = build_store([knowledge_dir], tmp_path / name, real_embedder, overlap=overlap)
        assert report.skipped == [] and report.embedded == report.chunks > 3 * 8
        versions[name] = published(tmp_path / name)

    rows = chunk_rows(versions["4 readers"])
    assert chunk_rows(versions["1 reader"]) == rows == chunk_rows(versions["sequential"])
    vectors = {name: np.array(v.all_embeddings()) for name, v in versions.items()}
    # Windows are cut by count in file order: the very same batches, bit-identical vectors.
    assert np.array_equal(vectors["4 readers"], vectors["1 reader"])
    # Sorting all texts at once batches them otherwise: the same meaning, other last bits.
    assert np.abs(vectors["4 readers"] - vectors["sequential"]).max() < 1e-5


def copy_and_original(folder: Path, copy_name: str, original_name: str) -> Path:
    folder.mkdir()
    shutil.copy(need(SAME_TWICE / COPY_PDF), folder / copy_name)
    shutil.copy(need(SAME_TWICE / ORIGINAL_DOCX), folder / original_name)
    return folder


def test_a_copy_read_before_its_original_gives_back_its_waiting_texts(tmp_path: Path) -> None:
    folder = copy_and_original(tmp_path / "kho", "a-ban-sao.pdf", "b-ban-goc.docx")
    model = HashingEmbedder()
    report = build_store([folder], tmp_path / "store", model, overlap=Overlap(window=512))
    assert report.duplicates == [("a-ban-sao.pdf", "b-ban-goc.docx")]
    assert model.calls == report.embedded == report.chunks > 0

    # Windows of one text: the copy's texts reach the model before the original is read.
    # Wasted work, but the published store is the same.
    eager = HashingEmbedder()
    again = build_store([folder], tmp_path / "eager", eager, overlap=Overlap(window=1))
    assert eager.calls == again.embedded > again.chunks == report.chunks
    assert chunk_rows(published(tmp_path / "eager")) == chunk_rows(published(tmp_path / "store"))


def test_a_copy_read_after_its_original_is_never_embedded(tmp_path: Path) -> None:
    folder = copy_and_original(tmp_path / "kho", "b-ban-sao.pdf", "a-ban-goc.docx")
    model = HashingEmbedder()
    report = build_store([folder], tmp_path / "store", model, overlap=Overlap(window=1))
    assert report.duplicates == [("b-ban-sao.pdf", "a-ban-goc.docx")]
    assert model.calls == report.embedded == report.chunks > 0
    version = published(tmp_path / "store")
    assert {c.doc_id for c in version.chunks} == {"a-ban-goc.docx"}


class BrokenModel(HashingEmbedder):
    """Fails on its second embedding call, as a model out of memory would."""

    def embed(self, texts: Sequence[str], *, kind: str) -> np.ndarray:
        if self.calls:
            raise MemoryError("model out of memory")
        return super().embed(texts, kind=kind)


def test_a_model_failure_publishes_nothing_and_leaves_no_thread(
    knowledge_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    first = build_store([knowledge_dir], store, HashingEmbedder())
    for i in range(6):
        (knowledge_dir / f"them-{i}.txt").write_text(
            f"Văn bản thêm số {i}.\n" + "\n".join(f"Đoạn {j} của văn bản {i}." for j in range(30)),
            encoding="utf-8",
        )
    with pytest.raises(MemoryError):
        build_store([knowledge_dir], store, BrokenModel(), overlap=Overlap(workers=3, window=2))
    assert current_version_name(store) == first.version
    assert pipeline_threads() == []


def test_progress_shows_reading_and_embedding(
    knowledge_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = build_store([knowledge_dir], tmp_path / "store", HashingEmbedder(), progress=True)
    err = capsys.readouterr().err
    assert "reading: 100%" in err and f"{report.files_total}/{report.files_total}" in err
    assert "embedding: 100%" in err and f"{report.chunks}/{report.chunks}" in err
