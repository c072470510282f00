"""What every loader returns and raises, and the text clean-up they all share."""

from __future__ import annotations

import codecs
import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from indexer.loaders.legacy import convert_legacy, valid_share
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


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Share of a legacy-decoded text's words that must be Vietnamese syllables for the reading to
# be believed; binary junk or another language stays well below it.
_LEGACY_MIN_VALID = 0.6


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 (BOM optional), UTF-16 when it says so with a BOM, or, for
    bytes that are not UTF-8, Vietnamese in a legacy 8-bit encoding.

    Legacy text is read line by line (a file may mix UTF-8 lines with lines pasted from an
    old document): each line that is not UTF-8 is read as TCVN3 or VNI (`legacy`) or as
    Windows-1258, whichever makes the most valid Vietnamese syllables; a reading is believed
    only when most of its words are syllables, so a wrong guess is refused rather than
    indexed as plausible garbage. Raises LoadError otherwise. TCVN3 and VNI lines are
    returned as their Latin-1 stand-ins: the caller converts them with
    `legacy.convert_legacy`, which also says how many lines it converted.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError("not UTF-16 text") from exc
    if b"\x00" in data:
        # UTF-8 text never contains NUL; this is a binary file with a text suffix.
        raise LoadError("binary content")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


def _decode_legacy(data: bytes) -> str:
    lines: list[str] = []
    legacy: list[int] = []
    for raw in data.split(b"\n"):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            legacy.append(len(lines))
            lines.append(raw.decode("latin-1"))
    readings = {"TCVN3/VNI": lines}
    try:
        windows = list(lines)
        for i in legacy:
            windows[i] = data.split(b"\n")[i].decode("cp1258")
        readings["Windows-1258"] = windows
    except UnicodeDecodeError:
        pass
    converted = convert_legacy("\n".join(lines)).text.split("\n")
    scored = {"TCVN3/VNI": _valid_share([converted[i] for i in legacy])}
    if "Windows-1258" in readings:
        scored["Windows-1258"] = _valid_share([readings["Windows-1258"][i] for i in legacy])
    best = max(scored, key=lambda name: scored[name])
    if scored[best] < _LEGACY_MIN_VALID:
        first = legacy[0] + 1
        raise LoadError(f"not UTF-8 text (line {first}), nor Vietnamese in TCVN3, VNI or Windows-1258")
    logger.info("%d lines read as %s", len(legacy), best)
    return "\n".join(readings[best])


def _valid_share(lines: list[str]) -> float:
    return valid_share(unicodedata.normalize("NFC", " ".join(lines)))
