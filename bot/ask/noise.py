"""Messages that are not questions at all: punctuation or symbols alone ("???", "..."), a
single letter ("k"), keyboard mashing ("asdfgh", "jjjj kkk"). They get a short hint to ask a
full question, are not searched, and never reach the question log, whose unanswered list
(/baocao) is read by officers.

Emoji alone and acknowledgements ("👍", "ok") are small talk (bot/ask/small_talk.py), read
before this. Mashing is told from words by the shape of a written Vietnamese syllable
(knowledge.syllables.is_syllable): a short message none of whose words can be a syllable,
with no digit and no capitalised abbreviation ("UBND", "CNXH"), is not a question. Longer
messages are always questions: the rule is for a stray line, not for judging a question.
"""

from __future__ import annotations

import re

from knowledge.syllables import is_syllable
from knowledge.text import normalize

MAX_NOISE_WORDS = 3  # a message of more words is read as a question, whatever its words
_TOKENS = re.compile(r"[^\W_]+")


def is_noise(text: str) -> bool:
    """True for a message that holds no question: no letter or digit at all, a single
    letter, or at most `MAX_NOISE_WORDS` words none of which is a possible Vietnamese
    syllable, a number or an upper-case abbreviation."""
    tokens = _TOKENS.findall(normalize(text))
    if not tokens:
        return bool(text.strip())  # punctuation or symbols only ("" is an empty question)
    if any(ch.isdigit() for token in tokens for ch in token):
        return False  # "NQ57", "12": document numbers and dates are questions' matter
    if sum(len(token) for token in tokens) <= 1:
        return True
    if len(tokens) > MAX_NOISE_WORDS:
        return False
    return not any(is_syllable(token) or _abbreviation(token) for token in tokens)


def _abbreviation(token: str) -> bool:
    """"UBND", "CNXH", "BCH": capitals typed on purpose (knowledge/lexicon/viet-tat.tsv)."""
    return len(token) >= 2 and token.isupper()


__all__ = ["MAX_NOISE_WORDS", "is_noise"]
