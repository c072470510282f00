"""Repairs of text that a layout broke apart, using the shape of a Vietnamese syllable.

- Letter-spaced headings: documents print the type line spaced out ("N G H Ị  Q U Y Ế T",
  or typed with spaces in Word); the letters are joined back and cut into syllables
  ("NGHỊ QUYẾT") where every piece is a valid syllable (`knowledge.syllables`), wider gaps
  (two or more spaces) marking the word breaks when the text kept them.
- Broken capitals: OCR reads a letter-spaced heading back as "NG HỊ QUY ẾT". A run of
  capitalised pieces of which one is no syllable is joined and cut again into the fewest
  syllables ("NGHỊ QUYẾT"), when that cut exists and has fewer pieces; abbreviations such as
  "UBND XÃ" cannot be cut into syllables and stay.
- Split syllables: a text layer that places a marked vowel as its own glyph yields
  "c ủa", "s ản", "ng ười". A lowercase onset that is no word on its own, followed by a word
  starting with a vowel, is joined when the two make one syllable. A capital letter is left
  alone ("ông C ở" is a person's initial), and so are two pieces that are each a syllable
  ("thu ý"): text alone cannot tell those from a split, and PDFium's own spacing, which uses
  the glyph positions, already gets them right (see `bench/split_syllables.py`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.syllables import ONSETS, is_syllable

# Three or more single letters, each followed by 1-3 spaces: "N G H Ị  Q U Y Ế T".
_SPACED_RUN = re.compile(r"(?<!\S)(?:[^\W\d_] {1,3}){2,}[^\W\d_](?!\S)")
_WORD_GAP = re.compile(r" {2,}")
_MAX_SYLLABLE = 7  # "nghiêng", "nghiệng": the longest written syllables
_VOWEL_START = re.compile(r"[aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")
_FRAGMENT_PAIR = re.compile(r"(?<![^\W\d_])([a-zđ]{1,3}) ([^\W\d_]+)")


def collapse_letter_spacing(line: str) -> str:
    """"N G H Ị  Q U Y Ế T" → "NGHỊ QUYẾT"; a run that does not cut into syllables stays."""
    return _SPACED_RUN.sub(_collapse_run, line)


def _collapse_run(match: re.Match[str]) -> str:
    run = match.group(0)
    words: list[str] = []
    for group in _WORD_GAP.split(run):
        pieces = segment("".join(group.split(" ")))
        if pieces is None:
            return run
        words.extend(pieces)
    return " ".join(words)


def segment(letters: str) -> list[str] | None:
    """Cut a run of letters into the fewest valid syllables, or None if it cannot be cut."""
    cut = _segment(letters)
    return list(cut) if cut is not None else None


@lru_cache(maxsize=4096)
def _segment(letters: str) -> tuple[str, ...] | None:
    if not letters:
        return ()
    best: tuple[str, ...] | None = None
    for end in range(min(len(letters), _MAX_SYLLABLE), 0, -1):
        head = letters[:end]
        if not is_syllable(head):
            continue
        rest = _segment(letters[end:])
        if rest is not None and (best is None or len(rest) + 1 < len(best)):
            best = (head, *rest)
    return best


_CAPS_RUN = re.compile(r"(?<![^\W\d_])[^\W\d_a-zđ]+(?: [^\W\d_a-zđ]+)+(?![^\W\d_])")


def rejoin_capitals(line: str) -> str:
    """"NG HỊ QUY ẾT" → "NGHỊ QUYẾT": capitalised fragments cut again into syllables."""
    return _CAPS_RUN.sub(_rejoin_run, line)


def _rejoin_run(match: re.Match[str]) -> str:
    run = match.group(0)
    pieces = run.split(" ")
    if all(is_syllable(piece) for piece in pieces) or not run.isupper():
        return run
    cut = segment("".join(pieces))
    if cut is None or len(cut) >= len(pieces):
        return run
    return " ".join(cut)


def join_split_syllables(line: str) -> str:
    """"c ủa" → "của", "ng ười" → "người": a lowercase onset alone before a vowel-initial
    word, when the two make one syllable."""
    return _FRAGMENT_PAIR.sub(_join_pair, line)


def _join_pair(match: re.Match[str]) -> str:
    onset, rest = match.group(1), match.group(2)
    if onset in ONSETS and onset != "gi" and _VOWEL_START.match(rest.lower()):
        joined = onset + rest
        if is_syllable(joined):
            return joined
    return match.group(0)


def repair_line(line: str) -> str:
    """Every repair on one line of extracted text."""
    return join_split_syllables(rejoin_capitals(collapse_letter_spacing(line)))
