"""Legacy Word .doc files (LibreOffice) and legacy encodings (TCVN3, VNI, Windows-1258) in
DOCX, DOC and TXT, read from the shared inputs and from files the tests make."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from indexer.loaders import LoadError, LoadOptions, load_file
from knowledge.legacy import _TCVN3, convert_legacy, from_vni
from knowledge.text import syllables
from tests.indexer.conftest import CASES, REALDOCS, need

KH = "KH phát động thi đua trước trong sau Tết  Bính Ngọ 2026"
HIEN_PHAP_DOC = "(32801)-Hien_phap_nam_2013.doc"
TCVN3_DOCX = CASES / "tcvn3-docx" / "ket-luan-31-KL-TU-2003.docx"


def read(path: Path, root: Path | None = None, options: LoadOptions | None = None):
    (loaded,) = load_file(need(path), root or path.parent, options=options)
    return loaded


def refused(path: Path, options: LoadOptions | None = None) -> str:
    with pytest.raises(LoadError) as info:
        load_file(path, path.parent, options=options)
    return info.value.reason


# --- .doc ---------------------------------------------------------------------------------


def test_doc_reads_exactly_as_its_docx_twin(soffice: None) -> None:
    doc = read(REALDOCS / f"{KH}.doc")
    docx = read(REALDOCS / f"{KH}.docx")
    assert syllables(doc.text) == syllables(docx.text)
    # the header table stays one row: issuer | Đoàn name and place-date
    assert doc.text.split("\n")[0] == (
        "BCH ĐOÀN XÃ PHÚC THỊNH *** Số: - KH/ĐTN | ĐOÀN TNCS HỒ CHÍ MINH Phúc Thịnh, ngày 7 "
        "tháng 1 năm 2025"
    )
    assert "- Ông: Trương Đình Nam | - Bí thư ĐTN | - Trưởng ban" in doc.text.split("\n")


def test_constitution_doc_keeps_vietnamese_and_its_header_table(soffice: None) -> None:
    lines = read(REALDOCS / HIEN_PHAP_DOC).text.split("\n")
    assert lines[0] == "QUỐC HỘI | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc"
    at = lines.index("Điều 4")
    assert lines[at + 1].startswith(
        "1. Đảng Cộng sản Việt Nam - Đội tiên phong của giai cấp công nhân, đồng thời là đội "
        "tiên phong của nhân dân lao động"
    )
    assert "CHỦ TỊCH QUỐC HỘI" in lines


def test_doc_without_libreoffice_is_skipped_saying_what_to_install(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach.doc"
    shutil.copyfile(need(REALDOCS / f"{KH}.doc"), path)
    reason = refused(path, LoadOptions(soffice=str(tmp_path / "no-soffice")))
    assert reason == (
        ".doc not read: install LibreOffice (Debian: libreoffice-writer-nogui; `make install-doc`)"
    )


def test_damaged_and_fake_doc_files_get_a_reason(tmp_path: Path, soffice: None) -> None:
    damaged = tmp_path / "hong.doc"
    damaged.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20)
    assert refused(damaged) == "corrupt or password-protected .doc (LibreOffice could not read it)"
    fake = tmp_path / "gia.doc"
    fake.write_bytes(b"<html><body>Trang web luu duoi ten .doc</body></html>")
    assert refused(fake) == "not a Word 97-2003 document"


def test_docx_saved_under_a_doc_name_is_read(tmp_path: Path) -> None:
    renamed = tmp_path / "ket-luan.doc"
    shutil.copyfile(need(REALDOCS / f"{KH}.docx"), renamed)
    assert read(renamed).text == read(REALDOCS / f"{KH}.docx").text


def test_tcvn3_doc_converts_like_the_docx(tmp_path: Path, soffice: None) -> None:
    """A .doc typed in .VnTime: made here from the TCVN3 DOCX case by LibreOffice."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "doc", "--outdir", str(tmp_path), str(need(TCVN3_DOCX))],
        check=True, capture_output=True, timeout=120,
    )
    loaded = read(tmp_path / "ket-luan-31-KL-TU-2003.doc")
    assert loaded.text.split("\n")[:5] == [
        "ĐẢNG CỘNG SẢN VIỆT NAM", "TỈNH ỦY MINH SƠN", "Số 31-KL/TU",
        "Minh Sơn, ngày 20 tháng 10 năm 2003", "KẾT LUẬN",
    ]
    assert loaded.warnings == ("converted from legacy encoding TCVN3 (8 lines)",)


