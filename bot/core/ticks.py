"""The loop of a feature's background runner: tick, then wait for the interval, a wake-up
or the stop, whichever comes first (bot.polls.runner, bot.study.runner)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


async def tick_until_stopped(tick: Callable[[], Awaitable[object]], stop: asyncio.Event,
                             wake: asyncio.Event, interval: float, name: str) -> None:
    """Run `tick()` until `stop` is set: again `interval` seconds after each tick ended, or
    at once when `wake` is set (cleared before each tick, so a wake-up during a tick brings
    the next one). An exception in a tick is logged under `name` and the loop goes on: a
    database hiccup must not end a runner."""
    while not stop.is_set():
        wake.clear()
        try:
            await tick()
        except Exception:
            logger.exception("%s: tick failed", name)
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())}
        await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()


__all__ = ["tick_until_stopped"]
