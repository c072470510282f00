"""Which copy of a document is indexed (the one that reads best), and the operator's view of
what was read: the documents table, the set-up target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.build import build_store
from indexer.duplicates import Candidate, find_duplicates
from indexer.report import BuildReport
from knowledge.catalog import catalog_rows, catalog_table
from knowledge.embedder import HashingEmbedder
from knowledge.passages import DocumentMeta
from knowledge.store import load_current
from tests.indexer.conftest import SCAN_ONLY, SCAN_PAGE_2, SCANNED, need

TEXT = "Thông báo kết luận của Ban Thường vụ Đảng ủy về sinh hoạt chi bộ định kỳ hằng tháng. " * 20


def _copy(source: str, *, pages: int | None = None, ocr_pages: int = 0, missing: tuple[str, ...] = ()) -> DocumentMeta:
    return DocumentMeta(source, "Thông báo 27", source, number="27-TB/ĐU", doc_type="Thông báo",
                        pages=pages, ocr_pages=ocr_pages, missing=missing)


@pytest.mark.parametrize(
    ("copies", "kept"),
    [
        # a scan OCR'd throughout loses to a copy whose pages have a text layer, even one
        # that reads less metadata
        ([_copy("a-scan.pdf", pages=2, ocr_pages=2), _copy("b-text.pdf", pages=2, missing=("date",))], "b-text.pdf"),
        # partly OCR'd beats fully OCR'd; fewer OCR'd pages first
        ([_copy("a.pdf", pages=2, ocr_pages=2), _copy("b.pdf", pages=2, ocr_pages=1)], "b.pdf"),
        ([_copy("a.pdf", pages=5, ocr_pages=3), _copy("b.pdf", pages=5, ocr_pages=1)], "b.pdf"),
        # the format still comes first: DOCX, DOC, then PDF
        ([_copy("a.pdf", pages=2), _copy("b.doc"), _copy("c.docx")], "c.docx"),
        ([_copy("a.pdf", pages=2), _copy("b.doc")], "b.doc"),
        # equal readings: the one with more metadata, then the first
        ([_copy("a.pdf", pages=2, missing=("date",)), _copy("b.pdf", pages=2)], "b.pdf"),
    ],
)
def test_the_copy_that_reads_best_is_kept(copies: list[DocumentMeta], kept: str) -> None:
    found = find_duplicates([Candidate(doc, TEXT, i) for i, doc in enumerate(copies)])
    assert set(found.values()) == {kept}
    assert sorted(found) == sorted(d.doc_id for d in copies if d.doc_id != kept)


def test_scanned_copy_gives_way_to_the_one_with_a_text_layer(tesseract: None, tmp_path: Path) -> None:
    """../shared/cases/scanned-pdf: the same Thông báo as a full scan and as a text page plus a
    scanned page; the text page reads "chi bộ" where OCR may read "chỉ bộ"."""
    need(SCANNED)
    report = build_store([SCANNED], tmp_path / "store", HashingEmbedder())
    assert report.duplicates == [(SCAN_ONLY, SCAN_PAGE_2)]
    version = load_current(tmp_path / "store")
    assert version is not None
    kept, copy = version.documents[SCAN_PAGE_2], version.documents[SCAN_ONLY]
    assert (kept.pages, kept.ocr_pages, kept.duplicate_of) == (2, 1, None)
    assert (copy.pages, copy.ocr_pages, copy.duplicate_of) == (2, 2, SCAN_PAGE_2)
    assert {c.doc_id for c in version.chunks} == {SCAN_PAGE_2}


def test_documents_table_tells_long_names_apart(realdocs_store: tuple[BuildReport, Path]) -> None:
    version = load_current(realdocs_store[1])
    assert version is not None
    table = catalog_table(catalog_rows(version)).split("\n")
    rows = [line for line in table[1:-1] if not line.startswith("    ")]
    sources = [re.split(r"\s{2,}", row)[0] for row in rows]
    assert len(set(sources)) == len(sources) == len(version.documents)
    assert "KH phát động thi đua t…gọ 2026.doc" in sources
    assert "KH phát động thi đua t…ọ 2026.docx" in sources


def test_make_install_sets_up_the_system_packages_too() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    (install,) = re.findall(r"^install:(.*)$", makefile, flags=re.MULTILINE)
    (test,) = re.findall(r"^test:(.*)$", makefile, flags=re.MULTILINE)
    assert set(test.split()) - {"$(STAMP)"} <= set(install.split())
    assert {"postgres", "system-packages"} <= set(install.split())
