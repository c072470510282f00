"""Who issued a document: the header's issuing body, the collective a signature acts for,
or the body that adopted it ("… thông qua ngày …").

Sources of the rules: Nghị định 30/2020/NĐ-CP, Phụ lục I (the issuing body sits top left, its
parent body above it; the motto top right is not a body), Hướng dẫn 36-HD/VPTW (Party
documents: "T/M BAN CHẤP HÀNH TRUNG ƯƠNG", "T/M BỘ CHÍNH TRỊ", "T/M BAN BÍ THƯ" name the
collective that decided), and the adoption clause of constitutions, charters and án lệ
("được Hội đồng Thẩm phán Tòa án nhân dân tối cao thông qua ngày 06 tháng 4 năm 2016").
"""

from __future__ import annotations

import re

from indexer.header import GAZETTE, NUMBER_LINE, SEPARATOR, SIGN_FOR, is_caps, strip_mottos
from indexer.names import COMMITTEES, title_case
from knowledge.text import fold

_SUB_BODIES = ("ban ", "van phong", "uy ban kiem tra")
# Central bodies whose "T/M …" names the issuer more exactly than the letterhead "BAN CHẤP
# HÀNH TRUNG ƯƠNG" above them (Hướng dẫn 36-HD/VPTW).
_CENTRAL_ORGANS = {"bo chinh tri", "ban bi thu", "ban chap hanh trung uong"}
_ADOPTED = re.compile(r"thông\s+qua\s+(?:vào\s+)?ngày", re.IGNORECASE)
_ADOPTER_START = re.compile(r"(?:\(|\b[Đđ]ược\s+)")
_ADOPTER_TRIM = re.compile(r"(?:,?\s+kỳ\s+họp\s+thứ\s+\S+|,?\s+kh(?:óa|oá)\s+[IVXLC]+)+$", re.IGNORECASE)  # both tone placements


def header_segments(line: str) -> list[str]:
    """The pieces of one header line that may name a body: table cells and separator-split
    parts, each cut before its "Số …" and its "<place>, ngày …", mottos removed."""
    out: list[str] = []
    for cell in re.split(r"\s\|\s|^\|\s*|\s*\|$", line):
        for part in re.split(r"\s*(?:\*{1,3}|-{3,}|_{3,})\s*", cell):
            if m := NUMBER_LINE.match(part):
                part = m["pre"]
            part = _before_place_date(part)
            part = strip_mottos(part).strip(" -–—:|*")
            if part:
                out.append(part)
    return out


def _before_place_date(part: str) -> str:
    """"ĐOÀN TNCS HỒ CHÍ MINH Phúc Thịnh, ngày 7 …" -> "ĐOÀN TNCS HỒ CHÍ MINH": the words in
    capitals before a place-and-date that shares their table cell."""
    if not re.search(r",\s*ngày\b", part):
        return part
    words = part.split()
    n = 0
    while n < len(words) and (is_caps(words[n]) or not any(c.isalpha() for c in words[n])):
        n += 1
    return " ".join(words[:n])


def letterhead_issuer(lines: list[str]) -> str | None:
    """The issuing body from the header lines above the type line (or the header block of
    a document without one): "TỈNH ỦY ĐẮK LẮK / BAN TUYÊN GIÁO" -> "Ban Tuyên giáo Tỉnh ủy Đắk Lắk"."""
    organs: list[str] = []
    for line in lines:
        if GAZETTE.search(fold(line)) or SEPARATOR.match(line):
            continue
        for part in header_segments(line):
            if is_caps(part) and not re.search(r"\d", part) and len(part) <= 100:
                organs.append(title_case(part))
    return combine(organs) if organs else None


def combine(organs: list[str]) -> str:
    """The issuing body from its header lines: "TỈNH ỦY ĐẮK LẮK / BAN TUYÊN GIÁO" -> one name."""
    body = organs[-1]
    if len(organs) == 1 or not fold(body).startswith(_SUB_BODIES) or len(body.split()) > 4:
        return body
    parent = organs[-2]
    folded_parent = fold(parent)
    if folded_parent.startswith("ban chap hanh trung uong"):
        return f"{body} Trung ương"
    if any(folded_parent.startswith(c) for c in COMMITTEES):
        return f"{body} {parent}"
    return body


def signing_collective(closing: list[str]) -> str | None:
    """"T/M BAN BÍ THƯ" in the signature block -> "Ban Bí thư" (None without a "TM." line)."""
    for line in closing:
        m = SIGN_FOR.match(fold(line))
        if m and fold(line).startswith(("t/m", "tm", "t /m", "t/ m")) and is_caps(line):
            body = line[len(line) - len(m["body"]) :]
            return title_case(body)
    return None


def prefer_collective(letterhead: str | None, collective: str | None) -> str | None:
    """The letterhead "Ban Chấp hành Trung ương" is the parent of the Bộ Chính trị and the Ban
    Bí thư: a document signed "T/M" one of them was issued by that one."""
    if letterhead and collective and fold(letterhead) == "ban chap hanh trung uong" and (
        fold(collective) in _CENTRAL_ORGANS
    ):
        return collective
    return letterhead


def adopted_by(text: str) -> tuple[str | None, int | None]:
    """The adopting body and where its clause's date starts, from "(Đại hội … thông qua ngày
    13/12/2017)" or "… đã được Quốc hội … khóa XIII, kỳ họp thứ 6 thông qua ngày …"."""
    for m in _ADOPTED.finditer(text):
        before = text[max(0, m.start() - 160) : m.start()]
        starts = list(_ADOPTER_START.finditer(before))
        if not starts and m.start() > 160:
            continue
        body = before[starts[-1].end() if starts else 0 :].strip(" ,")
        body = _ADOPTER_TRIM.sub("", body).strip(" ,")
        if body.lower().startswith(("đã ", "được ")):
            body = body.split(" ", 1)[1]
        if 1 <= len(body.split()) <= 16 and body[:1].isupper():
            return body, m.end() - len("ngày")
    return None, None
