"""PDF files: the text layer, with the line wrapping of the page layout undone.

A PDF's text comes out one printed line at a time, so sentences break wherever the page
ran out of width. Downstream, a line start means "heading or new paragraph", so wrapped
lines are joined back unless the line looks like the start of a new unit.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from pypdf import PdfReader

from indexer.loaders.base import Extracted, LoadError
from knowledge.text import normalize

logger = logging.getLogger(__name__)

# Sentence punctuation after which a line break is a real paragraph end.
_SENTENCE_END = frozenset(".:;!?…")
_CLOSERS = "\"'”’»)]"
# Line starts that begin a new unit: "I.", "1.", "2.1.", "a)", bullets, "Điều 3",
# "Chương II", "Mục 2", "Phần thứ nhất", "Thứ hai,", "Kính gửi".
_BLOCK_START = re.compile(
    r"""^(?:
        [IVXLC]+\.(?:\s|$)
      | \d{1,2}(?:\.\d{1,2})*\.(?:\s|$)
      | [a-zđ]\)
      | [-+•*–—]
      | Điều\s+\d
      | (?:Chương|Phần|Mục)\s+(?:[IVXLC]+\b|\d|thứ\b)
      | Thứ\s+(?:nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b
      | Kính\s+gửi
    )""",
    re.VERBOSE,
)
# "Minh Sơn, ngày 15 tháng 3 năm 2025": the place-and-date line of a document header.
_PLACE_DATE = re.compile(r"^[^\d,]{2,40}, ngày \d{1,2} tháng \d{1,2} năm \d{4}$")
_NUMBER_LINE = re.compile(r"^Số:?\s*\d+[-/]")
_PAGE_NUMBER = re.compile(r"^[-–—]?\s*\d{1,3}\s*[-–—]?$")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?)\]”])")
_SPACE_AFTER_OPEN = re.compile(r"([(\[“]) +")
# A wrapped line shorter than this share of a full line most likely ended its paragraph.
_SHORT_LINE_SHARE = 0.6
_MIN_LINES_FOR_WIDTH = 8


def extract(data: bytes) -> Extracted:
    with _quiet_pypdf():
        pages = _page_texts(data)
    text = unwrap_lines(normalize("\n".join(pages)).split("\n"))
    if not text:
        raise LoadError("no text layer (scanned PDF?)")
    return Extracted(text)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs a warning for every small flaw it repairs; those would drown our own log."""
    pypdf_logger = logging.getLogger("pypdf")
    previous = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        pypdf_logger.setLevel(previous)


def _page_texts(data: bytes) -> list[str]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _decrypt_with_empty_password(reader):
            raise LoadError("encrypted PDF")
        pages = list(reader.pages)
    except LoadError:
        raise
    except Exception as exc:
        # pypdf raises PdfReadError, but also ValueError, KeyError, TypeError... on damage.
        logger.debug("pypdf failed", exc_info=True)
        raise LoadError("corrupt PDF") from exc
    if not pages:
        raise LoadError("PDF has no pages")
    texts: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception:
            # One damaged page should not cost the rest of the document.
            logger.warning("PDF page %d could not be read", number, exc_info=True)
    if not texts:
        raise LoadError("corrupt PDF")
    return texts


def _decrypt_with_empty_password(reader: PdfReader) -> bool:
    # Many PDFs are "encrypted" only to forbid printing or copying, with an empty user password.
    try:
        return bool(reader.decrypt(""))
    except Exception:  # missing AES support (cryptography) or a damaged encryption dictionary
        logger.debug("PDF decryption failed", exc_info=True)
        return False


def unwrap_lines(lines: list[str]) -> str:
    """Join lines the layout wrapped mid-sentence; keep breaks before headings and new items."""
    lines = [line.strip() for line in lines]
    lines = [line for line in lines if line and not _PAGE_NUMBER.match(line)]
    full_width = _typical_full_width(lines)
    paragraphs: list[str] = []
    previous = ""  # the previous physical line, not the paragraph built so far
    for line in lines:
        if paragraphs and _continues(previous, line, full_width):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
        previous = line
    text = "\n".join(paragraphs)
    # Extraction and joining leave spaces before closing punctuation and after openers.
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return _SPACE_AFTER_OPEN.sub(r"\1", text)


def _continues(previous: str, line: str, full_width: int | None) -> bool:
    if previous.rstrip(_CLOSERS)[-1:] in _SENTENCE_END:
        return False
    if full_width is not None and len(previous) < _SHORT_LINE_SHARE * full_width:
        return False
    if _BLOCK_START.match(line) or _is_caps_heading(line) or _is_caps_heading(previous):
        return False
    return not (_is_header_line(previous) or _is_header_line(line))


def _typical_full_width(lines: list[str]) -> int | None:
    """Length of a full printed line (90th percentile), when there are enough lines to tell."""
    if len(lines) < _MIN_LINES_FOR_WIDTH:
        return None
    lengths = sorted(len(line) for line in lines)
    return lengths[int(0.9 * (len(lengths) - 1))]


def _is_caps_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _is_header_line(line: str) -> bool:
    return bool(_PLACE_DATE.match(line) or _NUMBER_LINE.match(line))
