"""What is indexed: hidden and lock files, the ignore file, README/SOURCES, sidecars; and the
same document twice (../shared/cases/same-document-twice, read in place)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from indexer.build import build_store
from indexer.discovery import IGNORE_FILE, discover
from knowledge.answers import AnswerPolicy, answer_question
from knowledge.catalog import catalog_rows
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader, load_current
from tests.conftest import CHI_THI_05, REPO

SAME_TWICE = REPO.parent / "shared" / "cases" / "same-document-twice"


def _write(root: Path, rel: str, text: str = CHI_THI_05) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_skipped_files_each_get_their_reason(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    _write(kb, "chi-thi-05.txt")
    _write(kb, "README.md", "# Thư mục văn bản\nGhi chú cho người quản trị.")
    _write(kb, "SOURCES.txt", "nguồn: ...")
    _write(kb, "con/readme.txt", "ghi chú")
    _write(kb, ".ghi-chu.txt")
    _write(kb, ".git/config", "[core]")
    _write(kb, "~$chi-thi-05.docx", "lock")
    _write(kb, "nhap/du-thao.txt")
    _write(kb, "ban-cu.bak.txt")
    _write(kb, "huong-dan/README.md", "# Hướng dẫn sử dụng kho\n" + CHI_THI_05)
    _write(kb, IGNORE_FILE, "# bản nháp không đưa vào kho\nnhap/\n*.bak.txt\n!huong-dan/README.md\n")

    found = {f.path.relative_to(kb).as_posix(): f.reason for f in discover([kb])}
    assert found["chi-thi-05.txt"] is None
    assert found["huong-dan/README.md"] is None  # listed back with "!"
    assert found["README.md"].startswith("not a document (README/SOURCES")
    assert found["SOURCES.txt"].startswith("not a document")
    assert found["con/readme.txt"].startswith("not a document")
    assert found[".ghi-chu.txt"] == "hidden file"
    assert found[".git"] == "hidden folder"
    assert found["~$chi-thi-05.docx"] == "Office lock file"
    assert found["nhap"] == f"excluded by {IGNORE_FILE}"
    assert found["ban-cu.bak.txt"] == f"excluded by {IGNORE_FILE}"
    assert IGNORE_FILE not in found and ".git/config" not in found

    report = build_store([kb], tmp_path / "store", HashingEmbedder())
    assert report.documents == 2
    skipped = {Path(p).relative_to(kb).as_posix(): why for p, why in report.skipped}
    assert skipped == {k: v for k, v in found.items() if v is not None}
    assert f"{len(skipped)} skipped" in report.summary()


def test_a_sidecar_overrides_the_header_and_a_change_to_it_reindexes(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    doc = _write(kb, "chi-thi-05.txt")
    sidecar = _write(kb, "chi-thi-05.txt.meta.yaml",
                     "so_hieu: 05-CT/TW\nngay: 2016-05-20\nco_quan: Ban Bí thư\nnguon: lưu trữ Văn phòng\n")
    store = tmp_path / "store"
    first = build_store([kb], store, HashingEmbedder())
    version = load_current(store)
    assert version is not None and first.files_total == 1  # the sidecar is no document
    meta = version.documents["chi-thi-05.txt"]
    assert (meta.number, meta.issuer, meta.issued) == ("05-CT/TW", "Ban Bí thư", date(2016, 5, 20))
    assert meta.doc_type == "Chỉ thị" and meta.extra == {"nguon": "lưu trữ Văn phòng"}

    assert build_store([kb], store, HashingEmbedder()).version is None  # nothing changed
    sidecar.write_text("issuer: Bộ Chính trị\n", encoding="utf-8")
    again = build_store([kb], store, HashingEmbedder())
    assert again.files_changed == 1
    version = load_current(store)
    assert version is not None and version.documents["chi-thi-05.txt"].issuer == "Bộ Chính trị"
    assert version.documents["chi-thi-05.txt"].issued == date(2016, 5, 15)  # the header's again
    assert doc.exists()


def test_a_broken_sidecar_is_a_warning_not_a_lost_document(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    _write(kb, "chi-thi-05.txt")
    (kb / "chi-thi-05.meta.yaml").write_text("- chỉ\n- là danh sách\n", encoding="utf-8")
    build_store([kb], tmp_path / "store", HashingEmbedder())
    version = load_current(tmp_path / "store")
    assert version is not None
    meta = version.documents["chi-thi-05.txt"]
    assert meta.number == "05-CT/TW"
    assert meta.warnings == ("metadata file ignored: chi-thi-05.meta.yaml must be a mapping of metadata fields",)


def test_the_same_document_twice_is_indexed_once_and_cited_once(tmp_path: Path) -> None:
    if not SAME_TWICE.is_dir():
        pytest.skip(f"cases not found at {SAME_TWICE}")
    store = tmp_path / "store"
    report = build_store([SAME_TWICE], store, HashingEmbedder())
    pdf, docx = "chi-thi-18-CT-TU (ban scan gui xa).pdf", "chi-thi-18-CT-TU.docx"
    assert report.duplicates == [(pdf, docx)]
    assert "1 duplicate copies not indexed again" in report.summary()
    assert f"duplicate {pdf}: same document as {docx}, indexed once" in report.notes()
    version = load_current(store)
    assert version is not None
    assert {c.doc_id for c in version.chunks} == {docx}
    rows = {r["doc_id"]: r for r in catalog_rows(version)}
    assert rows[pdf]["chunks"] == 0 and rows[pdf]["number"] == "18-CT/TU"
    assert f"duplicate of {docx}: indexed once" in rows[pdf]["warnings"]

    searcher = Searcher(StoreReader(store), HashingEmbedder())
    answer = answer_question(searcher, "Chỉ thị 18-CT/TU phòng cháy, chữa cháy khu dân cư", AnswerPolicy())
    assert answer.answered
    assert [c.doc_id for c in answer.citations] == [docx]

    # The DOCX goes away: the PDF copy is read again and indexed in its place.
    kb = tmp_path / "kb"
    shutil.copytree(SAME_TWICE, kb)
    build_store([kb], store, HashingEmbedder())
    (kb / docx).unlink()
    build_store([kb], store, HashingEmbedder())
    version = load_current(store)
    assert version is not None and {c.doc_id for c in version.chunks} == {pdf}
    assert version.documents[pdf].duplicate_of is None


def test_same_number_but_another_date_and_text_is_another_document(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    _write(kb, "a.txt", CHI_THI_05)
    _write(kb, "b.txt", "TỈNH ỦY MINH SƠN\nSố 05-CT/TW\nMinh Sơn, ngày 20 tháng 6 năm 2017\nCHỈ THỊ\n"
           "về xây dựng tủ sách pháp luật ở thôn, bản\n1. Mỗi thôn có một tủ sách pháp luật dùng chung.\n"
           "2. Đoàn thanh niên giúp người cao tuổi mượn và trả sách đúng hẹn.\n")
    report = build_store([kb], tmp_path / "store", HashingEmbedder())
    assert report.duplicates == []
    assert report.documents == 2


def test_copies_without_a_number_are_found_by_their_text(tmp_path: Path) -> None:
    """A constitution as .txt and as a gazette PDF's text (split syllables, page headers)."""
    body = "\n".join(
        f"Điều {i}. Nhà nước bảo đảm quyền con người, quyền công dân số {i}; mọi người có nghĩa vụ "
        f"tôn trọng quyền của người khác và chấp hành Hiến pháp, pháp luật ở địa phương thứ {i}."
        for i in range(1, 30)
    )
    _write(tmp_path / "kb", "hien-phap.txt", "HIẾN PHÁP\n" + body)
    gazette = "CÔNG BÁO/Số 1003 + 1004/Ngày 29-12-2013\nHIẾN PHÁP\n" + body.replace("Nhà nước", "Nhà n ước").replace(
        "công dân", "c ông d ân")
    _write(tmp_path / "kb", "hien-phap-cong-bao.txt", gazette)
    report = build_store([tmp_path / "kb"], tmp_path / "store", HashingEmbedder())
    assert report.duplicates == [("hien-phap.txt", "hien-phap-cong-bao.txt")]
