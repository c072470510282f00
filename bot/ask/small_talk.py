"""Greetings, thanks and acknowledgements: a short reply, not a search and a refusal.

A message is small talk when every word of it is a greeting, a thanks, an acknowledgement or
a filler from the lists in `bot.ask.messages` ("chào bạn", "cam on nhieu a", "Thanks!", "ok",
"ừ", "đã rõ ạ"), compared without case and diacritics, emoji and punctuation set aside; a
message of emoji alone ("👍", "🙏🙏") is an acknowledgement too (a typed reaction). Anything
else ("chào bạn, nghị quyết 57 nói gì?") is a question.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from bot.ask import messages
from knowledge.text import fold, normalize

SmallTalk = Literal["greeting", "thanks", "ack"]
MAX_WORDS = 10  # longer messages are questions, whatever their words

_WORDS = re.compile(r"[^\W\d_]+")


def _phrases(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Folded phrases, longest first (so "xin chào" is read before "chào")."""
    return sorted({tuple(fold(w).split()) for w in words}, key=len, reverse=True)


_GREETINGS = _phrases(messages.GREETING_WORDS)
_THANKS = _phrases(messages.THANKS_WORDS)
_ACKS = _phrases(messages.ACK_WORDS)
_FILLERS = _phrases(messages.SMALL_TALK_FILLERS)
_DIGITS = re.compile(r"\d")


def is_emoji_only(text: str) -> bool:
    """A message of pictographs alone ("👍", "🙏🙏", "❤️ 👏"): at least one symbol of
    Unicode category So (other symbol: emoji, dingbats), the rest only their modifiers
    (skin tones are Sk, variation selectors and the zero-width joiner are Mn/Cf) or spaces
    and punctuation. Source for the categories: the Unicode Character Database."""
    stripped = "".join(text.split())
    if not any(unicodedata.category(ch) == "So" for ch in stripped):
        return False
    return all(unicodedata.category(ch)[0] in "SPM" or ch in _EMOJI_JOINERS for ch in stripped)


_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def small_talk(text: str) -> SmallTalk | None:
    """"greeting", "thanks" (thanks wins: "chào, cảm ơn nhé"), "ack" (only acknowledgement
    and filler words, or emoji alone: "ok", "ừ ạ", "👍"), or None for anything else."""
    if is_emoji_only(text):
        return "ack"
    folded = fold(normalize(text))
    words = _WORDS.findall(folded)
    if not words or len(words) > MAX_WORDS or _DIGITS.search(folded):
        return None
    found: set[str] = set()
    i = 0
    while i < len(words):
        for kind, phrases in (("thanks", _THANKS), ("greeting", _GREETINGS), ("ack", _ACKS),
                              ("", _FILLERS)):
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
    if "greeting" in found:
        return "greeting"
    return "ack"  # acknowledgements and fillers only ("ok", "vâng ạ", "dạ rõ rồi")


def reply(kind: SmallTalk) -> str:
    return {"thanks": messages.SMALL_TALK_THANKS, "greeting": messages.SMALL_TALK_GREETING,
            "ack": messages.SMALL_TALK_ACK}[kind]
