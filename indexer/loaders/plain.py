"""Plain text files (.txt): decoded as they are; structure lives in their line breaks.

Text files made from paged documents (OCR output, a PDF saved as text) carry their page
breaks: a form feed (U+000C, what `pdftotext` and many OCR tools write) or a marker line
("--- PAGE BREAK ---", "=== Page 3 ===", "[Trang 3]"). Such a file gets the clean-up a
PDF's pages get (`running_heads`): running headers and footers and page numbers standing
next to a break are removed, the markers themselves are dropped, and a sentence that runs
on from one page to the next is joined whole, so none of them lands inside a quote.
"""

from __future__ import annotations

import re

from indexer.loaders.base import Extracted, decode_text
from indexer.loaders.pdf import continues_across_pages
from indexer.loaders.running_heads import strip_furniture

# A line that only marks a page break: the words PAGE BREAK, or a page number set off by
# rules or brackets ("--- Page 3 ---", "=== Trang 3/12 ===", "[Page 3]", "<page 3>"). A bare
# "Trang 3" is a page number, not a marker: the furniture step drops it near a break.
_MARKER = re.compile(
    r"""^\s*(?:
        [-=*_~#\[<(\s]*\bpage\s*break\b[-=*_~#\]>)\s]*
      | [-=*_~#]{2,}\s*(?:page|trang)\s*\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?\s*[-=*_~#]{2,}
      | [\[<]\s*(?:page|trang)\s*\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?\s*[\]>]
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def extract(data: bytes) -> Extracted:
    text = decode_text(data)
    pages = split_pages(text)
    if len(pages) < 2:
        return Extracted(text)
    content, running = strip_furniture(pages)
    return Extracted(join_pages(content), running_lines=tuple(running))


def split_pages(text: str) -> list[list[str]]:
    """The lines of each page of a text whose page breaks are marked (form feeds or marker
    lines); one page when it has none. Marker lines are dropped; blank lines are kept."""
    pages: list[list[str]] = [[]]
    for line in re.split(r"\r\n|\r|\n", text):
        parts = line.split("\f")
        for i, part in enumerate(parts):
            if i:
                pages.append([])
            if _MARKER.match(part):
                if pages[-1] and any(x.strip() for x in pages[-1]):
                    pages.append([])
                continue
            pages[-1].append(part)
    return [page for page in pages if any(line.strip() for line in page)] or [[]]


def join_pages(pages: list[list[str]]) -> str:
    """The pages' lines as one text; at each break, the blank lines around it go and the
    page's last line is joined with the next page's first when the sentence runs on."""
    lines: list[str] = []
    for page in pages:
        body = _trim_blank(page)
        if not body:
            continue
        if lines and continues_across_pages(lines[-1].strip(), body[0].strip()):
            lines[-1] = f"{lines[-1].rstrip()} {body[0].strip()}"
            body = body[1:]
        elif lines:
            lines.append("")  # a break that ends a paragraph stays a paragraph end
        lines.extend(body)
    return "\n".join(lines)


def _trim_blank(page: list[str]) -> list[str]:
    start = next((i for i, line in enumerate(page) if line.strip()), len(page))
    end = next((i for i in range(len(page), 0, -1) if page[i - 1].strip()), 0)
    return page[start:end]
