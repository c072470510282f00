"""Regenerate the binary sample documents (.docx and .pdf) in this folder.

The generated files are committed, so the loaders and their tests never need this script;
run it only after changing the texts below:

    .venv/bin/python knowledge/samples/make_binary_samples.py

Needs python-docx and, for the PDF, fpdf2 (dev-only) with the DejaVu fonts
(Debian: fonts-dejavu-core), which carry every Vietnamese glyph. Output is reproducible:
fixed document dates and zip timestamps, so an unchanged text gives unchanged bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent / "documents"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_TIME = datetime(2025, 1, 1, tzinfo=timezone.utc)
MARKER = "(VĂN BẢN MẪU – chỉ dùng để thử nghiệm, không phải văn bản chính thức)"

# --- Quy định 45-QĐ/TU (DOCX): "Điều" articles and a table of reporting deadlines ----------

DOCX_NAME = "quy-dinh-45-QD-TU-che-do-bao-cao.docx"
DOCX_HEADER = (
    ("TỈNH ỦY MINH SƠN", "*", "Số 45-QĐ/TU"),
    ("ĐẢNG CỘNG SẢN VIỆT NAM", "", "Minh Sơn, ngày 05 tháng 5 năm 2025"),
)
DOCX_TITLE = ("QUY ĐỊNH", "về chế độ thông tin, báo cáo trong công tác tuyên giáo của Đảng bộ tỉnh")
DOCX_BEFORE_TABLE = [
    "Căn cứ Điều lệ Đảng;",
    "Căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ tỉnh,",
    "Ban Thường vụ Tỉnh ủy quy định như sau:",
    "Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng",
    "1. Quy định này quy định nội dung, thời hạn và hình thức báo cáo công tác tuyên giáo "
    "định kỳ và đột xuất.",
    "2. Quy định này áp dụng đối với ban tuyên giáo các huyện ủy, thị ủy, thành ủy, đảng ủy "
    "trực thuộc Tỉnh ủy; các đảng ủy cơ sở và chi bộ trực thuộc.",
    "Điều 2. Các loại báo cáo",
    "1. Báo cáo định kỳ: tháng, quý, 6 tháng và năm.",
    "2. Báo cáo chuyên đề theo yêu cầu của cấp ủy cấp trên.",
    "3. Báo cáo nhanh khi có vụ việc phức tạp về tư tưởng, dư luận xã hội.",
    "Điều 3. Thời hạn gửi báo cáo",
    "Thời hạn gửi báo cáo định kỳ về Ban Tuyên giáo Tỉnh ủy như sau:",
]
DOCX_TABLE = (
    ("Loại báo cáo", "Kỳ số liệu", "Thời hạn gửi"),
    ("Báo cáo tháng", "Từ ngày 15 tháng trước đến ngày 14 tháng báo cáo", "Trước ngày 18 hằng tháng"),
    ("Báo cáo quý", "Từ ngày 15 tháng cuối quý trước đến ngày 14 tháng cuối quý", "Trước ngày 18 tháng cuối quý"),
    ("Báo cáo 6 tháng", "Từ ngày 15/12 năm trước đến ngày 14/6", "Trước ngày 18/6"),
    ("Báo cáo năm", "Từ ngày 15/12 năm trước đến ngày 14/12", "Trước ngày 18/12"),
)
DOCX_AFTER_TABLE = [
    "Báo cáo nhanh gửi trong vòng 24 giờ kể từ khi phát sinh vụ việc.",
    "Điều 4. Nội dung báo cáo",
    "a) Kết quả học tập, quán triệt, triển khai nghị quyết, chỉ thị: số chi bộ đã tổ chức, "
    "số đảng viên tham gia, tỷ lệ %.",
    "b) Tình hình tư tưởng, dư luận xã hội; những vấn đề cán bộ, đảng viên và nhân dân quan tâm.",
    "c) Kết quả đấu tranh phản bác quan điểm sai trái, thù địch trên không gian mạng.",
    "d) Đề xuất, kiến nghị.",
    "Điều 5. Hình thức gửi báo cáo",
    "Báo cáo bằng văn bản có chữ ký, đóng dấu, đồng thời gửi bản điện tử qua hệ thống thư "
    "điện tử công vụ. Không gửi tài liệu có nội dung mật qua Zalo hoặc các ứng dụng nhắn tin khác.",
    "Điều 6. Tổ chức thực hiện",
    "1. Ban Tuyên giáo Tỉnh ủy hướng dẫn, theo dõi, đôn đốc; thông báo đơn vị chậm báo cáo "
    "tại hội nghị giao ban tuyên giáo hằng quý.",
    "2. Quy định này có hiệu lực kể từ ngày ký.",
    "T/M BAN THƯỜNG VỤ",
    "BÍ THƯ",
    "(văn bản mẫu, không có chữ ký)",
]

# --- Nghị quyết 21-NQ/ĐU (PDF): long paragraphs, so the layout wraps lines mid-sentence ----

PDF_NAME = "nghi-quyet-21-NQ-DU-bao-ve-nen-tang-tu-tuong.pdf"
PDF_HEADER = (
    ("ĐẢNG BỘ TỈNH MINH SƠN", "ĐẢNG CỘNG SẢN VIỆT NAM"),
    ("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", ""),
    ("Số 21-NQ/ĐU", "Minh Sơn, ngày 10 tháng 7 năm 2025"),
)
PDF_TITLE = (
    "NGHỊ QUYẾT",
    "về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm "
    "sai trái, thù địch trong tình hình mới",
)
PDF_BODY = [
    ("h", "I. TÌNH HÌNH"),
    ("p", "Những năm qua, các cấp ủy trong Đảng bộ Khối đã quan tâm lãnh đạo công tác bảo vệ "
     "nền tảng tư tưởng của Đảng; nhiều đảng viên tích cực đăng tải thông tin chính thống trên "
     "mạng xã hội. Tuy nhiên, một bộ phận cán bộ, đảng viên còn xem nhẹ nhiệm vụ này, có biểu "
     "hiện chia sẻ, bình luận thông tin chưa được kiểm chứng; việc phát hiện, báo cáo các thông "
     "tin xuyên tạc ở một số chi bộ còn chậm."),
    ("h", "II. MỤC TIÊU"),
    ("p", "1. Đến hết năm 2026, 100% chi bộ đưa nội dung bảo vệ nền tảng tư tưởng của Đảng vào "
     "sinh hoạt chi bộ định kỳ ít nhất hai lần mỗi năm."),
    ("p", "2. Mỗi đảng viên có ít nhất một tài khoản mạng xã hội tham gia lan tỏa thông tin tích "
     "cực, chính thống của Đảng và Nhà nước."),
    ("h", "III. NHIỆM VỤ, GIẢI PHÁP"),
    ("p", "1. Nâng cao nhận thức, trách nhiệm của cấp ủy, tổ chức đảng và đảng viên về bảo vệ "
     "nền tảng tư tưởng của Đảng; coi đây là nhiệm vụ thường xuyên, gắn với học tập, quán triệt "
     "các nghị quyết, chỉ thị của Đảng."),
    ("p", "2. Nâng cao hiệu quả đấu tranh trên không gian mạng"),
    ("p", "a) Kiện toàn tổ công tác bảo vệ nền tảng tư tưởng của Đảng ở các đảng bộ cơ sở; phân "
     "công đảng viên theo dõi các trang, nhóm có đông người tham gia trên địa bàn."),
    ("p", "b) Khi phát hiện thông tin xuyên tạc, sai sự thật, đảng viên không chia sẻ, bình luận "
     "lại mà báo cáo ngay với chi bộ hoặc lực lượng chuyên trách để xử lý theo quy định."),
    ("h", "IV. TỔ CHỨC THỰC HIỆN"),
    ("p", "Các đảng ủy cơ sở tổ chức học tập, quán triệt Nghị quyết, xây dựng kế hoạch thực hiện "
     "và gửi về Ban Tuyên giáo Đảng ủy Khối trước ngày 15/8/2025; định kỳ 6 tháng báo cáo kết "
     "quả thực hiện cùng với báo cáo công tác tuyên giáo theo Quy định số 45-QĐ/TU."),
    ("c", "T/M BAN THƯỜNG VỤ"),
    ("c", "BÍ THƯ"),
    ("c", "(văn bản mẫu, không có chữ ký)"),
]


def make_docx(target: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    document.add_paragraph(MARKER)
    # The two-column letterhead as a borderless table, the way these documents are typed.
    header = document.add_table(rows=1, cols=2)
    for cell, lines in zip(header.rows[0].cells, DOCX_HEADER):
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    for text in DOCX_TITLE:
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in DOCX_BEFORE_TABLE:
        document.add_paragraph(text)
    table = document.add_table(rows=0, cols=3)
    table.style = "Table Grid"
    for row in DOCX_TABLE:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    for text in DOCX_AFTER_TABLE:
        document.add_paragraph(text)
    props = document.core_properties
    props.title = f"{DOCX_TITLE[0]} {DOCX_TITLE[1]} (văn bản mẫu)"
    props.author = "Văn bản mẫu"
    props.last_modified_by = "Văn bản mẫu"
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    target.write_bytes(_with_fixed_zip_times(buffer.getvalue()))


def _with_fixed_zip_times(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps, so regenerating gives identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def make_pdf(target: Path) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class NumberedPDF(FPDF):
        def footer(self) -> None:
            # Page numbers, which the loader must drop rather than glue into the text.
            self.set_y(-15)
            self.set_font("DejaVuSerif", "", 10)
            self.cell(0, 10, str(self.page_no()), align="C")

    pdf = NumberedPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_title("Nghị quyết 21-NQ/ĐU (văn bản mẫu)")
    pdf.add_font("DejaVuSerif", "", str(FONT_DIR / "DejaVuSerif.ttf"))
    pdf.add_font("DejaVuSerif", "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
    pdf.set_margins(25, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf.set_font("DejaVuSerif", "", 10)
    pdf.multi_cell(0, 6, MARKER, align="C", **line)
    pdf.ln(2)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for left, right in PDF_HEADER:
        pdf.set_font("DejaVuSerif", "B", 11)
        pdf.cell(half, 6, left, align="C")
        pdf.cell(half, 6, right, align="C", **line)
    pdf.ln(4)
    pdf.set_font("DejaVuSerif", "B", 14)
    pdf.multi_cell(0, 8, PDF_TITLE[0], align="C", **line)
    pdf.set_font("DejaVuSerif", "B", 12)
    pdf.multi_cell(0, 7, PDF_TITLE[1], align="C", **line)
    pdf.ln(4)
    for kind, text in PDF_BODY:
        pdf.set_font("DejaVuSerif", "B" if kind in "hc" else "", 12)
        pdf.multi_cell(0, 7, text, align={"h": "L", "p": "J", "c": "R"}[kind], **line)
        pdf.ln(1)
    pdf.output(str(target))


def main() -> None:
    make_docx(HERE / DOCX_NAME)
    make_pdf(HERE / PDF_NAME)
    print(f"wrote {DOCX_NAME} and {PDF_NAME} in {HERE}")


if __name__ == "__main__":
    main()
