"""The heading rules of Vietnamese official documents: which lines open a section, at which
level, and a document's outline. Shared by the indexer (chunking along the structure) and the
bot (a document's outline in "Xem văn bản"), so they live on the knowledge side.

Vietnamese official documents nest Phần > Chương > Mục > Điều > khoản (1.) > điểm (a)), or
Roman sections (I., II.) > numbered items (1., 1.1.) > lettered points (a), b)), with "Thứ
nhất, ..." paragraphs as list items. A heading's level comes from its numbering scheme, and
a list item also from its number: "2." continues the open "1.", a "1." inside an open item
starts a list nested in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEADING_CHARS = 60
MAX_DEPTH = 6

_ORDINALS = "nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười(?: một| hai| ba| bốn| lăm| năm)?"
_COUNT_WORDS = "Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười"
# Levels come from the numbering scheme, outermost first: PHẦN › (A.) › Chương › Mục › Điều
# or I. › 1. › 1.1. › 1.1.1. › "Thứ nhất" › a) › 1) (Nghị định 30/2020/NĐ-CP, Phụ lục I, mục
# II.4; Luật Ban hành VBQPPL 2015, Điều 61: Phần, chương, mục, tiểu mục, điều, khoản, điểm).
# A heading closes every open heading of its level or deeper, so "10. Thành phần gia đình"
# can never hold the next "II." part. (kind, rank, pattern); the first that matches a line's
# start wins. Only line starts count, so "15.5 triệu" or "năm 2024." inside a paragraph never
# open a section.
_PATTERNS: list[tuple[str, int, re.Pattern[str]]] = [
    ("phan", 0, re.compile(r"^(?:PHẦN|Phần)\s+(?:THỨ\s+\S+|thứ\s+\S+|[IVXLC]+\b|\d+\b)")),
    ("chuong", 10, re.compile(r"^(?:CH[ƯƢ]ƠNG|Ch[ưƣ]ơng)\s+(?:[IVXLC]+|\d+)(?=$|[\s.:–-])")),
    ("alpha", 15, re.compile(r"^(?P<alpha>[A-DE-HK-UYĐ])\.\s+(?=[A-ZĐ][^a-zđ]{3})")),
    ("muc", 20, re.compile(r"^(?:MỤC|Mục)\s+(?:\d+|[IVXLC]+)(?=$|[\s.:–-])")),
    ("dieu", 30, re.compile(r"^(?:Điều|ĐIỀU)\s+\d+[a-zđ]?\s*(?:[.:]|$)")),
    ("roman", 30, re.compile(r"^(?P<roman>[IVX]{1,5})\s*[.)]\s+(?![A-ZĐ]\.\s)(?=\S)")),
    ("num", 40, re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})(?P<dot>[.)])?\s+(?P<next>\S)")),
    ("thu", 75, re.compile(rf"^(?P<label>Thứ\s+(?:{_ORDINALS})|(?:{_COUNT_WORDS})\s+là)\s*[,:.]\s*(?=\S)")),
    ("letter", 80, re.compile(r"^(?P<letter>[a-zđ])\)\s+(?=\S)")),
]
_NUM_RANKS = {1: 40, 2: 50, 3: 60, 4: 70}
_PAREN_RANK = 90  # "1)" items: a list inside points
DIVISION_RANK = 40  # below this a heading is a division (Phần, Chương, Mục, Điều, I.)
# Items that continue a list by their number; a "1." or "a)" that starts a list again inside
# an open item of the same kind is a list nested in that item.
_SEQUENCED = ("num1", "letter", "paren")
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_MARKUP = re.compile(r"^(?:#{1,6}\s+|[*_]{1,3}(?=\S))")


@dataclass(frozen=True)
class Heading:
    kind: str
    rank: int
    text: str
    seq: str | None = None  # the item's own number or letter: "3", "b"


def document_outline(text: str, *, max_depth: int = 2) -> tuple[str, ...]:
    """The document's headings in order, as heading paths ("II. Nhiệm vụ › 2. …"), down to
    `max_depth` levels (divisions and their first-level items; lettered points are too fine
    for an outline). Read from the text itself, so an item packed into its parent's chunk
    still shows."""
    paths = (path for path, _lines, _division in sections(text) if 0 < len(path) <= max_depth)
    return tuple(dict.fromkeys(" › ".join(path) for path in paths))


def document_sections(text: str) -> list[tuple[tuple[str, ...], list[str]]]:
    """(heading path, lines) of each section, in order; lines before any heading have path ()."""
    return [(path, lines) for path, lines, _division in sections(text)]


def sections(text: str) -> list[tuple[tuple[str, ...], list[str], bool]]:
    """Split lines into (heading path, lines, under a division) sections; text before any
    heading has path (). "Under a division" means the outermost heading is a Phần / Chương /
    Mục / Điều / Roman section rather than a list item."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    sections: list[tuple[tuple[str, ...], list[str], bool]] = []
    stack: list[Heading] = []
    current: list[str] = []
    path: tuple[str, ...] = ()
    division = False
    for i, line in enumerate(lines):
        heading = heading_of(line, lines[i + 1] if i + 1 < len(lines) else None)
        if heading is None:
            current.append(line)
            continue
        if current:
            sections.append((path, current, division))
        _push(stack, heading)
        division = stack[0].rank < DIVISION_RANK
        path = tuple(h.text for h in stack)
        current = [line]
    if current:
        sections.append((path, current, division))
    return sections


