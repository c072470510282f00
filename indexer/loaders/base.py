"""What every loader returns and raises, and the text clean-up they all share."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from knowledge.textfile import NotText
from knowledge.textfile import decode_text as _decode
from knowledge.text import normalize

logger = logging.getLogger(__name__)

OcrMode = Literal["auto", "off"]


@dataclass(frozen=True)
class LoadOptions:
    """How files are read; the entry point builds it from the settings (OCR, MAX_PAGES...).

    `ocr`: "auto" OCRs the pages of a PDF that have no usable text layer when Tesseract and
    its Vietnamese data are installed; "off" never does (those pages are reported as not
    read). `ocr_language`: Tesseract language codes ("vie", or "vie+eng"). `ocr_dpi`: page
    rendering resolution for OCR (300 is Tesseract's recommended scan resolution).
    `max_pages`: a PDF with more pages is skipped, which bounds time and memory per file.
    `doc_timeout`: seconds LibreOffice may take to convert one `.doc`. `progress`: show a
    progress bar (stderr) while a file's pages are OCR'd: only the CLI sets it.
    `tesseract` and `soffice`: the commands run for OCR and for `.doc` conversion (names
    looked up on PATH, or full paths).
    """

    ocr: OcrMode = "auto"
    tesseract: str = "tesseract"
    soffice: str = "soffice"
    ocr_language: str = "vie"
    ocr_dpi: int = 300
    max_pages: int = 2000
    doc_timeout: float = 120.0
    progress: bool = False


@dataclass(frozen=True)
class LoadedText:
    """The text of one document (or one JSONL passage), ready for metadata parsing and chunking.

    `text` is normalised (`knowledge.text.normalize`) with one paragraph or line per "\\n",
    each stripped, blank lines dropped, so that headings ("II. NHIỆM VỤ", "1.", "a)") start lines.
    `fields` holds only metadata the file states explicitly (front matter, JSONL fields).

    What the reading itself found, for the index summary and for metadata:
    `pages`: the file's page count (PDF) or None where the format has no pages;
    `ocr_pages`: pages whose text came from OCR, `ocr_seconds` the wall time it took
    (rendering and Tesseract); `warnings`: short English notes on what
    could not be read faithfully ("2 scanned pages not read: install tesseract-ocr ...",
    "converted from TCVN3"), one line each; `running_lines`: running headers and footers
    removed from every page of a PDF (e.g. "CÔNG BÁO/Số 1003 + 1004/Ngày 29-12-2013"), each
    once as first printed, page numbers left out: page furniture is not content, but it may
    name the gazette or the issuing body.
    """

    doc_id: str
    source: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)
    pages: int | None = None
    ocr_pages: int = 0
    ocr_seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    running_lines: tuple[str, ...] = ()


class LoadError(Exception):
    """A file that cannot be turned into text; `reason` is a short English explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Extracted:
    """Raw text and explicit metadata from a single-document format, before clean-up;
    `pages`, `ocr_pages`, `ocr_seconds`, `warnings` and `running_lines` as in `LoadedText`."""

    text: str
    fields: dict[str, Any] = field(default_factory=dict)
    pages: int | None = None
    ocr_pages: int = 0
    ocr_seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    running_lines: tuple[str, ...] = ()


def clean_text(raw: str) -> str:
    """Normalise, strip every line and drop blank ones: one paragraph per line."""
    lines = (line.strip() for line in normalize(raw).split("\n"))
    return "\n".join(line for line in lines if line)


def normalize_value(value: Any) -> Any:
    """Normalise strings inside a metadata value, leaving dates, numbers and keys alone."""
    if isinstance(value, str):
        return normalize(value).strip()
    if isinstance(value, list):
        return [normalize_value(item) for item in value]
    return value


def decode_text(data: bytes) -> str:
    """knowledge.textfile.decode_text, its refusal raised as LoadError (the loaders' error)."""
    try:
        return _decode(data)
    except NotText as exc:
        raise LoadError(str(exc)) from exc
