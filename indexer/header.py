"""Recognisers for the lines of an official document's header and closing block.

Shared by `indexer.boilerplate` (which keeps these lines out of content) and
`indexer.metadata` (which reads number, type, issuer and date from them). The layout they
follow is the one of Nghị định 30/2020/NĐ-CP (Phụ lục I: thể thức văn bản hành chính) and
Hướng dẫn 36-HD/VPTW (thể thức văn bản của Đảng): issuing body top left, national motto or
the Party's name top right, "Số: …", "<place>, ngày … tháng … năm …", the type word in
capitals, the trích yếu (subject), then at the end "Nơi nhận:" and the signature block
("TM.", "KT.", "TL.", "TUQ.", "Q." + the signer's title and name). Every function takes one
line of normalised text (`knowledge.text.normalize`) unless it says otherwise.
"""

from __future__ import annotations

import re

from knowledge.text import fold

# Type words as a header prints them (folded) -> the name metadata uses. Longest first so
# "thong tu lien tich" wins over "thong tu", "bo luat" over "luat".
TYPE_NAMES = {
    fold(name): name
    for name in (
        "Nghị quyết liên tịch", "Thông tư liên tịch", "Văn bản hợp nhất", "Nghị quyết", "Chỉ thị",
        "Kết luận", "Quy định", "Quyết định", "Hướng dẫn", "Kế hoạch", "Đề án", "Thông báo",
        "Công văn", "Công điện", "Báo cáo", "Biên bản", "Quy chế", "Chương trình", "Nghị định",
        "Thông tư", "Thông tri", "Tờ trình", "Bộ luật", "Luật", "Pháp lệnh", "Hiến pháp",
        "Điều lệ", "Án lệ", "Lệnh", "Giấy mời",
    )
}
_TYPE_ALTERNATION = "|".join(sorted(TYPE_NAMES, key=len, reverse=True))
TYPE_WORD = re.compile(r"^(?P<word>" + _TYPE_ALTERNATION + r")(?=$|[\s:,])")
# An OCR'd header may share the type line with a stamp's debris ("DEN i: : _¬ CHỈ THỊ"):
# a short prefix with a symbol no header prints, then the type word alone in capitals.
_TRAILING_TYPE = re.compile(r"^(?P<junk>.{0,24}?[|:;_¬~€»«©®]+.{0,12}?)\s(?P<word>" + _TYPE_ALTERNATION + r")$")

# The motto lines: the country's name and motto, the Party's name, the Đoàn's name in the
# right-hand column of its documents. Folded, with room for OCR damage ("CHỦ NGA", "Hanh").
MOTTO = re.compile(
    r"cong\s*hoa\s+xa\s+hoi\s+ch\w*\s+ngh?\w*\s+viet\s+nam"
    r"|doc\s*lap\s*[-–—,.]?\s*tu\s*do\s*[-–—,.]?\s*hanh\s*phuc"
    r"|dang\s+cong\s+san\s+viet\s+nam"
)
# The Đoàn's motto line is its full name alone: "ĐOÀN TNCS HỒ CHÍ MINH" (inside a longer
# caps line, e.g. "BCH TRUNG ƯƠNG ĐOÀN TNCS HỒ CHÍ MINH", it is part of a body's name).
_DOAN_MOTTO = re.compile(r"^doan\s+(?:tncs|thanh\s+nien\s+cong\s+san)\s+ho\s+chi\s+minh$")
SEPARATOR = re.compile(r"^[\s*\-–—_=~.o0•·]+$")
NUMBER_LINE = re.compile(r"^(?P<pre>.*?)(?<!\w)(?:Số|SỐ|số)\s*[:.]?\s*(?P<rest>.*)$")
# "Phúc Thịnh, ngày 7 tháng 1 năm 2025", "Hà Nội, ngày ñ| tháng 42 năm 2022" (OCR): a place,
# a comma, then "ngày". Folded.
PLACE_DATE = re.compile(r"(?:^|\s)[a-z][a-z .'-]{1,40},\s*ngay\b")
# "64 CÔNG BÁO/Số 1093 + 1094/Ngày 21-11-2020": a gazette page header, its date is the
# publication date. Folded.
GAZETTE = re.compile(r"cong\s*bao\s*/\s*so\b")
# Digital-signature stamps (Nghị định 30/2020, Phụ lục I, mục II): "Ký bởi: …", "Thời gian
# ký: 02.12.2022 16:53", with the signer's e-mail, organisation and address lines. Folded.
E_SIGNATURE = re.compile(r"^(?:ky\s+boi|thoi\s+gian\s+ky|ngay\s+ky)\s*:")
E_SIGNATURE_DETAIL = re.compile(r"^(?:email|emai\w*|e-mail|co\s+quan|\w{2,4}\s+chi|to\s+chuc|chuc\s+vu)\s*:")
SALUTATION = re.compile(r"^kinh\s+gui\b")
RECIPIENTS = re.compile(r"^n[o0]i\s+nhan\b")
# "TM. BAN THƯỜNG VỤ", "T/M BAN BÍ THƯ", "KT. CHỦ TỊCH", "TL. TỔNG CỤC TRƯỞNG", "TUQ.", "Q.".
SIGN_FOR = re.compile(r"^(?:t\s*/\s*m\b\.?|(?:tm|kt|tl|tuq|q)\s*[./])\s*(?P<body>.+)$")
SIGNED = re.compile(r"^\(?\s*(?:da\s+ky|ky\s+ten|ky\s*,|ky\s+va|ky\s+ghi\s+ro)[^)]*\)?$")


