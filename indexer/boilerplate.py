"""Boilerplate is metadata, not content: the lines of a document that are never quoted.

An official document's header (issuing body, motto lines, "Số: …", place and date), its
salutation ("Kính gửi: …"), its closing ("Nơi nhận: …" and the signature block: "TM. …",
"T/M …", "KT. …", "TL. …", the signer's title and name, "(Đã ký)"), digital-signature stamps
("Ký bởi: …", "Thời gian ký: …"), gazette page headers ("CÔNG BÁO/Số …/Ngày …"), the
gazette's imprint ("VĂN PHÒNG CHÍNH PHỦ XUẤT BẢN", "Địa chỉ: …", "In tại: …") and
attendance lists ("Thành phần tham dự: - đồng chí …") are read by `indexer.metadata` and
kept out of chunks, so search never matches them and an answer never quotes them. The type
line and the subject line (trích yếu) stay: they are what the document is about.

Rules follow the layout of Nghị định 30/2020/NĐ-CP (Phụ lục I) and Hướng dẫn 36-HD/VPTW,
as `indexer.header` describes. A line is marked only when its shape says so; anything in
doubt stays content.
"""

from __future__ import annotations

import re

from indexer.header import (
    E_SIGNATURE,
    E_SIGNATURE_DETAIL,
    GAZETTE,
    RECIPIENTS,
    SALUTATION,
    SEPARATOR,
    SIGN_FOR,
    SIGNED,
    is_caps,
    is_motto,
    is_number_line,
    is_person_name,
    is_place_date,
    is_role_line,
    strip_mottos,
    type_word,
)
from knowledge.text import fold

HEAD_LINES = 40
MAX_TYPE_AT = 24  # a type line further down is a heading in the body, not the header's
MAX_HEADER_LINE = 220  # header lines are short; a paragraph before the type line is content

# Where content resumes after a closing block: an appendix, a form, a list of names.
_RESUMES = re.compile(r"^(?:phu\s+luc|danh\s+sach|mau\s+(?:so\b|\d)|bieu\s+mau|[ivx]+\.\s|chuong\s|dieu\s+\d)")
_APPENDIX = re.compile(r"^(?:phu\s+luc|mau\s+(?:so\b|\d)|bieu\s+mau)")
_ATTENDANCE = re.compile(
    r"^(?:thanh\s+phan(?:\s+(?:tham\s+du|du\s+hop|du|tham\s+gia|gom))?|co\s+mat|vang\s+mat"
    r"|dai\s+bieu\s+(?:tham\s+)?du|chu\s+tri|thu\s+ky)\b[^:]{0,30}:"
)
_HONORIFIC = re.compile(r"(?:^|[\s:,(-])(?:dong\s+chi|d/c|ong|ba|anh|chi)\b[\s:.]")
_LIST_ITEM = re.compile(r"^(?:[-+•–]|\d{1,3}[.)])\s*")
# A gazette's imprint, printed at the end of each Công báo issue (and so inside whatever
# document closes the issue): the publisher ("VĂN PHÒNG CHÍNH PHỦ XUẤT BẢN"), its address,
# telephone, fax, e-mail, website and printer ("In tại: Xí nghiệp Bản đồ I"), and the
# "(Xem tiếp Công báo số …)" pointer to the next issue. Folded.
_PUBLISHER = re.compile(r"^[a-z ,.&-]{4,60}\bxuat\s+ban$")
_CONTINUED = re.compile(r"^\(?\s*(?:xem\s+tiep\s+cong\s+bao|cong\s+bao\s+so\b.{0,30}\(tiep\s+theo\))")
_CONTACT = re.compile(
    r"^(?:[-+•–]\s*)?(?:dia\s+chi|dien\s+thoai(?:\s+lien\s+he)?|fax|e-?mail|website|in\s+tai"
    r"|phat\s+hanh|noi\s+dung|tong\s+bien\s+tap|giay\s+phep(?:\s+xuat\s+ban)?)\s*:"
)
_GAZETTE_WORDS = re.compile(r"cong\s*bao|congbao|in\s+tai\s*:")


