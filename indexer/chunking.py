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
from knowledge.outline import heading_of
from knowledge.outline import sections as outline_sections
from knowledge.passages import Chunk

logger = logging.getLogger(__name__)

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
    sections = outline_sections(text)
    pieces: list[_Piece] = []
    for path, lines, division in sections:
        section_text = "\n".join(lines)
        tokens = count_tokens(section_text)
        if tokens <= max_tokens:
            bare = len(lines) == 1 and bool(path) and heading_of(lines[0], None) is not None
            pieces.append(_Piece(section_text, tokens, path, "\n", bare, division))
        else:
            pieces.extend(_split_section(lines, path, max_tokens, count_tokens, division))
    chunks = [
        Chunk(doc_id=doc_id, ordinal=i, headings=path, text=body)
        for i, (path, body) in enumerate(_pack(pieces, max_tokens, count_tokens))
    ]
    logger.debug("%s: %d sections -> %d chunks", doc_id, len(sections), len(chunks))
    return chunks


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
    than a dozen one-line chunks (measured on the ALQAC dev set, see docs/developers.md).
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
