"""Cutting a paragraph too long for one chunk: at sentences, then clauses, then words,
then characters, each piece within the token limit (token counts may come from a real,
slow tokenizer, so the longest fitting run is found by galloping search)."""

from __future__ import annotations

import re
from collections.abc import Callable

_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*\s+")
_CLAUSE_END = re.compile(r"[;:]\s+")


def split_long(text: str, max_tokens: int, count: Callable[[str], int], tokens: int) -> list[tuple[str, int]]:
    for boundary in (_SENTENCE_END, _CLAUSE_END):
        parts = _split_at(text, boundary)
        if len(parts) > 1:
            out: list[tuple[str, int]] = []
            for part in parts:
                t = count(part)
                out.extend([(part, t)] if t <= max_tokens else split_long(part, max_tokens, count, t))
            return out
    return _split_words(text, max_tokens, count, tokens)


def _split_at(text: str, boundary: re.Pattern[str]) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in boundary.finditer(text):
        following = text[m.end() : m.end() + 2]
        # A sentence ends before a capital, digit, quote or dash; "TP. Hồ Chí Minh" may split
        # too, which costs nothing: pieces are packed back together up to the limit.
        if len(text[start : m.start()].strip()) <= 4:
            continue  # "1. Nâng cao ...", "II. ...", "TP. Hồ Chí Minh": a label, not a sentence
        if boundary is _SENTENCE_END and not (following[:1].isupper() or following[:1] in "0123456789\"“'(-–"):
            continue
        parts.append(text[start : m.end()].rstrip())
        start = m.end()
    parts.append(text[start:].rstrip())
    return [p for p in parts if p]


def _split_words(text: str, max_tokens: int, count: Callable[[str], int], tokens: int) -> list[tuple[str, int]]:
    """A monster sentence: the longest word runs that fit, found by galloping search."""
    words = text.split()
    if len(words) <= 1:
        return _split_chars(text, max_tokens, count)
    out: list[tuple[str, int]] = []
    per_word = max(tokens / len(words), 1e-9)
    i = 0
    while i < len(words):

        def take(n: int, at: int = i) -> str:
            return " ".join(words[at : at + n])

        k, t = _longest_fit(take, len(words) - i, int(max_tokens / per_word), max_tokens, count)
        if k == 0:
            out.extend(_split_chars(words[i], max_tokens, count))
            i += 1
            continue
        out.append((" ".join(words[i : i + k]), t))
        i += k
    return out


def _split_chars(word: str, max_tokens: int, count: Callable[[str], int]) -> list[tuple[str, int]]:
    """A single "word" over the limit (a URL, a run of symbols): cut by characters."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(word):

        def take(n: int, at: int = i) -> str:
            return word[at : at + n]

        k, t = _longest_fit(take, len(word) - i, max_tokens, max_tokens, count)
        if k == 0:
            raise ValueError(f"max_tokens={max_tokens} cannot hold even one character")
        out.append((word[i : i + k], t))
        i += k
    return out


def _longest_fit(
    take: Callable[[int], str], available: int, guess: int, max_tokens: int, count: Callable[[str], int]
) -> tuple[int, int]:
    """Largest n <= available with count(take(n)) <= max_tokens (and its count); 0 if none.

    Gallops up from the estimate, then bisects: O(log n) counts per piece.
    """
    lo, lo_tokens = 0, 0  # lo always fits
    hi = available + 1  # hi never fits
    n = min(max(guess, 1), available)
    while True:
        t = count(take(n))
        if t > max_tokens:
            hi = n
            break
        lo, lo_tokens = n, t
        if n == available:
            return lo, lo_tokens
        n = min(n * 2, available)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        t = count(take(mid))
        if t <= max_tokens:
            lo, lo_tokens = mid, t
        else:
            hi = mid
    return lo, lo_tokens
