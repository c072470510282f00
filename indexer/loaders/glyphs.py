"""What PDFium tells about each glyph of a page, used where the text layer alone misleads.

- **Footnote marks.** A consolidated text (Văn bản hợp nhất) marks every amended clause
  with a footnote number set as a superscript: smaller than the text and raised above its
  baseline, glued to the word or the item label before it ("3.²", "tên⁶."). The text layer
  gives it as a plain digit ("3.2", "tên6."), which reads as a list item "3.2" or a wrong
  word; the same marks start the footnotes at the page foot ("⁵ Điều này được sửa đổi…").
  A run of 1-3 digits whose glyphs are at most `MARK_SIZE` of the neighbouring glyph's size
  and raised by at least `MARK_RAISE` of it is such a mark: it is removed, and the line
  breaks PDFium put around it (the baseline changed) are undone when the text before and
  after it shares one baseline. Unit exponents ("m²" typed as a raised 2 after "m") stay.
- **Letters the text layer does not map.** A font whose ToUnicode map lacks some glyphs
  gives U+FFFD or a private-use code point for them, or — as in "ĐIỀU LỆ ĐOÀN KHÓA XI.pdf"
  — maps them to a space: "CƠ QUAN L NH ĐẠO" for "LÃNH", "TỔ CHỨC CƠ S ĐOÀN". Such a
  glyph inside a word is found by its code point, or, for a space, by its width (a space of
  the same font is `WIDE_SPACE` times narrower on the page) between two letters. It is
  replaced by `MISSING` (with a space on a side where the glyph stands apart from its
  neighbour: "ĐẠO Ở CẤP" printed with one glyph mapped to a space) and its line's box is
  kept, so the line can be OCR'd and the letter filled in (`fill_missing`). A glyph the
  layer drops altogether leaves no trace in the text and is not found.

Character positions come in PDF points from the page's bottom left (PDFium's FPDFText_*).
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_c

from knowledge.text import fold, normalize

MISSING = "\ufffd"  # stands for a glyph whose letter the text layer does not give
MARK_SIZE = 0.8  # a footnote mark's glyphs are at most this share of the text's size
MARK_RAISE = 0.2  # ... and raised by at least this share of it above the text's baseline
MAX_MARK_DIGITS = 3
# A neighbour whose baseline is within this share of its size of the mark's is on the mark's
# line (a superscript sits at most half an em up; the next line is a line height away).
SAME_LINE = 0.6
WIDE_SPACE = 1.2  # a "space" this many times wider than the font's own spaces is a glyph
# Spaces of text fonts are 0.22-0.28 em (Times, Arial, Calibri, Cambria): a space box
# narrower than this is not looked at further, which keeps the check cheap.
MIN_SUSPECT = 0.3
APART = 0.15  # a gap this share of the size between two glyphs is a word space
_UNITS = re.compile(r"(?:^|[^\w])(?:k|c|d|m)?m$")  # "m", "cm", "km": "m2" is a square metre
_BLANK = " \r\n"

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@dataclass
class PageText:
    """A page's text with footnote marks removed and unmapped letters as `MISSING`.

    `text`: lines separated by "\\n" as PDFium orders them; `damaged`: for each line (index
    in `text.split("\\n")`) holding a `MISSING`, that line's box on the page; `marks`: how
    many footnote marks were removed."""

    text: str
    damaged: dict[int, Box] = field(default_factory=dict)
    marks: int = 0


class _Glyphs:
    """Per-character facts of one text page, looked up by text index (cached)."""

    def __init__(self, textpage: object, raw: str) -> None:
        self.page = textpage
        self.raw = raw
        self._char: dict[int, int] = {}

    def char(self, ti: int) -> int:
        if ti not in self._char:
            self._char[ti] = pdfium_c.FPDFText_GetCharIndexFromTextIndex(self.page, ti)
        return self._char[ti]

    def size(self, ti: int) -> float:
        """The glyph's size in points: the font size times the text matrix's vertical scale."""
        ci = self.char(ti)
        matrix = pdfium_c.FS_MATRIX()
        if ci < 0 or not pdfium_c.FPDFText_GetMatrix(self.page, ci, matrix):
            return 0.0
        return pdfium_c.FPDFText_GetFontSize(self.page, ci) * math.hypot(matrix.c, matrix.d)

    def baseline(self, ti: int) -> float:
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDFText_GetCharOrigin(self.page, self.char(ti), x, y)
        return y.value

    def box(self, ti: int) -> Box:
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        pdfium_c.FPDFText_GetCharBox(self.page, self.char(ti), left, right, bottom, top)
        return left.value, bottom.value, right.value, top.value

    def font(self, ti: int) -> bytes:
        buffer = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        pdfium_c.FPDFText_GetFontInfo(self.page, self.char(ti), buffer, 128, flags)
        return buffer.value

    def generated(self, ti: int) -> bool:
        ci = self.char(ti)
        return ci < 0 or pdfium_c.FPDFText_IsGenerated(self.page, ci) == 1


def read_page_text(textpage: object) -> PageText:
    """The text of one PDFium text page (`PdfTextPage`), marks removed, unmapped letters found."""
    raw: str = textpage.get_text_range()  # type: ignore[attr-defined]
    glyphs = _Glyphs(textpage, raw)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in raw, disjoint
    marks = _footnote_marks(glyphs, edits)
    covered = {ti for start, end, _ in edits for ti in range(start, end)}
    missing = [ti for ti in _unmapped(glyphs) if ti not in covered]
    for ti in missing:
        before, after = _apart(glyphs, ti)
        edits.append((ti, ti + 1, " " * before + MISSING + " " * after))
    edits.sort()
    out: list[str] = []
    at = 0
    for start, end, replacement in edits:
        out.append(raw[at:start])
        out.append(replacement)
        at = end
    out.append(raw[at:])
    text = re.sub(r"\r\n|\r", "\n", "".join(out))
    # The k-th MISSING of the text is missing[k]: its line on the page gives the box to OCR.
    damaged: dict[int, Box] = {}
    for ti, m in zip(missing, re.finditer(MISSING, text)):
        line = text.count("\n", 0, m.start())
        box = _line_box(glyphs, ti)
        if box is not None:
            old = damaged.get(line, box)
            damaged[line] = (min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3]))
    return PageText(text, damaged, marks)


def _line_box(glyphs: _Glyphs, ti: int) -> Box | None:
    """The box of the printed line holding text index ti: the union of its glyphs' boxes."""
    raw = glyphs.raw
    start = max(raw.rfind("\n", 0, ti), raw.rfind("\r", 0, ti)) + 1
    ends = [i for i in (raw.find("\r", ti), raw.find("\n", ti)) if i >= 0]
    end = min(ends) if ends else len(raw)
    parts = [glyphs.box(k) for k in range(start, end) if raw[k] not in _BLANK and not glyphs.generated(k)]
    if not parts:
        return None
    return (min(p[0] for p in parts), min(p[1] for p in parts),
            max(p[2] for p in parts), max(p[3] for p in parts))


