"""PDFs as officers' folders hold them: gazette text layers, running headers, letter-spaced
headings, scans and scanned pages (OCR once per session), and broken or hostile files."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from indexer.loaders import LoadError, LoadOptions, load_file
from indexer.loaders import pdf as pdf_loader
from knowledge.text import lexical_terms
from tests.indexer.conftest import (
    CASES,
    NO_OCR,
    REALDOCS,
    SCAN_ONLY,
    SCAN_PAGE_2,
    SCANNED,
    need,
    page_image_pdf,
)

HIEN_PHAP = "(32801)-VanBanGoc_Hien_phap_2013.pdf"
RUNNING = CASES / "running-header-pdf" / "huong-dan-52-HD-BTGTU.pdf"
SPACED = CASES / "letter-spaced-pdf" / "nghi-quyet-31-NQ-DU-gian-chu.pdf"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def read(path: Path, options: LoadOptions = NO_OCR):
    (loaded,) = load_file(need(path), path.parent, options=options)
    return loaded


def refused(data: bytes, tmp_path: Path, options: LoadOptions = NO_OCR, name: str = "x.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load_file(path, tmp_path, options=options)
    return info.value.reason


# --- text layers --------------------------------------------------------------------------


def test_gazette_pdf_keeps_syllables_whole_and_its_running_header_apart() -> None:
    loaded = read(REALDOCS / HIEN_PHAP)
    lines = loaded.text.split("\n")
    assert loaded.pages == 28 and loaded.ocr_pages == 0 and loaded.warnings == ()
    # pypdf gave "1. Đảng C ộng s ản Vi ệt Nam - Đội tiên phong c ủa giai c ấp công nhân"
    assert any(line.startswith("1. Đảng Cộng sản Việt Nam - Đội tiên phong của giai cấp công "
                               "nhân, đồng thời là đội tiên phong của nhân dân lao động")
               for line in lines)
    for fragment in (" C ộng", " s ản", " c ủa", " ng ười", "Vi ệt"):
        assert fragment not in loaded.text
    # "CÔNG BÁO/Số 1003 + 1004/Ngày 29-12-2013" heads all 28 pages, with the page number on
    # either side: out of the text, kept once apart (the gazette date is not the issue date).
    assert "CÔNG BÁO" not in loaded.text
    assert loaded.running_lines == ("CÔNG BÁO/Số 1003 + 1004/Ngày 29-12-2013",)
    assert "khóa XIII, kỳ họp thứ 6 thông qua ngày 28 tháng 11 năm 2013./." in loaded.text


def test_running_header_footer_and_page_numbers_leave_sentences_whole() -> None:
    loaded = read(RUNNING)
    lines = loaded.text.split("\n")
    assert loaded.running_lines == (
        "ĐẢNG BỘ TỈNH MINH SƠN – BAN TUYÊN GIÁO TỈNH ỦY",
        "Tài liệu sinh hoạt chi bộ – lưu hành nội bộ – trang",
    )
    assert "BAN TUYÊN GIÁO TỈNH ỦY" not in loaded.text and "lưu hành nội bộ" not in loaded.text
    # Page 1 ends "... Các chi bộ tổ chức sinh hoạt chuyên đề theo" and page 2 goes on
    # "hướng dẫn, bảo đảm ...": no line may stop there any more.
    assert not [line for line in lines if line.endswith("chuyên đề theo")]
    assert lines[:6] == [
        "ĐẢNG CỘNG SẢN VIỆT NAM", "TỈNH ỦY MINH SƠN", "Số 52-HD/BTGTU", "HƯỚNG DẪN",
        "về sinh hoạt chuyên đề chi bộ năm 2025", "I. NỘI DUNG",
    ]
    assert lines[-1].startswith("Đối với chi bộ thôn, bản vùng cao, nội dung sinh hoạt chuyên đề "
                                "tập trung vào giữ gìn an ninh trật tự")


def test_letter_spaced_type_line_reads_as_words() -> None:
    lines = read(SPACED).text.split("\n")
    assert lines[4:6] == ["NGHỊ QUYẾT", "về xây dựng nông thôn mới kiểu mẫu giai đoạn 2025 - 2030"]


def test_glyphs_placed_one_by_one_still_make_whole_syllables(tmp_path: Path) -> None:
    """The gazette way of setting type: each run of glyphs positioned on its own, a marked
    vowel starting a new run inside a syllable ("C" + "ộng")."""
    if not FONT.exists():
        pytest.skip("DejaVu fonts not installed (Debian fonts-dejavu-core)")
    pdf = FPDF(unit="pt", format=(595, 842))
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=12)
    x = 72.0
    for run in ("1. Đảng C", "ộng s", "ản Vi", "ệt Nam là đội tiên phong c", "ủa giai c", "ấp công nhân."):
        pdf.text(x, 100, run)
        x += pdf.get_string_width(run)
    path = tmp_path / "dat-chu.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert read(path).text == "1. Đảng Cộng sản Việt Nam là đội tiên phong của giai cấp công nhân."


# --- scanned pages ----------------------------------------------------------------------


def test_scanned_pdf_without_ocr_names_the_pages_not_read(tmp_path: Path) -> None:
    data = need(SCANNED / SCAN_ONLY).read_bytes()
    assert refused(data, tmp_path) == "2 scanned pages not read (page 1, 2): OCR is off (OCR=off)"
    missing = LoadOptions(ocr="auto", tesseract=str(tmp_path / "no-tesseract"))
    assert refused(data, tmp_path, missing) == (
        "2 scanned pages not read (page 1, 2): install tesseract-ocr and tesseract-ocr-vie"
    )


def test_text_page_is_kept_and_the_scanned_page_reported_without_ocr() -> None:
    loaded = read(SCANNED / SCAN_PAGE_2)
    assert loaded.pages == 2 and loaded.ocr_pages == 0
    assert loaded.warnings == ("1 scanned page not read (page 2): OCR is off (OCR=off)",)
    assert "3. Đảng viên vắng mặt phải báo cáo lý do với bí thư chi bộ trước buổi họp." in loaded.text
    assert "chậm nhất" not in loaded.text


def test_page_whose_only_text_is_a_stamp_counts_as_scanned(tmp_path: Path) -> None:
    stamped = page_image_pdf(
        need(SPACED), stamp="Ky boi: Van phong Dang uy xa Tan Lap - Thoi gian ky: 08.08.2025 09:15"
    )
    assert "Ky boi" in PdfReader(io.BytesIO(stamped)).pages[0].extract_text()
    assert refused(stamped, tmp_path) == "1 scanned page not read (page 1): OCR is off (OCR=off)"


@pytest.mark.parametrize(
    ("lines", "verdict"),
    [
        (["\ue012\ue033\ue101 \ue044" * 20], True),  # a font with no Unicode map: unreadable
        (["\ufffd\ufffd\ufffd " * 30, "Trang 2"], True),
        (["Các chi bộ tổ chức sinh hoạt chuyên đề theo hướng dẫn, bảo đảm nội dung"] * 5, False),
        (["Ký bởi: Văn phòng Đảng ủy", "Thời gian ký: 14.03.2025", "3"], None),  # ask the images
        (["Москва, Россия " * 30], None),  # another script keeps its layer unless the page is a scan
    ],
)
def test_text_layer_verdict(lines: list[str], verdict: bool | None) -> None:
    assert pdf_loader.text_layer_verdict(lines) is verdict


def test_ocr_reads_a_scanned_pdf_whole(ocr_cases) -> None:
    loaded = ocr_cases[SCAN_ONLY]
    assert loaded.pages == 2 and loaded.ocr_pages == 2 and loaded.warnings == ()
    text = loaded.text
    assert "Số 27-TB/ĐU" in text.split("\n")
    assert "Tân Lập, ngày 14 tháng 3 năm 2025" in text
    assert "chậm nhất 3 ngày sau buổi sinh hoạt" in text  # page 2
    assert text.index("THÔNG BÁO") < text.index("1. Các chi bộ thôn") < text.index("chậm nhất 3 ngày")


def test_ocr_keeps_text_page_and_scanned_page_in_order(ocr_cases) -> None:
    loaded = ocr_cases[SCAN_PAGE_2]
    assert loaded.pages == 2 and loaded.ocr_pages == 1 and loaded.warnings == ()
    text = loaded.text
    assert text.index("3. Đảng viên vắng mặt") < text.index("chậm nhất 3 ngày sau buổi sinh hoạt")
    # page 1 comes from the text layer, exactly as printed
    assert "2. Chi bộ Thôn Đông tổ chức sinh hoạt chuyên đề về chuyển đổi số trong tháng 5 năm 2025." in text


def test_ocr_misreading_chi_bo_as_chi_hoi_tone_meets_the_query_when_folded(ocr_cases) -> None:
    """Tesseract sometimes reads "chi bộ" as "chỉ bộ"; search matches on folded syllables, so
    a member's "chi bộ" (or "chi bo") meets it either way."""
    text = ocr_cases[SCAN_ONLY].text
    assert "chi_bo" in lexical_terms(text, folded=True)
    assert set(lexical_terms("chỉ bộ", folded=True)) == set(lexical_terms("chi bộ", folded=True))


