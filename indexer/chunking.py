"""Structure-aware chunking: cut a document along its own headings, small enough to embed.

Vietnamese official documents nest Phần > Chương > Mục > Điều > khoản (1.) > điểm (a)), or
Roman sections (I., II.) > numbered items (1., 1.1.) > lettered points (a), b)), with "Thứ
nhất, ..." paragraphs as list items. A heading's level comes from its numbering scheme, and
a list item also from its number: "2." continues the open "1.", a "1." inside an open item
starts a list nested in it. Each chunk keeps its heading path so that an answer can cite
"II. Nhiệm vụ › 2." (shown as "mục II, 2"; "Điều 5, khoản 2, điểm a" in a law); the heading
line itself stays in the chunk's text so "Điều 5. Quyền của đảng viên" is searchable. Token
counting may be a real (slow) tokenizer, so it is called once per section, once per
paragraph or sentence only inside sections that are too long, and once per packed chunk to
confirm the estimate.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from indexer.splitting import split_long
from knowledge.passages import Chunk

logger = logging.getLogger(__name__)

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
_DIVISION_RANK = 40  # below this a heading is a division (Phần, Chương, Mục, Điều, I.)
# Items that continue a list by their number; a "1." or "a)" that starts a list again inside
# an open item of the same kind is a list nested in that item.
_SEQUENCED = ("num1", "letter", "paren")
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_MARKUP = re.compile(r"^(?:#{1,6}\s+|[*_]{1,3}(?=\S))")


@dataclass(frozen=True)
class _Heading:
    kind: str
    rank: int
    text: str
    seq: str | None = None  # the item's own number or letter: "3", "b"


@dataclass(frozen=True)
class _Piece:
    """A run of text that fits in one chunk, with where it sits in the document."""

    text: str
    tokens: int
    path: tuple[str, ...]
    joiner: str  # put before it when it follows another piece in the same chunk
    bare: bool = False  # a heading line alone, whose content is in the sections after it
    division: bool = False  # its outermost heading is a division (Chương, Điều, I., ...)


def chunk_document(
    doc_id: str,
    text: str,
    *,
    max_tokens: int,
    count_tokens: Callable[[str], int],
    title: str | None = None,
) -> list[Chunk]:
    """Chunks of one document, in order, each with count_tokens(text) <= max_tokens.

    `title` is accepted for callers that know it; the header block already carries the title
    as text, and the caller prepends title and headings when it embeds, so it is not used here.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    sections = _sections(text)
    pieces: list[_Piece] = []
    for path, lines, division in sections:
        section_text = "\n".join(lines)
        tokens = count_tokens(section_text)
        if tokens <= max_tokens:
            bare = len(lines) == 1 and bool(path) and _heading(lines[0], None) is not None
            pieces.append(_Piece(section_text, tokens, path, "\n", bare, division))
        else:
            pieces.extend(_split_section(lines, path, max_tokens, count_tokens, division))
    chunks = [
        Chunk(doc_id=doc_id, ordinal=i, headings=path, text=body)
        for i, (path, body) in enumerate(_pack(pieces, max_tokens, count_tokens))
    ]
    logger.debug("%s: %d sections -> %d chunks", doc_id, len(sections), len(chunks))
    return chunks


def document_outline(text: str, *, max_depth: int = 2) -> tuple[str, ...]:
    """The document's headings in order, as heading paths ("II. Nhiệm vụ › 2. …"), down to
    `max_depth` levels (divisions and their first-level items; lettered points are too fine
    for an outline). Read from the text itself, so an item packed into its parent's chunk
    still shows."""
    paths = (path for path, _lines, _division in _sections(text) if 0 < len(path) <= max_depth)
    return tuple(dict.fromkeys(" › ".join(path) for path in paths))


def document_sections(text: str) -> list[tuple[tuple[str, ...], list[str]]]:
    """(heading path, lines) of each section, in order; lines before any heading have path ()."""
    return [(path, lines) for path, lines, _division in _sections(text)]