def _footnote_marks(glyphs: _Glyphs, edits: list[tuple[int, int, str]]) -> int:
    raw = glyphs.raw
    count = 0
    for m in re.finditer(r"(?<!\d)\d{1,%d}(?!\d)" % MAX_MARK_DIGITS, raw):
        start, end = m.span()
        before = _neighbour(raw, start - 1, -1)
        after = _neighbour(raw, end, 1)
        sizes = [glyphs.size(ti) for ti in range(start, end)]
        base = glyphs.baseline(start)
        ref = None
        for side in (before, after):
            if side is None:
                continue
            size = glyphs.size(side)
            if size > 0 and abs(glyphs.baseline(side) - base) < SAME_LINE * size:
                ref = (side, size)
                break
        if ref is None or not all(0 < s <= MARK_SIZE * ref[1] for s in sizes):
            continue
        if base - glyphs.baseline(ref[0]) < MARK_RAISE * ref[1]:
            continue  # smaller but not raised: a subscript, or small type
        if before is not None and m.group(0) in ("2", "3") and _UNITS.search(raw[max(0, before - 3) : before + 1]):
            continue  # a unit's exponent: "m²"
        # Remove the mark with the blanks between its neighbours; one line still, put back
        # one space where the text had one, else keep the blanks (a line break) as they were.
        lo = before + 1 if before is not None else start
        hi = after if after is not None else end
        gap = raw[lo:start] + raw[end:hi]
        if before is not None and after is not None and abs(
            glyphs.baseline(before) - glyphs.baseline(after)
        ) < 0.5 * ref[1]:
            replacement = " " if " " in gap else ""
        else:
            replacement = gap
        edits.append((lo, hi, replacement))
        count += 1
    return count


def _neighbour(raw: str, ti: int, step: int) -> int | None:
    while 0 <= ti < len(raw) and raw[ti] in _BLANK:
        ti += step
    return ti if 0 <= ti < len(raw) else None


