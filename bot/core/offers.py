"""The numbered-actions port: where a channel without buttons keeps the actions it last
offered in a conversation ("Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản"), so that a following "1" is
read as that action.

A conversation is (chat id, user id): a private chat, or one person in a group. The offer
must outlive the process that made it — the reply may be sent by one process and the "1"
answered by another (several processes on one database), or after a restart — so the
entry point gives the channels the database's implementation (bot.inbox.offers); the
in-memory one (bot.channels.text_actions.ActionMemory) serves the terminal and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core.types import Action

Conversation = tuple[str, str]  # (chat id, user id)


class ActionOffers(Protocol):
    async def offer(self, conversation: Conversation, actions: Sequence[Action]) -> None:
        """Offer these actions next in the conversation. An empty list keeps the previous
        offer (a document view shown after "3" has no actions of its own, and "1" must still
        rate the answer)."""
        ...

    async def offered(self, conversation: Conversation) -> tuple[Action, ...]:
        """The actions last offered there (none when forgotten: older than a day)."""
        ...


__all__ = ["ActionOffers", "Conversation"]
