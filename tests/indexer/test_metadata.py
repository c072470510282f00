from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest

from indexer.metadata import extract_metadata, parse_date, title_case
from knowledge.text import normalize

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

# Headers as loaders give them: one paragraph per line, blank lines dropped, the two header
# columns flattened onto shared lines.
DIRECTIVE = """BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG CỘNG SẢN VIỆT NAM
*
Số 05-CT/TW Hà Nội, ngày 15 tháng 5 năm 2016
CHỈ THỊ
CỦA BỘ CHÍNH TRỊ
về đẩy mạnh học tập và làm theo tư tưởng, đạo đức,
phong cách Hồ Chí Minh
-----
Sau 5 năm thực hiện Chỉ thị số 03-CT/TW ngày 14/5/2011 của Bộ Chính trị khóa XI, nhận thức được nâng lên.
1. Nâng cao nhận thức
"""

PLAN = """ĐẢNG CỘNG SẢN VIỆT NAM
TỈNH ỦY ĐẮK LẮK
BAN TUYÊN GIÁO
*
Số 25-KH/BTGTU
Đắk Lắk, ngày 10/1/2022
KẾ HOẠCH
phối hợp thực hiện Đề án số 04-ĐA/TU về đổi mới, nâng cao chất lượng, hiệu quả công tác tuyên giáo
I. MỤC ĐÍCH, YÊU CẦU
1. Thống nhất nhận thức trong Đảng bộ tỉnh.
"""

REGULATION = """BAN CHẤP HÀNH TRUNG ƯƠNG
*
Số 238-QĐ/TW
ĐẢNG CỘNG SẢN VIỆT NAM
Hà Nội, ngày 08 tháng 02 năm 2010
QUY ĐỊNH
về quy chế phối hợp giữa ban tuyên giáo các cấp với cơ quan nhà nước cùng cấp
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
"""

RESOLUTION_NFD = unicodedata.normalize(
    "NFD",
    """BỘ CHÍNH TRỊ ĐẢNG CỘNG SẢN VIỆT NAM
*
Số 57-NQ/TW
Hà Nội, ngày 22 tháng 12 năm 2024
NGHỊ QUYẾT
CỦA BỘ CHÍNH TRỊ
về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia
I. TÌNH HÌNH VÀ NGUYÊN NHÂN
""",
)


def _meta(text: str, **kwargs):  # type: ignore[no-untyped-def]
    return extract_metadata(text, doc_id="van-ban/tai_lieu.txt", source="van-ban/tai_lieu.txt", **kwargs)


def test_politburo_directive() -> None:
    meta = _meta(DIRECTIVE)
    assert meta.number == "05-CT/TW"
    assert meta.doc_type == "Chỉ thị"
    # "CỦA BỘ CHÍNH TRỊ" under the type line is the organ that issued it
    assert meta.issuer == "Bộ Chính trị"
    assert meta.issued == date(2016, 5, 15)
    assert meta.title == "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
    assert meta.label == "Chỉ thị 05-CT/TW"


def test_provincial_plan_with_numeric_date() -> None:
    meta = _meta(PLAN)
    assert meta.number == "25-KH/BTGTU"
    assert meta.doc_type == "Kế hoạch"
    assert meta.issuer == "Ban Tuyên giáo Tỉnh ủy Đắk Lắk"
    assert meta.issued == date(2022, 1, 10)
    assert meta.title.startswith("Phối hợp thực hiện Đề án số 04-ĐA/TU về đổi mới")
    assert "MỤC ĐÍCH" not in meta.title


def test_regulation_keeps_its_own_type_word_over_the_code() -> None:
    meta = _meta(REGULATION)
    assert meta.number == "238-QĐ/TW"
    assert meta.doc_type == "Quy định"  # QĐ alone would read "Quyết định"
    assert meta.issuer == "Ban Chấp hành Trung ương"
    assert meta.issued == date(2010, 2, 8)
    assert meta.title == "Về quy chế phối hợp giữa ban tuyên giáo các cấp với cơ quan nhà nước cùng cấp"


def test_nfd_header_through_normalize() -> None:
    meta = _meta(normalize(RESOLUTION_NFD))
    assert meta.number == "57-NQ/TW"
    assert meta.doc_type == "Nghị quyết"
    assert meta.issuer == "Bộ Chính trị"
    assert meta.issued == date(2024, 12, 22)
    assert meta.title.startswith("Về đột phá phát triển khoa học, công nghệ")
    assert unicodedata.is_normalized("NFC", meta.title)


def test_title_sentence_without_header() -> None:
    text = (
        "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, "
        "công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia\n"
        "Nghị quyết xác định khoa học, công nghệ là đột phá quan trọng hàng đầu."
    )
    meta = _meta(text)
    assert meta.number == "57-NQ/TW"
    assert meta.doc_type == "Nghị quyết"
    assert meta.issuer == "Bộ Chính trị"
    assert meta.issued == date(2024, 12, 22)


def test_type_from_number_code_when_no_type_line() -> None:
    text = (
        "HUYỆN ỦY BẾN LỨC\nSố 150-CV/HU\nV/v tuyên truyền kỷ niệm 95 năm Ngày thành lập Đảng\n"
        "Bến Lức, ngày 03 tháng 01 năm 2025\nKính gửi: Các chi bộ trực thuộc"
    )
    meta = _meta(text)
    assert meta.number == "150-CV/HU"
    assert meta.doc_type == "Công văn"
    assert meta.issuer == "Huyện ủy Bến Lức"
    assert meta.issued == date(2025, 1, 3)
    assert meta.title.startswith("V/v tuyên truyền")


