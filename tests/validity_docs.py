"""Generated documents that replace, amend and repeal one another (content fictional, see
MARKER), shared by the validity tests of the indexer, the knowledge core and the bot.

Quy định 90 (2016) ← replaced by 101 (2019) ← replaced by 205 (2024, in force from
15/01/2024), which Quyết định 210 amends; 205 also repeals Hướng dẫn 15 and declares Kế hoạch
40 ended. 101 and 205 both say how many days a year members study new resolutions (2 then 3).
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MARKER


def document(number: str, kind: str, title: str, day: str, body: str, issuer: str = "TỈNH ỦY",
             basis: str = "") -> str:
    """A provincial document: header, legal bases, `body`, recipients and signature."""
    bases = "- Căn cứ Điều lệ Đảng;" + (f"\n{basis}" if basis else "")
    return f"""{MARKER}
ĐẢNG BỘ TỈNH MINH SƠN
{issuer}
*
Số {number}
Minh Sơn, {day}
{kind}
{title}
{bases}
Ban Thường vụ Tỉnh ủy quy định như sau:
{body}
Nơi nhận:
- Các huyện ủy,
- Lưu Văn phòng Tỉnh ủy.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Nguyễn Văn A
"""


QD90 = document("90-QĐ/TU", "QUY ĐỊNH", "về chế độ học tập nghị quyết của đảng viên", "ngày 1 tháng 6 năm 2016", """\
Điều 1. Thời gian học tập
Đảng viên học tập nghị quyết mới ít nhất một ngày mỗi năm tại hội trường xã.""")
QD101 = document("101-QĐ/TU", "QUY ĐỊNH", "về chế độ học tập nghị quyết của đảng viên", "ngày 10 tháng 3 năm 2019", """\
Điều 1. Thời gian học tập
Đảng viên học tập, quán triệt nghị quyết mới của Đảng ít nhất 2 ngày mỗi năm, do chi bộ tổ chức.
Điều 2. Hiệu lực
Quy định này có hiệu lực từ ngày ký và thay thế Quy định số 90-QĐ/TU, ngày 01/6/2016 của Ban Thường vụ Tỉnh ủy.""")
QD205 = document("205-QĐ/TU", "QUY ĐỊNH", "về chế độ học tập nghị quyết của đảng viên", "ngày 10 tháng 1 năm 2024", """\
Điều 1. Thời gian học tập
Đảng viên học tập, quán triệt nghị quyết mới của Đảng ít nhất 3 ngày mỗi năm, do chi bộ tổ chức.
Điều 2. Hiệu lực
1. Quy định này có hiệu lực từ ngày 15/01/2024 và thay thế Quy định số 101-QĐ/TU, ngày 10/3/2019 của Ban Thường vụ Tỉnh ủy.
2. Bãi bỏ Hướng dẫn số 15-HD/BTGTU ngày 02/01/2020 của Ban Tuyên giáo Tỉnh ủy.
3. Kế hoạch số 40-KH/TU ngày 5/5/2018 hết hiệu lực kể từ ngày Quy định này có hiệu lực.""")
QD210 = document("210-QĐ/TU", "QUYẾT ĐỊNH", "Sửa đổi, bổ sung một số điều của Quy định số 205-QĐ/TU",
             "ngày 1 tháng 6 năm 2024", """\
Điều 1. Sửa đổi Điều 1
Chi bộ có thể tổ chức học tập nghị quyết trực tuyến cho đảng viên đi làm ăn xa.""")
HD15 = document("15-HD/BTGTU", "HƯỚNG DẪN", "về tổ chức học tập nghị quyết ở chi bộ", "ngày 2 tháng 1 năm 2020", """\
1. Chi bộ lập danh sách đảng viên tham gia học tập nghị quyết.""", issuer="BAN TUYÊN GIÁO")
KH40 = document("40-KH/TU", "KẾ HOẠCH", "tuyên truyền kỷ niệm ngày thành lập Đảng bộ tỉnh", "ngày 5 tháng 5 năm 2018", """\
1. Tổ chức hội thi tìm hiểu lịch sử Đảng bộ tỉnh.""")
CT07 = document("07-CT/TU", "CHỈ THỊ", "về tăng cường công tác dân vận ở cơ sở", "ngày 3 tháng 3 năm 2017", """\
I. YÊU CẦU
Cấp ủy cơ sở đối thoại với nhân dân mỗi năm một lần.""")
# Front matter: an end date given by hand.
KH33_MD = f"""---
so_hieu: 33-KH/TU
loai: Kế hoạch
ngay: 2020-02-01
het_hieu_luc: 2020-12-31
tieu_de: Tuyên truyền đại hội đảng bộ các cấp
---
{MARKER}

1. Treo băng rôn chào mừng đại hội đảng bộ các cấp trên các tuyến đường chính.
"""

DOCUMENTS = {
    "qd90.txt": QD90, "qd101.txt": QD101, "qd205.txt": QD205, "qd210.txt": QD210,
    "hd15.txt": HD15, "kh40.txt": KH40, "ct07.txt": CT07, "kh33.md": KH33_MD,
}
SIDECARS = {
    # Replaced by a document that is not in the store: only named.
    "ct07.txt.meta.yaml": "hieu_luc: bị thay thế\nthay_the_boi: Chỉ thị số 09-CT/TU ngày 1/2/2025\n",
    # The operator knows better than the text: still in force.
    "kh40.meta.yaml": "status: in_force\n",
}


def write_validity_documents(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**DOCUMENTS, **SIDECARS}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