# --- legacy encodings ---------------------------------------------------------------------


def test_tcvn3_docx_is_converted() -> None:
    loaded = read(TCVN3_DOCX)
    assert loaded.text.split("\n") == [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "TỈNH ỦY MINH SƠN",
        "Số 31-KL/TU",
        "Minh Sơn, ngày 20 tháng 10 năm 2003",
        "KẾT LUẬN",
        "về việc xây dựng quy chế dân chủ ở cơ sở",
        "1. Các chi bộ thôn tổ chức hội nghị lấy ý kiến nhân dân về quy chế dân chủ ở cơ sở "
        "mỗi năm một lần.",
        "2. Ban Dân vận Tỉnh ủy kiểm tra việc thực hiện quy chế dân chủ tại các xã vùng cao.",
    ]
    assert loaded.warnings == ("converted from legacy encoding TCVN3 (8 lines)",)


def test_tcvn3_table_matches_glibc_iconv() -> None:
    if shutil.which("iconv") is None:
        pytest.skip("iconv not installed")
    codes = bytes(range(0xA1, 0xAF)) + bytes(range(0xB5, 0x100))
    expected = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=codes, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "".join(_TCVN3[chr(code)] for code in codes) == expected


def test_vni_text_is_converted() -> None:
    assert from_vni("Ñaûng Coäng saûn Vieät Nam") == "Đảng Cộng sản Việt Nam"
    assert from_vni("NGHÒ QUYEÁT") == "NGHỊ QUYẾT"
    assert from_vni("ngöôøi thöïc hieän, quyeàn, giöõ, khuyûu") == "người thực hiện, quyền, giữ, khuỷu"
    conversion = convert_legacy("Chi boä sinh hoaït ñònh kyø haøng thaùng")
    assert conversion.text == "Chi bộ sinh hoạt định kỳ hàng tháng"
    assert conversion.note == "converted from legacy encoding VNI (1 line)"


def test_unicode_and_foreign_text_is_never_converted() -> None:
    text = "Đảng Cộng sản Việt Nam\nCafé, résumé, naïve, façade\nMác - Lênin, Hồ Chí Minh"
    conversion = convert_legacy(text)
    assert conversion.text == text and conversion.note is None


def test_txt_mixing_utf8_and_tcvn3_lines_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "thong-bao.txt"
    path.write_bytes(
        "THÔNG BÁO\n".encode("utf-8")
        + "vÒ viÖc x©y dùng quy chÕ d©n chñ ë c¬ së\n".encode("latin-1")
        + "1. Các chi bộ thôn họp vào ngày mùng 5.\n".encode("utf-8")
    )
    loaded = read(path)
    assert loaded.text.split("\n") == [
        "THÔNG BÁO", "về việc xây dựng quy chế dân chủ ở cơ sở", "1. Các chi bộ thôn họp vào ngày mùng 5.",
    ]
    assert loaded.warnings == ("converted from legacy encoding TCVN3 (1 line)",)


def test_txt_in_windows_1258_is_read(tmp_path: Path) -> None:
    # Windows-1258 writes most tones as combining marks after the base letter.
    text = unicodedata.normalize("NFD", "Nghị quyết về công tác tuyên giáo của Đảng")
    encoded = b"".join(_cp1258(ch) for ch in unicodedata.normalize("NFC", text))
    path = tmp_path / "nq.txt"
    path.write_bytes(encoded)
    assert read(path).text == "Nghị quyết về công tác tuyên giáo của Đảng"


def _cp1258(ch: str) -> bytes:
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        parts = unicodedata.normalize("NFD", ch)
        return unicodedata.normalize("NFC", parts[:-1]).encode("cp1258") + parts[-1].encode("cp1258")


def test_undecodable_txt_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rac.txt"
    path.write_bytes("Dòng đầu đúng UTF-8\n".encode("utf-8") + bytes(range(0x80, 0x100)) * 4)
    assert refused(path) == "not UTF-8 text (line 2), nor Vietnamese in TCVN3, VNI or Windows-1258"