def _unmapped(glyphs: _Glyphs) -> list[int]:
    """Text indices of glyphs inside words whose letter the text layer does not give."""
    raw = glyphs.raw
    found: list[int] = []
    space_widths: dict[bytes, float] | None = None
    for ti, ch in enumerate(raw):
        code = ord(ch)
        if code == 0xFFFD or 0xE000 <= code <= 0xF8FF:
            if _letter_at(raw, ti - 1) or _letter_at(raw, ti + 1):
                found.append(ti)  # a bullet (private use, alone before a space) stays
            continue
        if ch != " " or not _letter_at(raw, ti - 1) or not _letter_at(raw, ti + 1):
            continue
        size = glyphs.size(ti)
        if size <= 0:
            continue
        left_edge, _, right_edge, _ = glyphs.box(ti)
        width = (right_edge - left_edge) / size
        if width < MIN_SUSPECT or glyphs.generated(ti):
            continue  # an ordinary space: most pages stop here
        if space_widths is None:
            space_widths = _space_widths(glyphs)
        typical = space_widths.get(glyphs.font(ti))
        if typical and width >= WIDE_SPACE * typical:
            found.append(ti)
    return found


def _apart(glyphs: _Glyphs, ti: int) -> tuple[bool, bool]:
    """Whether the glyph at ti stands apart from the glyph before it and the one after it (a
    gap of a space or more, `APART` of its size): a whole word mapped to a space ("ĐẠO Ở
    CẤP") needs a space on each side once it is read; a letter inside a word needs none."""
    size = glyphs.size(ti)
    left, _, right, _ = glyphs.box(ti)
    raw = glyphs.raw
    before = after = False
    if ti > 0 and raw[ti - 1] not in _BLANK:
        before = left - glyphs.box(ti - 1)[2] >= APART * size
    if ti + 1 < len(raw) and raw[ti + 1] not in _BLANK:
        after = glyphs.box(ti + 1)[0] - right >= APART * size
    return before, after


def _letter_at(raw: str, ti: int) -> bool:
    return 0 <= ti < len(raw) and raw[ti].isalpha()


def _space_widths(glyphs: _Glyphs) -> dict[bytes, float]:
    """The usual width of a space, as a share of its size, for each font on the page."""
    widths: dict[bytes, list[float]] = {}
    for ti, ch in enumerate(glyphs.raw):
        if ch != " " or glyphs.generated(ti):
            continue
        size = glyphs.size(ti)
        if size <= 0:
            continue
        left, _, right, _ = glyphs.box(ti)
        widths.setdefault(glyphs.font(ti), []).append((right - left) / size)
    return {font: statistics.median(values) for font, values in widths.items() if len(values) >= 5}


def fill_missing(line: str, read: str) -> str | None:
    """`line` with each `MISSING` replaced by the letter OCR `read` at its place, or None
    when OCR does not agree with the text layer around one of them.

    Each gap is looked for in `read` with the words around it (the word holding it and one
    word on each side), compared without marks and case and with spaces free: that context
    must occur exactly once, so only what the text layer lacks is taken from OCR, and OCR's
    slips elsewhere on the line ("CÁP" for "CẤP", a stray mark) neither spoil nor leak into
    the line.
    """
    folded_read = "".join(_fold_char(ch) for ch in read)
    out = list(line)
    for at in [i for i, ch in enumerate(line) if ch == MISSING]:
        start, end = _context(line, at)
        pieces = []
        for i in range(start, end):
            ch = line[i]
            if i == at:
                pieces.append(r"([^\W\d_])")
            elif ch == MISSING:
                pieces.append(r"[^\W\d_]")
            elif not ch.isspace():
                pieces.append(re.escape(_fold_char(ch)))
        found = list(re.finditer(r"\s*".join(pieces), folded_read))
        if len(found) != 1:
            return None
        m = found[0]
        letter = read[m.start(1)]
        neighbours = [c for c in line[max(0, at - 2) : at + 3] if c.isalpha()]
        if neighbours and all(c.isupper() for c in neighbours):
            letter = letter.upper()
        out[at] = letter
    return "".join(out)


def _context(line: str, at: int) -> tuple[int, int]:
    """Span of the word holding line[at] and one word on each side of it."""
    words = [m.span() for m in re.finditer(r"\S+", line)]
    k = next(i for i, (start, end) in enumerate(words) if start <= at < end)
    return words[max(k - 1, 0)][0], words[min(k + 1, len(words) - 1)][1]


def _fold_char(ch: str) -> str:
    folded = fold(normalize(ch))
    return folded if len(folded) == 1 else ch.lower()
