"""Query expansion from the lexicon: abbreviations both ways, everyday → official wording.

A member writes "NQ" where the document writes "nghị quyết" (or the other way round), "bị
đuổi việc" where the law writes "sa thải", "họp chi bộ" where the guidance writes "sinh hoạt
chi bộ". `QueryExpander.expand` finds the lexicon's phrases in a question and returns the
phrases to search for as well (`Alternative`s), each tied to the question's words it stands
for, so that

- search adds their BM25 scores with a weight below the question's own words (`FusionWeights`),
- the answer threshold counts a question word as found in a passage that holds one of its
  alternatives (`LexicalIndex.coverage`).

Matching, on the question's syllables:
- abbreviations are compared without diacritics ("qd", "hdnd"), whatever the question;
  an abbreviation with several meanings takes the one whose condition holds ("CT 05" →
  chỉ thị; "CT UBND" → chủ tịch; neither: not expanded); "viết hoa" rows only match letters
  typed in capitals ("ĐU", not the syllable "đu");
- an abbreviation with one meaning and no condition also works backwards: a question that
  writes "Ủy ban nhân dân" also searches "UBND";
- everyday phrases are compared with their marks when the question has marks, and folded when
  it has none; a one-syllable phrase only matches a question typed with marks ("đẻ" is not
  "để", "đề" or "dễ");
- within each kind the longest phrase wins: "bị đuổi việc" is not also read as "đuổi việc".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

from knowledge.lexicon_files import Abbreviation, Condition, Lexicon, Wording
from knowledge.text import fold, has_diacritics, lexical_terms, normalize

logger = logging.getLogger(__name__)

AltKind = Literal["abbreviation", "wording", "question"]
ALT_KINDS: tuple[AltKind, ...] = ("abbreviation", "wording", "question")
# An everyday phrase holding one of these asks for a kind of answer ("bao giờ" -> "thời hạn",
# "phải làm gì" -> "nhiệm vụ") rather than naming a topic: its alternatives count for the
# answer threshold but do not move the ranking (measured: they pulled unrelated passages that
# say "thời điểm" or "trách nhiệm" above the right one).
INTERROGATIVES = frozenset({"gì", "nào", "sao", "bao", "đâu", "ai", "mấy"})
# A pasted page could match hundreds of phrases: its first ones are enough to search with.
MAX_ALTERNATIVES = 32

# The tokens of `knowledge.text.syllables`, keeping their case (for "viết hoa" rows).
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Alternative:
    start: int  # first syllable of the question it stands for
    end: int  # one past the last
    text: str  # the phrase to search for as well, normalised
    kind: AltKind


@dataclass(frozen=True)
class Expansion:
    words: tuple[str, ...]  # the question's syllables, folded, in order
    alternatives: tuple[Alternative, ...] = ()

    def texts(self, kind: AltKind | None = None) -> list[str]:
        return [a.text for a in self.alternatives if kind is None or a.kind == kind]

    def coverage_alternatives(self) -> dict[str, list[tuple[str, ...]]]:
        """Folded question word -> the term sets that stand for it: a passage holding every
        term of one set holds the word (`LexicalIndex.coverage`)."""
        out: dict[str, list[tuple[str, ...]]] = {}
        for alt in self.alternatives:
            keys = key_terms(alt.text)
            if not keys:
                continue
            for word in self.words[alt.start : alt.end]:
                out.setdefault(word, []).append(keys)
        return out


def key_terms(text: str) -> tuple[str, ...]:
    """The lexical-index terms a passage must hold to contain a phrase: its syllable bigrams
    (so "sa thải" needs "sa_thai", not "sa" and "thai" anywhere), or its one syllable."""
    terms = lexical_terms(normalize(text), folded=True)
    bigrams = tuple(t for t in terms if "_" in t)
    return bigrams or tuple(terms)


@dataclass(frozen=True)
class _Pattern:
    tokens: tuple[str, ...]  # folded, or lowercase with marks (see `folded`)
    alternatives: tuple[str, ...]
    kind: AltKind
    condition: Condition | None = None
    printed: tuple[str, ...] = ()  # an abbreviation's tokens as printed ("TƯ"), for "viết hoa"


class QueryExpander:
    """Finds lexicon phrases in questions. Built once from the lexicon; thread-safe."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._abbreviations = _index(_abbreviation_patterns(lexicon.abbreviations))
        reverse = list(_reverse_patterns(lexicon.abbreviations))
        wording = list(_wording_patterns(lexicon.wordings))
        self._exact = _index(reverse + wording)
        # Without marks, a phrase that folds like another one ("bảo hành" / "bạo hành") cannot
        # be told apart: neither is expanded in a question typed without marks.
        spellings: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for p in reverse + wording:
            spellings.setdefault(tuple(fold(t) for t in p.tokens), set()).add(p.tokens)
        self._folded = _index(
            _Pattern(folded, p.alternatives, p.kind)
            for p in reverse + wording
            if len(spellings[folded := tuple(fold(t) for t in p.tokens)]) == 1
            and (p.kind == "abbreviation" or len(p.tokens) > 1)
        )

    def expand(self, query: str) -> Expansion:
        """The alternatives for a (normalised or raw) question, in question order."""
        text = normalize(query)
        original = _TOKEN.findall(text)
        lower = [t.lower() for t in original]
        folded = [fold(t) for t in lower]
        accented = has_diacritics(text)
        matches = list(_matches(self._abbreviations, folded, original, folded, accented))
        phrases = self._exact if accented else self._folded
        matches += _matches(
            phrases, lower if accented else folded, original, folded, accented
        )
        alternatives: list[Alternative] = []
        asked = set(lexical_terms(text, folded=True))
        seen: set[str] = set()
        for start, end, pattern in _longest(matches):
            for alt in pattern.alternatives:
                key = " ".join(fold(alt).split())
                # Nothing to add when the question already says it ("khởi kiện" for "kiện").
                if key in seen or set(key_terms(alt)) <= asked:
                    continue
                seen.add(key)
                alternatives.append(Alternative(start, end, alt, pattern.kind))
        if len(alternatives) > MAX_ALTERNATIVES:
            alternatives = alternatives[:MAX_ALTERNATIVES]
        return Expansion(tuple(folded), tuple(alternatives))


