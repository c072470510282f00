"""A stand-in for the core in channel tests: records what the adapter hands it and answers
with real core reply types, so the adapter, the HTTP and the platform fake are all real."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from bot.core.types import Incoming, Outcome, TextReply

WAIT = 5.0  # seconds; only reached when something is broken


class Core:
    """Stands in for the core dispatcher: records what it is given, answers with `respond`."""

    def __init__(self, respond: Callable[[Incoming], Any] | None = None) -> None:
        self.seen: asyncio.Queue[Incoming] = asyncio.Queue()
        self.respond = respond or (lambda incoming: Outcome([TextReply("Đã nhận.")]))

    async def __call__(self, incoming: Incoming) -> Outcome:
        self.seen.put_nowait(incoming)
        result = self.respond(incoming)
        return await result if inspect.isawaitable(result) else result

    async def next(self) -> Incoming:
        return await asyncio.wait_for(self.seen.get(), WAIT)
