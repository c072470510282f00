"""PDF files: the text layer page by page, scanned pages OCR'd, page furniture removed, and
the line wrapping of the page layout undone.

The text layer is read with PDFium (pypdfium2): measured on the real PDFs it splits no
syllables where pypdf split 3.8 per 100 words ("Đảng C ộng s ản"), and it is ten times faster
(`bench/split_syllables.py`). A page with no usable text layer — a scan, or a scan whose only
text is a stamp, a watermark or a page number — is rendered and OCR'd (`indexer.loaders.ocr`)
so a PDF that mixes text and scanned pages keeps both, in page order. Running headers,
footers and page numbers are removed per page (`running_heads`), so a sentence that runs
from one page onto the next is joined whole. A PDF's text comes out one printed line at a
time, so sentences break wherever the page ran out of width. Downstream, a line start means
"heading or new paragraph", so wrapped lines are joined back unless the line looks like the
start of a new unit.

PDFium is not thread-safe, not even across documents (pypdfium2's documentation: calls from
two threads at once crash or corrupt the process), and the indexer reads several files at
once on threads: every PDFium call here runs under `PDFIUM_LOCK`. Tesseract, the slow part,
runs outside it, so scanned pages of different files are OCR'd side by side.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL.Image import Image as PILImage
from tqdm import tqdm

from indexer.loaders import ocr
from indexer.loaders.base import Extracted, LoadError, LoadOptions
from indexer.loaders.glyphs import MISSING, Box, fill_missing, read_page_text
from knowledge.legacy import convert_legacy
from indexer.loaders.repair import repair_line
from indexer.loaders.running_heads import is_page_number, strip_furniture
from knowledge.text import normalize

logger = logging.getLogger(__name__)

# A page with fewer letters than this in its text layer is only taken as read when no
# image covers much of it: a stamp ("Ký bởi: ... Thời gian ký: ..."), a watermark or a page
# number over a scan stays well under it, while a page of body text has 1,500 or more.
MIN_TEXT_LETTERS = 200
# Share of the page that images cover, above which a page short of text is a scan.
SCAN_IMAGE_SHARE = 0.3
# Characters no text layer is made of (private use, U+FFFD): this many, outnumbering the
# Latin letters, and the layer is taken for unreadable.
MIN_GARBAGE = 50

# Lines with unmapped letters are OCR'd at no less than this resolution: one line costs
# little, and heading marks (Ỉ against Í) came back right at 400 dpi where 300 misread them.
LINE_OCR_DPI = 400

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
# One PDFium call at a time in this process (see the module's docstring).
PDFIUM_LOCK = threading.RLock()


@dataclass
class _Page:
    number: int  # 1-based
    lines: list[str]
    scanned: bool = False
    ocr: bool = False
    # Lines (index in `lines`) holding glyphs the text layer does not map, with their boxes.
    damaged: dict[int, Box] = field(default_factory=dict)


def extract(data: bytes, options: LoadOptions | None = None) -> Extracted:
    """Text of a PDF. Raises LoadError for a damaged, encrypted, empty or too long PDF, and
    for one with no text at all (the reason says which scanned pages were not read and
    what to install)."""
    options = options or LoadOptions()
    warnings: list[str] = []
    with PDFIUM_LOCK:
        document = _open(data, options)
    try:
        with PDFIUM_LOCK:
            pages = _read_pages(document)
        scanned = [page for page in pages if page.scanned]
        started = time.perf_counter()
        not_read = _ocr_pages(document, scanned, options, warnings) if scanned else []
        _repair_unmapped(document, [p for p in pages if p.damaged and not p.ocr], options, warnings)
        ocr_seconds = time.perf_counter() - started  # pages, then lines with unmapped letters
    finally:
        with PDFIUM_LOCK:
            document.close()
    for page in pages:
        page.lines = [line for line in page.lines if line.strip()] if not page.ocr else page.lines
    if not_read:
        warnings.insert(0, _not_read_warning(not_read, options))
        for page in not_read:
            page.lines = []  # a stamp or page number over an unread scan is not its content
    content, running = strip_furniture([page.lines for page in pages])
    # Legacy encodings before `normalize`: it maps Ð (TCVN3's é) to Đ.
    conversion = convert_legacy("\n".join(line for page_lines in content for line in page_lines))
    if conversion.note:
        warnings.append(conversion.note)
    lines = [repair_line(line) for line in conversion.text.split("\n")]
    text = unwrap_lines(normalize("\n".join(lines)).split("\n"))
    if not text:
        raise LoadError(warnings[0] if warnings else "no text (blank pages)")
    return Extracted(
        text,
        pages=len(pages),
        ocr_pages=sum(page.ocr for page in pages),
        ocr_seconds=ocr_seconds,
        warnings=tuple(warnings),
        running_lines=tuple(normalize(line) for line in running),
    )


def _open(data: bytes, options: LoadOptions) -> pdfium.PdfDocument:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        logger.debug("PDFium cannot open the PDF", exc_info=True)
        raise LoadError(_damage_reason(data)) from exc
    count = len(document)
    if count == 0:
        document.close()
        raise LoadError("PDF has no pages")
    if count > options.max_pages:
        document.close()
        raise LoadError(f"{count} pages, more than MAX_PAGES={options.max_pages}")
    return document


def _damage_reason(data: bytes) -> str:
    """Why PDFium could not open a PDF. Its error code is process-wide and may be left over
    from an earlier file (an empty page tree fails with "Success"), so pypdf tells a
    password-protected file and an empty one from damage."""
    from pypdf import PdfReader

    pypdf_logger = logging.getLogger("pypdf")
    previous = pypdf_logger.level
    pypdf_logger.setLevel(logging.CRITICAL)  # it logs every flaw it meets; ours is the verdict
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return "encrypted PDF (needs a password)"
        if len(reader.pages) == 0:
            return "PDF has no pages"
    except Exception:  # pypdf raises many types on damage; the answer is the same
        logger.debug("pypdf cannot read the PDF either", exc_info=True)
    finally:
        pypdf_logger.setLevel(previous)
    return "corrupt PDF"


def _read_pages(document: pdfium.PdfDocument) -> list[_Page]:
    pages: list[_Page] = []
    for index in range(len(document)):
        try:
            page = document[index]
        except pdfium.PdfiumError:
            logger.warning("PDF page %d could not be read", index + 1, exc_info=True)
            pages.append(_Page(index + 1, []))
            continue
        try:
            textpage = page.get_textpage()
            try:
                read = read_page_text(textpage)
            finally:
                textpage.close()
            # Blank lines in a text layer are layout, not paragraph breaks (unlike OCR's):
            # they go once unmapped letters are repaired (line indices point into them).
            lines = [unicodedata.normalize("NFC", line) for line in read.text.split("\n")]
            pages.append(_Page(index + 1, lines, scanned=_looks_scanned(page, lines), damaged=read.damaged))
        finally:
            page.close()
    return pages


def _looks_scanned(page: pdfium.PdfPage, lines: list[str]) -> bool:
    """A page without a usable text layer (see `text_layer_verdict`); the page's images and
    drawings are looked at only when its text alone does not settle it."""
    verdict = text_layer_verdict(lines)
    if verdict is not None:
        return verdict
    width, height = page.get_size()
    area = max(width * height, 1.0)
    covered, drawn = 0.0, False
    for obj in page.get_objects(max_depth=3):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            covered += max(0.0, min(right, width) - max(left, 0.0)) * max(
                0.0, min(top, height) - max(bottom, 0.0)
            )
            drawn = True
        elif obj.type in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_SHADING):
            drawn = True
    if covered / area >= SCAN_IMAGE_SHARE:
        return True
    return _latin_letters(lines) == 0 and drawn


def text_layer_verdict(lines: list[str]) -> bool | None:
    """True: the text layer is unusable, read the page by OCR; False: it is the page's text;
    None: too little text to tell without looking at the page's images.

    Usable text is letters of the Latin script (Vietnamese included), page numbers left out.
    A layer made mostly of private-use code points or U+FFFD — what a font without a Unicode
    map gives — is unusable once there are `MIN_GARBAGE` of them, outnumbering the Latin
    letters. (A page in another script keeps its layer: OCR for Vietnamese would do worse.)
    """
    body = [line for line in lines if not is_page_number(line)]
    latin = _latin_letters(body)
    garbage = sum(_is_garbage(ch) for line in body for ch in line)
    if garbage >= MIN_GARBAGE and garbage > latin:
        return True
    if latin >= MIN_TEXT_LETTERS:
        return False
    return None


def _latin_letters(lines: list[str]) -> int:
    return sum(ch.isalpha() and _is_latin(ch) for line in lines for ch in line)


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return code < 0x250 or 0x1E00 <= code <= 0x1EFF


def _is_garbage(ch: str) -> bool:
    code = ord(ch)
    return 0xE000 <= code <= 0xF8FF or code == 0xFFFD


def _ocr_pages(
    document: pdfium.PdfDocument, scanned: list[_Page], options: LoadOptions, warnings: list[str]
) -> list[_Page]:
    """OCR the scanned pages in place; returns the ones that could not be read."""
    if options.ocr == "off" or ocr.missing_reason(options.tesseract, options.ocr_language):
        return scanned
    not_read: list[_Page] = []
    bar = tqdm(scanned, desc="OCR", unit="page", leave=False, disable=not options.progress)
    for page in bar:
        try:
            image = _render(document, page.number, options.ocr_dpi / 72)
            text = ocr.recognise(image, command=options.tesseract, languages=options.ocr_language)
        except (pdfium.PdfiumError, RuntimeError) as exc:
            logger.warning("OCR of page %d failed: %s", page.number, exc)
            warnings.append(f"page {page.number} could not be OCR'd ({exc})")
            continue
        # Tesseract ends each block with a blank line: kept, they mark paragraph ends.
        page.lines = [unicodedata.normalize("NFC", line) for line in text.split("\n")]
        page.ocr = True
    return not_read


def _render(
    document: pdfium.PdfDocument, number: int, scale: float, box: Box | None = None
) -> PILImage:
    """Page `number` (1-based), or the region `box` of it padded by a quarter of its height,
    as a grey image at `scale` that owns its pixels: PDFium's bitmap is copied and closed
    under the lock, so no PDFium object is left for the garbage collector to close later from
    whichever thread it runs in."""
    with PDFIUM_LOCK:
        pdf_page = document[number - 1]
        try:
            crop = (0.0, 0.0, 0.0, 0.0)
            if box is not None:
                width, height = pdf_page.get_size()
                pad = 0.25 * (box[3] - box[1]) + 2
                crop = (max(box[0] - pad, 0.0), max(box[1] - pad, 0.0),
                        max(width - box[2] - pad, 0.0), max(height - box[3] - pad, 0.0))
            bitmap = pdf_page.render(scale=scale, crop=crop, grayscale=True)
            try:
                return bitmap.to_pil().copy()
            finally:
                bitmap.close()
        finally:
            pdf_page.close()


def _repair_unmapped(
    document: pdfium.PdfDocument, pages: list[_Page], options: LoadOptions, warnings: list[str]
) -> None:
    """Fill in the letters a text layer does not map (`glyphs.MISSING`) by OCR of just their
    lines, when OCR is available; otherwise, or where OCR does not agree with the line's
    other letters, the gap stays a space (as the layer gave it) and a warning says where."""
    unavailable = "OCR is off (OCR=off)" if options.ocr == "off" else ocr.missing_reason(
        options.tesseract, options.ocr_language)
    repaired = 0
    left: list[tuple[int, str]] = []  # (page number, line as read)
    for page in pages:
        for index, box in sorted(page.damaged.items()):
            line = page.lines[index]
            filled = _ocr_line(document, page.number, box, line, options) if unavailable is None else None
            if filled is not None:
                page.lines[index] = filled
                repaired += 1
            else:
                page.lines[index] = line.replace(MISSING, " ")
                left.append((page.number, page.lines[index].strip()))
    if repaired:
        logger.info("%d lines with letters missing from the text layer repaired by OCR", repaired)
    if left:
        where = ", ".join(dict.fromkeys(str(number) for number, _ in left))
        example = " ".join(normalize(left[0][1]).split())[:60]
        why = unavailable or "OCR did not read them back"
        warnings.append(
            f"{len(left)} line{'s' * (len(left) != 1)} with letters missing from the text layer "
            f"(page {where}, e.g. \"{example}\") not repaired: {why}"
        )


def _ocr_line(
    document: pdfium.PdfDocument, number: int, box: Box, line: str, options: LoadOptions
) -> str | None:
    """The line with its missing letters read by OCR from the region `box` of page `number`,
    or None."""
    try:
        image = _render(document, number, max(options.ocr_dpi, LINE_OCR_DPI) / 72, box)
        read = ocr.recognise(image, command=options.tesseract, languages=options.ocr_language,
                             single_line=True)
    except (pdfium.PdfiumError, RuntimeError) as exc:
        logger.warning("OCR of a line failed: %s", exc)
        return None
    filled = fill_missing(line, unicodedata.normalize("NFC", read.strip()))
    if filled is None:
        logger.info("OCR %r does not agree with the text layer's %r", read.strip(), line)
    return filled


def _not_read_warning(pages: list[_Page], options: LoadOptions) -> str:
    numbers = ", ".join(str(page.number) for page in pages)
    count = f"{len(pages)} scanned page{'s' * (len(pages) != 1)} not read (page {numbers})"
    if options.ocr == "off":
        return f"{count}: OCR is off (OCR=off)"
    reason = ocr.missing_reason(options.tesseract, options.ocr_language)
    return f"{count}: {reason}"


def unwrap_lines(lines: list[str]) -> str:
    """Join lines the layout wrapped mid-sentence; keep breaks before headings and new items,
    and at blank lines (OCR marks the end of a block with one)."""
    lines = [line.strip() for line in lines]
    lines = [line for line in lines if not _PAGE_NUMBER.match(line)]
    full_width = _typical_full_width([line for line in lines if line])
    paragraphs: list[str] = []
    previous = ""  # the previous physical line, not the paragraph built so far
    for line in lines:
        if not line:
            previous = "."  # a blank line ends the paragraph, like a full stop
            continue
        if paragraphs and _continues(previous, line, full_width):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
        previous = line
    text = "\n".join(paragraphs)
    # Extraction and joining leave spaces before closing punctuation and after openers.
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return _SPACE_AFTER_OPEN.sub(r"\1", text)


def continues_across_pages(previous: str, line: str) -> bool:
    """Whether `line`, the first line of a page, goes on with the sentence that `previous`
    ended the page before with: the rule `unwrap_lines` applies to wrapped lines, without
    the line-width test (a page's last line may be short or full)."""
    return bool(previous) and _continues(previous, line, None)


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
