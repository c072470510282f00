"""Excerpts: the sentences of a passage worth quoting for a question, within a length.

A quote must carry content: a heading or an item number on its own ("3.2.2.", "8.1. Xóa tên
đảng viên.") says where, not what, so it is quoted with the content under it — the next
sentences of the passage, or the start of the next passage of the document when the heading
ends this one. A table row is quoted with its table's header row (DOCX tables come out of the
loader one row a line, cells joined by " | "), from the passage before when the table began
there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge import phrasing as messages
from knowledge.text import fold, normalize, shorten, syllables

# Sentence ends: . ; ! ? followed by a space and a capital (digit, quote), or line breaks.
# Numbered labels ("1.", "a)") at a line start stay with their sentence because we only split
# after the mark + space. The capitals are listed: the range À-Ỹ also holds lowercase letters
# (đ, ư, ồ...), and "hay; đồng thời" is one sentence.
_CAPITALS = "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper())
_LABEL_ONLY = re.compile(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]$")
_SENTENCE_END = re.compile(rf"(?<=[.;!?…])\s+(?=[A-Z{_CAPITALS}0-9\"“(«-])")
# The label a structured heading starts with: "Chương II", "Điều 5.", "III.", "3.2.2.", "a)".
_LABEL = re.compile(
    r"^(?:(?:phần|chương|mục|điều)\s+[\dIVXLC]+[.:]?|[IVXLC]+[.)]|\d+(?:\.\d+)+[.)]?|\d+[.)]"
    r"|[a-zđ]\))\s+",
    re.IGNORECASE,
)
MAX_HEADING_WORDS = 10  # "8.1. Xóa tên đảng viên." is a heading; a numbered rule is longer
TABLE_CELL_SEPARATOR = " | "  # how indexer/loaders/word.py writes a table row


@dataclass(frozen=True)
class Neighbours:
    """The passages around the one quoted, in the same document (None: there is none)."""

    previous: str | None = None
    following: str | None = None


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; a bare item label ("III.", "2.", "a)") stays with its text and
    a table row stays one sentence."""
    out: list[str] = []
    for line in re.split(r"\n+", text):
        parts = [line] if TABLE_CELL_SEPARATOR in line else _SENTENCE_END.split(line)
        for part in parts:
            part = part.strip()
            if not part:
                continue
            if out and _LABEL_ONLY.match(out[-1]):
                out[-1] = f"{out[-1]} {part}"
            else:
                out.append(part)
    return out