def type_word(line: str, folded: str) -> str | None:
    """The document type a header line announces in capitals ("CHỈ THỊ", "HƯỚNG DẪN",
    "LUẬT BẢO VỆ …", "DEN i: : _¬ CHỈ THỊ" after OCR), as its standard name; else None.
    "LUẬT SỐ: 91/2015/QH13" is a number line, not a type line."""
    if len(line) > 200:
        return None
    m = TYPE_WORD.match(folded)
    if m is not None and line == line.upper():
        if folded[m.end() :].lstrip(" :").startswith("so "):
            return None
        return TYPE_NAMES[m["word"]]
    m = _TRAILING_TYPE.match(folded)
    if m is None or len(folded) != len(line) or not is_caps(line[m.start("word") :]):
        return None
    return TYPE_NAMES[m["word"]]


def type_word_end(line: str, folded: str) -> int:
    """Where the type word of a type line ends (the title may follow on the same line)."""
    m = TYPE_WORD.match(folded)
    if m is not None:
        return m.end()
    m = _TRAILING_TYPE.match(folded)
    return m.end() if m else 0


def is_motto(folded: str, *, doan: bool = False) -> bool:
    """A line that is only a motto (country or Party), allowing separators around it.
    `doan`: in a header's columns the Đoàn's name alone is its motto line too (elsewhere,
    e.g. under "ĐIỀU LỆ", the same words are a title)."""
    rest = MOTTO.sub(" ", folded)
    return bool(rest != folded and SEPARATOR.match(rest + " ")) or (
        doan and bool(_DOAN_MOTTO.match(folded.strip(" *-–—_")))
    )


def strip_mottos(line: str) -> str:
    """The line without its motto parts, on the original (accented) text."""
    folded = fold(line)
    if len(folded) != len(line):  # folding changed lengths (rare ligatures): leave it
        return line
    out = line
    for m in reversed(list(MOTTO.finditer(folded))):
        out = out[: m.start()] + " " + out[m.end() :]
    if _DOAN_MOTTO.match(fold(out).strip(" *-–—_|")):
        return ""
    return " ".join(out.split()).strip(" *-–—_|")


def is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def is_number_line(line: str) -> bool:
    """"Số: 25-KH/BTGTU", "Số 294-QĐ/TW Hà Nội, …", a blank "Số: - KH/ĐTN"."""
    m = NUMBER_LINE.match(line)
    if m is None:
        return False
    pre = m["pre"].strip(" *:-|")
    return (not pre or is_caps(pre)) and bool(re.search(r"[/-]|\d", m["rest"][:40]))


def is_place_date(folded: str) -> bool:
    return bool(PLACE_DATE.search(folded))


def is_person_name(line: str) -> bool:
    """"Tô Lâm", "Trương Đình Nam", "Nguyễn Sinh Hùng": 2–5 capitalised words, no digits."""
    words = line.split()
    return (
        2 <= len(words) <= 5
        and len(line) <= 40
        and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)
    )


def is_role_line(line: str) -> bool:
    """A signer's title in capitals: "TỔNG BÍ THƯ", "CHỦ TỊCH QUỐC HỘI", "BÍ THƯ"."""
    return is_caps(line) and len(line) <= 70 and not re.search(r"[\d;:]|^[IVX]+\.", line)