# --- bad input --------------------------------------------------------------------------


def test_corrupt_encrypted_and_empty_pdfs_get_one_reason_each(tmp_path: Path) -> None:
    sample = need(RUNNING).read_bytes()
    assert refused(sample[: len(sample) // 3], tmp_path) == "corrupt PDF"
    locked = PdfWriter(clone_from=io.BytesIO(sample))
    locked.encrypt(user_password="mat-khau", owner_password="chu", algorithm="AES-128")
    buffer = io.BytesIO()
    locked.write(buffer)
    assert refused(buffer.getvalue(), tmp_path) == "encrypted PDF (needs a password)"
    empty = io.BytesIO()
    PdfWriter().write(empty)
    assert refused(empty.getvalue(), tmp_path) == "PDF has no pages"


def test_long_pdf_is_read_in_bounded_time_and_the_page_limit_refuses_longer(tmp_path: Path) -> None:
    writer = PdfWriter()
    source = PdfReader(need(RUNNING))
    for _ in range(250):
        for page in source.pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "dai.pdf"
    path.write_bytes(buffer.getvalue())
    started = time.perf_counter()
    loaded = read(path)
    elapsed = time.perf_counter() - started
    assert loaded.pages == 500 and elapsed < 60
    # the running header and footer repeat on all 500 pages: none is left in the text
    assert "lưu hành nội bộ" not in loaded.text
    assert refused(buffer.getvalue(), tmp_path, LoadOptions(ocr="off", max_pages=100)) == (
        "500 pages, more than MAX_PAGES=100"
    )


def test_unwrap_keeps_blank_line_breaks_from_ocr() -> None:
    text = pdf_loader.unwrap_lines(["5. Văn phòng tổng hợp, báo cáo trước ngày 25 hằng tháng", "",
                                    "Nơi nhận:", "- Lưu VP."])
    assert text.split("\n") == [
        "5. Văn phòng tổng hợp, báo cáo trước ngày 25 hằng tháng", "Nơi nhận:", "- Lưu VP.",
    ]
