"""Vietnamese document numbers (số hiệu): canonical forms, finding them, reading queries.

Party numbers read ``serial-CODE/ISSUER`` ("05-CT/TW", "25-KH/BTGTU"); state numbers read
``serial/year/CODE-ISSUER`` ("30/2020/NĐ-CP"), ``serial/year/ISSUER`` for laws ("91/2015/QH13")
or ``serial/CODE-ISSUER`` ("01/VBHN-VPQH"). Members write them loosely ("chỉ thị 05", "NQ57",
"nghi quyet 57", "57 NQ TW"), so queries are read on folded text (no marks, đ→d) and compared
structurally (serial, type code, issuer), never as strings.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from knowledge.text import fold, normalize

logger = logging.getLogger(__name__)

# Canonical code (as documents print it) -> default Vietnamese type name. "QĐ" serves both
# Quyết định and Quy định in Party numbering (238-QĐ/TW is a Quy định): the header's own type
# word wins in metadata; this is only the default when nothing else says.
DOC_TYPES: dict[str, str] = {
    "NQ": "Nghị quyết",
    "CT": "Chỉ thị",
    "KL": "Kết luận",
    "QĐ": "Quyết định",
    "HD": "Hướng dẫn",
    "KH": "Kế hoạch",
    "ĐA": "Đề án",
    "TB": "Thông báo",
    "CV": "Công văn",
    "BC": "Báo cáo",
    "TTr": "Tờ trình",
    "QC": "Quy chế",
    "CTr": "Chương trình",
    "NĐ": "Nghị định",
    "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch",
    "NQLT": "Nghị quyết liên tịch",
    "VBHN": "Văn bản hợp nhất",
    "L": "Luật",  # law numbers carry no code ("91/2015/QH13"): this one comes from the word
    "BL": "Bộ luật",
    "AL": "Án lệ",  # "11/2017/AL": the code stands where a state number puts its issuer
}
# Codes of one family: a reference with either word fits a document of either (a Bộ luật is a
# law: "luật 91/2015/QH13" names the Civil Code).
_KINDRED = {"L": frozenset({"L", "BL"}), "BL": frozenset({"L", "BL"})}

# Folded type name -> folded code. Both Quy định and Quyết định are "QD", as in the numbers.
_NAME_TO_CODE: dict[str, str] = {fold(name): fold(code).upper() for code, name in DOC_TYPES.items()}
_NAME_TO_CODE["quy dinh"] = "QD"
_FOLDED_CODES: dict[str, str] = {fold(code).upper(): code for code in DOC_TYPES}
# Mixed-case codes and issuers keep their printed case; everything else is uppercased.
_MIXED_CASE = {"TTR": "TTr", "CTR": "CTr", "TTG": "TTg"}

# Issuers that may follow a serial after a plain space ("57 NQ TW"): only ones that are not
# also Vietnamese syllables once folded ("tu" would be từ/tư/tự: "NQ 57 từ năm 2024").
_SPACED_ISSUERS = ("tw", "btgtw", "btgtu", "btctw", "ubkttw", "vptw", "bct", "bbt")

_L = r"[^\W\d_]"  # any letter, marked or not
_SEP_DASH = r"\s*[-–]\s*"
_SEP_SLASH = r"\s*/\s*"

# Loose forms (any case, spaces around separators) for canonical_number on one raw string.
_LOOSE_STATE = re.compile(
    rf"(?<![\w/])(?P<serial>\d{{1,5}}){_SEP_SLASH}(?P<year>(?:19|20)\d\d){_SEP_SLASH}"
    rf"(?P<rest>{_L}+\d*(?:\s*[-–]\s*{_L}[^\W_]*)*)"
)
_LOOSE_PARTY = re.compile(
    rf"(?<![\w/])(?P<serial>\d{{1,5}}){_SEP_DASH}(?P<code>{_L}{{1,6}}){_SEP_SLASH}"
    rf"(?P<issuer>{_L}[^\W_]*)"
)
_LOOSE_NOYEAR = re.compile(
    rf"(?<![\w/])(?P<serial>\d{{1,5}}){_SEP_SLASH}(?P<code>{_L}{{1,6}}){_SEP_DASH}"
    rf"(?P<issuer>{_L}[^\W_]*(?:\s*[-–]\s*{_L}[^\W_]*)*)"
)
_NUMBER_PREFIX = re.compile(r"^\s*(?:số|so|SỐ|Số|So|SO)\s*[:.]?\s*", re.IGNORECASE)

# Strict forms for running text: codes and issuers in capitals, as documents print them.
_UP = "A-ZĐ"
_STRICT = re.compile(
    rf"(?<![\w./-])(?:"
    rf"(?P<s_serial>\d{{1,5}})/(?P<s_year>(?:19|20)\d\d)/(?P<s_rest>[{_UP}][{_UP}0-9]*(?:-[{_UP}][{_UP}a-z0-9]*)*)"
    rf"|(?P<p_serial>\d{{1,5}})\s?[-–]\s?(?P<p_code>[{_UP}]{{1,5}}r?)\s?/\s?(?P<p_issuer>[{_UP}][{_UP}0-9]*)"
    rf"|(?P<n_serial>\d{{1,5}})/(?P<n_code>[{_UP}]{{1,6}}r?)-(?P<n_issuer>[{_UP}][{_UP}a-z0-9]*(?:-[{_UP}][{_UP}a-z0-9]*)*)"
    rf")"
)

# Query patterns, on folded lowercase text.
_F_STATE = re.compile(
    r"(?<![\w/])(?P<serial>\d{1,5})\s*/\s*(?P<year>(?:19|20)\d\d)\s*/\s*"
    r"(?P<first>[a-z]+\d*)(?:\s*-\s*(?P<issuer>[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*))?"
)
_F_PARTY = re.compile(
    r"(?<![\w/])(?P<serial>\d{1,5})\s*[-–]\s*(?P<code>[a-z]{1,5})\s*/\s*(?P<issuer>[a-z][a-z0-9]*)"
)
_F_NOYEAR = re.compile(
    r"(?<![\w/])(?P<serial>\d{1,5})\s*/\s*(?P<code>[a-z]{1,6})\s*-\s*(?P<issuer>[a-z][a-z0-9]*)"
)
_CODE_WORDS = sorted((fold(c) for c in DOC_TYPES if c not in ("L", "BL")), key=len, reverse=True)
_F_SPACED = re.compile(
    rf"(?<![\w/])(?P<serial>\d{{1,5}})\s+(?P<code>{'|'.join(_CODE_WORDS)})\s+"
    rf"(?P<issuer>{'|'.join(_SPACED_ISSUERS)})\b"
)
_TYPE_WORDS = sorted({*_NAME_TO_CODE, *_CODE_WORDS}, key=len, reverse=True)
_F_TYPED = re.compile(
    rf"(?<![\w])(?P<type>{'|'.join(re.escape(w) for w in _TYPE_WORDS)})"
    r"\s*(?:-\s*)?(?:so\b\s*)?[:.]?\s*(?P<serial>\d{1,5})(?![\d])"
    rf"(?:\s*[-/]\s*(?P<issuer>[a-z][a-z0-9]*)\b|\s+(?P<issuer2>{'|'.join(_SPACED_ISSUERS)})\b)?"
)
# A number followed by a unit of time or quantity is an amount ("kế hoạch 5 năm", "báo cáo
# 2 lần"), not a serial; "năm"/"ngày"/"tháng" followed by digits or "nay" are a date
# ("Nghị quyết 57 năm 2024"). Kept short on purpose: "NQ 57 nội dung gì" is a real query.
_COUNTED = re.compile(
    r"\s*(?:%|(?:nam|thang|tuan|ngay|gio|phut|lan|trieu|ty|nghin|ngan|tram|chuc|lop|dot)\b"
    r"(?!\s*(?:\d|nay|qua|truoc|toi)))"
)
_DECIMAL = re.compile(r"[.,]\d")


@dataclass(frozen=True)
class NumberRef:
    """What a query or a text says about a document number, compared structurally."""

    serial: str  # digits without leading zeros: "5" for "05"
    code: str | None  # folded uppercase type code: "CT", "NQ", "QD", "DA", "TTR"
    issuer: str | None  # folded uppercase issuer: "TW", "TU", "BTGTU", "CP", "QH13"
    year: str | None = None  # state numbers carry one: "2020" in 30/2020/NĐ-CP
    # How a query wrote it ("Nghị quyết 57-NQ/TW", "CT12"), to echo back; not compared.
    written: str | None = field(default=None, compare=False)

    def matches(self, number: str | None, doc_type: str | None = None) -> bool:
        """Does a document with this canonical number (and type name) fit this reference?"""
        if not number:
            return False
        doc = parse_number(number)
        if doc is None or doc.serial != self.serial:
            return False
        if self.code:
            # A type word or code in the reference ("chỉ thị 11", "CT 11") names the type:
            # Án lệ 11/2017/AL is not "chỉ thị 11". The code may be in the number, or only in
            # the type name (laws: "91/2015/QH13"), and one QĐ number can be a Quy chế by its
            # title: either source agreeing is enough. A document of a type that has no code
            # (Hiến pháp, Điều lệ) is not of this type; one whose type is unknown altogether
            # cannot be told apart and still fits.
            known = {c for c in (doc.code, type_code(doc_type)) if c}
            wanted = _KINDRED.get(self.code, frozenset({self.code}))
            if known and not known & wanted:
                return False
            if not known and doc_type and doc_type.strip():
                return False
        if self.issuer and doc.issuer != self.issuer:
            return False
        return not (self.year and doc.year and self.year != doc.year)


def type_code(name: str | None) -> str | None:
    """Folded code for a type name or code, accented or not: "Quy định" -> "QD", "ct" -> "CT"."""
    if not name:
        return None
    key = " ".join(fold(name).split())
    if key in _NAME_TO_CODE:
        return _NAME_TO_CODE[key]
    upper = key.upper()
    return upper if upper in _FOLDED_CODES else None


def type_name(code: str | None) -> str | None:
    """Default type name for a code in any spelling: "QD"/"QĐ"/"qđ" -> "Quyết định"."""
    if not code:
        return None
    canonical = _FOLDED_CODES.get(fold(code).upper())
    return DOC_TYPES[canonical] if canonical else None


def _serial(digits: str) -> str:
    return digits.lstrip("0") or "0"


def _case(part: str) -> str:
    part = re.sub(r"\s+", "", part).replace("–", "-")
    return "-".join(_MIXED_CASE.get(fold(p).upper(), p.upper()) for p in part.split("-"))


def canonical_number(raw: str) -> str | None:
    """The canonical form of one written number, or None: "số 05 - ct/tw" -> "05-CT/TW".

    Keeps the document's own digits ("05") and marks ("QĐ"); uppercases codes and issuers
    except the mixed-case ones documents print that way ("TTr", "CTr", "TTg").
    """
    if not raw:
        return None
    text = _NUMBER_PREFIX.sub("", normalize(raw).strip())
    found = [m for p in (_LOOSE_STATE, _LOOSE_PARTY, _LOOSE_NOYEAR) if (m := p.search(text))]
    if not found:
        return None
    m = min(found, key=lambda m: m.start())  # leftmost; state form first on ties
    groups = m.groupdict()
    if "year" in groups:
        return f"{m['serial']}/{m['year']}/{_case(m['rest'])}"
    if m.re is _LOOSE_PARTY:
        return f"{m['serial']}-{_case(m['code'])}/{_case(m['issuer'])}"
    return f"{m['serial']}/{_case(m['code'])}-{_case(m['issuer'])}"


@lru_cache(maxsize=65536)
def parse_number(number: str) -> NumberRef | None:
    """The structure of a canonical (or loosely written) number, for comparison."""
    canonical = canonical_number(number)
    if canonical is None:
        return None
    folded = fold(canonical)
    if m := _F_STATE.fullmatch(folded):
        return _state_ref(m)
    if m := (_F_PARTY.fullmatch(folded) or _F_NOYEAR.fullmatch(folded)):
        return NumberRef(_serial(m["serial"]), m["code"].upper(), m["issuer"].upper())
    # Multi-part issuers in the no-year form ("01/VBHN-VPQH-TH"): code and the first issuer.
    if m := _F_NOYEAR.match(folded):
        return NumberRef(_serial(m["serial"]), m["code"].upper(), m["issuer"].upper())
    logger.debug("unparsed canonical number %r", canonical)
    return None


def find_numbers(text: str) -> list[str]:
    """Canonical numbers printed in a text (capitalised codes), in order, without repeats."""
    seen: dict[str, None] = {}
    for m in _STRICT.finditer(normalize(text)):
        canonical = canonical_number(m.group(0))
        if canonical:
            seen.setdefault(canonical, None)
    return list(seen)


def _aligned_fold(text: str) -> str:
    """fold() character by character, so positions in the result are positions in text."""
    return "".join(_fold_char(c) for c in text)


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    folded = fold(c)
    return folded if len(folded) == 1 else " "


def _state_ref(m: re.Match[str]) -> NumberRef:
    """A state-form number: "30/2020/NĐ-CP" (code and issuer), "91/2015/QH13" (a law: the
    issuer, the National Assembly's 13th term, and no code), "11/2017/AL" (an án lệ: a code
    and no issuer)."""
    first = m["first"].upper()
    if m["issuer"]:
        return NumberRef(_serial(m["serial"]), first, m["issuer"].upper(), m["year"])
    if first in _FOLDED_CODES:
        return NumberRef(_serial(m["serial"]), first, None, m["year"])
    return NumberRef(_serial(m["serial"]), None, first, m["year"])


def _full_ref(m: re.Match[str]) -> NumberRef:
    if m.re is _F_STATE:
        return _state_ref(m)
    return NumberRef(_serial(m["serial"]), m["code"].upper(), m["issuer"].upper())


def parse_number_refs(query: str) -> list[NumberRef]:
    """Every document-number reference in a member's query, accented or not.

    "chỉ thị 05", "CT 05", "ct05", "05/CT-TW", "NQ57", "nghi quyet so 57-NQ/TW", "57 NQ TW",
    "91/2015/QH13". A number needs a type word, a code or the full printed shape: "năm 2024",
    "Điều 5", "90%", "3 năm" are not references.
    """
    text = normalize(query)
    folded = _aligned_fold(text)
    found: list[tuple[int, NumberRef]] = []

    # Full printed numbers first, keyed by where their serial starts.
    fulls: dict[int, tuple[int, NumberRef]] = {}
    taken: list[tuple[int, int]] = []
    for pattern in (_F_STATE, _F_PARTY, _F_NOYEAR, _F_SPACED):
        for m in pattern.finditer(folded):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            fulls[m.start()] = (m.end(), _full_ref(m))

    used: set[int] = set()
    for m in _F_TYPED.finditer(folded):
        word = m["type"]
        code = _NAME_TO_CODE.get(word) or word.upper()
        start = m.start("serial")
        if start in fulls:
            end, ref = fulls[start]
            ref = ref if ref.code else replace(ref, code=code)
            written = text[m.start() : max(m.end(), end)]
            found.append((m.start(), replace(ref, written=written)))
            used.add(start)
            continue
        if any(s <= m.start() < e for s, e in taken):
            continue  # the code letters of a full number ("57-NQ/TW" read as "nq/...")
        if word == "da" and text[m.start() : m.start() + 2] not in ("ĐA", "DA"):
            continue  # "đã 5 năm", "da": only the capitalised code means Đề án
        tail = folded[m.end() :]
        if _DECIMAL.match(tail) or _COUNTED.match(tail):
            continue
        issuer = m["issuer"] or m["issuer2"]
        if issuer and issuer.upper() in _FOLDED_CODES:
            issuer = None  # "57/NQ": a code repeated, not an issuer
        found.append((m.start(), NumberRef(
            _serial(m["serial"]), code, issuer.upper() if issuer else None,
            written=text[m.start() : m.end()],
        )))

    found.extend(
        (start, replace(ref, written=text[start:end]))
        for start, (end, ref) in fulls.items() if start not in used
    )
    found.sort(key=lambda item: item[0])
    refs: dict[NumberRef, None] = {}
    for _, ref in found:
        refs.setdefault(ref, None)
    return list(refs)


def reference_words(ref: NumberRef) -> set[str]:
    """Folded syllables a member uses to name this reference: "nghi", "quyet", "57", "nq"..."""
    words = {ref.serial, ref.serial.zfill(2), ref.serial.zfill(3)}
    for part in (ref.code, ref.issuer, ref.year, type_name(ref.code)):
        if part:
            words.update(re.findall(r"[^\W_]+", fold(part)))
    return words


def number_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical number) of every number printed in a normalised text (the
    capitalised forms `find_numbers` reads), in order; positions are in `text`."""
    spans = []
    for m in _STRICT.finditer(text):
        canonical = canonical_number(m.group(0))
        if canonical:
            spans.append((m.start(), m.end(), canonical))
    return spans
