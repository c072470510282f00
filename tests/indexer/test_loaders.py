"""Loaders read real files written into tmp_path, plus the shipped samples and the seed articles."""

from __future__ import annotations

import io
import logging
import os
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from indexer.loaders import (
    SUPPORTED_SUFFIXES,
    LoadedText,
    LoadError,
    iter_source_files,
    load_file,
)
from indexer.loaders.pdf import unwrap_lines

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "knowledge" / "samples" / "documents"
SEEDS = REPO.parent / "shared" / "seeds"
REALDOCS = REPO.parent / "shared" / "realdocs"
MARKER = "(VĂN BẢN MẪU – chỉ dùng để thử nghiệm, không phải văn bản chính thức)"
SAMPLE_PDF = SAMPLES / "nghi-quyet-21-NQ-DU-bao-ve-nen-tang-tu-tuong.pdf"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def load_one(path: Path, root: Path) -> LoadedText:
    loaded = load_file(path, root)
    assert len(loaded) == 1
    return loaded[0]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def reason(path: Path, root: Path, **kwargs: int) -> str:
    with pytest.raises(LoadError) as info:
        load_file(path, root, **kwargs)
    return info.value.reason


# --- plain text -------------------------------------------------------------------------


def test_txt_gives_nfc_lines_and_relative_posix_ids(tmp_path: Path) -> None:
    body = "Số 12-CT/TU\n\nII. NHIỆM VỤ\n  1. Tăng cường học tập, quán triệt nghị quyết  \na) Sinh hoạt chi bộ\n"
    path = write(tmp_path / "chi-thi" / "12.txt", nfd(body))
    loaded = load_one(path, tmp_path)
    assert loaded.doc_id == loaded.source == "chi-thi/12.txt"
    assert loaded.text == (
        "Số 12-CT/TU\nII. NHIỆM VỤ\n1. Tăng cường học tập, quán triệt nghị quyết\na) Sinh hoạt chi bộ"
    )
    assert unicodedata.is_normalized("NFC", loaded.text)
    assert loaded.fields == {}


def test_txt_keeps_the_documents_tone_mark_placement(tmp_path: Path) -> None:
    """Quotes are word for word: the tone placement is unified for matching only."""
    path = write(tmp_path / "a.txt", nfd("Hoà bình, thuý, huỷ bỏ"))
    assert load_one(path, tmp_path).text == "Hoà bình, thuý, huỷ bỏ"


def test_txt_with_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\ufeffI. MỤC ĐÍCH\r\n1. Yêu cầu\r\n".encode())
    assert load_one(path, tmp_path).text == "I. MỤC ĐÍCH\n1. Yêu cầu"


def test_txt_in_utf16_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Kế hoạch số 35-KH/BTGHU\nđảng viên".encode("utf-16"))
    assert load_one(path, tmp_path).text == "Kế hoạch số 35-KH/BTGHU\nđảng viên"


def test_txt_in_a_legacy_code_page_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Nghị quyết".encode("cp1258", errors="replace") + b"\xe9\xff")
    assert reason(path, tmp_path).startswith("not UTF-8 text (line 1), nor Vietnamese in")


def test_binary_content_in_txt_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"PK\x03\x04\x00\x00binary\x00stuff")
    assert reason(path, tmp_path) == "binary content"


def test_empty_and_blank_files_are_refused(tmp_path: Path) -> None:
    assert reason(write(tmp_path / "empty.txt", b""), tmp_path) == "empty file"
    assert reason(write(tmp_path / "blank.txt", " \n\u200b\n\t\n"), tmp_path) == "no text"
    assert reason(write(tmp_path / "blank.md", "---\ntitle: X\n---\n\n"), tmp_path) == "no text"


def test_unsupported_suffix_and_size_limit(tmp_path: Path) -> None:
    assert reason(write(tmp_path / "bang.xlsx", b"x"), tmp_path) == "unsupported type .xlsx"
    assert reason(write(tmp_path / "README", b"x"), tmp_path) == "unsupported type (no extension)"
    big = write(tmp_path / "big.txt", "a" * 3 * 1024 * 1024)
    assert reason(big, tmp_path, max_bytes=1024 * 1024) == "file too large (3.0 MB)"
    assert load_one(big, tmp_path).text.startswith("aaa")  # the default limit is far larger


def test_uppercase_suffix_is_supported(tmp_path: Path) -> None:
    path = write(tmp_path / "A.TXT", "Chỉ thị")
    assert load_one(path, tmp_path).text == "Chỉ thị"