def test_invalid_dates_are_skipped() -> None:
    text = (
        "TỈNH ỦY KON TUM\nSố 489-QĐ/TU ngày 31/02/2022\nKon Tum, ngày 29-6-2022\nQUY ĐỊNH\n"
        "về quán triệt, triển khai các nghị quyết, chỉ thị của Đảng"
    )
    meta = _meta(text)
    assert meta.issued == date(2022, 6, 29)
    assert meta.issuer == "Tỉnh ủy Kon Tum"
    assert meta.doc_type == "Quy định"


def test_dates_of_mentioned_papers_are_not_the_issue_date() -> None:
    text = "BAN TUYÊN GIÁO TỈNH ỦY\nSố 12-HD/BTGTU\nHƯỚNG DẪN\nthực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016"
    meta = _meta(text)
    assert meta.issued is None
    assert meta.doc_type == "Hướng dẫn"
    assert meta.title == "Thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016"


def test_fields_override_the_header() -> None:
    meta = _meta(
        DIRECTIVE,
        fields={
            "title": "Tiêu đề riêng",
            "so_hieu": "số 05 - ct/tw",
            "loai": "Chỉ thị",
            "co_quan": "Ban Bí thư",
            "ngay": "22/12/2024",
            "tags": ["học tập"],
            "url": "https://example.org/ct05",
        },
    )
    assert meta.title == "Tiêu đề riêng"
    assert meta.number == "05-CT/TW"
    assert meta.issuer == "Ban Bí thư"
    assert meta.issued == date(2024, 12, 22)
    assert meta.extra == {"tags": ["học tập"], "url": "https://example.org/ct05"}


def test_fields_alone_describe_a_jsonl_passage() -> None:
    meta = extract_metadata(
        "Đảng viên phải nêu gương trong học tập.",
        doc_id="hoi-dap#12",
        source="hoi-dap.jsonl#L12",
        fields={"number": "01-KL/TW", "issued": date(2021, 5, 18), "date_note": None},
    )
    assert meta.number == "01-KL/TW"
    assert meta.doc_type == "Kết luận"  # from the number's code
    assert meta.issued == date(2021, 5, 18)
    assert meta.extra == {"date_note": None}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 12, 22), date(2024, 12, 22)),
        (datetime(2024, 12, 22, 8, 30), date(2024, 12, 22)),
        ("2024-12-22", date(2024, 12, 22)),
        ("22/12/2024", date(2024, 12, 22)),
        ("ngày 15 tháng 5 năm 2016", date(2016, 5, 15)),
        ("31/02/2024", None),
        ("sắp tới", None),
        (20241222, None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_unreadable_date_field_keeps_the_header_date() -> None:
    meta = _meta(DIRECTIVE, fields={"date": "không rõ"})
    assert meta.issued == date(2016, 5, 15)
    assert meta.extra == {"date": "không rõ"}


@pytest.mark.parametrize(
    ("caps", "expected"),
    [
        ("BAN CHẤP HÀNH TRUNG ƯƠNG", "Ban Chấp hành Trung ương"),
        ("BỘ CHÍNH TRỊ", "Bộ Chính trị"),
        ("BAN BÍ THƯ", "Ban Bí thư"),
        ("TỈNH ỦY ĐẮK LẮK", "Tỉnh ủy Đắk Lắk"),
        ("BAN TUYÊN GIÁO TỈNH ỦY", "Ban Tuyên giáo Tỉnh ủy"),
        ("BAN THƯỜNG VỤ TỈNH ỦY", "Ban Thường vụ Tỉnh ủy"),
        ("HUYỆN ỦY BẾN LỨC", "Huyện ủy Bến Lức"),
        ("ĐẢNG ỦY CÔNG AN TỈNH", "Đảng ủy Công an tỉnh"),
        ("ỦY BAN NHÂN DÂN TỈNH KON TUM", "Ủy ban nhân dân tỉnh Kon Tum"),
    ],
)
def test_title_case_of_bodies(caps: str, expected: str) -> None:
    assert title_case(caps) == expected


def test_seed_article_has_a_title_and_no_number() -> None:
    if not SEEDS.is_dir():
        pytest.skip("shared seeds not present")
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip("no seed articles")
    for path in seeds:
        lines = normalize(path.read_text(encoding="utf-8")).split("\n")
        text = "\n".join(line.strip() for line in lines if line.strip())
        meta = extract_metadata(text, doc_id=path.name, source=path.name)
        # Articles mention "Kế hoạch số 25-KH/BTGTU" in passing: that is not their own number.
        assert meta.number is None, path.name
        assert meta.doc_type is None, path.name
        assert 0 < len(meta.title) <= 300, path.name
        assert meta.title != path.stem
    first = extract_metadata(
        normalize((SEEDS / "000_0dfad15aa9fa3ad3.txt").read_text(encoding="utf-8")),
        doc_id="000_0dfad15aa9fa3ad3.txt",
        source="000_0dfad15aa9fa3ad3.txt",
    )
    assert first.title == "Đổi mới, nâng cao chất lượng, hiệu quả công tác tuyên giáo của Đảng bộ tỉnh Đắk Lắk"
    assert first.issuer is None  # "của Đảng bộ tỉnh" in a headline is not an issuer


def test_empty_text_falls_back_to_the_file_stem() -> None:
    meta = extract_metadata("", doc_id="van-ban/ke_hoach_25.txt", source="van-ban/ke_hoach_25.txt")
    assert meta.title == "ke_hoach_25"
    assert meta.number is None and meta.issued is None
