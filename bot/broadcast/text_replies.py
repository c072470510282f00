"""Broadcast buttons on platforms without buttons (Zalo): what the person types instead.

Two directions:
- out: the officer's buttons on progress and report messages (stop, who has not read,
  remind) become typed commands ("Gõ /dunggui 5 để dừng gửi"). These messages are sent by
  the delivery worker, possibly in another process than the Zalo channel, so the channel's
  numbered hints (bot.channels.text_actions) cannot stand in for them: a command works from
  any process and at any later time.
- in: a member's reply "đã đọc" (or "da doc", "đã xem", ...) is a reading confirmation. The
  core decides which broadcast it confirms (bot.broadcast.service.confirm_read_in_chat).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.types import Action
from bot import messages as texts
from bot.broadcast import messages as broadcast_texts
from knowledge.text import fold

_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_BUTTON = re.compile(r"^bc:(?P<id>\d+):(?P<op>stop|list|remind|report)$")
_TYPED = {"stop": broadcast_texts.BROADCAST_TYPED_STOP, "list": broadcast_texts.BROADCAST_TYPED_LIST,
          "remind": broadcast_texts.BROADCAST_TYPED_REMIND, "report": broadcast_texts.BROADCAST_TYPED_REPORT}
_READ_WORDS = frozenset(" ".join(fold(w).split()) for w in broadcast_texts.BROADCAST_READ_WORDS)


def is_read_reply(text: str) -> bool:
    """"Đã đọc", "da doc.", "Đã đọc ạ!" — a whole message that says "I have read it"."""
    folded = " ".join(_EDGES.sub("", fold(text)).split())
    return folded in _READ_WORDS


def typed_hint(actions: Sequence[Action]) -> str:
    """The typed commands for the broadcast buttons among `actions` ("" when none)."""
    choices = []
    for action in actions:
        m = _BUTTON.match(action.data)
        if m is not None:
            choices.append(_TYPED[m["op"]].format(id=m["id"]))
        elif action.data.startswith("rd:"):
            choices.append(broadcast_texts.BROADCAST_TYPED_READ)
    if not choices:
        return ""
    return broadcast_texts.BROADCAST_TYPED_HINT.format(choices=texts.ACTIONS_HINT_SEPARATOR.join(choices))


__all__ = ["is_read_reply", "typed_hint"]
