"""Buttons for text-only channels: the actions last offered in a conversation, and mapping
what the person types back to one of them.

After an answer the channel shows "Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản" and remembers those
three actions for that conversation. A reply that is just "2", "👎", a word that means it
("sai", "chua dung") or the label itself ("xem văn bản", or "xong" for «Xong ▶») then becomes the `IncomingAction` a
button press would have been; anything else is a new message. The memory is bounded (least
recently used conversations go first) and forgets hints older than a day, so a "2" typed
much later is a message again, not a vote on a forgotten answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Hashable, Sequence

from cachetools import TTLCache

from bot.core.types import Action
from bot import messages
from knowledge.text import fold, normalize

DEFAULT_MAX_CONVERSATIONS = 10_000
DEFAULT_TTL_SECONDS = 24 * 3600.0

# Emoji variation selector and skin tones: "👍🏻" and "👍️" are still 👍.
_EMOJI_DECORATION = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_EDGE_PUNCTUATION = " \t\r\n.,;:!?…\"'«»()"
_DECORATION_EDGES = re.compile(r"^[\W_]+|[\W_]+$")  # emoji, arrows, "›" around a label


class ActionMemory:
    """The actions last offered per conversation key (a chat, or a chat and a person in
    groups), in this process's memory: the terminal's, and tests'. A channel that several
    processes serve keeps them in the database instead (bot.core.offers, bot.inbox.offers);
    `offer` / `offered` are that port's methods over this memory."""

    def __init__(self, max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
                 ttl_seconds: float = DEFAULT_TTL_SECONDS,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._offered: TTLCache[Hashable, tuple[Action, ...]] = TTLCache(
            maxsize=max_conversations, ttl=ttl_seconds, timer=timer)

    def __len__(self) -> int:
        return len(self._offered)

    def remember(self, key: Hashable, actions: Sequence[Action]) -> None:
        """Offer these actions next (an empty list keeps the previous offer: a document view
        shown after "3" has no actions of its own, and "1" must still rate the answer)."""
        if actions:
            self._offered[key] = tuple(actions)

    def recall(self, key: Hashable) -> tuple[Action, ...]:
        return self._offered.get(key, ())

    def match(self, key: Hashable, text: str) -> Action | None:
        """The remembered action `text` chooses, or None (then it is a message)."""
        return match_action(text, self.recall(key))

    async def offer(self, conversation: Hashable, actions: Sequence[Action]) -> None:
        self.remember(conversation, actions)

    async def offered(self, conversation: Hashable) -> tuple[Action, ...]:
        return self.recall(conversation)


def match_action(text: str, actions: Sequence[Action]) -> Action | None:
    if not actions:
        return None
    typed = _EMOJI_DECORATION.sub("", normalize(text)).strip(_EDGE_PUNCTUATION)
    if typed.isdecimal():
        index = int(typed)
        return actions[index - 1] if 1 <= index <= len(actions) else None
    folded = " ".join(fold(typed).split())
    if not folded:
        return None
    for words, label in ((messages.FEEDBACK_UP_WORDS, messages.ACTION_FEEDBACK_UP),
                         (messages.FEEDBACK_DOWN_WORDS, messages.ACTION_FEEDBACK_DOWN)):
        if folded in {fold(w) for w in words}:
            return next((a for a in actions if a.label == label), None)
    exact = next((a for a in actions if fold(a.label) == folded), None)
    if exact is not None:
        return exact
    # The label without its decoration: "huy" chooses "✖ Hủy", "xong" "Xong ▶", "xa tan lap"
    # "› Xã Tân Lập" (only when exactly one label reads so).
    bare = _bare(folded)
    found = [a for a in actions if bare and _bare(fold(a.label)) == bare]
    return found[0] if len(found) == 1 else None


def _bare(folded: str) -> str:
    return " ".join(_DECORATION_EDGES.sub("", folded).split())


def bare_label(label: str) -> str:
    """A label as typing it compares: no case, diacritics or decoration ("Xong ▶" → "xong")."""
    return _bare(fold(label))
