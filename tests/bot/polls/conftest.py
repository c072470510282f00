"""Poll fixtures: the broadcast tests' unit world plus Zalo members and a Zalo group, the
loopback Telegram and Zalo servers, poll senders pointed at them, the real channels over the
real core (with poll handlers), and a runner that is ticked by hand (no timers to wait on)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.outbound import TelegramOutbound
from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.outbound import ZaloOutbound
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.core.types import Incoming, Outcome
from bot.polls.runner import PollRunner, RunnerConfig
from bot.services import people
from bot.storage.database import Database
from tests.bot.broadcast.world import ADMIN_IDS, World, add_members, build_world
from tests.dispatchers import dispatcher
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer

WAIT = 10.0
FAST = RetryPolicy(retries=1, backoff=0.01, max_backoff=0.02)
ZALO_MEMBERS = ["z-7001", "z-7002", "z-7003"]  # Zalo users in the cell
ZALO_GROUP = "zg-cell"


@dataclass
class Polls:
    world: World
    db: Database
    tg: TelegramApiServer
    zalo: ZaloApiServer
    runner: PollRunner
    assistant: Dispatcher


def build_poll_world(db: Database) -> World:
    """The broadcast tests' unit world plus Zalo members and a Zalo group in the cell (also
    the stage of tests/security)."""
    w = build_world(db)

    def more(session: Any) -> None:
        add_members(session, w.cell, ZALO_MEMBERS, platform="zalo")
        chat = people.record_chat(session, "zalo", ZALO_GROUP, "group", "Chi bộ thôn Đông (Zalo)")
        chat.unit_id = w.cell
        session.add(chat)

    db.call(more)
    return w


@pytest.fixture
def world(db: Database) -> World:
    return build_poll_world(db)


@pytest.fixture
async def tg() -> AsyncIterator[TelegramApiServer]:
    async with TelegramApiServer(max_poll_wait=0.2) as server:
        yield server


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloApiServer]:
    async with ZaloApiServer(max_poll_wait=0.2) as server:
        yield server


@pytest.fixture
async def polls(world: World, db: Database, tg: TelegramApiServer, zalo: ZaloApiServer,
                knowledge: KnowledgeBase) -> AsyncIterator[Polls]:
    async with ZaloOutbound.bulk_sender(zalo.token, base_url=zalo.base_url,
                                        timeout=2.0) as zalo_port, \
            TelegramOutbound.bulk(tg.token, base_url=tg.base_url, timeout=2.0) as telegram:
        runner = PollRunner(db, {"telegram": telegram, "zalo": zalo_port},
                            RunnerConfig(interval=0.05))
        core = dispatcher(db, knowledge, ADMIN_IDS, polls=True, poll_wake=runner.wake)
        yield Polls(world, db, tg, zalo, runner, core)


class Handled:
    """The core's handler, noting each update it finished (tests wait on the queue)."""

    def __init__(self, assistant: Dispatcher) -> None:
        self.assistant = assistant
        self.done: asyncio.Queue[Incoming] = asyncio.Queue()

    async def __call__(self, incoming: Incoming) -> Outcome:
        try:
            return await self.assistant.handle(incoming)
        finally:
            self.done.put_nowait(incoming)

    async def wait(self, count: int) -> list[Incoming]:
        async with asyncio.timeout(WAIT):
            return [await self.done.get() for _ in range(count)]


@asynccontextmanager
async def channels(p: Polls) -> AsyncIterator[Handled]:
    """Both real adapters over the real core, against the loopback servers."""
    handled = Handled(p.assistant)
    async with aiohttp.ClientSession() as session:
        client = ZaloBotApi(p.zalo.token, session, base_url=p.zalo.base_url, retry=FAST)
        async with TelegramChannel(p.tg.token, handled, base_url=p.tg.base_url,
                                   poll_timeout=0.2), \
                ZaloChannel(client, handled, poll_timeout=1, error_backoff=0.01):
            yield handled


def officer(p: Polls) -> Any:
    return p.world.actor(p.db, p.world.officer_id)