def _push(stack: list[Heading], heading: Heading) -> None:
    if heading.kind in _SEQUENCED and heading.seq is not None:
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].kind == heading.kind and _follows(stack[i].seq, heading.seq):
                del stack[i:]  # the next item of an open list
                _append(stack, heading)
                return
        if heading.seq in ("1", "a") and any(h.kind == heading.kind for h in stack):
            _append(stack, heading)  # numbering starts again inside an item: a nested list
            return
        inner = next((h for h in reversed(stack) if h.kind == heading.kind), None)
        if inner is not None and _after(inner.seq, heading.seq):
            del stack[stack.index(inner) :]  # the same list, an item or more skipped
            _append(stack, heading)
            return
    while stack and stack[-1].rank >= heading.rank:
        stack.pop()
    _append(stack, heading)


def _append(stack: list[Heading], heading: Heading) -> None:
    if len(stack) >= MAX_DEPTH:
        stack.pop()
    stack.append(heading)


def _after(previous: str | None, seq: str) -> bool:
    return previous is not None and previous.isdigit() and seq.isdigit() and int(seq) > int(previous)


def _follows(previous: str | None, seq: str) -> bool:
    if previous is None:
        return False
    if previous.isdigit() and seq.isdigit():
        return int(seq) == int(previous) + 1
    return any(
        previous in order and seq in order and order.index(seq) == order.index(previous) + 1
        for order in (_LETTERS, _LATIN)
    )


def heading_of(line: str, next_line: str | None) -> Heading | None:
    bare = _MARKUP.sub("", line).rstrip("*_ ")
    if not bare or not (bare[0].isalnum()):
        return None
    for kind, rank, pattern in _PATTERNS:
        m = pattern.match(bare)
        if not m:
            continue
        if kind == "roman" and not _ROMAN.match(m["roman"]):
            return None
        seq = None
        if kind == "num":
            depth = m["num"].count(".") + 1
            if m["dot"] is None and (depth == 1 or not m["next"][0].isupper()):
                return None  # "15.5 triệu", "2 người": a number, not an item label
            if depth == 1 and m["dot"] == ")":
                kind, rank = "paren", _PAREN_RANK
            else:
                kind, rank = f"num{depth}", _NUM_RANKS[depth]
            seq = m["num"].rsplit(".", 1)[-1]
        if kind == "letter":
            seq = m["letter"]
        if kind == "thu":
            label = m["label"]
            return Heading(kind, rank, label[:1].upper() + label[1:])
        text = bare
        if kind in ("phan", "chuong", "muc") and m.end() >= len(bare.rstrip(" .:")) and next_line:
            # "Chương II" alone on its line, its name in capitals on the next one.
            name = _MARKUP.sub("", next_line).strip("*_ ")
            if name and name == name.upper() and len(name) <= 120 and heading_of(name, None) is None:
                text = f"{bare.rstrip(' .:')}. {name}"
        return Heading(kind, rank, _shorten(text), seq)
    return None


def _shorten(text: str) -> str:
    """A heading line of at most ~60 characters, cut at a word boundary with "…".

    Not knowledge.text.shorten, on purpose: a heading's text is the section label the
    indexer stores with every chunk (chunk.section, the citations' "Mục"), and a document's
    outline at read time must name the sections exactly as stored. shorten cuts a little
    differently (inside a word longer than half the width, keeps a final "."), so using it
    here would change stored labels and need a rebuild of every store."""
    text = " ".join(text.split())
    if len(text) <= MAX_HEADING_CHARS:
        return text
    cut = text[: MAX_HEADING_CHARS - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + "…"


__all__ = ["DIVISION_RANK", "Heading", "document_outline", "document_sections", "heading_of",
           "sections"]