def is_heading(sentence: str) -> bool:
    """A heading or item label with little or no content of its own ("3.2.2.", "8.1. Xóa tên
    đảng viên.", "II. NHIỆM VỤ, GIẢI PHÁP", "Đảng viên có nhiệm vụ sau:")."""
    s = sentence.strip()
    if not s or is_table_row(s):
        return False
    if _LABEL_ONLY.match(s) or s.endswith(":"):
        return True
    letters = [c for c in s if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(s.split()) <= 2 * MAX_HEADING_WORDS:
        return True
    m = _LABEL.match(s)
    return bool(m) and len(s[m.end():].split()) <= MAX_HEADING_WORDS


def is_table_row(sentence: str) -> bool:
    return TABLE_CELL_SEPARATOR in sentence


def excerpt(
    text: str, question: str, max_chars: int, neighbours: Neighbours = Neighbours()
) -> str:
    """The passage's sentences that share most words with the question, in document order,
    within `max_chars` (gap marks and line breaks included); gaps are marked with "…"."""
    sentences = split_sentences(normalize(text))
    if not sentences:
        return ""
    header = _header_from_previous(sentences, neighbours.previous)
    q = syllables(fold(question))
    words = set(q)
    pairs = {f"{a} {b}" for a, b in zip(q, q[1:])}

    def score(sentence: str) -> float:
        s = syllables(fold(sentence))
        overlap = len(words.intersection(s))
        bigrams = len(pairs.intersection(f"{a} {b}" for a, b in zip(s, s[1:])))
        return overlap + 2 * bigrams

    def render(kept: set[int], tail: str = "") -> str:
        out: list[str] = []
        if header is not None and any(is_table_row(sentences[i]) for i in kept):
            out += [header, messages.OMITTED]
        previous = -1
        for i in sorted(kept):
            if i != previous + 1 and (previous >= 0 or not out):
                out.append(messages.OMITTED)
            out.append(sentences[i])
            previous = i
        if tail:
            out.append(tail)
        elif previous != len(sentences) - 1:
            out.append(messages.OMITTED)
        return "\n".join(out)

    everything = set(range(len(sentences)))
    if len(render(everything)) <= max_chars:
        keep = everything
    else:
        keep = set()
        ranked = sorted(range(len(sentences)), key=lambda i: (-score(sentences[i]), i))
        for i in ranked:
            unit = keep | _unit(sentences, i, header is not None)
            # Measured as rendered: the "…" gap marks and line breaks count against max_chars.
            if len(render(unit)) <= max_chars:
                keep = unit
            elif not keep and not is_heading(sentences[i]):
                return _cut_row(sentences, i, header, max_chars)
        if not keep:
            return _cut(" ".join(sentences[: 2]), max_chars)
    if all(is_heading(sentences[i]) for i in keep) and max(keep) == len(sentences) - 1:
        # Only headings, and the content under the last one is in the next passage.
        tail = _content_start(neighbours.following)
        if tail:
            room = max_chars - len(render(keep, " ")) + 1
            if room > 20:
                return render(keep, tail if len(tail) <= room else _cut(tail, room))
    return render(keep)


def _unit(sentences: list[str], i: int, header_before: bool = False) -> set[int]:
    """Sentence i with what it needs to make sense: a heading with the content under it, a
    table row with its table's header row (none here when the table's header row is in the
    previous passage: `header_before`)."""
    unit = {i}
    if is_heading(sentences[i]):
        j = i + 1
        while j < len(sentences):
            unit.add(j)
            if not is_heading(sentences[j]):
                break
            j += 1
    elif is_table_row(sentences[i]):
        start = _block_start(sentences, i)
        if not (start == 0 and header_before):
            unit.add(start)
    return unit


def _block_start(sentences: list[str], i: int) -> int:
    while i > 0 and is_table_row(sentences[i - 1]):
        i -= 1
    return i


def _cut_row(sentences: list[str], i: int, header: str | None, max_chars: int) -> str:
    """One sentence too long for the room, cut at a word; a table row keeps its header row."""
    if is_table_row(sentences[i]):
        start = _block_start(sentences, i)
        head = header if start == 0 and header is not None else sentences[start]
        if start != i or head is header:
            lead = f"{head}\n{messages.OMITTED}\n" if (head is header or start < i - 1) else f"{head}\n"
            if len(lead) + 20 < max_chars:
                return lead + _cut(sentences[i], max_chars - len(lead))
    return _cut(sentences[i], max_chars)


def _header_from_previous(sentences: list[str], previous: str | None) -> str | None:
    """The header row of a table that began in the previous passage and goes on here."""
    if not previous or not is_table_row(sentences[0]):
        return None
    before = split_sentences(normalize(previous))
    if not before or not is_table_row(before[-1]):
        return None
    return before[_block_start(before, len(before) - 1)]


def _content_start(following: str | None) -> str:
    """The first sentences of the next passage up to and including its first content one."""
    if not following:
        return ""
    taken: list[str] = []
    for sentence in split_sentences(normalize(following)):
        taken.append(sentence)
        if not is_heading(sentence):
            break
    return "\n".join(taken)


def _cut(text: str, max_chars: int) -> str:
    """One sentence (a table row: its cells' line as it is) in `max_chars`, after a word."""
    return shorten(text, max_chars, keep_lines=True)
