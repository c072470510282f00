"""A document reference with a type word names that type ("chỉ thị 11" is not Án lệ 11),
citations name the type of a document without a number, and quotes keep the document's own
spelling while matching unifies tone placement. Real documents from ../shared/realdocs
(indexed once per session, `realdocs_store`) and generated ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core.knowledge_base import KnowledgeBase
from indexer.build import build_store
from indexer.report import BuildReport
from knowledge.answers import AnswerPolicy, Citation, answer_question
from knowledge.docnumbers import NumberRef, parse_number, parse_number_refs
from knowledge.embedder import HashingEmbedder
from knowledge.phrasing import cite_section
from knowledge.passages import DocumentMeta, indexed_text
from knowledge.search import Searcher
from knowledge.store import StoreReader

AN_LE_11 = "(TAND014315)-An_le_so_11.docx"
HIEN_PHAP_DOC = "(32801)-Hien_phap_nam_2013.doc"


@pytest.mark.parametrize(
    ("query", "ref"),
    [
        ("án lệ 11", NumberRef("11", "AL", None)),
        ("an le so 11", NumberRef("11", "AL", None)),
        ("Án lệ số 11/2017/AL", NumberRef("11", "AL", None, "2017")),
        ("chi thi 11 covid giai phap ho tro doanh nghiep", NumberRef("11", "CT", None)),
    ],
)
def test_references_read_their_type(query: str, ref: NumberRef) -> None:
    assert parse_number_refs(query) == [ref]


def test_an_le_number_has_its_code_not_an_issuer() -> None:
    assert parse_number("11/2017/AL") == NumberRef("11", "AL", None, "2017")
    assert parse_number("91/2015/QH13") == NumberRef("91", None, "QH13", "2015")


@pytest.mark.parametrize(
    ("query", "number", "doc_type", "fits"),
    [
        ("chỉ thị 11", "11/2017/AL", "Án lệ", False),  # the type word names the type
        ("chỉ thị 11", "11/CT-TTg", "Chỉ thị", True),
        ("chỉ thị 11", "11/CT-TTg", None, True),  # the number's code agrees
        ("CT 11", "11/2017/AL", None, False),  # ... or disagrees
        ("án lệ 11", "11/2017/AL", "Án lệ", True),
        ("án lệ 11", "11/CT-TTg", "Chỉ thị", False),
        ("kế hoạch 11", "11", "Hiến pháp", False),  # a type without a code is still a type
        ("luật 91/2015/QH13", "91/2015/QH13", "Bộ luật", True),  # a Bộ luật is a law
        ("quy định 294", "294-QĐ/TW", "Quy định", True),
        ("11/CT-TTg", "11/CT-TTg", "Chỉ thị", True),
    ],
)
def test_typed_reference_matches_only_its_type(query: str, number: str, doc_type: str | None, fits: bool) -> None:
    (ref,) = parse_number_refs(query)
    assert ref.matches(number, doc_type) is fits


def test_untyped_document_of_unknown_type_still_fits() -> None:
    (ref,) = parse_number_refs("luật 80/2015/QH13")
    assert ref.matches("80/2015/QH13", None)


@pytest.fixture(scope="module")
def searcher(realdocs_store: tuple[BuildReport, Path]) -> Searcher:
    return Searcher(StoreReader(realdocs_store[1]), HashingEmbedder())


def test_chi_thi_11_does_not_pull_in_an_le_11(searcher: Searcher) -> None:
    hits = searcher.search("chi thi 11 covid giai phap ho tro doanh nghiep", k=5)
    assert hits and not any(h.named for h in hits)
    assert hits[0].doc.doc_id == "CT-11-CT-TTg-2020-thao-go-kho-khan-Covid-19.txt"
    assert AN_LE_11 not in {h.doc.doc_id for h in hits[:1]}


async def test_vanban_lookup_follows_the_type_word(searcher: Searcher) -> None:
    knowledge = KnowledgeBase(searcher, AnswerPolicy())
    assert await knowledge.find_by_number("chỉ thị 11") == []
    assert [d.doc_id for d in await knowledge.find_by_number("án lệ 11")] == [AN_LE_11]
    assert [d.doc_id for d in await knowledge.find_by_number("11/2017/AL")] == [AN_LE_11]


# --- citations name the type --------------------------------------------------------------


def test_label_names_the_type_of_a_document_without_number() -> None:
    base = DocumentMeta("hp.doc", "Nước Cộng hòa xã hội chủ nghĩa Việt Nam", "hp.doc")
    assert base.label == "Nước Cộng hòa xã hội chủ nghĩa Việt Nam"
    typed = DocumentMeta(
        "hp.doc", "Nước Cộng hòa xã hội chủ nghĩa Việt Nam", "hp.doc", doc_type="Hiến pháp",
        issued=date(2013, 11, 28),
    )
    assert typed.label == "Hiến pháp «Nước Cộng hòa xã hội chủ nghĩa Việt Nam»"
    citation = Citation.of(typed, "Chương V. QUỐC HỘI › Điều 71. Quốc hội là cơ quan đại biểu…")
    assert citation.describe() == (
        "Hiến pháp «Nước Cộng hòa xã hội chủ nghĩa Việt Nam», Điều 71, ngày 28/11/2013 (hp.doc)"
    )
    numbered = DocumentMeta("ct.txt", "về phòng, chống thiên tai", "ct.txt", number="05-CT/TW", doc_type="Chỉ thị")
    assert Citation.of(numbered, "").describe() == "Chỉ thị 05-CT/TW, «về phòng, chống thiên tai» (ct.txt)"


def test_heading_cut_at_a_comma_gives_no_double_comma() -> None:
    assert cite_section("CHƯƠNG II. QUYỀN CON NGƯỜI,") == "CHƯƠNG II. QUYỀN CON NGƯỜI"
    doc = DocumentMeta("hp.doc", "Nước Cộng hòa", "hp.doc", doc_type="Hiến pháp", issued=date(2013, 11, 28))
    line = Citation.of(doc, "CHƯƠNG II. QUYỀN CON NGƯỜI,").describe()
    assert ",," not in line
    assert line == "Hiến pháp «Nước Cộng hòa», CHƯƠNG II. QUYỀN CON NGƯỜI, ngày 28/11/2013 (hp.doc)"


def test_every_real_citation_names_the_type_when_known(searcher: Searcher) -> None:
    version = searcher.reader.current()
    assert version is not None
    for doc in version.documents.values():
        if doc.doc_type:
            assert doc.label.startswith(doc.doc_type), doc.doc_id
    answer = answer_question(searcher, "Quốc hội là cơ quan đại biểu cao nhất của Nhân dân", AnswerPolicy())
    lines = [c.describe() for c in answer.citations if c.doc_id == HIEN_PHAP_DOC]
    assert lines and all(line.startswith("Hiến pháp «Nước Cộng hòa xã hội chủ nghĩa Việt Nam»") for line in lines)
    assert not [line for line in lines if ",," in line]


# --- quotes keep the document's spelling -----------------------------------------------------


def test_quotes_keep_the_documents_tone_placement_and_queries_find_either(tmp_path: Path) -> None:
    folder = tmp_path / "kho"
    folder.mkdir()
    (folder / "quy-che.txt").write_text(
        "Quy chế làm việc của chi bộ\n"
        "1. Chi bộ xem xét việc huỷ bỏ kết luận sai và báo cáo Đảng uỷ xã Hoà Bình trong 5 ngày.\n",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    build_store([folder], store, HashingEmbedder())
    searcher = Searcher(StoreReader(store), HashingEmbedder())
    version = searcher.reader.current()
    assert version is not None
    assert "huỷ bỏ kết luận sai và báo cáo Đảng uỷ xã Hoà Bình" in version.chunks[0].text
    for question in ("huỷ bỏ kết luận sai báo cáo Đảng uỷ xã Hoà Bình",
                     "hủy bỏ kết luận sai báo cáo Đảng ủy xã Hòa Bình",
                     "huy bo ket luan sai bao cao dang uy xa hoa binh"):
        answer = answer_question(searcher, question, AnswerPolicy())
        assert answer.answered, question
        assert "huỷ bỏ kết luận sai" in answer.passages[0].excerpt
    # what is embedded and lexically indexed is the matching form, as the query's is
    indexed = indexed_text(version.chunk_docs[0], version.chunks[0])
    assert "hủy bỏ kết luận sai và báo cáo Đảng ủy xã Hòa Bình" in indexed