def _sections(text: str) -> list[tuple[tuple[str, ...], list[str], bool]]:
    """Split lines into (heading path, lines, under a division) sections; text before any
    heading has path (). "Under a division" means the outermost heading is a Phần / Chương /
    Mục / Điều / Roman section rather than a list item."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    sections: list[tuple[tuple[str, ...], list[str], bool]] = []
    stack: list[_Heading] = []
    current: list[str] = []
    path: tuple[str, ...] = ()
    division = False
    for i, line in enumerate(lines):
        heading = _heading(line, lines[i + 1] if i + 1 < len(lines) else None)
        if heading is None:
            current.append(line)
            continue
        if current:
            sections.append((path, current, division))
        _push(stack, heading)
        division = stack[0].rank < _DIVISION_RANK
        path = tuple(h.text for h in stack)
        current = [line]
    if current:
        sections.append((path, current, division))
    return sections


def _push(stack: list[_Heading], heading: _Heading) -> None:
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


def _append(stack: list[_Heading], heading: _Heading) -> None:
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


def _heading(line: str, next_line: str | None) -> _Heading | None:
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
            return _Heading(kind, rank, label[:1].upper() + label[1:])
        text = bare
        if kind in ("phan", "chuong", "muc") and m.end() >= len(bare.rstrip(" .:")) and next_line:
            # "Chương II" alone on its line, its name in capitals on the next one.
            name = _MARKUP.sub("", next_line).strip("*_ ")
            if name and name == name.upper() and len(name) <= 120 and _heading(name, None) is None:
                text = f"{bare.rstrip(' .:')}. {name}"
        return _Heading(kind, rank, _shorten(text), seq)
    return None


def _shorten(text: str) -> str:
    """A heading line of at most ~60 characters, cut at a word boundary with "…"."""
    text = " ".join(text.split())
    if len(text) <= MAX_HEADING_CHARS:
        return text
    cut = text[: MAX_HEADING_CHARS - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + "…"


def _split_section(
    lines: list[str], path: tuple[str, ...], max_tokens: int, count: Callable[[str], int],
    division: bool,
) -> list[_Piece]:
    """Pieces of a section too long for one chunk: paragraphs, sentences, clauses, words."""
    pieces: list[_Piece] = []
    for line in lines:
        tokens = count(line)
        if tokens <= max_tokens:
            pieces.append(_Piece(line, tokens, path, "\n", division=division))
            continue
        for j, part in enumerate(split_long(line, max_tokens, count, tokens)):
            pieces.append(_Piece(part[0], part[1], path, "\n" if j == 0 else " ", division=division))
    return pieces


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def _pack(pieces: list[_Piece], max_tokens: int, count: Callable[[str], int]) -> list[tuple[tuple[str, ...], str]]:
    """Greedy packing of consecutive pieces that share a heading ancestor and fit together.

    A chunk never climbs to the document root across divisions: top-level "I.", "Điều 1",
    "Chương II" sections stay apart, so each chunk can still be cited at its section. Where
    the top level is only a list ("1.", "a)", "Thứ nhất") or the header block, neighbours
    pack together: a short article name with its numbered clauses reads, and ranks, better
    than a dozen one-line chunks (measured on the ALQAC dev set, see README).
    """
    out: list[tuple[tuple[str, ...], str]] = []
    i = 0
    while i < len(pieces):
        group = [pieces[i]]
        common = pieces[i].path
        estimate = pieces[i].tokens
        division = pieces[i].division
        j = i + 1
        while j < len(pieces):
            nxt = pieces[j]
            shared = _common(common, nxt.path)
            fits = estimate + nxt.tokens <= max_tokens
            same_block = bool(shared) or not (division or nxt.division)
            if not (fits and same_block):
                break
            if nxt.bare and j + 1 < len(pieces):
                # A heading whose content is the subsection after it goes with that content
                # rather than last in this chunk.
                after = pieces[j + 1]
                child = len(after.path) > len(nxt.path) and after.path[: len(nxt.path)] == nxt.path
                if child and estimate + nxt.tokens + after.tokens > max_tokens:
                    break
            group.append(nxt)
            division = division or nxt.division
            common = shared
            estimate += nxt.tokens
            j += 1
        # Confirm the estimate with one real count; give back pieces until it fits.
        while len(group) > 1 and count(_join(group)) > max_tokens:
            group.pop()
        common = group[0].path
        for piece in group[1:]:
            common = _common(common, piece.path)
        if not common:
            common = _range_label(group)
        out.append((common, _join(group)))
        i += len(group)
    return out


def _range_label(group: list[_Piece]) -> tuple[str, ...]:
    """Root-level list items packed together are cited by their range: ("1.–3.",)."""
    tops = [p.path[0] for p in group if p.path]
    if not tops:
        return ()
    first, last = _item_label(tops[0]), _item_label(tops[-1])
    return (first,) if first == last else (f"{first}–{last}",)


def _item_label(heading: str) -> str:
    words = heading.split()
    return " ".join(words[:2]) if words[0] == "Thứ" else words[0]


def _join(group: list[_Piece]) -> str:
    return group[0].text + "".join(p.joiner + p.text for p in group[1:])
