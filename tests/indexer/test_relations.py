"""Validity claims read from a document's own words (indexer/relations.py): the phrasings
Party and State documents use, and the look-alikes that are not claims of the document."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.metadata import extract_metadata
from indexer.relations import read_validity, relations_in_text, validity_fields
from knowledge.relations import Relation
from tests.validity_docs import document


def _doc(body: str, *, number: str = "205-QĐ/TU", kind: str = "QUY ĐỊNH",
         title: str = "về chế độ học tập nghị quyết của đảng viên", day: str = "ngày 10 tháng 1 năm 2024") -> str:
    """A provincial regulation whose closing provisions are `body` (a legal basis that names
    another regulation and an article come before it)."""
    return document(number, kind, title, day, "Điều 1. Học tập nghị quyết\n"
                    "Đảng viên học tập nghị quyết mới ít nhất 3 ngày mỗi năm.\n" + body,
                    basis="- Căn cứ Quy định số 294-QĐ/TW, ngày 26/5/2025 của Ban Chấp hành Trung "
                          "ương về thi hành Điều lệ Đảng;")


def claims(body: str, **kwargs: str) -> list[tuple[str, str, date | None]]:
    text = _doc(body, **kwargs)
    meta = extract_metadata(text, doc_id="d.txt", source="d.txt")
    return [(c.kind, c.target, c.target_date) for c in relations_in_text(text, meta).claims]


@pytest.mark.parametrize(("body", "expected"), [
    # The real huongdan06.pdf's wording.
    ("Điều 2. Quy định này có hiệu lực thi hành kể từ ngày ký và thay thế Quy định số 101-QĐ/TU, "
     "ngày 10/3/2019 của Ban Thường vụ Tỉnh ủy khóa XV; được phổ biến đến chi bộ.",
     [("replaces", "101-QĐ/TU", date(2019, 3, 10))]),
    ("Quy định này thay thế Quy định số 101-QĐ/TU.", [("replaces", "101-QĐ/TU", None)]),
    ("Bãi bỏ Hướng dẫn số 15-HD/BTGTU ngày 2 tháng 1 năm 2020 của Ban Tuyên giáo Tỉnh ủy.",
     [("repeals", "15-HD/BTGTU", date(2020, 1, 2))]),
    # Part of a document: amended, not ended.
    ("Bãi bỏ khoản 2 Điều 3 Quy định số 101-QĐ/TU.", [("amends", "101-QĐ/TU", None)]),
    ("Thay thế Phụ lục số 1 ban hành kèm theo Hướng dẫn số 15-HD/BTGTU.", [("amends", "15-HD/BTGTU", None)]),
    ("Sửa đổi, bổ sung một số điều của Quy định số 101-QĐ/TU ngày 10/3/2019 như sau:",
     [("amends", "101-QĐ/TU", date(2019, 3, 10))]),
    # Another document declared ended by this one; a passive repeal.
    ("Quy định số 101-QĐ/TU, ngày 10/3/2019 hết hiệu lực kể từ ngày Quy định này có hiệu lực.",
     [("ends", "101-QĐ/TU", date(2019, 3, 10))]),
    ("Kế hoạch số 40-KH/TU ngày 5/5/2018 bị bãi bỏ.", [("repeals", "40-KH/TU", date(2018, 5, 5))]),
    # A list under "… các văn bản sau:".
    ("Quy định này thay thế các văn bản sau:\n- Quy định số 101-QĐ/TU ngày 10/3/2019;\n"
     "- Hướng dẫn số 15-HD/BTGTU ngày 2/1/2020.",
     [("replaces", "101-QĐ/TU", date(2019, 3, 10)), ("replaces", "15-HD/BTGTU", date(2020, 1, 2))]),
])
def test_a_documents_own_claims_are_read(body: str, expected: list[tuple[str, str, date | None]]) -> None:
    assert claims(body) == expected


@pytest.mark.parametrize("body", [
    # Someone else's relation, quoted (a guide explaining the regulation it follows).
    "Quy định số 294-QĐ/TW thay thế Quy định số 29-QĐ/TW của Ban Chấp hành Trung ương khóa XII.",
    # Passive mentions.
    "Quy định số 101-QĐ/TU đã được sửa đổi, bổ sung bởi Quy định số 150-QĐ/TU.",
    "Hướng dẫn số 15-HD/BTGTU đã được thay thế bởi Hướng dẫn số 20-HD/BTGTU.",
    # The verb with no document after it, or a title that contains the verb.
    "Đảng bộ cũ không cử đại biểu dự khuyết thay thế đại biểu đó.",
    "Các quy định trước đây trái với Quy định này đều bãi bỏ.",
    "Tòa án phải hoãn phiên tòa theo Điều 266 Bộ luật Tố tụng dân sự sửa đổi, bổ sung năm 2011 và "
    "Điều 16 Nghị quyết số 06/2012/NQ-HĐTP ngày 03-12-2012.",
    "Thực hiện theo Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ số 47/2019/QH14.",
    # A legal basis line ("Căn cứ …") is never a claim.
    "- Căn cứ Quyết định số 12-QĐ/TU ngày 1/2/2020 sửa đổi, bổ sung Quy định số 101-QĐ/TU;",
    # "This document ends when …" speaks of itself.
    "Quy định này hết hiệu lực khi có văn bản thay thế.",
])
def test_look_alikes_are_not_claims(body: str) -> None:
    assert claims(body) == []


def test_the_title_of_an_amending_document_is_its_claim() -> None:
    found = claims("", kind="QUYẾT ĐỊNH", number="210-QĐ/TU",
                   title="Sửa đổi, bổ sung một số điều của Quy định số 205-QĐ/TU")
    assert found == [("amends", "205-QĐ/TU", None)]


def test_its_own_number_is_never_a_target() -> None:
    assert claims("Quy định này thay thế Quy định số 205-QĐ/TU ngày 10/1/2024.") == []


def test_when_it_takes_effect() -> None:
    def effective(body: str) -> date | None:
        text = _doc(body)
        return relations_in_text(text, extract_metadata(text, doc_id="d", source="d")).effective

    assert effective("Quy định này có hiệu lực kể từ ngày ký.") == date(2024, 1, 10)
    assert effective("Quy định này có hiệu lực thi hành từ ngày 01/7/2025.") == date(2025, 7, 1)
    # Another document's effect is not this one's.
    assert effective("Quy định số 101-QĐ/TU có hiệu lực từ ngày 01/7/2019.") is None


def test_sidecar_fields_set_validity_by_hand() -> None:
    validity, rest, warnings = validity_fields({
        "hieu_luc": "hết hiệu lực",
        "thay_the_boi": "Quy định số 300-QĐ/TU ngày 1/2/2025",
        "sua_doi": ["101-QĐ/TU", "Hướng dẫn 15-HD/BTGTU"],
        "hieu_luc_tu": "2024-01-15",
        "nguoi_ky": "Nguyễn Văn A",  # not a validity field: stays extra metadata
    })
    assert validity.declared == "expired"
    assert validity.effective == date(2024, 1, 15)
    assert validity.claims == (
        Relation("replaced_by", "300-QĐ/TU", date(2025, 2, 1), "Quy định", "sidecar"),
        Relation("amends", "101-QĐ/TU", None, None, "sidecar"),
        Relation("amends", "15-HD/BTGTU", None, "Hướng dẫn", "sidecar"),
    )
    assert rest == {"nguoi_ky": "Nguyễn Văn A"} and warnings == []


@pytest.mark.parametrize(("fields", "warning"), [
    ({"status": "maybe"}, "unknown validity status status='maybe': ignored"),
    ({"replaced_by": {"a": 1}}, "unusable replaced_by value \"{'a': 1}\": ignored"),
    ({"het_hieu_luc": "sớm thôi"}, "unreadable date het_hieu_luc='sớm thôi': ignored"),
])
def test_unusable_sidecar_values_are_warnings(fields: dict[str, object], warning: str) -> None:
    validity, _, warnings = validity_fields(fields)
    assert warnings == [warning]
    assert validity.declared is None and validity.claims == () and validity.declared_end is None


def test_read_validity_moves_the_fields_out_of_extra() -> None:
    text = _doc("")
    meta = extract_metadata(text, doc_id="d", source="d", fields={"status": "replaced", "ghi_chu": "x"})
    assert meta.extra == {"status": "replaced", "ghi_chu": "x"}
    read = read_validity(text, meta)
    assert read.extra == {"ghi_chu": "x"} and read.validity.declared == "replaced"