def line_roles(lines: list[str]) -> list[str | None]:
    """The boilerplate role of each line ("letterhead", "motto", "gazette", "e_signature",
    "salutation", "recipients", "signature", "attendance", "separator") or None for content.

    `lines` are the normalised, stripped, non-blank lines a loader gives.
    """
    folded = [fold(line) for line in lines]
    roles: list[str | None] = [None] * len(lines)
    _mark_header(lines, folded, roles)
    for i, f in enumerate(folded):
        if roles[i] is not None:
            continue
        if GAZETTE.search(f) and len(lines[i]) <= 80:
            roles[i] = "gazette"  # printed on every page of a Công báo copy
        elif i < HEAD_LINES and is_motto(f):
            roles[i] = "motto"
    _mark_e_signatures(folded, roles)
    _mark_imprint(lines, folded, roles)
    _mark_salutation(lines, folded, roles)
    _mark_closing(lines, folded, roles)
    _mark_attendance(lines, folded, roles)
    return roles


def strip_boilerplate(text: str) -> str:
    """The document's content: `text` without its boilerplate lines (see `line_roles`).
    A text that is all boilerplate comes back unchanged, so nothing silently disappears."""
    lines = text.split("\n")
    roles = line_roles(lines)
    kept = [line for line, role in zip(lines, roles) if role is None]
    return "\n".join(kept) if any(line.strip() for line in kept) else text


def _mark_header(lines: list[str], folded: list[str], roles: list[str | None]) -> None:
    """Everything above the type line is header; without a type line, the leading run of
    letterhead-shaped lines is, when it holds a number, a date line or a motto."""
    head = min(len(lines), MAX_TYPE_AT)
    type_at = next((i for i in range(head) if type_word(lines[i], folded[i])), None)
    if type_at is not None and all(len(line) <= MAX_HEADER_LINE for line in lines[:type_at]):
        for i in range(type_at):
            roles[i] = _header_role(lines[i], folded[i])
        return
    end = 0
    evidence = False
    after_stamp = False
    for i in range(min(len(lines), HEAD_LINES)):
        line, f = lines[i], folded[i]
        if E_SIGNATURE.match(f) or (after_stamp and E_SIGNATURE_DETAIL.match(f)):
            after_stamp = True
        elif is_motto(f, doan=True) or is_number_line(line) or is_place_date(f) or GAZETTE.search(f):
            evidence = True
            after_stamp = False
        elif SEPARATOR.match(line) or (is_caps(strip_mottos(line) or line) and len(line) <= 120):
            after_stamp = False
        else:
            break
        end = i + 1
    for i in range(end):
        if evidence or is_motto(folded[i], doan=True) or SEPARATOR.match(lines[i]) or E_SIGNATURE.match(folded[i]):
            roles[i] = _header_role(lines[i], folded[i])
        elif E_SIGNATURE_DETAIL.match(folded[i]):
            roles[i] = "e_signature"


def _header_role(line: str, folded: str) -> str:
    if is_motto(folded, doan=True):
        return "motto"
    if GAZETTE.search(folded):
        return "gazette"
    if E_SIGNATURE.match(folded) or E_SIGNATURE_DETAIL.match(folded):
        return "e_signature"
    if SEPARATOR.match(line):
        return "separator"
    return "letterhead"


def _mark_e_signatures(folded: list[str], roles: list[str | None]) -> None:
    """"Ký bởi: …" and the stamp's detail lines right after it, anywhere in the text."""
    i = 0
    while i < len(folded):
        if roles[i] is None and E_SIGNATURE.match(folded[i]):
            roles[i] = "e_signature"
            j = i + 1
            while j < len(folded) and j <= i + 4 and (
                E_SIGNATURE.match(folded[j]) or E_SIGNATURE_DETAIL.match(folded[j])
            ):
                roles[j] = "e_signature"
                j += 1
            i = j
        else:
            i += 1


