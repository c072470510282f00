"""The people of the terminal: its own user (an admin: they already control the server) and
the people they speak for, to try what members see with nobody else at hand.

A message that starts with a name in brackets — `[An] /dangky K7QX2M9P`, `[Chị Hoa] đã đọc`
— is sent by that person: a member of the local platform whose id is the name as written
(spaces collapsed), created by the core on their first message like anyone who writes to
the bot. What the assistant sends them is printed under a line `→ An`. Everything else is
the terminal user's own.
"""

from __future__ import annotations

import re

from bot.core.types import Capabilities, Chat, Sender
from knowledge.text import normalize

LOCAL_USER_ID = "terminal"  # the terminal user's id on the local platform (an admin)
MAX_NAME = 40
LOCAL_CAPABILITIES = Capabilities(buttons=False, edits=False, files=False, native_polls=False,
                                  forwards_polls=False, max_text=0)
_SPEAKER = re.compile(r"^\[(?P<name>[^\[\]\n]{1,%d})\]\s*(?P<text>.*)$" % MAX_NAME, re.S)


def split_speaker(text: str) -> tuple[str | None, str]:
    """"[An] đã đọc" → ("An", "đã đọc"); text without a leading name → (None, text). The
    name is NFC with its spaces collapsed; the terminal user's own id means the user."""
    found = _SPEAKER.match(text)
    if found is None:
        return None, text
    name = " ".join(normalize(found["name"]).split())
    if not name:
        return None, text  # "[ ] ..." names nobody: the text as typed
    if name.casefold() == LOCAL_USER_ID:
        return None, found["text"]
    return name, found["text"]


def private_chat(user_id: str) -> Chat:
    """A local person's chat with the assistant (the local platform has private chats only)."""
    return Chat("local", user_id, "private", "terminal", capabilities=LOCAL_CAPABILITIES)


def sender(user_id: str, own_name: str) -> Sender:
    """The sender of a message: the terminal user (`own_name`) or a person spoken for."""
    return Sender("local", user_id, own_name if user_id == LOCAL_USER_ID else user_id)


__all__ = ["LOCAL_CAPABILITIES", "LOCAL_USER_ID", "MAX_NAME", "private_chat", "sender",
           "split_speaker"]
