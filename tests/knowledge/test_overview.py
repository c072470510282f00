"""A document named without a question (knowledge/overview.py) and where its content starts
(indexer/opening.py): the boundary between "chỉ thị 12" and a question about Chỉ thị 12,
and the opening of real documents (../shared/realdocs, indexed once per session)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indexer.opening import opening_section
from indexer.report import BuildReport
from knowledge.overview import document_request, names_only
from knowledge.passages import DocumentMeta
from knowledge.store import StoreVersion, load_current

CT12 = DocumentMeta(
    doc_id="ct12.txt", source="ct12.txt", number="12-CT/TU", doc_type="Chỉ thị",
    issuer="Ban Thường vụ Tỉnh ủy", issued=date(2025, 3, 15),
    title="Về tăng cường công tác tuyên truyền chuyển đổi số trên địa bàn tỉnh",
)


def only_names(message: str, doc: DocumentMeta = CT12) -> bool:
    request = document_request(message)
    return request is not None and names_only(request, doc)


@pytest.mark.parametrize("message", [
    "chỉ thị 12", "CT12", "ct 12", "Chỉ thị số 12-CT/TU", "chi thi 12", "12-CT/TU",
    "cho tôi xem chỉ thị 12", "Nội dung chỉ thị 12 là gì?", "chi thi 12 noi gi",
    "tóm tắt chỉ thị 12 giúp em ạ", "Chỉ thị 12 của Ban Thường vụ Tỉnh ủy",
    "chỉ thị 12 ngày 15/3/2025", "chỉ thị 12 năm 2025", "Chỉ thị 12 còn hiệu lực không?",
    # A whole citation pasted in: most of its title.
    "Chỉ thị 12-CT/TU về tăng cường công tác tuyên truyền chuyển đổi số trên địa bàn tỉnh",
])
def test_a_message_that_only_names_the_document(message: str) -> None:
    assert only_names(message)


@pytest.mark.parametrize("message", [
    "chỉ thị 12 về chuyển đổi số",  # a topic, not the document's whole name
    "Chỉ thị 12 yêu cầu gì về nhóm Zalo?",
    "chỉ thị 12 điều 5", "chỉ thị 12 mục II", "chỉ thị 12 năm 2024",
    "Đảng viên phải làm gì theo chỉ thị 12?", "Ai ký chỉ thị 12?",
    "Còn chỉ thị 12 thì sao?",  # continues a conversation
    "Cách nấu phở bò ngon?", "năm 2024 có mấy chỉ thị",  # no document named
    "chỉ thị 12 " + "rất " * 60,  # too long to be a name
])
def test_a_question_about_the_document_is_not_an_overview(message: str) -> None:
    assert not only_names(message)


def test_other_types_and_codes() -> None:
    qd294 = DocumentMeta(doc_id="q", source="q", number="294-QĐ/TW", doc_type="Quy định",
                         issuer="Ban Chấp hành Trung ương", issued=date(2025, 5, 26),
                         title="Thi hành Điều lệ Đảng")
    for message in ("qd 294", "QĐ294", "quy định 294", "quy dinh so 294-QD/TW", "Quy định 294 là gì?"):
        assert only_names(message, qd294), message
    assert not only_names("quy định 294 về kết nạp đảng viên", qd294)


@pytest.fixture(scope="module")
def realdocs(realdocs_store: tuple[BuildReport, Path]) -> StoreVersion:
    version = load_current(realdocs_store[1])
    assert version is not None
    return version


def _opening(version: StoreVersion, doc_id: str) -> tuple[str, str, bool]:
    text = "\n".join(c.text for c in version.chunks if c.doc_id == doc_id)
    found = opening_section(text, version.documents[doc_id].title)
    assert found is not None
    return found.section, found.text, found.lead


def test_the_opening_of_a_real_regulation_is_its_first_article(realdocs: StoreVersion) -> None:
    section, text, lead = _opening(realdocs, "quydinh294.pdf")
    assert section == "1. Điều 1 (Khoản 2): Tuổi đời và trình độ học vấn của…" and not lead
    assert text.startswith(
        "1. Điều 1 (Khoản 2): Tuổi đời và trình độ học vấn của người vào Đảng\n"
        "1.1. Về tuổi đời.\n"
        "1.1.1. Tại thời điểm chi bộ xét kết nạp, người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi "
        "(tính theo tháng).\n"
    )
    # The type line, title, legal bases and enacting lines are not content.
    for header in ("QUY ĐỊNH", "THI HÀNH ĐIỀU LỆ ĐẢNG", "Căn cứ", "BAN CHẤP HÀNH TRUNG ƯƠNG", "Xét Tờ trình"):
        assert header not in text
    assert "2. Điều 3" not in text  # only the first section
    assert len(text) <= 1200


def test_the_opening_of_a_real_guide_skips_its_enacting_line(realdocs: StoreVersion) -> None:
    section, text, _ = _opening(realdocs, "huongdan06.pdf")
    assert section.startswith("1. Tuổi đời và trình độ học vấn")
    assert text.startswith(
        "1. Tuổi đời và trình độ học vấn của người vào Đảng ở một số trường hợp đặc biệt\n"
        "1.1. Về tuổi đời\nChỉ xem xét kết nạp vào Đảng những người trên 60 tuổi khi đủ các điều kiện")
    assert "như sau:" not in text and "Căn cứ" not in text


def test_the_real_guide_replaces_a_guide_not_in_the_store(realdocs: StoreVersion) -> None:
    hd06 = realdocs.documents["huongdan06.pdf"].validity
    assert (hd06.status, [(l.number, l.doc_id, l.issued) for l in hd06.replaces]) == (
        "in_force", [("01-HD/TW", None, date(2021, 9, 28))])
    assert hd06.effective == date(2025, 6, 9)  # "có hiệu lực thi hành kể từ ngày ký"
    qd294 = realdocs.documents["quydinh294.pdf"].validity
    # "Các quy định trước đây trái với … đều bãi bỏ" names nothing: no claim.
    assert (qd294.status, qd294.claims, qd294.effective) == ("in_force", (), date(2025, 7, 1))
    # No other real document claims anything.
    assert {d.doc_id for d in realdocs.documents.values() if d.validity.claims} == {"huongdan06.pdf"}
