""""typing…" in a chat while the core works on a question, for any channel.

Platforms clear the indicator after a few seconds, so it is sent again every `interval`
until the work is done. It first waits `delay`: an answer ready by then needs no indicator,
and skipping it spares one platform API call per question, a good part of the bot's work
under load. `send_typing` returns False when the chat cannot be reached (the
person blocked the bot), which ends it early. Its failures never affect the work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
TYPING_DELAY = 0.3  # seconds before "typing…" is worth showing
logger = logging.getLogger(__name__)


async def while_typing(work: Awaitable[T], send_typing: Callable[[], Awaitable[bool]],
                       interval: float, delay: float = TYPING_DELAY) -> T:
    async def keep_typing() -> None:
        try:
            await asyncio.sleep(delay)
            while await send_typing():
                await asyncio.sleep(interval)
        except Exception:  # the indicator is a courtesy: never let it fail the answer
            logger.debug("typing indicator failed", exc_info=True)

    typing = asyncio.create_task(keep_typing())
    try:
        return await work
    finally:
        typing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await typing