def _mark_imprint(lines: list[str], folded: list[str], roles: list[str | None]) -> None:
    """A gazette's imprint: "(Xem tiếp Công báo số …)", and a publisher line ("… XUẤT BẢN")
    or a run of three or more contact lines (address, telephone, e-mail, printer…) that names
    the gazette or its printer. A contact block of a letter or a form stays content."""
    for i, f in enumerate(folded):
        if roles[i] is None and _CONTINUED.match(f):
            roles[i] = "gazette"
    i = 0
    while i < len(lines):
        publisher = _PUBLISHER.match(folded[i]) is not None and is_caps(lines[i])
        j = i + 1 if publisher else i
        while j < len(lines) and roles[j] is None and _CONTACT.match(folded[j]) and len(lines[j]) <= 120:
            j += 1
        contacts = range(i + 1 if publisher else i, j)
        named = publisher or any(_GAZETTE_WORDS.search(folded[k]) for k in contacts)
        if len(contacts) >= 3 and named:
            for k in range(i, j):
                roles[k] = "gazette"
            i = j
        else:
            i += 1


def _mark_salutation(lines: list[str], folded: list[str], roles: list[str | None]) -> None:
    """"Kính gửi: …" near the top; when it stands alone, the addressees listed under it."""
    for i in range(min(len(lines), HEAD_LINES)):
        if roles[i] is not None or not SALUTATION.match(folded[i]):
            continue
        roles[i] = "salutation"
        if folded[i].rstrip(" :") == "kinh gui":
            j = i + 1
            while j < len(lines) and _LIST_ITEM.match(lines[j]) and len(lines[j]) <= 120 and (
                lines[j].rstrip()[-1:] in ";,."
            ):
                roles[j] = "salutation"
                j += 1
        return


def _mark_closing(lines: list[str], folded: list[str], roles: list[str | None]) -> None:
    """"Nơi nhận:" to where content resumes (an appendix, a form) and the signature block,
    which the layout may put before or after it; a last block of signature lines too."""
    ends = [len(lines)]  # places a signature block may end at
    i = 0
    while i < len(lines):
        if RECIPIENTS.match(folded[i]) and roles[i] is None:
            ends.append(i)
            j = i
            while j < len(lines) and (j == i or not _RESUMES.match(folded[j])):
                roles[j] = "recipients"
                j += 1
            ends.append(j)
            i = j
        else:
            if _APPENDIX.match(folded[i]) and i > len(lines) // 2:
                ends.append(i)  # a signed main text followed by its appendix
            i += 1
    for end in sorted(set(ends)):
        _mark_signature_before(lines, folded, roles, end)


def _mark_signature_before(lines: list[str], folded: list[str], roles: list[str | None], end: int) -> None:
    block: list[int] = []
    titled = False  # a "TM. …" line or a signer's title in capitals
    signed = False  # "TM. …", a person's name or "(Đã ký)": a role line alone is a heading
    j = end - 1
    while j >= 0 and roles[j] in (None, "signature", "separator", "e_signature"):
        line, f = lines[j], folded[j]
        if roles[j] is not None or SEPARATOR.match(line):
            pass
        elif SIGN_FOR.match(f) and len(line) <= 90:
            titled = signed = True
        elif is_role_line(line):
            titled = True
        elif is_person_name(line) or SIGNED.match(f):
            signed = True
        else:
            break
        block.append(j)
        j -= 1
    if (titled and signed) or (block and all(roles[k] == "separator" or SEPARATOR.match(lines[k]) for k in block)):
        for k in block:
            if roles[k] is None:
                roles[k] = "separator" if SEPARATOR.match(lines[k]) else "signature"


def _mark_attendance(lines: list[str], folded: list[str], roles: list[str | None]) -> None:
    """"Thành phần tham dự:" / "Có mặt:" and the people listed under it (đồng chí, ông, bà)."""
    i = 0
    while i < len(lines):
        if roles[i] is not None or not _ATTENDANCE.match(folded[i]):
            i += 1
            continue
        rest = folded[i].split(":", 1)[1]
        items = []
        j = i + 1
        while j < len(lines) and roles[j] is None and _LIST_ITEM.match(lines[j]) and (
            _HONORIFIC.search(folded[j][:30]) or is_person_name(_LIST_ITEM.sub("", lines[j]).split(" - ")[0].strip(" ,;."))
        ):
            items.append(j)
            j += 1
        if items or len(_HONORIFIC.findall(rest)) >= 2:
            for k in [i, *items]:
                roles[k] = "attendance"
        i = j if items else i + 1
