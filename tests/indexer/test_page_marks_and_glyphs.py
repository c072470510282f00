"""Page markers in text files, gazette imprints, footnote marks and letters a PDF's text layer
does not map: real files of each kind (../shared/realdocs, read in place) and generated ones."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from indexer.boilerplate import line_roles
from indexer.loaders import LoadOptions, load_file
from indexer.loaders import ocr
from indexer.loaders.glyphs import MISSING, fill_missing, read_page_text
from indexer.report import BuildReport
from knowledge.store import StoreVersion, load_current
from tests.indexer.conftest import REALDOCS, need

CT11 = "CT-11-CT-TTg-2020-thao-go-kho-khan-Covid-19.txt"
CV4489 = "CV-4489-TCT-TTKT-2022-quan-ly-thue-TMDT.txt"
VBHN = "(147294)-2020_1093_+_1094_23-VBHN-VPQH.pdf"
DIEU_LE = "ĐIỀU LỆ ĐOÀN KHÓA XI.pdf"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture(scope="module")
def version(realdocs_store: tuple[BuildReport, Path]) -> StoreVersion:
    loaded = load_current(realdocs_store[1])
    assert loaded is not None
    return loaded


def _text_of(version: StoreVersion, doc_id: str) -> str:
    return "\n".join(c.text for c in version.chunks if c.doc_id == doc_id)


# --- page markers in plain text ---------------------------------------------------------------


def test_text_file_page_markers_get_the_page_clean_up(tmp_path: Path) -> None:
    page = "UBND TỈNH MINH SƠN – TÀI LIỆU HỌC TẬP\n"
    text = (
        f"{page}I. MỤC ĐÍCH\n1. Các chi bộ tổ chức học tập nghị quyết và báo cáo kết quả về\n\n2\n\n"
        f"--- PAGE BREAK ---\n\n{page}Ban Tuyên giáo trước ngày 20 hằng tháng.\n\n- 3 -\n"
        f"\f{page}2. Đảng viên viết bài thu hoạch.\n\n=== Page 4 ===\n{page}II. TỔ CHỨC THỰC HIỆN\n"
    )
    (tmp_path / "tai-lieu.txt").write_text(text, encoding="utf-8")
    (loaded,) = load_file(tmp_path / "tai-lieu.txt", tmp_path)
    assert loaded.text == (
        "I. MỤC ĐÍCH\n1. Các chi bộ tổ chức học tập nghị quyết và báo cáo kết quả về Ban Tuyên "
        "giáo trước ngày 20 hằng tháng.\n2. Đảng viên viết bài thu hoạch.\nII. TỔ CHỨC THỰC HIỆN"
    )
    assert loaded.running_lines == ("UBND TỈNH MINH SƠN – TÀI LIỆU HỌC TẬP",)


def test_text_without_page_markers_is_read_as_before(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Trang 1 của tài liệu\n\n5\n--- một dòng kẻ ---\n", encoding="utf-8")
    (loaded,) = load_file(tmp_path / "a.txt", tmp_path)
    assert loaded.text == "Trang 1 của tài liệu\n5\n--- một dòng kẻ ---"


@pytest.mark.parametrize("name", [CT11, CV4489])
def test_ocrd_text_files_carry_no_page_marker_nor_page_number(name: str) -> None:
    (loaded,) = load_file(need(REALDOCS / name), REALDOCS)
    lines = loaded.text.split("\n")
    assert not [line for line in lines if "PAGE BREAK" in line]
    assert not [line for line in lines if line.strip().isdigit()]


def test_sentence_across_a_text_page_break_is_whole(version: StoreVersion) -> None:
    text = _text_of(version, CT11)
    assert "PAGE BREAK" not in text
    # page 2 ends "… báo cáo Thủ tướng", page 3 starts "Chính phủ trong tháng 3 năm 2019."
    assert "báo cáo Thủ tướng Chính phủ trong tháng 3 năm 2019." in text


# --- the gazette's imprint --------------------------------------------------------------------

IMPRINT = ("Hoàng Hoa Thám", "congbao", "In tại", "XUẤT BẢN", "Xem tiếp Công báo", "Phát hành:")


def test_gazette_imprint_is_never_content(version: StoreVersion) -> None:
    text = _text_of(version, VBHN)
    assert text, "the consolidated law is indexed"
    assert [word for word in IMPRINT if word in text] == []
    # the article before it ends where the law does
    assert "báo cáo Quốc hội tại kỳ họp gần nhất về việc điều chỉnh chương trình" in text


def test_imprint_lines_are_gazette_and_a_letters_contacts_stay() -> None:
    lines = [
        "Điều 52. Hiệu lực thi hành", "Luật này có hiệu lực kể từ ngày 01 tháng 7 năm 2016.",
        "(Xem tiếp Công báo số 1095 + 1096)", "VĂN PHÒNG CHÍNH PHỦ XUẤT BẢN",
        "Địa chỉ: Số 1, Hoàng Hoa Thám, Ba Đình, Hà Nội", "Điện thoại liên hệ:",
        "- Nội dung: 080.44417; Fax: 080.44517", "Email: congbao@chinhphu.vn",
        "In tại: Xí nghiệp Bản đồ 1 - Bộ Quốc phòng",
    ]
    assert line_roles(lines) == [None, None] + ["gazette"] * 7
    letter = [
        "3. Đầu mối liên hệ của Ban Tuyên giáo:", "Địa chỉ: số 5 đường Lê Lợi, phường 1",
        "Điện thoại: 0290 3812 345", "Email: bantuyengiao@minhson.gov.vn",
    ]
    assert line_roles(letter) == [None] * 4


# --- footnote marks ---------------------------------------------------------------------------


def _superscript_pdf(path: Path) -> Path:
    if not DEJAVU.exists():
        pytest.skip("DejaVu fonts not installed")
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.set_font("DejaVu", size=13)
    pdf.add_page()
    for parts in (
        [("Điều 4. Hệ thống văn bản", False)],
        [("3.", False), ("2", True), (" Pháp lệnh, nghị quyết của Ủy ban thường vụ Quốc hội.", False)],
        [("4. Văn bản phải có tên", False), ("16", True), (". Không quy định chương riêng.", False)],
        [("5. Phòng họp rộng 40 m", False), ("2", True), (" trở lên.", False)],
    ):
        for text, raised in parts:
            pdf.char_vpos = "SUP" if raised else "LINE"
            pdf.write(7, text)
        pdf.char_vpos = "LINE"
        pdf.ln(9)
    pdf.output(str(path))
    return path


def test_superscript_footnote_marks_are_not_content(tmp_path: Path) -> None:
    path = _superscript_pdf(tmp_path / "hop-nhat.pdf")
    (loaded,) = load_file(path, tmp_path)
    assert loaded.text == (
        "Điều 4. Hệ thống văn bản\n3. Pháp lệnh, nghị quyết của Ủy ban thường vụ Quốc hội.\n"
        "4. Văn bản phải có tên. Không quy định chương riêng.\n5. Phòng họp rộng 40 m2 trở lên."
    )


def test_consolidated_law_items_keep_their_numbers() -> None:
    (loaded,) = load_file(need(REALDOCS / VBHN), REALDOCS)
    lines = loaded.text.split("\n")
    assert "3. Pháp lệnh, nghị quyết của Ủy ban thường vụ Quốc hội; nghị quyết liên tịch giữa" in "\n".join(lines)
    assert any(line.startswith("8a. Thông tư liên tịch giữa Chánh án") for line in lines)
    assert any(line.startswith("4. Quy định thủ tục hành chính") for line in lines)
    # no footnote mark left glued to an item label or starting a footnote
    for mark in ("3.2", "8.3", "8a.4", "4.8", "5 Điều này", "16 Từ"):
        assert not [line for line in lines if line.startswith(mark)], mark
    assert "phải có tên. Không quy định chương riêng" in loaded.text


# --- letters the text layer does not map ------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "read", "filled"),
    [
        (f"CƠ QUAN L{MISSING}NH ĐẠO CẤP T{MISSING}NH", "CƠ QUAN LÃNH ĐẠO Ở CÁP TỈNH", "CƠ QUAN LÃNH ĐẠO CẤP TỈNH"),
        (f"KHEN THƢ{MISSING}NG VÀ KỶ LUẬT", "KHEN THƯỞNG VÀ KỶ LUẬT", "KHEN THƢỞNG VÀ KỶ LUẬT"),
        (f"ĐẠO {MISSING} CẤP", "LÃNH ĐẠO Ở CẤP TRUNG", "ĐẠO Ở CẤP"),
        # OCR that disagrees with the letters around the gap fills nothing
        (f"CƠ QUAN L{MISSING}NH ĐẠO", "CO QUAN LANG DAO", None),
        (f"TỔ CHỨC CƠ S{MISSING}", "", None),
    ],
)
def test_fill_missing_takes_only_the_missing_letters(line: str, read: str, filled: str | None) -> None:
    assert fill_missing(line, read) == filled


def test_unmapped_glyphs_are_found_in_the_charters_headings() -> None:
    document = pdfium.PdfDocument(need(REALDOCS / DIEU_LE))
    try:
        found = {}
        for index in range(len(document)):
            textpage = document[index].get_textpage()
            read = read_page_text(textpage)
            textpage.close()
            lines = read.text.split("\n")
            found.update({(index + 1, lines[i].strip()): box for i, box in read.damaged.items()})
    finally:
        document.close()
    assert sorted(found) == [
        (8, f"CƠ QUAN L{MISSING}NH ĐẠO {MISSING} CẤP TRUNG ƢƠNG"),
        (9, f"CƠ QUAN L{MISSING}NH ĐẠO CẤP T{MISSING}NH, CẤP HUYỆN"),
        (10, f"TỔ CHỨC CƠ S{MISSING} ĐOÀN"),
        (14, f"KHEN THƢ{MISSING}NG VÀ KỶ LUẬT"),
    ]
    for left, bottom, right, top in found.values():
        assert 0 < left < right < 600 and 0 < bottom < top < 850 and top - bottom < 30


def test_charter_headings_are_repaired_by_ocr(tesseract: None) -> None:
    (loaded,) = load_file(need(REALDOCS / DIEU_LE), REALDOCS, options=LoadOptions(ocr="auto"))
    lines = loaded.text.split("\n")
    repaired = [
        "CƠ QUAN LÃNH ĐẠO Ở CẤP TRUNG ƯƠNG", "CƠ QUAN LÃNH ĐẠO CẤP TỈNH, CẤP HUYỆN",
        "TỔ CHỨC CƠ SỞ ĐOÀN", "KHEN THƯỞNG VÀ KỶ LUẬT",
    ]
    assert [heading for heading in repaired if heading in lines] == repaired
    assert loaded.warnings == ()


def test_without_ocr_the_broken_headings_are_reported() -> None:
    (loaded,) = load_file(need(REALDOCS / DIEU_LE), REALDOCS, options=LoadOptions(ocr="off"))
    assert loaded.warnings == (
        '4 lines with letters missing from the text layer (page 8, 9, 10, 14, e.g. '
        '"CƠ QUAN L NH ĐẠO CẤP TRUNG ƯƠNG") not repaired: OCR is off (OCR=off)',
    )
    assert "TỔ CHỨC CƠ S ĐOÀN" in loaded.text.split("\n")
    assert MISSING not in loaded.text


def test_store_tells_whether_the_charter_was_repaired(version: StoreVersion) -> None:
    doc = version.documents[DIEU_LE]
    headings = {c.headings[0] for c in version.chunks if c.doc_id == DIEU_LE and c.headings}
    if ocr.missing_reason("tesseract", "vie"):
        assert any("not repaired" in w for w in doc.warnings)
    else:
        assert "Chương V. TỔ CHỨC CƠ SỞ ĐOÀN" in headings
        assert "Chương IX. KHEN THƯỞNG VÀ KỶ LUẬT" in headings
        assert not [w for w in doc.warnings if "letters missing" in w]
