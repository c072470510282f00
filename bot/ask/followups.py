"""Follow-ups in a conversation: "còn gì nữa?", "nói rõ hơn", "điều đó ở văn bản nào?",
"còn chỉ thị 12 thì sao?" continue the previous question of the same person in the same chat
(bot/ask/conversation.py keeps it for a short while) instead of starting a search of their own.

A message is a follow-up only when the WHOLE message is one, compared without case and
diacritics, once politeness and filler words ("ạ", "nhé", "bạn ơi", "được không", "cho mình")
are set aside:

- `more`: asks for further passages ("còn gì nữa", "thêm nữa", "tiếp đi", "còn đoạn nào khác");
- `detail`: asks for the passage in full ("nói rõ hơn", "cụ thể hơn", "giải thích thêm");
- `source`: asks which document it was ("điều đó ở văn bản nào", "nguồn ở đâu", "căn cứ vào
  đâu"); words that only point back ("điều đó", "cái này", "đoạn trên") may come before;
- `other_document`: the same question about another document: nothing but one or more
  document references with a continuation word before ("còn", "thế còn", "vậy còn", "đối
  với") or after them ("thì sao", "thì thế nào").

Anything else is a new question, even when it starts with "còn": "còn bao nhiêu ngày nữa thì
hết hạn nộp báo cáo?", "còn chỉ thị 12 quy định gì về chuyển đổi số?" (a question of its own
about that document) are searched as they are. The phrase lists are general Vietnamese
ways of continuing a conversation, not taken from any test or evaluation question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from knowledge.docnumbers import DOC_TYPES, NumberRef, parse_number_refs, reference_words
from knowledge.text import fold, normalize

FollowUpKind = Literal["more", "detail", "source", "other_document"]
MAX_WORDS = 14  # longer messages are questions of their own

_WORDS = re.compile(r"[^\W_]+")


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(line.split()) for line in text.strip().splitlines() if line.strip())


# Folded words of politeness and filler, dropped anywhere before matching. Kept to words that
# carry no subject of their own ("chi" stays: "chi tiết"; "ban" is "bạn" and "bản": below).
_FILLER = frozenset(
    "a ah nhe nha nhi ha ho vay oi voi giup minh toi em anh cho di duoc khong hay xin "
    "vui long lam on the".split()
)
# Addressing the assistant, dropped only at the ends ("bạn ơi, …", "… nhé bạn"): "ban" is
# also the "bản" of "văn bản".
_ADDRESS = frozenset("ban tro ly bot".split())


def _trimmed(words: list[str], filler: frozenset[str]) -> list[str]:
    """The words without `filler` anywhere and without addressing words at the ends."""
    kept = [w for w in words if w not in filler]
    while kept and kept[0] in _ADDRESS:
        kept = kept[1:]
    while kept and kept[-1] in _ADDRESS:
        kept = kept[:-1]
    return kept


_MORE = _phrases("""
    con gi nua
    con gi
    con gi khac
    con gi khac nua
    con nua
    con
    them
    them nua
    xem them
    noi them nua
    tiep
    tiep tuc
    tiep theo
    xem tiep
    nua
    con doan nao nua
    con doan nao khac
    con noi dung nao nua
    con noi dung nao khac
    con quy dinh nao nua
    con quy dinh nao khac
    con y nao nua
    con y nao khac
    con van ban nao nua
    con van ban nao khac
    ngoai ra con gi
    ngoai ra con gi nua
""")

_DETAIL = _phrases("""
    noi ro hon
    noi ro
    ro hon
    noi ro hon nua
    noi cu the hon
    noi cu the
    cu the hon
    cu the
    chi tiet hon
    chi tiet
    noi chi tiet hon
    noi chi tiet
    giai thich them
    giai thich ro hon
    giai thich
    noi them
    noi ky hon
    ky hon
    day du hon
    xem day du
    xem ca doan
    xem toan bo doan
    doc ca doan
    nghia la sao
    nghia la gi
    la sao
