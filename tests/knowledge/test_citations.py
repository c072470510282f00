"""Citations read like the document's own structure (knowledge.phrasing.cite_section)."""

from __future__ import annotations

import pytest

from knowledge.phrasing import cite_section
from knowledge.passages import section_levels


@pytest.mark.parametrize(
    ("section", "cited"),
    [
        ("Chương II. QUYỀN VÀ NGHĨA VỤ › Mục 1. QUYỀN › Điều 5. Quyền của đảng viên › 2. Được… › a) Được…",
         "Điều 5, khoản 2, điểm a"),
        ("Chương I. CHẾ ĐỘ CHÍNH TRỊ › Điều 5 › 3. Ngôn ngữ quốc gia là tiếng Việt…", "Điều 5, khoản 3"),
        ("Chƣơng I. ĐOÀN VIÊN › Điều 1:", "Điều 1"),
        ("II. NHIỆM VỤ, GIẢI PHÁP › 1. Đổi mới nội dung, hình thức tuyên truyền", "mục II, 1"),
        ("8. Quản lý hồ sơ đảng viên › 8.1. Hồ sơ đảng viên › a) Khi được kết nạp vào Đảng",
         "mục 8.1, điểm a"),
        ("PHẦN THỨ HAI › I. NHIỆM VỤ › 2. Tuyên truyền", "Phần thứ hai, mục I, 2"),
        ("II. NHIỆM VỤ, GIẢI PHÁP", "mục II. NHIỆM VỤ, GIẢI PHÁP"),
        ("Chương I. CHẾ ĐỘ CHÍNH TRỊ", "Chương I. CHẾ ĐỘ CHÍNH TRỊ"),
        ("1.–3.", "mục 1.–3."),
        ("", ""),
    ],
)
def test_cite_section(section: str, cited: str) -> None:
    assert cite_section(section) == cited


def test_section_levels() -> None:
    assert section_levels("Chương II. X › Điều 5. Y › 2. Z › a) W › Thứ nhất") == [
        ("chuong", "II"), ("dieu", "5"), ("num", "2"), ("letter", "a"), ("thu", "Thứ nhất")
    ]
