"""Fixtures for reading real documents: the shared inputs (read in place), skips that say what
to install, OCR done once per session, and PDFs the tests make (scans, stamps, long files).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from indexer.loaders import LoadedText, LoadOptions, load_file
from indexer.loaders import ocr

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CASES = SHARED / "cases"
REALDOCS = SHARED / "realdocs"
SCANNED = CASES / "scanned-pdf"
SCAN_ONLY = "thong-bao-27-TB-DU-ban-scan.pdf"
SCAN_PAGE_2 = "thong-bao-27-TB-DU-trang-2-scan.pdf"
NO_OCR = LoadOptions(ocr="off")


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared input missing: {path}")
    return path


@pytest.fixture(scope="session")
def tesseract() -> None:
    """Skips, saying what to install, where Tesseract or its Vietnamese data is missing."""
    missing = ocr.missing_reason("tesseract", "vie")
    if missing:
        pytest.skip(f"OCR tests: {missing} (make install-ocr)")


@pytest.fixture(scope="session")
def soffice() -> None:
    if shutil.which("soffice") is None:
        pytest.skip(".doc tests: install LibreOffice (make install-doc)")


@pytest.fixture(scope="session")
def ocr_cases(tesseract: None) -> dict[str, LoadedText]:
    """The scanned-PDF cases read once per session with OCR (a few seconds a page)."""
    loaded: dict[str, LoadedText] = {}
    for name in (SCAN_ONLY, SCAN_PAGE_2):
        (item,) = load_file(need(SCANNED / name), SCANNED, options=LoadOptions(ocr="auto"))
        loaded[name] = item
    return loaded


def page_image_pdf(source: Path, page_index: int = 0, *, stamp: str | None = None) -> bytes:
    """A one-page scan made from a page of `source`: the page rendered at 150 dpi and put back
    as a full-page image, with no text layer, or with only `stamp` written over it in a
    corner (as a digital-signature stamp or a watermark is)."""
    document = pdfium.PdfDocument(source)
    try:
        image = document[page_index].render(scale=150 / 72, grayscale=True).to_pil()
    finally:
        document.close()
    pdf = FPDF(unit="pt", format=(595, 842))
    pdf.add_page()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf.image(buffer, x=0, y=0, w=595, h=842)
    if stamp:
        pdf.set_font("Helvetica", size=7)  # a core font: no TTF needed for an ASCII stamp
        pdf.text(400, 830, stamp)
    return bytes(pdf.output())