""")

# Words that only point back at the previous answer ("điều đó", "cái này", "đoạn trên"),
# dropped before a `source` phrase is compared.
_POINTERS = frozenset("dieu do nay cai viec noi dung doan tren cac cau tra loi thong tin y".split())

_SOURCE = _phrases("""
    o van ban nao
    van ban nao
    trong van ban nao
    thuoc van ban nao
    la van ban nao
    nam o van ban nao
    nam trong van ban nao
    trich tu van ban nao
    trich tu dau
    trich o dau
    lay o dau
    lay tu dau
    nguon o dau
    nguon nao
    nguon
    xuat xu
    can cu vao dau
    can cu o dau
    can cu nao
    can cu van ban nao
    can cu
    theo van ban nao
    quy dinh o dau
    quy dinh o van ban nao
    quy dinh trong van ban nao
    van ban nao quy dinh
    o dieu nao
    muc nao
    o muc nao
""")

# Before or after the document references of `other_document`.
_LEADS = _phrases("""
    con
    the con
    vay con
    con voi
    con doi voi
    doi voi
    voi
    con ve
    the con ve
""")
_TAILS = _phrases("""
    thi sao
    sao
    thi the nao
    the nao
    thi nhu the nao
    nhu the nao
    thi
""")
# Type names and codes ("quy định" is written for QĐ) and "số": parts of a reference.
_TYPE_WORDS = frozenset(
    w for name in (*DOC_TYPES.values(), *DOC_TYPES, "quy dinh", "so")
    for w in _WORDS.findall(fold(name))
)


@dataclass(frozen=True)
class FollowUp:
    kind: FollowUpKind
    refs: tuple[NumberRef, ...] = ()  # other_document: the documents named, as written


def _words(text: str) -> list[str]:
    return _WORDS.findall(fold(normalize(text)))


def classify(text: str) -> FollowUp | None:
    """The follow-up a message is, or None for a question of its own."""
    words = _words(text)
    if not words or len(words) > MAX_WORDS:
        return None
    refs = parse_number_refs(text)
    if refs:
        return _other_document(words, tuple(refs))
    # "thế" is a filler only here: in `other_document` it leads ("thế còn …").
    kept = tuple(_trimmed(words, _FILLER))
    if kept in _MORE:
        return FollowUp("more")
    if kept in _DETAIL:
        return FollowUp("detail")
    pointed = tuple(w for w in kept if w not in _POINTERS)
    if kept in _SOURCE or (pointed and pointed in _SOURCE):
        return FollowUp("source")
    return None


def _other_document(words: list[str], refs: tuple[NumberRef, ...]) -> FollowUp | None:
    """"còn chỉ thị 12 thì sao": a continuation word, the references, nothing else."""
    named = set(_TYPE_WORDS)
    for ref in refs:
        named |= reference_words(ref)
    # Politeness ("ạ", "nhé", "bạn ơi") is not part of the pattern.
    words = _trimmed(words, _FILLER - {"the", "voi"})
    first = next((i for i, w in enumerate(words) if w in named), None)
    if first is None:
        return None
    last = max(i for i, w in enumerate(words) if w in named)
    if any(w not in named for w in words[first : last + 1]):
        return None  # words between two references: a question of its own
    lead, tail = tuple(words[:first]), tuple(words[last + 1 :])
    if lead and lead not in _LEADS:
        return None
    if tail and tail not in _TAILS:
        return None
    if not lead and not tail:
        return None  # "chỉ thị 12" alone asks for the document itself (its overview)
    return FollowUp("other_document", refs)


def about_other_document(previous: str, refs: tuple[NumberRef, ...]) -> str:
    """The previous question asked about other documents: the references it named replaced
    by the new ones, or the new ones put before it when it named none.

    "Quy định 45 quy định thời hạn gửi báo cáo thế nào?" + "chỉ thị 12" ->
    "chỉ thị 12 quy định thời hạn gửi báo cáo thế nào?"."""
    written = " ".join(" ".join((ref.written or ref.serial).split()) for ref in refs)
    question = normalize(previous).strip()
    old = [ref.written for ref in parse_number_refs(question) if ref.written]
    if not old:
        return f"{written}: {question}"
    first = question.find(old[0])
    if first < 0:
        return f"{written}: {question}"
    out = question[:first] + written + question[first + len(old[0]):]
    for other in old[1:]:  # a question about two documents now asks about the new ones
        out = out.replace(other, "", 1)
    return " ".join(out.split())


__all__ = ["FollowUp", "FollowUpKind", "about_other_document", "classify"]
