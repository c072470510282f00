"""Cutting a reply into messages a platform accepts, at places where it still reads well.

A reply is a list of blocks (an intro, a quoted passage, one citation line, a paragraph of a
section), each with the separator that joins it to the block before. `pack` puts as many
whole blocks in a message as fit, so a citation line is never cut; only a block longer than
a whole message is cut, by a splitter that prefers a paragraph break, then a line break, then
the end of a sentence, then a space, and takes the best of these that still fills at least
half of what fits. Lengths are counted in UTF-16 code units, as the platforms count them (an
emoji counts two), so a part that fits here fits there.

`split_plain` cuts plain text (Zalo, the terminal); Telegram's HTML has its own splitter that
never cuts inside a tag (`telegram.render.split_html`) and shares `pack`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

# A block of text and what separates it from the block before it.
Block = tuple[str, str]
PARA, LINE = "\n\n", "\n"
SENTENCE_MARKS = ".!?;…"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def pack(blocks: Iterable[Block], limit: int, *, measure: Callable[[str], int] = utf16_len,
         split: Callable[[str, int], list[str]] | None = None) -> list[str]:
    """Join blocks into as few messages of at most `limit` as fit; a block over `limit` is
    cut with `split` (default `split_plain`), its pieces joined by paragraph breaks."""
    split = split or split_plain
    parts: list[str] = []
    current = ""
    for sep, block in blocks:
        if not block:
            continue
        pieces = split(block, limit) if measure(block) > limit else [block]
        for piece in pieces:
            joined = f"{current}{sep}{piece}" if current else piece
            if measure(joined) <= limit:
                current = joined
            else:
                parts.append(current)
                current = piece
            sep = PARA
    if current:
        parts.append(current)
    return parts


def split_plain(text: str, limit: int) -> list[str]:
    """Cut plain text into parts of at most `limit` UTF-16 units, whitespace at the cuts
    dropped."""
    if limit < 2:
        raise ValueError("limit must be at least 2 (one character may take two units)")
    text = text.strip()
    units = [0]
    for ch in text:
        units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
    n = len(text)
    parts: list[str] = []
    start = 0
    while start < n:
        end = n if units[n] - units[start] <= limit else _best_cut(text, units, start, limit)
        piece = text[start:end].rstrip()
        if piece:
            parts.append(piece)
        start = end
        while start < n and text[start].isspace():
            start += 1
    return parts


def _best_cut(text: str, units: list[int], start: int, limit: int) -> int:
    # The furthest cut that fits, then the best-ranked boundary in its back half.
    reach = bisect.bisect_right(units, units[start] + limit) - 1
    if reach <= start:  # cannot happen with limit >= 2; guards against an endless loop
        return start + 1
    half = units[start] + (units[reach] - units[start] + 1) // 2
    levels: tuple[Callable[[int], bool], ...] = (
        lambda c: text[c - 2:c] == "\n\n",
        lambda c: text[c - 1] == "\n",
        lambda c: text[c - 1] == " " and c >= 2 and text[c - 2] in SENTENCE_MARKS,
        lambda c: text[c - 1].isspace(),
    )
    for is_boundary in levels:
        for c in range(reach, start, -1):
            if units[c] < half:
                break
            if is_boundary(c):
                return c
    return reach
