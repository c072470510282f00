"""Page furniture of PDFs: running headers and footers, and page numbers, found per page.

A header or footer repeated on every page ("ĐẢNG BỘ TỈNH MINH SƠN – BAN TUYÊN GIÁO TỈNH ỦY",
"CÔNG BÁO/Số 1003 + 1004/Ngày 29-12-2013 5", "Tài liệu ... – trang 2") is not content: left
in, it lands in the middle of the sentence that runs from one page onto the next. A line is
taken for one when, with its digits masked (page numbers and dates change), it stands within
the first `ZONE` lines of at least half of the pages (and of at least two), or within the last
`ZONE` lines of as many: top and bottom are counted apart, so a body sentence that happens to
end one page and start the next is not taken for furniture. A line
that is only a page number ("5", "- 5 -", "Trang 5", "5/35") is dropped from those zones on
any page. Structural headings ("Điều 5", "1.", "II.") are never taken for furniture, even
when several pages happen to start with one.
"""

from __future__ import annotations

import re
from collections import Counter

ZONE = 3  # lines at the top and at the bottom of a page where furniture stands
_MIN_SHARE = 0.5

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_EDGE_NUMBERS = re.compile(r"^(?:# )+|(?: #)+$")
_PAGE_NUMBER = re.compile(
    r"^[-–—(\[]?\s*(?:trang|page)?\s*\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–—)\]]?$", re.IGNORECASE
)
_STRUCTURE = re.compile(
    r"^(?:[IVXLC]+\.|\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\)|(?:Điều|Chương|Mục|Phần)\s+\S)",
    re.IGNORECASE,
)


def is_page_number(line: str) -> bool:
    """"5", "- 5 -", "Trang 5", "5/35", "(5)" → True."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def _key(line: str) -> str:
    key = _SPACES.sub(" ", _DIGITS.sub("#", line.strip().casefold()))
    # "CÔNG BÁO/Số ... 5" and "4 CÔNG BÁO/Số ...": the page number moves from side to side.
    return _EDGE_NUMBERS.sub("", key).strip()


def strip_furniture(pages: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Remove running headers, footers and page numbers from each page's lines.

    `pages`: each page's lines, top to bottom (blank lines allowed). Returns the pages without
    them and the distinct furniture lines removed (first printed form, page numbers left out).
    """
    zones = [_zone(page) for page in pages]
    needed = max(2, _MIN_SHARE * len(pages))
    running: set[str] = set()
    for edge in (_top, _bottom):
        counts: Counter[str] = Counter()
        for page in pages:
            counts.update({_key(page[i]) for i in edge(page)})
        running.update(key for key, n in counts.items() if n >= needed and key and key != "#")
    removed: dict[str, str] = {}
    out: list[list[str]] = []
    for page, zone in zip(pages, zones):
        kept: list[str] = []
        for i, line in enumerate(page):
            if i in zone and not _STRUCTURE.match(line.strip()):
                if is_page_number(line):
                    continue
                key = _key(line)
                if key in running:
                    removed.setdefault(key, _without_edge_number(line.strip()))
                    continue
            kept.append(line)
        out.append(kept)
    return out, list(removed.values())


def _top(page: list[str]) -> list[int]:
    """Indices of the first ZONE non-blank lines of a page."""
    return [i for i, line in enumerate(page) if line.strip()][:ZONE]


def _bottom(page: list[str]) -> list[int]:
    """Indices of the last ZONE non-blank lines of a page."""
    return [i for i, line in enumerate(page) if line.strip()][-ZONE:]


def _zone(page: list[str]) -> set[int]:
    return set(_top(page)) | set(_bottom(page))


def _without_edge_number(line: str) -> str:
    return re.sub(r"^\d{1,4}\s+|\s+\d{1,4}$", "", line)
