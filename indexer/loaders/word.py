"""Word documents (.docx): paragraphs and tables in the order they appear in the body.

Official documents often put their header (issuer, number, place and date) and schedules in
tables; reading `document.paragraphs` alone would lose them or move them to the end.
"""

from __future__ import annotations

import io
import logging

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from indexer.loaders.base import Extracted, LoadError

logger = logging.getLogger(__name__)

_P = qn("w:p")
_TBL = qn("w:tbl")
_SDT = qn("w:sdt")
_SDT_CONTENT = qn("w:sdtContent")


def extract(data: bytes) -> Extracted:
    try:
        document = docx.Document(io.BytesIO(data))
        lines = _block_lines(document.element.body, document)
    except Exception as exc:
        # python-docx lets zipfile, KeyError, lxml and its own errors through on damaged
        # files; to the operator they all mean the same thing.
        logger.debug("python-docx failed", exc_info=True)
        raise LoadError("corrupt DOCX") from exc
    return Extracted("\n".join(lines))


def _block_lines(container: _Element, parent: Document) -> list[str]:
    """Lines of the paragraphs and tables directly in `container`, in document order."""
    lines: list[str] = []
    for child in container.iterchildren():
        if child.tag == _P:
            lines.append(Paragraph(child, parent).text)
        elif child.tag == _TBL:
            lines.extend(_table_lines(Table(child, parent), parent))
        elif child.tag == _SDT:
            # Content controls (fillable fields in templates) wrap ordinary paragraphs.
            content = child.find(_SDT_CONTENT)
            if content is not None:
                lines.extend(_block_lines(content, parent))
    return lines


def _table_lines(table: Table, parent: Document) -> list[str]:
    """One line per row, cells joined with " | "; a merged cell is written once per row."""
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[_Element] = []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            # A cell may hold several paragraphs or a nested table: one row stays one line.
            text = " ".join(line.strip() for line in _block_lines(cell._tc, parent) if line.strip())
            cells.append(text)
        if any(cells):
            lines.append(" | ".join(cells))
    return lines
