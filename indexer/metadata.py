"""Document metadata from the document's own header: number, type, issuer, date, title.

Vietnamese Party and state documents open with a fixed header (the issuing body under
"ĐẢNG CỘNG SẢN VIỆT NAM", "Số 05-CT/TW", "Hà Nội, ngày 15 tháng 5 năm 2016", the type in
capitals, then "về ..." as the title). Loaders give one paragraph per line with blank lines
dropped, so the header is read line by line, never by blank-line blocks. Explicit fields
(front matter, JSONL) override whatever the header says.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from knowledge.docnumbers import canonical_number, parse_number, type_code, type_name
from knowledge.passages import DocumentMeta
from knowledge.text import fold, normalize

logger = logging.getLogger(__name__)

HEAD_LINES = 40
MAX_TITLE_CHARS = 300

# Type words as a header prints them (folded) -> the name metadata uses. Longest first so
# "thong tu lien tich" wins over "thong tu", "bo luat" over "luat".
_TYPE_NAMES = {
    fold(name): name
    for name in (
        "Nghị quyết liên tịch", "Thông tư liên tịch", "Nghị quyết", "Chỉ thị", "Kết luận",
        "Quy định", "Quyết định", "Hướng dẫn", "Kế hoạch", "Đề án", "Thông báo", "Công văn",
        "Báo cáo", "Quy chế", "Chương trình", "Nghị định", "Thông tư", "Tờ trình", "Bộ luật",
        "Luật",
    )
}
_TYPE_WORD = re.compile(
    r"^(?P<word>" + "|".join(sorted(_TYPE_NAMES, key=len, reverse=True)) + r")(?=$|[\s:,])"
)

# Lines of the header that are neither issuer nor title.
_NATIONAL = re.compile(
    r"dang cong san viet nam|cong hoa xa hoi chu nghia viet nam|doc lap\W+tu do\W+hanh phuc"
)
_NATIONAL_CAPS = re.compile(r"ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
_SEPARATOR = re.compile(r"^[\s*\-–—_=~.o0]+$")
_NUMBER_LINE = re.compile(r"^(?P<pre>.*?)(?<!\w)(?:Số|SỐ|số)\s*[:.]?\s*(?=\d)(?P<rest>.*)$")
_WRITTEN_DATE = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/])")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_BODY_START = re.compile(
    r"^(?:[IVX]+\s*[.)]|\d+(?:\.\d+)*\s*[.)]|[a-zđ]\)|chuong\s|phan\s|muc\s+\d|dieu\s+\d|"
    r"can cu\b|kinh gui\b)"
)
_OF_ISSUER = re.compile(r"(?<!\w)của\s+(?P<body>.+?)(?=\s+về\b|\s+ngày\b|[,;.:\"“”(]|$)", re.IGNORECASE)
_CONTINUES = re.compile(r"^[\"“(]?[a-zđàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")

# Standard spellings of the words in Vietnamese body names, matched on folded words, longest
# first. Anything unknown is lowercased, except place names after a committee or a level word.
_PHRASES = [
    "Ban Chấp hành Trung ương", "Ban Chấp hành Đảng bộ", "Bộ Chính trị", "Ban Bí thư",
    "Ban Thường vụ", "Thường trực", "Ban Tuyên giáo và Dân vận", "Ban Tuyên giáo", "Ban Tổ chức",
    "Ban Dân vận", "Ban Nội chính", "Ban Kinh tế", "Ban Đối ngoại", "Ban Chính sách, chiến lược",
    "Ủy ban Kiểm tra", "Ủy ban Thường vụ Quốc hội", "Ủy ban nhân dân", "Hội đồng nhân dân",
    "Văn phòng", "Trung ương", "Đảng ủy Khối", "Đảng ủy", "Đảng bộ", "Đảng đoàn",
    "Ban Cán sự đảng", "Chính phủ", "Thủ tướng", "Quốc hội", "Đảng", "Công an", "Quân đội",
    "Mặt trận Tổ quốc Việt Nam", "Việt Nam", "Hồ Chí Minh", "Thông tin và Truyền thông",
    "Giáo dục và Đào tạo", "Nội vụ", "Tư pháp", "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Thị ủy",
    "Quận ủy", "Ban", "Bộ",
]
_PHRASE_WORDS = sorted(
    ((tuple(fold(p).replace(",", "").split()), p.replace(",", "").split()) for p in _PHRASES),
    key=lambda item: len(item[0]),
    reverse=True,
)
_COMMITTEES = {"tinh uy", "thanh uy", "huyen uy", "thi uy", "quan uy", "dang uy", "dang bo"}
_LEVELS = {"tinh", "huyen", "xa", "phuong", "quan", "thi xa", "thi tran", "thanh pho", "khoi"}
_SUB_BODIES = ("ban ", "van phong", "uy ban kiem tra")


def extract_metadata(
    text: str, *, doc_id: str, source: str, fields: Mapping[str, Any] | None = None
) -> DocumentMeta:
    """What the document says about itself in its first lines, overridden by `fields`."""
    head = [line.strip() for line in normalize("\n".join(text.split("\n", HEAD_LINES)[:HEAD_LINES])).split("\n")]
    lines = [line for line in head if line]
    folded = [fold(line) for line in lines]

    type_at = next((i for i, line in enumerate(lines) if _is_type_line(line, folded[i])), None)
    number, number_at = _find_number(lines, type_at)
    header_end = min(i for i in (type_at, number_at, len(lines)) if i is not None)

    title_lines, title_at = _title(lines, folded, type_at, number_at)
    title = _join(title_lines)
    if number is None and title_at is not None and type_at is None:
        # "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về ...": the title sentence.
        m = _NUMBER_LINE.match(lines[title_at])
        if m and type_code(m["pre"]) and (found := canonical_number(m["rest"][:40])):
            number = found

    doc_type = _doc_type(lines, folded, type_at, number, title_at)
    issuer = _issuer(lines, folded, type_at, header_end, title_at)
    # The header's date sits above the type line; a công văn (no type line) may put it just
    # under its "V/v" subject line; an article or title sentence dates itself by its title at
    # the latest. Dates further down belong to the papers the text mentions.
    if type_at is not None:
        date_end = type_at
    elif number_at is not None:
        date_end = number_at + 3
    else:
        date_end = title_at if title_at is not None else len(lines)
    issued = _issue_date(folded, date_end)

    meta: dict[str, Any] = {
        "title": title or _stem(doc_id),
        "number": number,
        "doc_type": doc_type,
        "issuer": issuer,
        "issued": issued,
    }
    extra = _apply_fields(meta, fields or {})
    if meta["doc_type"] is None and meta["number"]:
        meta["doc_type"] = _type_from_number(meta["number"])
    return DocumentMeta(doc_id=doc_id, source=source, extra=extra, **meta)


def _is_type_line(line: str, folded: str) -> bool:
    if len(line) > 200 or line != line.upper():
        return False
    m = _TYPE_WORD.match(folded)
    # "LUẬT SỐ: 91/2015/QH13" is the number line, not the type line.
    return m is not None and not folded[m.end() :].lstrip(" :").startswith("so ")


def _find_number(lines: list[str], type_at: int | None) -> tuple[str | None, int | None]:
    """ "Số 05-CT/TW", "Số: 57-NQ/TW", "Luật số: 91/2015/QH13", "BAN TUYÊN GIÁO Số 25-KH/BTGTU"."""
    limit = len(lines) if type_at is None else type_at
    for i, line in enumerate(lines[:limit]):
        m = _NUMBER_LINE.match(line)
        if not m:
            continue
        pre = m["pre"].strip(" *:-")
        # At the line start, after the body's own name in capitals, or (above a type line)
        # after a type word: "Kế hoạch số 25-KH/BTGTU" inside an article's sentence is a mention.
        header_word = type_at is not None and type_code(pre) is not None and len(pre.split()) <= 3
        if pre and pre != pre.upper() and not header_word:
            continue
        if number := canonical_number(m["rest"][:40]):
            return number, i
    return None, None


def _title(
    lines: list[str], folded: list[str], type_at: int | None, number_at: int | None
) -> tuple[list[str], int | None]:
    if type_at is not None:
        m = _TYPE_WORD.match(folded[type_at])
        assert m is not None
        rest = lines[type_at][m.end() :].strip(" :,")
        start = type_at + 1
        if rest and not fold(rest).startswith("cua "):
            # "NGHỊ QUYẾT VỀ ..." / "LUẬT BẢO VỆ BÍ MẬT NHÀ NƯỚC": the title shares the line.
            return _continue_title([rest], lines, folded, start), type_at
        while start < len(lines) and (
            _SEPARATOR.match(lines[start]) or (folded[start].startswith("cua ") and len(lines[start]) <= 100)
        ):
            start += 1
        if start < len(lines) and not _BODY_START.match(folded[start]):
            return _continue_title([lines[start]], lines, folded, start + 1), start
        return [], None
    skip_before = number_at if number_at is not None else -1
    for i, line in enumerate(lines):
        if i <= skip_before and (line == line.upper() or i == number_at):
            continue  # the issuer block and the number line of a header without a type line
        if folded[i].startswith("v/v"):
            return [line], i  # a công văn's subject line
        if _substantial(line, folded[i]):
            if len(line) > MAX_TITLE_CHARS:
                line = _first_sentence(line)
            return [line], i
    return [], None


def _continue_title(parts: list[str], lines: list[str], folded: list[str], start: int) -> list[str]:
    """Later lines join the title while they continue it: lowercase starts, or caps after caps."""
    for i in range(start, min(start + 4, len(lines))):
        line = lines[i]
        if _SEPARATOR.match(line) or _BODY_START.match(folded[i]):
            break
        caps_run = all(p == p.upper() for p in parts) and line == line.upper()
        if not (_CONTINUES.match(line) or caps_run):
            break
        if sum(map(len, parts)) + len(line) > MAX_TITLE_CHARS or _NATIONAL.search(folded[i]):
            break
        parts.append(line)
    return parts


def _substantial(line: str, folded: str) -> bool:
    if " | " in line or _NATIONAL.search(folded) or _SEPARATOR.match(line):
        return False
    if len(line) < 80 and _date_in(folded):
        return False  # "Đắk Lắk, ngày 10 tháng 01 năm 2022", "Thứ Tư, 10/8/2022 6:00"
    if folded.startswith("kinh gui"):
        return False
    words = [w for w in folded.split() if any(c.isalpha() for c in w)]
    return len(words) >= 5


def _first_sentence(line: str) -> str:
    m = re.search(r"[.!?…](?=\s)", line[40:MAX_TITLE_CHARS])
    if m:
        return line[: 40 + m.end()]
    cut = line[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def _join(parts: list[str]) -> str:
    text = " ".join(" ".join(parts).split()).strip(" -–:;,")
    if text and text == text.upper():
        text = text.lower()  # a title in capitals reads in sentence case
    return text[:1].upper() + text[1:]


def _doc_type(
    lines: list[str], folded: list[str], type_at: int | None, number: str | None, title_at: int | None
) -> str | None:
    if type_at is not None:
        m = _TYPE_WORD.match(folded[type_at])
        return _TYPE_NAMES[m["word"]] if m else None
    title_word = None
    if title_at is not None and (m := _TYPE_WORD.match(folded[title_at])):
        title_word = _TYPE_NAMES[m["word"]]
    from_number = _type_from_number(number) if number else None
    if title_word and (from_number is None or type_code(title_word) == type_code(from_number)):
        return title_word  # "Quy định số 489-QĐ/TU": the word settles what QĐ stands for
    return from_number or title_word


def _type_from_number(number: str) -> str | None:
    ref = parse_number(number)
    return type_name(ref.code) if ref and ref.code else None


def _issuer(
    lines: list[str], folded: list[str], type_at: int | None, header_end: int, title_at: int | None
) -> str | None:
    # "CỦA BỘ CHÍNH TRỊ" under the type line names the organ that issued it, which is more
    # exact than the header's "BAN CHẤP HÀNH TRUNG ƯƠNG" (Bộ Chính trị directives carry it).
    if type_at is not None:
        m = _TYPE_WORD.match(folded[type_at])
        rest = lines[type_at][m.end() :].strip() if m else ""
        if fold(rest).startswith("cua "):
            return title_case(rest[4:])
        nxt = type_at + 1
        if nxt < len(lines) and folded[nxt].startswith("cua ") and len(lines[nxt]) <= 100:
            return title_case(lines[nxt][4:])
    organs = []
    if type_at is not None or header_end < len(lines):
        block = lines[:header_end]
        if header_end < len(lines) and (m := _NUMBER_LINE.match(lines[header_end])):
            block = [*block, m["pre"]]  # "BAN TUYÊN GIÁO Số 25-KH/BTGTU" on one line
        for line in block:
            line = _NATIONAL_CAPS.sub(" ", line).strip(" *-–")
            caps = line == line.upper() and any(c.isalpha() for c in line)
            if caps and not re.search(r"\d", line) and not _NATIONAL.search(fold(line)):
                organs.append(title_case(line))
    if organs:
        return _combine(organs)
    # "Nghị quyết số 57-NQ/TW ... của Bộ Chính trị về ...": only a title naming a document
    # says who issued it; "... của Đảng bộ tỉnh Đắk Lắk" in a news headline does not.
    if title_at is not None and _TYPE_WORD.match(folded[title_at]) and (m := _OF_ISSUER.search(lines[title_at])):
        body = m["body"].strip()
        if len(body.split()) <= 8:
            return title_case(body)
    return None


def _combine(organs: list[str]) -> str:
    """The issuing body from its header lines: "TỈNH ỦY ĐẮK LẮK / BAN TUYÊN GIÁO" -> one name."""
    body = organs[-1]
    if len(organs) == 1 or not fold(body).startswith(_SUB_BODIES) or len(body.split()) > 4:
        return body
    parent = organs[-2]
    folded_parent = fold(parent)
    if folded_parent.startswith("ban chap hanh trung uong"):
        return f"{body} Trung ương"
    if any(folded_parent.startswith(c) for c in _COMMITTEES):
        return f"{body} {parent}"
    return body


def title_case(name: str) -> str:
    """Standard capitalisation of a body's name: "BAN TUYÊN GIÁO TỈNH ỦY" -> "Ban Tuyên giáo Tỉnh ủy"."""
    words = [w for w in re.split(r"\s+", name.strip(" .,;:*-–")) if w]
    folded = [fold(w).strip(",") for w in words]
    out: list[str] = []
    proper = False  # inside a place name: "Tỉnh ủy Đắk Lắk", "tỉnh Kon Tum"
    i = 0
    while i < len(words):
        for key, spelled in _PHRASE_WORDS:
            if tuple(folded[i : i + len(key)]) == key:
                out.extend(spelled)
                proper = " ".join(key) in _COMMITTEES
                i += len(key)
                break
        else:
            word, f = words[i], folded[i]
            if f in _LEVELS or " ".join(folded[i : i + 2]) in _LEVELS:
                out.append(word.lower())
                proper = True
            elif proper or not out:
                out.append(word[:1].upper() + word[1:].lower())
            else:
                out.append(word.lower())
            i += 1
    return " ".join(out)


