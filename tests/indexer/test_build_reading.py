"""Indexing folders of real-world files: bad files each get one reason, the rest is indexed,
and the summary counts PDF pages, OCR'd pages and what could not be read."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfWriter

from indexer.build import build_store
from indexer.loaders import LoadOptions
from knowledge.embedder import HashingEmbedder
from knowledge.store import load_current
from tests.indexer.conftest import CASES, need, page_image_pdf

SPACED = CASES / "letter-spaced-pdf" / "nghi-quyet-31-NQ-DU-gian-chu.pdf"
RUNNING = CASES / "running-header-pdf" / "huong-dan-52-HD-BTGTU.pdf"


def test_bad_files_get_one_reason_each_and_the_rest_is_indexed(
    knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    good_pdf = need(RUNNING).read_bytes()
    (knowledge_dir / "hong.pdf").write_bytes(good_pdf[: len(good_pdf) // 3])
    locked = PdfWriter(clone_from=io.BytesIO(good_pdf))
    locked.encrypt(user_password="mat-khau", owner_password="chu", algorithm="AES-128")
    locked.write(knowledge_dir / "khoa.pdf")
    PdfWriter().write(knowledge_dir / "rong.pdf")
    (knowledge_dir / "scan.pdf").write_bytes(page_image_pdf(need(SPACED)))
    (knowledge_dir / "gia.doc").write_bytes(b"<html>luu duoi ten .doc</html>")
    (knowledge_dir / "rac.txt").write_bytes("Dòng đầu\n".encode() + bytes(range(0x80, 0x100)))
    (knowledge_dir / "tron.txt").write_bytes(
        "THÔNG BÁO số 9-TB/ĐU\n".encode() + "vÒ viÖc x©y dùng quy chÕ d©n chñ ë c¬ së\n".encode("latin-1")
    )
    (knowledge_dir / "huong-dan.pdf").write_bytes(good_pdf)
    store = tmp_path / "store"

    report = build_store([knowledge_dir], store, hashing_embedder, options=LoadOptions(ocr="off"))

    assert dict((Path(path).name, reason) for path, reason in report.skipped) == {
        "hong.pdf": "corrupt PDF",
        "khoa.pdf": "encrypted PDF (needs a password)",
        "rong.pdf": "PDF has no pages",
        "scan.pdf": "1 scanned page not read (page 1): OCR is off (OCR=off)",
        "gia.doc": "not a Word 97-2003 document",
        "rac.txt": "not UTF-8 text (line 2), nor Vietnamese in TCVN3, VNI or Windows-1258",
    }
    assert [(Path(path).name, warning) for path, warning in report.warnings] == [
        ("tron.txt", "converted from legacy encoding TCVN3 (1 line)"),
    ]
    assert report.pages == 2 and report.ocr_pages == 0
    assert "6 skipped, 1 warnings; 2 PDF pages read (0 by OCR)" in report.summary()
    version = load_current(store)
    assert version is not None and report.version is not None
    assert sorted(version.documents) == sorted([
        "chi-thi-05-CT-TW.txt", "huong-dan.pdf", "ket-luan-01-KL-TU.txt",
        "nghi-quyet-57-NQ-TW.txt", "tron.txt",
    ])
    texts = "\n".join(chunk.text for chunk in version.chunks)
    assert "về việc xây dựng quy chế dân chủ ở cơ sở" in texts


def test_ocr_pages_are_counted_in_the_summary(tesseract: None, tmp_path: Path) -> None:
    folder = tmp_path / "kho"
    folder.mkdir()
    (folder / "nghi-quyet-scan.pdf").write_bytes(page_image_pdf(need(SPACED)))
    report = build_store([folder], tmp_path / "store", HashingEmbedder(dimension=32))
    assert report.skipped == [] and report.warnings == []
    assert report.pages == 1 and report.ocr_pages == 1
    assert 0 < report.ocr_seconds < report.seconds
    assert f"1 PDF pages read (1 by OCR in {report.ocr_seconds:.1f}s)" in report.summary()
    version = load_current(tmp_path / "store")
    assert version is not None
    texts = "\n".join(chunk.text for chunk in version.chunks)
    assert "100% thôn đạt chuẩn nông thôn mới kiểu mẫu" in texts
