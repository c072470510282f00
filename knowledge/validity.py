"""Validity at question time: the document in force answers first.

When a document and the one that replaced it (or repealed it) are both among the passages
found, the passages of the one in force come first, unless the member asks about the past:
a year before the replacement took effect ("năm 2020"), or words such as "trước đây", "quy
định cũ". Then the document in force at that time comes first. A document the question names
by number is never moved below one it does not name (the number is the member's choice).
Nothing is dropped: a passage from a document no longer in force is still quoted, with a note
(`knowledge.messages_validity.answer_notes`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from knowledge.passages import DocumentMeta
from knowledge.text import fold, has_diacritics, normalize

if TYPE_CHECKING:
    from knowledge.search import SearchHit

EARLIER = "earlier"

_DOC_WORDS = ("van ban", "quy dinh", "huong dan", "nghi quyet", "chi thi", "ket luan", "quyet dinh",
              "dieu le", "luat", "thong tu", "nghi dinh", "ke hoach", "quy che", "ban")
_DOC_WORDS_ACCENTED = ("văn bản", "quy định", "hướng dẫn", "nghị quyết", "chỉ thị", "kết luận",
                       "quyết định", "điều lệ", "luật", "thông tư", "nghị định", "kế hoạch",
                       "quy chế", "bản")
# "Before" words that mean the past on their own; "cũ" only after a document word ("quy định
# cũ"), since "đảng bộ cũ" or "nơi cư trú" (folded: "cu tru") say nothing about time.
_EARLIER_ACCENTED = re.compile(
    r"(?<!\w)(?:trước\s+đây|trước\s+kia|hồi\s+trước|lúc\s+trước|ngày\s+trước|thời\s+trước"
    rf"|(?:{'|'.join(_DOC_WORDS_ACCENTED)})\s+cũ)(?!\w)"
)
_EARLIER_FOLDED = re.compile(
    r"(?<!\w)(?:truoc\s+day|truoc\s+kia|hoi\s+truoc|luc\s+truoc|thoi\s+truoc"
    rf"|(?:{'|'.join(_DOC_WORDS)})\s+cu(?!\s+(?:the|tru|dan|tri|chi|xu|ly)\b)(?!\w))"
)
# A year the question is about: "năm 2020", "trước 2021", "hồi 2019", "vào năm 2018".
_YEAR = re.compile(r"(?<!\w)(?:nam|truoc|hoi|vao|thoi\s+diem|trong)\s+(?:nam\s+)?((?:19|20)\d\d)(?!\d)")


@dataclass(frozen=True)
class When:
    """The time a question asks about: now (None), a year, or "earlier" (before now)."""

    year: int | None = None
    earlier: bool = False

    @property
    def now(self) -> bool:
        return self.year is None and not self.earlier


def asked_time(question: str, today: date | None = None) -> When:
    """What time the question is about. A year from this one on is "now"."""
    text = normalize(question)
    folded = fold(text)
    today = today or date.today()
    years = [int(y) for y in _YEAR.findall(folded) if int(y) < today.year]
    if years:
        return When(year=min(years))
    earlier = _EARLIER_ACCENTED.search(text.lower()) if has_diacritics(text) else _EARLIER_FOLDED.search(folded)
    return When(earlier=bool(earlier))


def in_force(doc: DocumentMeta, when: When) -> bool:
    """Was (is) the document in force at the time asked about?"""
    validity = doc.validity
    if when.earlier:
        return not validity.in_force
    if when.year is None:
        # The status resolved at the last build, as the answer's notes say it.
        return validity.in_force
    start = validity.effective or doc.issued
    if start and start.year > when.year:
        return False
    ended = validity.ended or validity.declared_end
    return ended is None or ended.year > when.year


def prefer_in_force(hits: Sequence[SearchHit], question: str, today: date | None = None) -> list[SearchHit]:
    """The hits, with those of a document not in force at the time asked about moved just
    below the first hit of a related document (replacing or replaced) that was."""
    if len(hits) < 2 or not any(_related(h.doc) for h in hits):
        return list(hits)
    when = asked_time(question, today)
    family = _families([h.doc for h in hits])
    keys: list[float] = []
    for i, hit in enumerate(hits):
        key = float(i)
        members = family.get(hit.doc.doc_id, ())
        if len(members) > 1 and not in_force(hit.doc, when):
            anchors = [j for j, other in enumerate(hits)
                       if other.doc.doc_id in members and other.doc.doc_id != hit.doc.doc_id
                       and other.named == hit.named and in_force(other.doc, when)]
            if anchors and anchors[0] > i:
                key = anchors[0] + 0.5 + i / (10 * len(hits))
        keys.append(key)
    order = sorted(range(len(hits)), key=keys.__getitem__)
    return [hits[i] for i in order]


def _related(doc: DocumentMeta) -> bool:
    v = doc.validity
    return bool(v.successors or v.replaces or v.repeals)


def _families(docs: list[DocumentMeta]) -> dict[str, frozenset[str]]:
    """Documents among `docs` linked by replacing, repealing or ending one another, as
    groups (an undirected closure over the links whose both ends are here)."""
    present = {d.doc_id for d in docs}
    parent = {doc_id: doc_id for doc_id in present}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc in docs:
        v = doc.validity
        for link in v.successors + v.replaces + v.repeals:
            if link.doc_id in present:
                parent[root(link.doc_id)] = root(doc.doc_id)
    groups: dict[str, set[str]] = {}
    for doc_id in present:
        groups.setdefault(root(doc_id), set()).add(doc_id)
    return {doc_id: frozenset(groups[root(doc_id)]) for doc_id in present}
