"""The bot's side of bench/qa_load.py: the probe that times each update through the core
(and named parts of it), the counter of warnings and errors, and the platform channel as
`tuyengiao run` builds it. Split from qa_load.py (which keeps the run: scenarios, pacing,
the report)."""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import logging
import os
from collections import Counter, defaultdict
from contextlib import AsyncExitStack
from typing import Any

from _qa_users import now

_update: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "qa_load_update", default=None)


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, {os.cpu_count()} CPUs)"


class Probe:
    """Times every update through the core, and the parts of the core, per update."""

    def __init__(self) -> None:
        self.runs: dict[str, list[dict[str, float]]] = defaultdict(list)  # update_id -> runs
        self.in_flight = 0
        self.max_in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    def reset(self) -> None:
        self.runs.clear()
        self.max_in_flight = self.in_flight

    @staticmethod
    def add(key: str, value: float) -> None:
        record = _update.get()
        if record is not None:  # one update's calls run one after another: no race here
            record[key] = record.get(key, 0.0) + value

    def wrap_handler(self, handle: Any) -> Any:
        async def timed(incoming: Any) -> Any:
            record: dict[str, float] = {"start": now()}
            token = _update.set(record)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.idle.clear()
            try:
                return await handle(incoming)
            finally:
                record["end"] = now()
                _update.reset(token)
                self.runs[incoming.update_id].append(record)
                self.in_flight -= 1
                if self.in_flight == 0:
                    self.idle.set()
        return timed

    def wrap_async(self, obj: Any, name: str, key: str) -> None:
        original = getattr(obj, name)

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = now()
            try:
                return await original(*args, **kwargs)
            finally:
                self.add(key, now() - started)
                self.add(key + "_calls", 1)
        setattr(obj, name, timed)

    def wrap_sync(self, obj: Any, name: str, key: str) -> None:
        original = getattr(obj, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = now()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(key, now() - started)
        setattr(obj, name, timed)


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.levelname] += 1
        if len(self.first) < 5:
            self.first.append(f"{record.levelname} {record.name}: {record.getMessage()[:200]}")


MENU: list[tuple[str, str]] = []  # the command menu, as the core collects it


async def start_channel(args: argparse.Namespace, settings: Any, token: str, base_url: str,
                        handler: Any, stack: AsyncExitStack) -> str:
    """The bot's side of the platform, as `tuyengiao run` builds it; a line describing it."""
    if args.channel == "telegram":
        from bot.channels.telegram.channel import TelegramChannel
        channel = TelegramChannel(token, handler, base_url=base_url, commands=MENU,
                                  concurrent_updates=args.concurrent_updates)
        await stack.enter_async_context(channel)
        return (f"Telegram: {args.concurrent_updates} updates answered at once; fake server"
                f" getUpdates limit {args.poll_limit}; polling")
    import aiohttp

    from bot.channels.zalo.channel import PREFETCH_FACTOR, ZaloChannel
    from bot.channels.zalo.api import ZaloBotApi

    session = await stack.enter_async_context(aiohttp.ClientSession())
    api = ZaloBotApi(token, session, base_url=base_url,
                     sends_per_second=settings.zalo_sends_per_second)
    await stack.enter_async_context(ZaloChannel(
        api, handler, concurrent_updates=args.concurrent_updates,
        poll_timeout=settings.zalo_poll_timeout))
    return (f"Zalo: {args.concurrent_updates} updates answered at once, up to"
            f" {args.concurrent_updates * PREFETCH_FACTOR} fetched; one update per getUpdates;"
            f" sends paced at {settings.zalo_sends_per_second:g}/s; polling")


__all__ = ["ErrorCounter", "MENU", "Probe", "loadavg", "start_channel"]
