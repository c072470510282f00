"""Tables written for spreadsheets and shell tools: every CSV/TSV export goes through here.

Cells hold what people typed (display names, unit names, poll questions and options), so two
things are made safe, following OWASP's "CSV Injection" guidance:
- a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be read
  as a formula by Excel, LibreOffice or Google Sheets; it gets a leading `'` (shown as text,
  the apostrophe hidden). A cell that is only a number ("-1001234567", a Telegram group id)
  is left as it is: a plain number is not a formula.
- a cell holding the delimiter, a quote, a newline or a carriage return is quoted by the
  standard csv module, so a display name with a tab or a newline stays one cell and cannot
  forge rows. Lines end with CRLF (RFC 4180), which is also what makes the csv module quote
  a lone carriage return inside a cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def safe_cell(value: object) -> object:
    """A cell value that no spreadsheet runs as a formula (numbers and None untouched)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return "" if value is None else value


def table(rows: Iterable[Sequence[object]], *, delimiter: str = ",") -> str:
    """Rows as CSV (or TSV with delimiter="\\t"), cells made safe, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def tsv(rows: Iterable[Sequence[object]]) -> str:
    return table(rows, delimiter="\t")


__all__ = ["FORMULA_STARTS", "safe_cell", "table", "tsv"]