def _tokens(phrase: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in _TOKEN.findall(normalize(phrase)))


def _abbreviation_patterns(rows: Iterable[Abbreviation]) -> Iterable[_Pattern]:
    for row in rows:
        printed = tuple(_TOKEN.findall(normalize(row.short)))
        if printed:
            tokens = tuple(fold(t) for t in printed)
            yield _Pattern(tokens, row.full_forms, "abbreviation", row.condition, printed)


def _reverse_patterns(rows: Sequence[Abbreviation]) -> Iterable[_Pattern]:
    """Full form -> abbreviation, for abbreviations with one meaning and no condition."""
    meanings: dict[tuple[str, ...], set[str]] = {}
    conditional: set[tuple[str, ...]] = set()
    for row in rows:
        key = tuple(fold(t) for t in _tokens(row.short))
        meanings.setdefault(key, set()).update(" ".join(fold(f).split()) for f in row.full_forms)
        if row.condition is not None:
            conditional.add(key)
    for row in rows:
        key = tuple(fold(t) for t in _tokens(row.short))
        if len(meanings[key]) == 1 and key not in conditional:
            for full in row.full_forms:
                if tokens := _tokens(full):
                    yield _Pattern(tokens, (row.short,), "abbreviation")


def _wording_patterns(rows: Iterable[Wording]) -> Iterable[_Pattern]:
    for row in rows:
        if tokens := _tokens(row.everyday):
            asks = bool(INTERROGATIVES.intersection(tokens)) or tokens[-1] == "không"
            yield _Pattern(tokens, row.official, "question" if asks else "wording")


def _index(patterns: Iterable[_Pattern]) -> dict[str, list[_Pattern]]:
    """Patterns by first token; rows with the same phrase, kind and condition are merged."""
    Key = tuple[tuple[str, ...], AltKind, Condition | None, tuple[str, ...]]
    merged: dict[Key, list[str]] = {}
    for p in patterns:
        printed = p.printed if p.condition is not None and p.condition.kind == "capitals" else ()
        alts = merged.setdefault((p.tokens, p.kind, p.condition, printed), [])
        alts.extend(a for a in p.alternatives if a not in alts)
    index: dict[str, list[_Pattern]] = {}
    for (tokens, kind, condition, printed), alts in merged.items():
        pattern = _Pattern(tokens, tuple(alts), kind, condition, printed)
        index.setdefault(tokens[0], []).append(pattern)
    return index


def _matches(
    index: dict[str, list[_Pattern]],
    tokens: list[str],
    original: list[str],
    folded: list[str],
    accented: bool,
) -> Iterable[tuple[int, int, _Pattern]]:
    for i, token in enumerate(tokens):
        for p in index.get(token, ()):
            end = i + len(p.tokens)
            if tuple(tokens[i:end]) == p.tokens and _holds(p, i, end, original, folded, accented):
                yield i, end, p


def _holds(
    p: _Pattern, start: int, end: int, original: list[str], folded: list[str], accented: bool
) -> bool:
    condition = p.condition
    if condition is None:
        return True
    if condition.kind == "capitals":
        # Typed in capitals; and with its marks when the question has marks ("TƯ" is not "TU").
        typed = original[start:end]
        return all(t.isupper() for t in typed) and (not accented or tuple(typed) == p.printed)
    if condition.kind == "number":
        return end < len(folded) and folded[end][:1].isdigit()
    return any(tuple(folded[end : end + len(words)]) == words for words in condition.before)


def _longest(matches: list[tuple[int, int, _Pattern]]) -> list[tuple[int, int, _Pattern]]:
    """Drop a match lying inside a longer match of the same kind; keep question order."""
    kept: list[tuple[int, int, _Pattern]] = []
    for start, end, p in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        inside = any(
            k.kind == p.kind and s <= start and end <= e and (s, e) != (start, end)
            for s, e, k in kept
        )
        if not inside:
            kept.append((start, end, p))
    return sorted(kept, key=lambda m: (m[0], m[1]))
