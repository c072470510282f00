"""Document metadata from the document's own header: number, type, issuer, date, title.

Vietnamese Party and state documents open with a fixed header (the issuing body under
"ĐẢNG CỘNG SẢN VIỆT NAM", "Số 05-CT/TW", "Hà Nội, ngày 15 tháng 5 năm 2016", the type in
capitals, then "về ..." as the title) and close with "Nơi nhận:" and a signature block
(`indexer.header` names the sources of the layout). Loaders give one paragraph per line with
blank lines dropped, so the header is read line by line, never by blank-line blocks.
Explicit fields (front matter, a sidecar file, JSONL) override whatever the header says.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from indexer import issuer as issuers
from indexer.dates import date_in, header_date, parse_date, signature_time
from indexer.boilerplate import line_roles
from indexer.header import MOTTO, NUMBER_LINE, SEPARATOR, TYPE_WORD, TYPE_NAMES, type_word, type_word_end
from indexer.names import sentence_case, title_case
from knowledge.docnumbers import canonical_number, parse_number, type_code, type_name
from knowledge.passages import DocumentMeta
from knowledge.text import fold, normalize

logger = logging.getLogger(__name__)

__all__ = ["extract_metadata", "parse_date", "title_case", "METADATA_FIELDS"]

HEAD_LINES = 40
TAIL_LINES = 30
MAX_TYPE_AT = 24
MAX_TITLE_CHARS = 300
METADATA_FIELDS = ("number", "type", "issuer", "date", "title")

_BODY_START = re.compile(
    r"^(?:[IVX]+\s*[.)]|\d+(?:\.\d+)*\s*[.)]|[a-zđ]\)|chuong\s|phan\s|muc\s+\d|dieu\s+\d|"
    r"can cu\b|kinh gui\b|loi (?:noi|mo) dau\b)"
)
_OF_ISSUER = re.compile(r"(?<!\w)của\s+(?P<body>.+?)(?=\s+về\b|\s+ngày\b|[,;.:\"“”(]|$)", re.IGNORECASE)
_CONTINUES = re.compile(r"^[\"“(]?[a-zđàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")
_ABOUT = re.compile(r"(?<!\w)về\s+\S", re.IGNORECASE)  # "về" opening a subject
_VBHN_MARK = re.compile(r"^van\s+ban\s+hop\s+nhat\s*[-–—:]\s*")
_HEADER_ROLES = ("letterhead", "motto", "separator")


@dataclass
class _Head:
    lines: list[str]  # the first HEAD_LINES lines, normalised
    folded: list[str]
    roles: list[str | None]  # boilerplate roles (indexer.boilerplate) of those lines
    closing: list[str]  # lines of the recipients and signature blocks
    tail: list[str]  # the last TAIL_LINES lines


def extract_metadata(
    text: str, *, doc_id: str, source: str, fields: Mapping[str, Any] | None = None
) -> DocumentMeta:
    """What the document says about itself in its header and closing, overridden by `fields`.

    Fields the text does not give are listed in `DocumentMeta.missing` ("number", "type",
    "issuer", "date", "title"), so the index summary can say so.
    """
    head = _read(text)
    lines, folded = head.lines, head.folded
    vbhn_issuer, type_at = _type_line(lines, folded)
    own = _own_number_line(lines, folded, head.roles) if type_at is None else None
    number, number_at = _find_number(lines, head.roles, type_at) if own is None else (None, None)
    header_end = min(i for i in (type_at, number_at, len(lines)) if i is not None)

    if own is not None:
        doc_type, number, title, title_at = own
    else:
        title_lines, title_at = _title(lines, folded, head.roles, type_at, number_at)
        title = _join(title_lines)
        doc_type = _doc_type(lines, folded, type_at, number, title_at)
    if number is None and title_at is not None and type_at is None and own is None:
        # "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về ...": the title sentence.
        m = NUMBER_LINE.match(lines[title_at])
        if m and type_code(m["pre"]) and (found := canonical_number(m["rest"][:40])):
            number = found
            doc_type = doc_type or _type_from_number(found)
    if vbhn_issuer is not None:
        doc_type = "Văn bản hợp nhất"
    elif doc_type is None and number and title_at is not None and fold(lines[title_at]).startswith("v/v"):
        doc_type = "Công văn"  # a công văn has no type line: its subject starts "V/v"

    joined_head = " ".join(lines[: min(len(lines), 14)])
    adopter, adopted_at = issuers.adopted_by(joined_head)
    joined_tail = " ".join(head.tail)
    if adopter is None:
        adopter, adopted_at_tail = issuers.adopted_by(joined_tail)
        adopted_date = date_in(fold(joined_tail[adopted_at_tail:][:60])) if adopted_at_tail else None
    else:
        adopted_date = date_in(fold(joined_head[adopted_at:][:60])) if adopted_at else None

    if own is not None:  # "Án lệ số …" opens the text: no letterhead above it
        issuer = vbhn_issuer
    else:
        issuer = vbhn_issuer or _issuer(lines, folded, head.roles, type_at, header_end, title_at)
    issuer = issuers.prefer_collective(issuer, issuers.signing_collective(head.closing))
    issuer = issuer or (title_case(adopter) if adopter and adopter == adopter.upper() else adopter)

    issued = None if own is not None else header_date(lines, folded, head.roles, type_at, number_at, title_at)
    if issued is None:
        issued = adopted_date
    if issued is None:
        issued = signature_time(lines, folded, head.roles, type_at)

    meta: dict[str, Any] = {
        "title": title or _stem(doc_id),
        "number": number,
        "doc_type": doc_type,
        "issuer": issuer,
        "issued": issued,
    }
    found_title = bool(title)
    extra, given = _apply_fields(meta, fields or {})
    if meta["doc_type"] is None and meta["number"]:
        meta["doc_type"] = _type_from_number(meta["number"])
    missing = tuple(
        name
        for name, key in zip(METADATA_FIELDS, ("number", "doc_type", "issuer", "issued", "title"))
        if meta[key] is None or (key == "title" and not (found_title or "title" in given))
    )
    return DocumentMeta(doc_id=doc_id, source=source, extra=extra, missing=missing, **meta)


def _read(text: str) -> _Head:
    raw = [line.strip() for line in text.split("\n")]
    raw = [line for line in raw if line]
    n = len(raw)
    # Loaders normalise already; callers with raw text (tests, JSONL fields) may not.
    lines = [normalize(line) if i < HEAD_LINES or i >= n - TAIL_LINES else line for i, line in enumerate(raw)]
    roles = line_roles(lines)
    closing = [line for line, role in zip(lines, roles) if role in ("recipients", "signature")]
    head = lines[:HEAD_LINES]
    return _Head(head, [fold(line) for line in head], roles[:HEAD_LINES], closing, lines[-TAIL_LINES:])


def _type_line(lines: list[str], folded: list[str]) -> tuple[str | None, int | None]:
    """(issuer named by a "VĂN BẢN HỢP NHẤT - VĂN PHÒNG QUỐC HỘI" line, index of the type line)."""
    vbhn_issuer = None
    for i in range(min(len(lines), MAX_TYPE_AT)):
        if not type_word(lines[i], folded[i]):
            continue
        if m := _VBHN_MARK.match(folded[i]):
            vbhn_issuer = title_case(lines[i][m.end() :]) or None
            continue  # the consolidated act's own type line follows
        return vbhn_issuer, i
    return vbhn_issuer, None


def _own_number_line(
    lines: list[str], folded: list[str], roles: list[str | None]
) -> tuple[str, str | None, str, int] | None:
    """"Án lệ số 11/2017/AL về …" opening the text: (type, number, title, line index)."""
    first = next((i for i, role in enumerate(roles) if role is None), None)
    if first is None or len(lines[first]) > MAX_TITLE_CHARS:
        return None
    m = TYPE_WORD.match(folded[first])
    if m is None or not folded[first][m.end() :].lstrip(" :").startswith("so "):
        return None
    after = lines[first][m.end() :].lstrip(" :")[2:].lstrip(" :")
    token = after.split(" ", 1)
    number = canonical_number(token[0])
    if number is None:
        return None
    title = token[1].strip() if len(token) > 1 else ""
    if title and not fold(title).startswith("ve "):
        return None  # "Nghị quyết số 57-NQ/TW ngày … của …": a sentence about the document
    title = title[3:]
    return TYPE_NAMES[m["word"]], number, _join([title]) if title else "", first


def _find_number(
    lines: list[str], roles: list[str | None], type_at: int | None
) -> tuple[str | None, int | None]:
    """ "Số 05-CT/TW", "Số: 57-NQ/TW", "Luật số: 91/2015/QH13", "BAN TUYÊN GIÁO Số 25-KH/BTGTU";
    a blank "Số: - KH/ĐTN" gives no number."""
    limit = len(lines) if type_at is None else type_at
    for i, line in enumerate(lines[:limit]):
        if roles[i] in ("gazette", "e_signature"):
            continue
        m = NUMBER_LINE.match(line)
        if not m or not re.match(r"\s*\d", m["rest"]):
            continue
        pre = m["pre"].strip(" *:-|")
        # At the line start, after the body's own name in capitals, or (above a type line)
        # after a type word: "Kế hoạch số 25-KH/BTGTU" inside an article's sentence is a mention.
        header_word = type_at is not None and type_code(pre) is not None and len(pre.split()) <= 3
        if pre and pre != pre.upper() and not header_word:
            continue
        if number := canonical_number(m["rest"][:40]):
            return number, i
    return None, None


def _title(
    lines: list[str], folded: list[str], roles: list[str | None], type_at: int | None, number_at: int | None
) -> tuple[list[str], int | None]:
    if type_at is not None:
        rest = _after_junk(lines[type_at][type_word_end(lines[type_at], folded[type_at]) :].strip(" :,"))
        start = type_at + 1
        if rest and not fold(rest).startswith("cua "):
            # "NGHỊ QUYẾT VỀ ..." / "LUẬT BẢO VỆ BÍ MẬT NHÀ NƯỚC": the title shares the line.
            return _continue_title([rest], lines, folded, start), type_at
        while start < len(lines):
            if folded[start].startswith("cua ") and (about := _ABOUT.search(lines[start])):
                # "của Ban Thường vụ Tỉnh ủy về công tác …" on one line: the title is "về …".
                return _continue_title([lines[start][about.start():]], lines, folded,
                                       start + 1), start
            if not (SEPARATOR.match(lines[start]) or roles[start] is not None
                    or (folded[start].startswith("cua ") and len(lines[start]) <= 100)):
                break
            start += 1
        if start < len(lines) and not _BODY_START.match(folded[start]):
            return _continue_title([_after_junk(lines[start])], lines, folded, start + 1), start
        return [], None
    skip_before = number_at if number_at is not None else -1
    for i, line in enumerate(lines):
        if roles[i] is not None or (i <= skip_before and (line == line.upper() or i == number_at)):
            continue  # the issuer block and the number line of a header without a type line
        if folded[i].startswith("v/v"):
            return _continue_title([line], lines, folded, i + 1), i  # a công văn's subject line
        if _substantial(line, folded[i]):
            if len(line) > MAX_TITLE_CHARS:
                line = _first_sentence(line)
            return [line], i
    return [], None


def _after_junk(line: str) -> str:
    """An OCR'd subject line may begin with a stamp's debris cut off by "|": "Ig-Q612 -| Về …"."""
    if "|" in line:
        after = line.rsplit("|", 1)[1].strip()
        if after[:1].isupper() and len(after) >= 10:
            return after
    return line


def _continue_title(parts: list[str], lines: list[str], folded: list[str], start: int) -> list[str]:
    """Later lines join the title while they continue it: lowercase starts, or caps after caps."""
    for i in range(start, min(start + 4, len(lines))):
        line = lines[i]
        if SEPARATOR.match(line) or _BODY_START.match(folded[i]):
            break
        caps_run = all(p == p.upper() for p in parts) and line == line.upper()
        if not (_CONTINUES.match(line) or caps_run):
            break
        if sum(map(len, parts)) + len(line) > MAX_TITLE_CHARS or MOTTO.search(folded[i]):
            break
        parts.append(line)
    return parts


def _substantial(line: str, folded: str) -> bool:
    if " | " in line or MOTTO.search(folded) or SEPARATOR.match(line):
        return False
    if line.startswith("(") and line.endswith(")"):
        return False  # a note on the document, not its title: "(Dự thảo)", "(Văn bản mẫu …)"
    if len(line) < 80 and date_in(folded):
        return False  # "Đắk Lắk, ngày 10 tháng 01 năm 2022", "Thứ Tư, 10/8/2022 6:00"
    if folded.startswith("kinh gui"):
        return False
    words = [w for w in folded.split() if any(c.isalpha() for c in w)]
    return len(words) >= 5


def _first_sentence(line: str) -> str:
    m = re.search(r"[.!?…](?=\s)", line[40:MAX_TITLE_CHARS])
    if m:
        return line[: 40 + m.end()]
    # Not knowledge.text.shorten: the title is stored metadata, and shorten's slightly
    # different cut would change stored titles without a rebuild.
    cut = line[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def _join(parts: list[str]) -> str:
    """One title from its lines, capitalisation as printed; a title printed in capitals
    reads in sentence case with its proper nouns kept ("Thi hành Điều lệ Đảng")."""
    text = " ".join(" ".join(parts).split()).strip(" -–:;,")
    if text and text == text.upper():
        return sentence_case(text)
    return text[:1].upper() + text[1:]


def _doc_type(
    lines: list[str], folded: list[str], type_at: int | None, number: str | None, title_at: int | None
) -> str | None:
    if type_at is not None:
        return type_word(lines[type_at], folded[type_at])
    title_word = None
    if title_at is not None and (m := TYPE_WORD.match(folded[title_at])):
        title_word = TYPE_NAMES[m["word"]]
    from_number = _type_from_number(number) if number else None
    if title_word and (from_number is None or type_code(title_word) == type_code(from_number)):
        return title_word  # "Quy định số 489-QĐ/TU": the word settles what QĐ stands for
    return from_number or title_word


def _type_from_number(number: str) -> str | None:
    ref = parse_number(number)
    return type_name(ref.code) if ref and ref.code else None


def _issuer(
    lines: list[str], folded: list[str], roles: list[str | None], type_at: int | None,
    header_end: int, title_at: int | None,
) -> str | None:
    # "CỦA BỘ CHÍNH TRỊ" under the type line names the organ that issued it, which is more
    # exact than the header's "BAN CHẤP HÀNH TRUNG ƯƠNG" (Bộ Chính trị directives carry it).
    if type_at is not None:
        rest = lines[type_at][type_word_end(lines[type_at], folded[type_at]) :].strip()
        if fold(rest).startswith("cua "):
            return title_case(rest[4:])
        nxt = type_at + 1
        if nxt < len(lines) and folded[nxt].startswith("cua ") and len(lines[nxt]) <= 100:
            return title_case(lines[nxt][4:])
    block: list[str] = []
    if type_at is not None or header_end < len(lines):
        block = [line for i, line in enumerate(lines[:header_end]) if roles[i] in (*_HEADER_ROLES, None)]
        if header_end < len(lines) and (m := NUMBER_LINE.match(lines[header_end])):
            block.append(m["pre"])  # "BAN TUYÊN GIÁO Số 25-KH/BTGTU" on one line
    elif any(role == "letterhead" for role in roles):
        block = [line for line, role in zip(lines, roles) if role in _HEADER_ROLES]
    if block and (found := issuers.letterhead_issuer(block)):
        return found
    # "Nghị quyết số 57-NQ/TW ... của Bộ Chính trị về ...": only a title naming a document
    # says who issued it; "... của Đảng bộ tỉnh Đắk Lắk" in a news headline does not.
    if title_at is not None and TYPE_WORD.match(folded[title_at]) and (m := _OF_ISSUER.search(lines[title_at])):
        body = m["body"].strip()
        if len(body.split()) <= 8:
            return title_case(body)
    return None


_FIELD_ALIASES = {
    "title": "title", "tieu_de": "title",
    "number": "number", "so_hieu": "number", "so": "number",
    "type": "doc_type", "doc_type": "doc_type", "loai": "doc_type",
    "issuer": "issuer", "co_quan": "issuer",
    "date": "issued", "issued": "issued", "ngay": "issued",
}


def _apply_fields(meta: dict[str, Any], fields: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Explicit fields win over the header; unknown keys are kept as `extra`.
    Returns (extra, the metadata fields that were given)."""
    extra: dict[str, Any] = {}
    given: set[str] = set()
    for key, value in fields.items():
        target = _FIELD_ALIASES.get(str(key).strip().lower())
        if target is None:
            extra[key] = value
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        given.add(target)
        if target == "issued":
            parsed = parse_date(value)
            if parsed is None:
                logger.warning("unreadable date field %s=%r; keeping the header's", key, value)
                extra[key] = value
                given.discard(target)
                continue
            meta["issued"] = parsed
        elif target == "number":
            raw = normalize(str(value)).strip()
            meta["number"] = canonical_number(raw) or raw
        else:
            meta[target] = " ".join(normalize(str(value)).split())
    return extra, given


def _stem(doc_id: str) -> str:
    return PurePosixPath(doc_id).stem.strip() or doc_id
