"""Quotes carry content: headings with what is under them, table rows with their header."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from indexer.build import build_store
from knowledge import phrasing as messages
from knowledge.answers import AnswerPolicy, answer_question
from knowledge.embedder import HashingEmbedder
from knowledge.excerpts import Neighbours, excerpt, is_heading, split_sentences
from knowledge.search import Searcher
from knowledge.store import StoreReader
from tests.conftest import MARKER

OMIT = messages.OMITTED

XOA_TEN = "\n".join([
    "8. Xử lý đảng viên vi phạm",
    "Chi bộ xem xét các trường hợp vi phạm tại kỳ sinh hoạt gần nhất và báo cáo cấp ủy cấp trên.",
    "Việc xem xét phải bảo đảm dân chủ, khách quan, đúng quy trình, có biên bản kèm theo hồ sơ.",
    "8.1. Xóa tên đảng viên.",
    "Đảng viên bỏ sinh hoạt đảng ba tháng trong năm mà không có lý do chính đáng thì chi bộ "
    "xem xét, đề nghị xóa tên trong danh sách đảng viên.",
    "8.2. Khai trừ.",
    "Đảng viên vi phạm nghiêm trọng Điều lệ Đảng, pháp luật của Nhà nước thì bị xem xét khai trừ.",
])


@pytest.mark.parametrize(
    ("sentence", "heading"),
    [
        ("3.2.2.", True), ("8.1. Xóa tên đảng viên.", True), ("II. NHIỆM VỤ, GIẢI PHÁP", True),
        ("Đảng viên có các nhiệm vụ sau:", True), ("Điều 3. Thời hạn gửi báo cáo", True),
        ("a) Cấp huyện:", True),
        ("30 ngày sau;", False),
        ("1. Nâng cao nhận thức của cán bộ, đảng viên và nhân dân về phòng, chống thiên tai, "
         "chủ động ứng phó với bão, lũ.", False),
        ("Loại báo cáo | Kỳ số liệu | Thời hạn gửi", False),
    ],
)
def test_what_counts_as_a_heading(sentence: str, heading: bool) -> None:
    assert is_heading(sentence) is heading


def test_a_heading_sentence_is_quoted_with_the_content_under_it() -> None:
    result = excerpt(XOA_TEN, "xóa tên đảng viên", max_chars=230)
    assert result == "\n".join([
        OMIT,
        "8.1. Xóa tên đảng viên.",
        "Đảng viên bỏ sinh hoạt đảng ba tháng trong năm mà không có lý do chính đáng thì chi bộ "
        "xem xét, đề nghị xóa tên trong danh sách đảng viên.",
        OMIT,
    ])


def test_a_bare_item_number_stays_with_its_text() -> None:
    text = "3.2.2.\nChi bộ gửi báo cáo quý về Đảng ủy trước ngày 20 của tháng cuối quý."
    assert split_sentences(text) == [
        "3.2.2. Chi bộ gửi báo cáo quý về Đảng ủy trước ngày 20 của tháng cuối quý."
    ]


def test_a_passage_that_is_only_a_heading_takes_the_next_passages_content() -> None:
    following = (
        "Đảng viên bỏ sinh hoạt đảng ba tháng trong năm mà không có lý do chính đáng thì chi bộ "
        "xem xét, đề nghị xóa tên. Việc xóa tên do cấp ủy có thẩm quyền quyết định."
    )
    result = excerpt("8.1. Xóa tên đảng viên.", "xóa tên đảng viên", 700, Neighbours(following=following))
    assert result == "8.1. Xóa tên đảng viên.\n" + split_sentences(following)[0]
    # with little room the content is cut at a word, never dropped for the heading alone
    short = excerpt("8.1. Xóa tên đảng viên.", "xóa tên", 80, Neighbours(following=following))
    assert short.startswith("8.1. Xóa tên đảng viên.\nĐảng viên bỏ") and short.endswith(OMIT)
    assert len(short) <= 80
    # no next passage: the heading is what there is
    assert excerpt("8.1. Xóa tên đảng viên.", "xóa tên", 700) == "8.1. Xóa tên đảng viên."


TABLE = "\n".join([
    "Thời hạn gửi báo cáo định kỳ như sau:",
    "Loại báo cáo | Kỳ số liệu | Thời hạn gửi",
    "Báo cáo tháng | Từ ngày 15 tháng trước đến ngày 14 tháng báo cáo | Trước ngày 18 hằng tháng",
    "Báo cáo quý | Từ ngày 15 tháng cuối quý trước đến ngày 14 tháng cuối quý | Trước ngày 18 tháng cuối quý",
    "Báo cáo năm | Từ ngày 15/12 năm trước đến ngày 14/12 năm báo cáo | Trước ngày 18/12",
    "Các đơn vị chậm báo cáo sẽ bị nêu tên tại hội nghị giao ban. Ban Tuyên giáo theo dõi, đôn đốc.",
])


def test_a_table_row_is_quoted_with_its_header_row() -> None:
    result = excerpt(TABLE, "báo cáo năm gửi trước ngày nào", max_chars=200)
    lines = result.split("\n")
    assert "Loại báo cáo | Kỳ số liệu | Thời hạn gửi" in lines
    assert "Báo cáo năm | Từ ngày 15/12 năm trước đến ngày 14/12 năm báo cáo | Trước ngày 18/12" in lines
    assert lines.index("Loại báo cáo | Kỳ số liệu | Thời hạn gửi") < lines.index(
        "Báo cáo năm | Từ ngày 15/12 năm trước đến ngày 14/12 năm báo cáo | Trước ngày 18/12")
    assert len(result) <= 200


def test_a_table_row_keeps_its_cells_together() -> None:
    row = "Nội dung | Sơ kết. Báo cáo Tỉnh ủy | Ban Tuyên giáo"
    assert split_sentences(row) == [row]


def test_a_table_begun_in_the_previous_passage_brings_its_header() -> None:
    previous = "\n".join(TABLE.split("\n")[:3])
    here = "\n".join(TABLE.split("\n")[3:])
    result = excerpt(here, "báo cáo năm", 120, Neighbours(previous=previous))
    assert result.split("\n")[:2] == ["Loại báo cáo | Kỳ số liệu | Thời hạn gửi", OMIT]
    assert "Báo cáo năm |" in result


def write_docx_with_table(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph(MARKER)
    document.add_paragraph("Số 46-QĐ/TU")
    document.add_paragraph("QUY ĐỊNH")
    document.add_paragraph("về lịch gửi số liệu đảng viên")
    document.add_paragraph("Điều 1. Lịch gửi số liệu")
    document.add_paragraph("Các đảng bộ gửi số liệu theo bảng dưới đây.")
    table = document.add_table(rows=4, cols=3)
    cells = [
        ("Loại số liệu", "Đơn vị gửi", "Hạn gửi"),
        ("Số đảng viên mới kết nạp", "Đảng ủy cơ sở", "Ngày 05 hằng tháng"),
        ("Số đảng viên chuyển sinh hoạt", "Đảng ủy cơ sở", "Ngày 10 hằng tháng"),
        ("Số đảng viên được tặng huy hiệu", "Ban Tổ chức huyện ủy", "Ngày 15 tháng cuối quý"),
    ]
    for row, values in zip(table.rows, cells):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("Điều 2. Tổ chức thực hiện")
    document.add_paragraph("Văn phòng Tỉnh ủy theo dõi, tổng hợp và báo cáo Ban Thường vụ.")
    document.save(path)


def test_a_docx_table_row_is_answered_with_its_header(
    tmp_path: Path, hashing_embedder: HashingEmbedder
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_docx_with_table(folder / "quy-dinh-46.docx")
    build_store([folder], tmp_path / "store", hashing_embedder)
    searcher = Searcher(StoreReader(tmp_path / "store"), hashing_embedder)
    answer = answer_question(
        searcher, "số đảng viên được tặng huy hiệu gửi hạn nào", AnswerPolicy(max_chars=160)
    )
    assert answer.answered
    text = answer.passages[0].excerpt
    assert "Loại số liệu | Đơn vị gửi | Hạn gửi" in text
    assert "Số đảng viên được tặng huy hiệu | Ban Tổ chức huyện ủy | Ngày 15 tháng cuối quý" in text
    assert len(text) <= 160


def test_neighbours_are_the_passages_around_a_hit_in_its_document(
    tmp_path: Path, knowledge_dir: Path, hashing_embedder: HashingEmbedder
) -> None:
    build_store([knowledge_dir], tmp_path / "store", hashing_embedder)
    searcher = Searcher(StoreReader(tmp_path / "store"), hashing_embedder)
    hit = searcher.search("tổ xung kích phòng, chống thiên tai tập huấn hằng năm", k=1)[0]
    version = StoreReader(tmp_path / "store").current()
    assert version is not None
    chunks = version.chunks
    around = searcher.neighbours(hit)
    same = lambda row: chunks[row].text if chunks[row].doc_id == hit.chunk.doc_id else None  # noqa: E731
    assert around.previous == same(hit.row - 1)
    assert around.following == (same(hit.row + 1) if hit.row + 1 < len(chunks) else None)
    assert around.previous is not None or around.following is not None
