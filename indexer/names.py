"""How names are written: bodies in their standard capitalisation, caps titles in sentence case.

Headers print the issuing body and often the title in capitals. The rules for writing them
back in ordinary text are those of Nghị định 30/2020/NĐ-CP, Phụ lục II (viết hoa tên cơ
quan, tổ chức: the first letter of the words naming the kind of body and of the first word
of its field — "Bộ Tài chính", "Ban Tuyên giáo Tỉnh ủy", "Tổng cục Thuế") and Hướng dẫn
36-HD/VPTW for Party bodies. Known names are matched on folded words, so an OCR'd header
that lost its marks ("TONG CỤC THUE") still comes back spelled right.
"""

from __future__ import annotations

import re

from knowledge.text import fold

# Standard spellings, matched on folded words, longest first. Unknown words are lowercased,
# except place names after a committee or a level word, and the word after a body's kind.
_PHRASES = [
    "Ban Chấp hành Trung ương", "Ban Chấp hành Đảng bộ", "Ban Chấp hành Đoàn", "Bộ Chính trị",
    "Ban Bí thư", "Ban Thường vụ", "Thường trực", "Ban Tuyên giáo và Dân vận", "Ban Tuyên giáo",
    "Ban Tổ chức", "Ban Dân vận", "Ban Nội chính", "Ban Kinh tế", "Ban Đối ngoại",
    "Ban Chính sách, chiến lược", "Ủy ban Kiểm tra", "Ủy ban Thường vụ Quốc hội",
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Văn phòng Quốc hội", "Văn phòng Chính phủ",
    "Văn phòng", "Trung ương", "Đảng ủy Khối", "Đảng ủy", "Đảng bộ", "Đảng đoàn",
    "Ban Cán sự đảng", "Thủ tướng Chính phủ", "Chính phủ", "Thủ tướng", "Quốc hội", "Đảng",
    "Công an", "Quân đội", "Mặt trận Tổ quốc Việt Nam", "Việt Nam", "Hồ Chí Minh",
    "Thông tin và Truyền thông", "Giáo dục và Đào tạo", "Nội vụ", "Tư pháp", "Tỉnh ủy",
    "Thành ủy", "Huyện ủy", "Thị ủy", "Quận ủy", "Bộ Tài chính", "Tổng cục Thuế",
    "Tổng cục Hải quan", "Cục Thuế", "Kho bạc Nhà nước", "Ngân hàng Nhà nước Việt Nam",
    "Hội đồng Thẩm phán", "Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao",
    "Chánh án", "Thành đoàn", "Tỉnh đoàn", "Huyện đoàn", "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Đoàn TNCS Hồ Chí Minh", "Đại hội đại biểu toàn quốc", "Tổng cục", "Cục", "Đoàn", "Ban", "Bộ",
]
_PHRASE_WORDS = sorted(
    ((tuple(fold(p).replace(",", "").split()), p.replace(",", "").split()) for p in _PHRASES),
    key=lambda item: len(item[0]),
    reverse=True,
)
COMMITTEES = {"tinh uy", "thanh uy", "huyen uy", "thi uy", "quan uy", "dang uy", "dang bo"}
_LEVELS = {"tinh", "huyen", "xa", "phuong", "quan", "thi xa", "thi tran", "thanh pho", "khoi"}
# After these the next word names the body's field and is capitalised: "Bộ Tài chính".
_KIND_WORDS = {("bo",), ("so",), ("cuc",), ("tong", "cuc"), ("vu",), ("vien",), ("ban",)}
# Abbreviations printed in capitals inside names: kept as printed.
_ACRONYMS = {"bch", "tncs", "mttq", "ubnd", "hdnd", "tw", "btv", "ttg", "tandtc", "vksndtc"}

# Proper nouns that a title printed in capitals keeps capitalised in sentence case.
_PROPER = [
    "Điều lệ Đảng", "Đảng Cộng sản Việt Nam", "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Cộng hòa xã hội chủ nghĩa Việt Nam", "Mặt trận Tổ quốc Việt Nam", "Ban Chấp hành Trung ương",
    "Bộ Chính trị", "Ban Bí thư", "Hồ Chí Minh", "Việt Nam", "Trung ương", "Quốc hội",
    "Chính phủ", "Hiến pháp", "Tổ quốc", "Nhân dân", "Điều lệ Đoàn", "Đoàn TNCS Hồ Chí Minh",
]
_PROPER_WORDS = sorted(
    ((tuple(fold(p).split()), p.split()) for p in _PROPER), key=lambda item: len(item[0]), reverse=True
)
# "đảng" alone is the Party; "đảng viên", "đảng bộ", "đảng ủy" are common nouns.
_PARTY_COMPOUNDS = {"vien", "bo", "uy", "doan", "phi", "tich", "vu", "ky", "kien", "tinh"}


def title_case(name: str) -> str:
    """Standard capitalisation of a body's name: "BAN TUYÊN GIÁO TỈNH ỦY" -> "Ban Tuyên giáo Tỉnh ủy"."""
    words = [w for w in re.split(r"\s+", name.strip(" .,;:*-–")) if w]
    folded = [fold(w).strip(",") for w in words]
    out: list[str] = []
    proper = False  # inside a place name: "Tỉnh ủy Đắk Lắk", "tỉnh Kon Tum"
    field = False  # the word after a body's kind: "Bộ Tài chính"
    i = 0
    while i < len(words):
        for key, spelled in _PHRASE_WORDS:
            if tuple(folded[i : i + len(key)]) == key:
                out.extend(spelled)
                joined = " ".join(key)
                proper = joined in COMMITTEES
                field = key in _KIND_WORDS
                i += len(key)
                break
        else:
            word, f = words[i], folded[i]
            if f in _ACRONYMS or (word.isupper() and len(word) <= 4 and not _is_syllable(f)):
                out.append(word)
            elif f in _LEVELS or " ".join(folded[i : i + 2]) in _LEVELS:
                out.append(word.lower())
                proper = True
            elif proper or field or not out:
                out.append(word[:1].upper() + word[1:].lower())
            else:
                out.append(word.lower())
            field = (f,) in _KIND_WORDS
            i += 1
    return " ".join(out)


def sentence_case(text: str) -> str:
    """A title printed in capitals, as a sentence: "THI HÀNH ĐIỀU LỆ ĐẢNG" -> "Thi hành Điều
    lệ Đảng". Proper nouns keep their capitals; everything else is lowercased."""
    words = text.lower().split()
    folded = [fold(w).strip(",.;:()") for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        for key, spelled in _PROPER_WORDS:
            if tuple(folded[i : i + len(key)]) == key:
                tail = words[i + len(key) - 1][len(spelled[-1]) :]  # keep trailing punctuation
                out.extend([*spelled[:-1], spelled[-1] + tail])
                i += len(key)
                break
        else:
            word = words[i]
            if folded[i] == "dang" and (i + 1 >= len(words) or folded[i + 1] not in _PARTY_COMPOUNDS):
                word = word[:1].upper() + word[1:]
            out.append(word)
            i += 1
    result = " ".join(out)
    return result[:1].upper() + result[1:]


_VOWELS = set("aeiouy")


def _is_syllable(folded: str) -> bool:
    return any(c in _VOWELS for c in folded)