def _issue_date(folded: list[str], end: int) -> date | None:
    """The first real date of the header and title; later lines only mention other papers."""
    for line in folded[: end + 1]:
        if found := _date_in(line):
            return found
    return None


def _date_in(folded_line: str) -> date | None:
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
    return _date_in(text)


_FIELD_ALIASES = {
    "title": "title", "tieu_de": "title",
    "number": "number", "so_hieu": "number", "so": "number",
    "type": "doc_type", "doc_type": "doc_type", "loai": "doc_type",
    "issuer": "issuer", "co_quan": "issuer",
    "date": "issued", "issued": "issued", "ngay": "issued",
}


def _apply_fields(meta: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Explicit fields win over the header; unknown keys are kept as `extra`."""
    extra: dict[str, Any] = {}
    for key, value in fields.items():
        target = _FIELD_ALIASES.get(str(key).strip().lower())
        if target is None:
            extra[key] = value
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if target == "issued":
            parsed = parse_date(value)
            if parsed is None:
                logger.warning("unreadable date field %s=%r; keeping the header's", key, value)
                extra[key] = value
                continue
            meta["issued"] = parsed
        elif target == "number":
            raw = normalize(str(value)).strip()
            meta["number"] = canonical_number(raw) or raw
        else:
            meta[target] = " ".join(normalize(str(value)).split())
    return extra


def _stem(doc_id: str) -> str:
    return PurePosixPath(doc_id).stem.strip() or doc_id