# --- markdown -----------------------------------------------------------------------------


def test_markdown_front_matter_becomes_fields_and_syntax_is_stripped(tmp_path: Path) -> None:
    source = (
        "---\n"
        "number: 08-HD/BTGTU\n"
        "type: Hướng dẫn\n"
        "date: 2025-05-20\n"
        f"title: {nfd('Hướng dẫn sinh hoạt chi bộ')}\n"
        "---\n"
        "# HƯỚNG DẪN\n"
        "\n"
        "## II. NỘI DUNG ##\n"
        "**Thứ nhất**, chi ủy __thông tin__ tình hình.\n"
        "1. Thời gian: mỗi quý.\n"
        "   a) Bí thư chi bộ chuẩn bị *nội dung*.\n"
        "* Xem [Chỉ thị 12](https://example.invalid/12)\n"
        "> Trích dẫn\n"
        "---\n"
        "| Loại | Hạn |\n"
        "|------|-----|\n"
        "| Quý | 18 |\n"
    )
    loaded = load_one(write(tmp_path / "hd.md", source), tmp_path)
    assert loaded.fields == {
        "number": "08-HD/BTGTU",
        "type": "Hướng dẫn",
        "date": date(2025, 5, 20),
        "title": "Hướng dẫn sinh hoạt chi bộ",
    }
    assert unicodedata.is_normalized("NFC", loaded.fields["title"])
    assert loaded.text.split("\n") == [
        "HƯỚNG DẪN",
        "II. NỘI DUNG",
        "Thứ nhất, chi ủy thông tin tình hình.",
        "1. Thời gian: mỗi quý.",
        "a) Bí thư chi bộ chuẩn bị nội dung.",
        "- Xem Chỉ thị 12",
        "Trích dẫn",
        "Loại | Hạn",
        "Quý | 18",
    ]


def test_markdown_without_front_matter_has_no_fields(tmp_path: Path) -> None:
    loaded = load_one(write(tmp_path / "a.markdown", "Chỉ thị số 05-CT/TW\n"), tmp_path)
    assert loaded.fields == {}
    assert loaded.text == "Chỉ thị số 05-CT/TW"


