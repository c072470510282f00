"""Greetings and thanks: a short reply pointing to /help, not a search and a refusal.

A message is small talk when every word of it is a greeting, a thanks or a filler from the
lists in `bot.messages` ("chào bạn", "cam on nhieu a", "Thanks!"), compared without
case and diacritics; anything else ("chào bạn, nghị quyết 57 nói gì?") is a question.
"""

from __future__ import annotations

import re
from typing import Literal

from bot import messages
from knowledge.text import fold, normalize

SmallTalk = Literal["greeting", "thanks"]
MAX_WORDS = 10  # longer messages are questions, whatever their words

_WORDS = re.compile(r"[^\W\d_]+")


def _phrases(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Folded phrases, longest first (so "xin chào" is read before "chào")."""
    return sorted({tuple(fold(w).split()) for w in words}, key=len, reverse=True)


_GREETINGS = _phrases(messages.GREETING_WORDS)
_THANKS = _phrases(messages.THANKS_WORDS)
_FILLERS = _phrases(messages.SMALL_TALK_FILLERS)


def small_talk(text: str) -> SmallTalk | None:
    """"greeting", "thanks" (thanks wins when both: "chào, cảm ơn nhé"), or None."""
    words = _WORDS.findall(fold(normalize(text)))
    if not words or len(words) > MAX_WORDS:
        return None
    found: set[str] = set()
    i = 0
    while i < len(words):
        for kind, phrases in (("thanks", _THANKS), ("greeting", _GREETINGS), ("", _FILLERS)):
            size = next((len(p) for p in phrases if tuple(words[i : i + len(p)]) == p), 0)
            if size:
                if kind:
                    found.add(kind)
                i += size
                break
        else:
            return None  # a word that is neither: a question
    if "thanks" in found:
        return "thanks"
    return "greeting" if found else None


def reply(kind: SmallTalk) -> str:
    return messages.SMALL_TALK_THANKS if kind == "thanks" else messages.SMALL_TALK_GREETING
