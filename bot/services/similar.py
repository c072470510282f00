"""Which logged questions ask the same thing in other words: "Bao giờ phải nộp báo cáo
tháng?", "bao gio nop bao cao thang", "Hạn nộp báo cáo tháng là ngày nào?".

Two questions are similar when their content words — folded syllables, without the words
that only make a question a question ("bao giờ", "là gì", "có … không", "phải", "ạ") —
overlap by a Dice coefficient of at least `THRESHOLD` (2·|A∩B| / (|A|+|B|)). Folding makes
the accented and unaccented ways of typing one question the same; set overlap lets word order
and one or two extra words differ. The words removed are the language's question and
function words, not any test's. Used by the question report, which groups similar
unanswered questions, and by official answers, which reach everyone who asked one of them.

Grouping is by leaders: questions are taken most-asked first, and each joins the first
leader it is similar to, or leads a group of its own; so a group is the questions similar
to its leader (no chains of "a like b like c" with a and c unrelated), and the result does
not depend on the order rows came from the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from knowledge.text import fold, normalize

THRESHOLD = 0.6
MIN_WORDS = 2  # questions with fewer content words are grouped only with the same words

# Folded phrases that ask rather than name a topic, removed first ("bao giờ" before "bao"
# can be taken for "báo"), then single function words.
_ASKING = tuple(tuple(p.split()) for p in (
    "bao gio", "bao lau", "bao nhieu", "khi nao", "luc nao", "la gi", "the nao",
    "nhu the nao", "ra sao", "o dau", "tai sao", "vi sao", "co phai", "duoc khong",
    "hay khong", "phai khong", "co duoc", "co the", "lam gi", "gom nhung gi", "nhung gi",
))
_FUNCTION = frozenset("""
    gi nao sao dau ai may khong co la thi ma va cua cho de duoc phai can nhung cac mot
    nay do ay kia a nhe nha oi ban toi minh em anh vay the voi o tai tu den trong ve theo
    khi neu hay hoac roi chua se da dang bi nhu ra vao len xuong moi tung nua con lai
""".split())
_WORD = re.compile(r"[^\W_]+")

T = TypeVar("T")


def content_words(text: str) -> frozenset[str]:
    """The folded syllables of a question that name what it is about."""
    words = _WORD.findall(fold(normalize(text)))
    kept: list[str] = []
    i = 0
    while i < len(words):
        size = next((len(p) for p in _ASKING if tuple(words[i : i + len(p)]) == p), 0)
        if size:
            i += size
            continue
        if words[i] not in _FUNCTION:
            kept.append(words[i])
        i += 1
    return frozenset(kept)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two content-word sets (0..1)."""
    if not a or not b:
        return 1.0 if a == b else 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if min(len(a), len(b)) < MIN_WORDS:
        return a == b
    return similarity(a, b) >= THRESHOLD


def group(items: Sequence[T], text: Callable[[T], str]) -> list[list[T]]:
    """Items (already in the order leaders should be chosen: most asked first) in groups of
    similar questions; each group's first item is its leader."""
    groups: list[tuple[frozenset[str], list[T]]] = []
    for item in items:
        words = content_words(text(item))
        for leader, members in groups:
            if similar(leader, words):
                members.append(item)
                break
        else:
            groups.append((words, [item]))
    return [members for _, members in groups]


__all__ = ["THRESHOLD", "content_words", "group", "similar", "similarity"]
