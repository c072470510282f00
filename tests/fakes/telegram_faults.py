"""Faults for the loopback Telegram Bot API server: what Telegram does to bulk senders.

    faults = FaultPlan()
    api = TelegramApiServer(faults=faults)
    faults.on_chat(77, flood(retry_after=1))          # next sendMessage to 77: 429
    faults.on_chat(78, server_error(), server_error()) # two 502s, then normal
    faults.always(79, blocked())                       # every call: 403 blocked by the user
    faults.always(80, chat_not_found())
    faults.hang_chat(81, gate)                         # delivered, then the answer waits
    faults.random_rates(flood=0.10, server=0.05, seed=1)  # bench: a share of calls fails

A "hang" records the message as delivered (Telegram got it) and holds the HTTP answer until
`gate` is set: the client times out, or the worker dies with the send in flight — the case
that can produce a duplicate.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

SEND_METHODS = frozenset({"sendMessage", "sendDocument"})


@dataclass(frozen=True)
class Fault:
    code: int
    description: str
    retry_after: int | None = None


def flood(retry_after: int = 1) -> Fault:
    return Fault(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def server_error(code: int = 502) -> Fault:
    return Fault(code, "Bad Gateway" if code == 502 else "Internal Server Error")


def blocked() -> Fault:
    return Fault(403, "Forbidden: bot was blocked by the user")


def kicked() -> Fault:
    return Fault(403, "Forbidden: bot was kicked from the group chat")


def chat_not_found() -> Fault:
    return Fault(400, "Bad Request: chat not found")


@dataclass
class FaultPlan:
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    flood_rate: float = 0.0
    server_rate: float = 0.0
    flood_retry_after: int = 1
    injected: dict[int, int] = field(default_factory=dict)  # HTTP code -> times injected
    _queued: dict[Any, deque[Fault]] = field(default_factory=dict)
    _always: dict[Any, Fault] = field(default_factory=dict)
    _hangs: dict[Any, asyncio.Event] = field(default_factory=dict)

    def on_chat(self, chat_id: int | str, *faults: Fault) -> None:
        """The next sends to `chat_id` answer with these faults, in order."""
        self._queued.setdefault(_key(chat_id), deque()).extend(faults)

    def always(self, chat_id: int | str, fault: Fault) -> None:
        self._always[_key(chat_id)] = fault

    def hang_chat(self, chat_id: int | str, gate: asyncio.Event) -> None:
        self._hangs[_key(chat_id)] = gate

    def random_rates(self, *, flood: float = 0.0, server: float = 0.0, seed: int = 0,
                     retry_after: int = 1) -> None:
        self.rng = random.Random(seed)
        self.flood_rate, self.server_rate, self.flood_retry_after = flood, server, retry_after

    def before(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The fault to answer this call with, if any (sends only)."""
        if method not in SEND_METHODS:
            return None
        key = _key(params.get("chat_id"))
        fault = self._always.get(key)
        if fault is None and (queue := self._queued.get(key)):
            fault = queue.popleft()
        if fault is None and (self.flood_rate or self.server_rate):
            roll = self.rng.random()
            if roll < self.flood_rate:
                fault = flood(self.flood_retry_after)
            elif roll < self.flood_rate + self.server_rate:
                fault = server_error()
        if fault is not None:
            self.injected[fault.code] = self.injected.get(fault.code, 0) + 1
        return fault

    async def after(self, method: str, params: dict[str, Any]) -> None:
        """Hold the answer of a delivered send while its chat's gate is closed."""
        if method in SEND_METHODS and (gate := self._hangs.get(_key(params.get("chat_id")))):
            await gate.wait()


def _key(chat_id: Any) -> str:
    return str(chat_id)


__all__ = ["Fault", "FaultPlan", "blocked", "chat_not_found", "flood", "kicked", "server_error"]
