"""Send pacing for one platform within one worker process.

Three limits, as Telegram states them for bulk sends (Zalo's come from settings):
- overall: at most `global_per_second` messages a second. Strict pacing, no bursts: each
  send takes the next free slot, 1/rate after the previous one, so a burst can never trip
  the platform's flood control and the achieved rate stays close to the limit.
- per chat: at least 1/`per_chat_per_second` seconds between two messages to one chat.
- per group: at most `per_group_per_minute` messages to one group in any 60 seconds.

The per-chat and per-group checks never wait: `chat_delay` says how long the chat must wait,
and the worker puts the row back in the outbox for that long instead of holding a sending
slot (a group that got 20 messages this minute must not stall the others).

With several worker processes the overall limit is shared: each paces at limit / (live
workers), counted through heartbeats in the database (bot.broadcast.peers, `share`). Per-chat
limits are exact within a process; across processes two rows for one chat are rare (one
message per chat per broadcast) and a 429 from the platform still puts the later one back with
its retry_after.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from bot.core.outbound import RateLimits

GROUP_WINDOW = 60.0


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._interval = 1.0 / limits.global_per_second if limits.global_per_second > 0 else 0.0
        self.workers = 1  # live workers sharing the overall limit
        self._next_slot = 0.0
        self._chat_last: dict[str, float] = {}
        self._group_sends: dict[str, deque[float]] = {}
        self._pruned_at = 0.0

    def chat_delay(self, chat_id: str, is_group: bool) -> float:
        """Seconds until `chat_id` may get another message (0.0: now)."""
        now = self._clock()
        delay = 0.0
        per_chat = self.limits.per_chat_per_second
        if per_chat > 0 and (last := self._chat_last.get(chat_id)) is not None:
            delay = max(delay, last + 1.0 / per_chat - now)
        per_group = self.limits.per_group_per_minute
        if is_group and per_group > 0 and (sends := self._group_sends.get(chat_id)):
            while sends and sends[0] <= now - GROUP_WINDOW:
                sends.popleft()
            if len(sends) >= per_group:
                delay = max(delay, sends[0] + GROUP_WINDOW - now)
        return max(delay, 0.0)

    def reserve_chat(self, chat_id: str, is_group: bool) -> None:
        """Count a message to `chat_id` as sent now (call right before sending)."""
        now = self._clock()
        self._chat_last[chat_id] = now
        if is_group and self.limits.per_group_per_minute > 0:
            self._group_sends.setdefault(chat_id, deque()).append(now)
        if now - self._pruned_at > GROUP_WINDOW:
            self._prune(now)

    def share(self, workers: int) -> None:
        """Pace at 1/`workers` of the overall limit (that many workers share it)."""
        self.workers = max(workers, 1)
        rate = self.limits.global_per_second
        self._interval = self.workers / rate if rate > 0 else 0.0

    async def acquire(self) -> None:
        """Wait for this process's next overall sending slot."""
        if self._interval <= 0:
            return
        now = self._clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)

    def _prune(self, now: float) -> None:
        """Forget chats that have not been written to for a minute (memory stays bounded)."""
        self._pruned_at = now
        horizon = now - GROUP_WINDOW
        self._chat_last = {c: t for c, t in self._chat_last.items() if t > horizon}
        self._group_sends = {c: d for c, d in self._group_sends.items() if d and d[-1] > horizon}


__all__ = ["GROUP_WINDOW", "RateLimiter"]
