"""Dates in document headers and metadata fields.

"Hà Nội, ngày 15 tháng 5 năm 2016", "10/1/2022", "29-6-2022", "02.12.2022 16:53" (a signature
stamp). The issue date is the header's; a gazette page header ("CÔNG BÁO/Số …/Ngày …") gives
the publication date and a signature stamp the signing time, neither the issue date (Nghị định
30/2020/NĐ-CP, Phụ lục I: the place-and-date line is the issue date).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from knowledge.text import fold, normalize

_WRITTEN_DATE = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/])")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_PRINTED_YEAR = re.compile(r"nam\s+(\d{4})\b")


def header_date(
    lines: list[str], folded: list[str], roles: list[str | None],
    type_at: int | None, number_at: int | None, title_at: int | None,
) -> date | None:
    """The first real date of the header and title; later lines only mention other papers.
    A gazette's page header (its publication date) and a signature stamp do not count.

    The header's date sits above the type line; a công văn (no type line) may put it just
    under its "V/v" subject line; an article or title sentence dates itself by its title at
    the latest."""
    if type_at is not None:
        end = type_at
    elif number_at is not None:
        end = number_at + 3
    else:
        end = title_at if title_at is not None else len(lines)
    for i, line in enumerate(folded[: end + 1]):
        if roles[i] in ("gazette", "e_signature"):
            continue
        if found := date_in(line):
            return found
    return None


def signature_time(
    lines: list[str], folded: list[str], roles: list[str | None], type_at: int | None
) -> date | None:
    """A digital signature's time stands in for the printed date only when the header prints
    a date line that cannot be read ("Hà Nội, ngày ñ| tháng 42 năm 2022" after OCR) and the
    stamp's year is the year that line shows."""
    end = type_at if type_at is not None else min(len(lines), 12)
    printed = [f for f, role in zip(folded[:end], roles[:end]) if role != "e_signature" and re.search(r",\s*ngay\b", f)]
    years = {int(y) for f in printed for y in _PRINTED_YEAR.findall(f)}
    if not years:
        return None
    for f, role in zip(folded, roles):
        if role == "e_signature" and (found := date_in(f)) and found.year in years:
            return found
    return None


def date_in(folded_line: str) -> date | None:
    candidates: list[tuple[int, int, int, int]] = []
    for m in _WRITTEN_DATE.finditer(folded_line):
        candidates.append((m.start(), int(m[3]), int(m[2]), int(m[1])))
    for m in _NUMERIC_DATE.finditer(folded_line):
        candidates.append((m.start(), int(m[4]), int(m[3]), int(m[1])))
    for _, year, month, day in sorted(candidates):
        if 1900 <= year <= 2100:
            try:
                return date(year, month, day)
            except ValueError:
                continue
    return None


def parse_date(value: Any) -> date | None:
    """A date from a field: date/datetime objects, "2024-12-22", "22/12/2024", "ngày 22 tháng 12 năm 2024"."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = fold(normalize(value).strip())
    if m := _ISO_DATE.match(text):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return date_in(text)
