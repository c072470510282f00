"""One chat's updates answered in the order they came, other chats' concurrently.

Every channel handles updates concurrently, but a member's second question must not be
answered before their first. `ChatTurns.turn(chat_id)` is a FIFO lock per chat (asyncio.Lock
wakes waiters in the order they queued), dropped once nobody holds or waits for it, so the
table stays as small as the number of chats with something in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable


class ChatTurns:
    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._waiting: dict[Hashable, int] = {}

    def __len__(self) -> int:
        """Chats with an update being answered or waiting for its turn."""
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def turn(self, chat: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat]
                del self._locks[chat]
