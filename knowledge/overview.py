"""A document named without a question: "chỉ thị 12", "qd 294", "CT12", "cho tôi xem NQ 21".

Such a message asks for the document itself, so the answer is an overview (number, type,
title, date, issuer, validity, outline and its opening section), not the passages that
happen to share its words. A message counts as naming only when, once its document
references are taken out, what is left is:

- words that ask to see or summarise something ("cho tôi xem", "nội dung", "tóm tắt", "là
  gì", "nói gì", "thế nào", "còn hiệu lực không", politeness: "ạ", "với", "giúp");
- words of that document's issuer and date ("của Ban Thường vụ Tỉnh ủy", "năm 2025");
- or most of its title (a full citation pasted in: "Chỉ thị 12-CT/TU về tăng cường …").

Anything else ("quy định 294 về kết nạp đảng viên", "NQ 57 mục tiêu là gì", "chỉ thị 12
điều 5", "còn chỉ thị 12 thì sao") is a question about the document and goes to search,
which puts the named document's passages first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.docnumbers import DOC_TYPES, NumberRef, parse_number_refs, reference_words
from knowledge.passages import DocumentMeta
from knowledge.text import fold, normalize

MAX_REQUEST_CHARS = 200  # longer messages are questions, whatever they name
TITLE_SHARE = 0.8  # share of a title's syllables that makes a pasted citation

# Folded syllables that ask for a document rather than about something in it. Kept to
# words with no subject matter of their own; "sao" stays out ("còn chỉ thị 12 thì sao?"
# continues a conversation), as do "mục", "điều" (a part of the document is a question).
FILLER = frozenset(
    """
    xem doc cho toi minh em anh chi bac ban a nhe nha voi di hoi xin vui long lam on oi giup
    tim tra cuu muon can noi dung toan van tom tat gioi thieu thong tin tong quan tiet la gi
    ve cai co gom nhung the nao nhu cua so hieu hanh moi nhat nay do day gui ca duoc khong
    con hieu luc het chua quy dinh va hay ra trich yeu ten ky
    """.split()
)
# Syllables of every type name and code: "quy định" is written for QĐ, whose default name
# is Quyết định, so a reference's own words do not cover it.
_TYPE_SYLLABLES = frozenset(
    w for name in (*DOC_TYPES.values(), *DOC_TYPES, "Quy định") for w in re.findall(r"[a-z]+", fold(name))
)
_SYLLABLE = re.compile(r"[a-z]+|\d+")


@dataclass(frozen=True)
class DocumentRequest:
    """What a message says besides its filler words: the references and the rest."""

    refs: tuple[NumberRef, ...]
    rest: tuple[str, ...]  # folded syllables left (issuer, date or title words, or a question)


def document_request(question: str) -> DocumentRequest | None:
    """The message's document references and leftover words, or None when it names no
    document or is too long to be only a name."""
    text = normalize(question).strip()
    if not text or len(text) > MAX_REQUEST_CHARS:
        return None
    refs = parse_number_refs(text)
    if not refs:
        return None
    named = set(_TYPE_SYLLABLES)
    for ref in refs:
        named |= reference_words(ref)
    rest = tuple(w for w in _SYLLABLE.findall(fold(text)) if w not in named and w not in FILLER)
    return DocumentRequest(tuple(refs), rest)


def names_only(request: DocumentRequest, doc: DocumentMeta) -> bool:
    """Does the message only name `doc` (its issuer, date or title may be spelled out)?"""
    if not request.rest:
        return True
    known = set(_SYLLABLE.findall(fold(doc.issuer or "")))
    if doc.issued:
        known |= {str(doc.issued.year), str(doc.issued.month), f"{doc.issued.month:02d}",
                  str(doc.issued.day), f"{doc.issued.day:02d}", "ngay", "thang", "nam"}
    rest = [w for w in request.rest if w not in known]
    if not rest:
        return True
    # Filler words were taken out of the message: compare with the title's other words.
    title = [w for w in _SYLLABLE.findall(fold(doc.title or "")) if w not in FILLER]
    return bool(title) and set(rest) <= set(title) and len(rest) >= TITLE_SHARE * len(title)