def test_markdown_with_broken_front_matter_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: [unclosed\n---\nNội dung\n")
    assert reason(path, tmp_path) == "invalid YAML front matter"


# --- html ---------------------------------------------------------------------------------


def test_html_keeps_visible_body_text_as_lines(tmp_path: Path) -> None:
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Trang {nfd('Tuyên giáo')}</title>
    <style>p {{ color: red }}</style><script>var x = "mã độc";</script></head>
    <body><header>Đầu trang</header><nav><a href="/">Trang chủ</a></nav>
    <h1>KẾ HOẠCH</h1><div>I. MỤC ĐÍCH,
        YÊU CẦU</div><p>1. {nfd('Quán triệt')} <b>nghị quyết</b> đến chi bộ.<br>a) Đảng viên</p>
    <ul><li>- Báo cáo trước ngày 10/6/2025</li></ul>
    <table><tr><th>Đơn vị</th><th>Tỷ lệ</th></tr><tr><td>Chi bộ 1</td><td>95%</td></tr></table>
    <!-- ghi chú ẩn --><div hidden>ẩn</div><footer>Bản quyền</footer></body></html>"""
    loaded = load_one(write(tmp_path / "p.html", page), tmp_path)
    assert loaded.text.split("\n") == [
        "KẾ HOẠCH",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Quán triệt nghị quyết đến chi bộ.",
        "a) Đảng viên",
        "- Báo cáo trước ngày 10/6/2025",
        "Đơn vị | Tỷ lệ",
        "Chi bộ 1 | 95%",
    ]
    assert loaded.fields == {"html_title": "Trang Tuyên giáo"}


def _windows_1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed base letters, tone marks as combining marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out.append(base + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    "declaration",
    ['<meta charset="windows-1258">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'],
)
def test_html_honours_meta_charset(tmp_path: Path, declaration: str) -> None:
    body = "Nghị quyết về chuyển đổi số và sinh hoạt chi bộ"
    page = b"<html><head>" + declaration.encode() + b"</head><body><p>" + _windows_1258(body) + b"</p></body></html>"
    loaded = load_one(write(tmp_path / "old.htm", page), tmp_path)
    assert loaded.text == body
    assert unicodedata.is_normalized("NFC", loaded.text)


# --- docx ---------------------------------------------------------------------------------


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph(nfd("QUY ĐỊNH"))
    document.add_paragraph("Điều 1. Phạm vi điều chỉnh")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Loại báo cáo"
    table.cell(0, 1).text = "Thời hạn"
    table.cell(1, 0).text = "Báo cáo quý"
    table.cell(1, 1).paragraphs[0].text = "Trước ngày 18"
    table.cell(1, 1).add_paragraph("tháng cuối quý")
    document.add_paragraph("Điều 2. Hiệu lực")
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Gộp"
    merged.cell(0, 2).text = "Riêng"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_gives_paragraphs_and_tables_in_document_order(tmp_path: Path) -> None:
    loaded = load_one(write(tmp_path / "qd.docx", _docx_bytes()), tmp_path)
    assert loaded.text.split("\n") == [
        "QUY ĐỊNH",
        "Điều 1. Phạm vi điều chỉnh",
        "Loại báo cáo | Thời hạn",
        "Báo cáo quý | Trước ngày 18 tháng cuối quý",
        "Điều 2. Hiệu lực",
        "Gộp | Riêng",
    ]
    assert unicodedata.is_normalized("NFC", loaded.text)


def test_truncated_docx_is_refused(tmp_path: Path) -> None:
    data = _docx_bytes()
    assert reason(write(tmp_path / "cut.docx", data[: len(data) // 2]), tmp_path) == "corrupt DOCX"


def test_zip_that_is_not_a_docx_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "không phải Word")
    assert reason(write(tmp_path / "fake.docx", buffer.getvalue()), tmp_path) == "corrupt DOCX"


# --- pdf ----------------------------------------------------------------------------------


def test_shipped_pdf_is_unwrapped_into_sentences_and_headings(tmp_path: Path) -> None:
    assert len(PdfReader(SAMPLE_PDF).pages) == 2  # the last paragraph crosses a page break
    text = load_one(SAMPLE_PDF, SAMPLES).text
    lines = text.split("\n")
    assert "I. TÌNH HÌNH" in lines
    assert "III. NHIỆM VỤ, GIẢI PHÁP" in lines
    # The title, centred over two printed lines, is one line again.
    assert (
        "về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm "
        "sai trái, thù địch trong tình hình mới" in lines
    )
    # A justified paragraph wrapped over six printed lines comes back as one line.
    first = next(line for line in lines if line.startswith("Những năm qua"))
    assert first.endswith("ở một số chi bộ còn chậm.")
    assert "  " not in first
    # The paragraph split by the page break is whole, and page numbers are gone.
    assert any("báo cáo kết quả thực hiện cùng với báo cáo công tác tuyên giáo theo Quy định" in line for line in lines)
    assert lines[-1] == "(văn bản mẫu, không có chữ ký)"
    assert "1" not in lines and "2" not in lines
    # Lettered points stay at line starts.
    assert sum(line.startswith(("a) ", "b) ")) for line in lines) == 2


def test_unwrap_lines_joins_only_mid_sentence_breaks() -> None:
    lines = [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 21-NQ/ĐU",
        "Minh Sơn, ngày 10 tháng 7 năm 2025",
        "NGHỊ QUYẾT",
        "về tăng cường công tác",
        "II. NHIỆM VỤ",
        "1. Các cấp ủy tổ chức học tập, quán triệt nghị quyết đến",
        "chi bộ ( trước ngày 15/8 ) , báo cáo kết quả.",
        "a) Điểm thứ nhất",
        "- gạch đầu dòng",
        "+ dấu cộng",
        "Điều 3. Hiệu lực",
        "Thứ hai, các cấp ủy tổ chức học tập, quán triệt nghị quyết và",
        "tiếp theo",
        "   3   ",
        "Chương II",
        "KẾT THÚC",
    ]
    assert unwrap_lines(lines).split("\n") == [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 21-NQ/ĐU",
        "Minh Sơn, ngày 10 tháng 7 năm 2025",
        "NGHỊ QUYẾT",
        "về tăng cường công tác",
        "II. NHIỆM VỤ",
        "1. Các cấp ủy tổ chức học tập, quán triệt nghị quyết đến chi bộ (trước ngày 15/8), báo cáo kết quả.",
        "a) Điểm thứ nhất",
        "- gạch đầu dòng",
        "+ dấu cộng",
        "Điều 3. Hiệu lực",
        "Thứ hai, các cấp ủy tổ chức học tập, quán triệt nghị quyết và tiếp theo",
        "Chương II",
        "KẾT THÚC",
    ]


def test_unwrap_keeps_a_short_unpunctuated_heading_apart_in_long_text() -> None:
    full = "Các đảng ủy cơ sở tổ chức học tập, quán triệt Nghị quyết, xây dựng kế"
    lines = [full] * 9 + ["hoạch thực hiện.", "Nâng cao hiệu quả", "Ban Tuyên giáo chủ trì."]
    out = unwrap_lines(lines).split("\n")
    assert out[-2:] == ["Nâng cao hiệu quả", "Ban Tuyên giáo chủ trì."]
    assert out[0].count("xây dựng kế") == 9 and out[0].endswith("hoạch thực hiện.")


def _blank_pdf(**encrypt: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if encrypt:
        writer.encrypt(**encrypt, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    assert reason(write(tmp_path / "scan.pdf", _blank_pdf()), tmp_path) == "no text (blank pages)"


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.pdf", _blank_pdf(user_password="mat-khau", owner_password="chu"))
    assert reason(path, tmp_path) == "encrypted PDF (needs a password)"


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=SAMPLE_PDF)
    writer.encrypt(user_password="", owner_password="chu", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    text = load_one(write(tmp_path / "open.pdf", buffer.getvalue()), tmp_path).text
    assert text.startswith(MARKER)
    assert "IV. TỔ CHỨC THỰC HIỆN" in text.split("\n")


def test_corrupt_pdf_is_refused_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    garbage = write(tmp_path / "junk.pdf", os.urandom(4096))
    truncated = write(tmp_path / "cut.pdf", SAMPLE_PDF.read_bytes()[:700])
    with caplog.at_level(logging.WARNING):
        assert reason(garbage, tmp_path) == "corrupt PDF"
        assert reason(truncated, tmp_path) == "corrupt PDF"
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_generated_nfd_pdf_comes_out_nfc(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")  # dev-only dependency
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip("DejaVu fonts not installed")
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 7, "Nghị quyết về học tập, quán triệt", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, nfd("Hoà bình, sinh hoạt chi bộ."), new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "gen.pdf"
    pdf.output(str(path))
    text = load_one(path, tmp_path).text
    assert text == "Nghị quyết về học tập, quán triệt Hoà bình, sinh hoạt chi bộ."


# --- jsonl --------------------------------------------------------------------------------


def test_jsonl_keeps_good_lines_and_warns_about_bad_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = "\n".join(
        [
            '{"doc_id": "hd/1", "title": "Hỏi đáp 1", "text": "Hỏi: họp chi bộ?\\nĐáp: mỗi tháng.", "date": "2025-04-01"}',
            "",
            '{"doc_id": "hd/2", "title": "Thiếu ngoặc", "text": "x"',
            '{"title": "Không có id", "text": "x"}',
            '{"doc_id": "hd/3", "text": 42}',
            '["không", "phải", "object"]',
            '{"doc_id": "hd/1", "text": "trùng id"}',
            '{"doc_id": "hd/4", "text": "   "}',
            '{"doc_id": "hd/5", "text": "' + nfd("Hoà bình") + '", "tags": ["a", "b"]}',
        ]
    )
    path = write(tmp_path / "qa" / "hoi-dap.jsonl", content)
    with caplog.at_level(logging.WARNING, logger="indexer.loaders"):
        loaded = load_file(path, tmp_path)
    assert [item.doc_id for item in loaded] == ["hd/1", "hd/5"]
    assert [item.source for item in loaded] == ["qa/hoi-dap.jsonl#L1", "qa/hoi-dap.jsonl#L9"]
    assert loaded[0].text == "Hỏi: họp chi bộ?\nĐáp: mỗi tháng."
    assert loaded[0].fields == {"title": "Hỏi đáp 1", "date": "2025-04-01"}
    assert loaded[1].text == "Hoà bình"
    assert loaded[1].fields == {"tags": ["a", "b"]}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 6
    for line_number in (3, 4, 5, 6, 7, 8):
        assert any(f"qa/hoi-dap.jsonl line {line_number} skipped" in w for w in warnings), line_number
    assert any("duplicate doc_id" in w for w in warnings)


def test_jsonl_without_usable_lines_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", 'not json\n{"doc_id": 1, "text": "x"}\n\n')
    assert reason(path, tmp_path) == (
        "no usable JSONL lines: none of 2 is a passage (1 with invalid JSON (Expecting value); "
        "line 1: invalid JSON (Expecting value))"
    )


def test_jsonl_that_is_not_passages_gives_one_line_not_one_per_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """realdocs' expected_meta.jsonl is another tool's JSONL: one reason for the file."""
    meta = REALDOCS / "expected_meta.jsonl"
    if not meta.exists():
        pytest.skip(f"real documents not found at {REALDOCS}")
    lines = len([line for line in meta.read_text(encoding="utf-8").split("\n") if line.strip()])
    with caplog.at_level(logging.WARNING, logger="indexer.loaders"):
        why = reason(meta, REALDOCS)
    assert why == (
        f"no usable JSONL lines: none of {lines} is a passage ({lines} with missing or "
        f"non-string doc_id; line 1: missing or non-string doc_id)"
    )
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# --- finding files ------------------------------------------------------------------------


def test_iter_source_files_recurses_sorted_and_skips_hidden_and_lock_files(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a/z.md",
        "a/b/c.pdf",
        "A.docx",
        "bang.xlsx",
        ".hidden.txt",
        ".git/config.txt",
        "a/.cache/x.txt",
        "a/~$quy-dinh.docx",
    ]:
        write(tmp_path / "kb" / name, "x")
    extra = write(tmp_path / "rieng" / ".le.txt", "x")
    found = list(iter_source_files([tmp_path / "kb", extra]))
    kb = tmp_path / "kb"
    assert [(root, path.relative_to(root).as_posix()) for root, path in found] == [
        (kb, "A.docx"),
        (kb, "a/b/c.pdf"),
        (kb, "a/z.md"),
        (kb, "b.txt"),
        (kb, "bang.xlsx"),
        (extra.parent, ".le.txt"),  # named explicitly, so not skipped
    ]


def test_iter_source_files_rejects_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(iter_source_files([tmp_path / "khong-co"]))


# --- shipped samples and seed articles ----------------------------------------------------


def test_shipped_samples_all_load_and_are_marked() -> None:
    loaded: list[LoadedText] = []
    suffixes = set()
    for root, path in iter_source_files([SAMPLES]):
        if path.suffix not in SUPPORTED_SUFFIXES or path.name == "README.md":
            continue
        suffixes.add(path.suffix)
        items = load_file(path, root)
        for item in items:
            assert MARKER in item.text.split("\n"), item.source
            # Everything is issued in the invented province, so nothing passes for a real document.
            assert "minh sơn" in (item.text + str(item.fields)).lower(), item.source
            assert unicodedata.is_normalized("NFC", item.text)
        loaded.extend(items)
    assert {".txt", ".md", ".html", ".docx", ".pdf", ".jsonl"} <= suffixes
    by_id = {item.doc_id: item for item in loaded}
    assert len(by_id) == len(loaded) >= 12
    md = by_id["huong-dan-08-HD-BTGTU-sinh-hoat-chi-bo.md"]
    assert md.fields["number"] == "08-HD/BTGTU" and md.fields["date"] == date(2025, 5, 20)
    assert "Thứ hai, đảng viên phát biểu" in md.text
    docx_text = by_id["quy-dinh-45-QD-TU-che-do-bao-cao.docx"].text.split("\n")
    assert "Báo cáo quý | Từ ngày 15 tháng cuối quý trước đến ngày 14 tháng cuối quý | Trước ngày 18 tháng cuối quý" in docx_text
    assert docx_text.index("Điều 3. Thời hạn gửi báo cáo") < docx_text.index("Loại báo cáo | Kỳ số liệu | Thời hạn gửi")
    html = by_id["ket-luan-03-KL-TU-du-luan-xa-hoi.html"].text
    assert "CỔNG THÔNG TIN MẪU" not in html and "analytics" not in html and "Trang chủ" not in html
    assert by_id["hoi-dap/003"].fields["title"].startswith("Hỏi đáp")


SEED_FILES = sorted(SEEDS.glob("*.txt"))[:3] if SEEDS.is_dir() else []


@pytest.mark.skipif(not SEED_FILES, reason="shared/seeds not present")
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.name)
def test_seed_articles_load_as_text(seed: Path) -> None:
    loaded = load_one(seed, SEEDS)
    assert loaded.doc_id == seed.name
    assert len(loaded.text) > 500
    assert "tuyên giáo" in loaded.text.lower()
    assert unicodedata.is_normalized("NFC", loaded.text)
    assert all(line == line.strip() and line for line in loaded.text.split("\n"))
