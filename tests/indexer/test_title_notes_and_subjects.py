"""Two kinds of header that gave a wrong title (found trying the sample documents as a new
member would): a note in parentheses above a công văn's subject line, and a type line whose
next line carries both the issuer and the subject ("của Ban Thường vụ Tỉnh ủy về …")."""

from __future__ import annotations

from indexer.metadata import extract_metadata

CONG_VAN = """(Bản dự thảo – chỉ để xin ý kiến các đơn vị, chưa ban hành chính thức)

ĐẢNG CỘNG SẢN VIỆT NAM
HUYỆN ỦY BÌNH AN
*
Số 27-CV/HU
V/v chuẩn bị sơ kết công tác dân vận sáu tháng đầu năm
Bình An, ngày 3 tháng 6 năm 2025

Kính gửi: Các chi bộ, đảng bộ trực thuộc.

Để chuẩn bị sơ kết công tác dân vận, Huyện ủy đề nghị các đơn vị báo cáo trước ngày 20/6/2025.
"""

KET_LUAN = """HUYỆN ỦY BÌNH AN
*
Số 05-KL/HU
ĐẢNG CỘNG SẢN VIỆT NAM
Bình An, ngày 10 tháng 4 năm 2025
KẾT LUẬN
của Ban Thường vụ Huyện ủy về công tác phát triển đảng viên năm 2025
Tại phiên họp ngày 08/4/2025, sau khi nghe báo cáo, Ban Thường vụ Huyện ủy kết luận như sau:
1. Đánh giá chung
Công tác phát triển đảng viên được quan tâm.
"""


def test_a_note_in_parentheses_is_not_the_title_the_subject_line_is() -> None:
    meta = extract_metadata(CONG_VAN, doc_id="cv27.txt", source="cv27.txt")
    assert meta.title == "V/v chuẩn bị sơ kết công tác dân vận sáu tháng đầu năm"
    assert (meta.doc_type, meta.number) == ("Công văn", "27-CV/HU")


def test_issuer_and_subject_on_one_line_give_the_subject_as_title() -> None:
    meta = extract_metadata(KET_LUAN, doc_id="kl05.txt", source="kl05.txt")
    assert meta.title == "Về công tác phát triển đảng viên năm 2025"
    assert (meta.doc_type, meta.number) == ("Kết luận", "05-KL/HU")
