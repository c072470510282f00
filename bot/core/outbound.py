"""The outbound port: messages the core starts itself, to a chat other than the one whose
update it is answering (a code sent privately when asked for in a group; asking the owner of
an account to confirm a link, on whichever platform that account is).

Each channel that can write first implements `Pusher` (its own rendering: buttons on
Telegram, a numbered hint on Zalo that the channel then remembers for that chat) and is
attached under its platform's name by the entry point once started. The core never learns
whether a platform exists until it asks: `push` answers False when the platform is not
attached or the message could not be delivered (logged), and the caller says so to the
person.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.core.types import Reply

logger = logging.getLogger(__name__)


class PushFailed(Exception):
    """A pusher could not deliver: the person blocked the bot, the chat is gone, the
    platform or the network failed, or the channel is not running."""


class Pusher(Protocol):
    async def push(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send `replies` to the private chat `chat_id`; PushFailed when it did not go."""
        ...


class Outbound:
    def __init__(self) -> None:
        self._pushers: dict[str, Pusher] = {}

    def attach(self, platform: str, pusher: Pusher) -> None:
        self._pushers[platform] = pusher

    def detach(self, platform: str) -> None:
        self._pushers.pop(platform, None)

    def reaches(self, platform: str) -> bool:
        return platform in self._pushers

    async def push(self, platform: str, chat_id: str, replies: Sequence[Reply]) -> bool:
        """Deliver to a private chat; True when it went, False (logged) when it did not."""
        pusher = self._pushers.get(platform)
        if pusher is None:
            logger.info("outbound: no %s channel to write to chat %s", platform, chat_id)
            return False
        try:
            await pusher.push(chat_id, replies)
        except PushFailed as exc:
            logger.warning("outbound: %s chat %s not reached: %s", platform, chat_id, exc)
            return False
        return True


__all__ = ["Outbound", "PushFailed", "Pusher"]
