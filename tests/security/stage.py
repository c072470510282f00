"""The stage the security cases replay on: a real database (a SQLite file, or PostgreSQL from
tests/postgres_server.py), the broadcast tests' unit world with Zalo members and a Zalo group
added, both loopback platform servers, the real core (Q&A over a small store, broadcasts,
polls), the poll runner (ticked by hand), a broadcast worker on both platforms, and both real
adapters. Nothing of ours is stubbed.

    async with stage(db, tmp_path) as s:
        s.tg.text_update(...); await s.handled.wait(1)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot.channels.telegram.outbound import TelegramOutbound
from bot.broadcast.worker import BroadcastWorker
from bot.channels.zalo.outbound import ZaloOutbound
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.zalo.channel import ZaloChannel
from bot.inbox.durable import DurableInbox, worker_id
from bot.channels.zalo.api import ZaloBotApi
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.polls.models import PollMessage
from bot.polls.runner import PollRunner, RunnerConfig
from bot.storage.database import Database
from indexer.build import build_store
from indexer.opening import opening_section
from knowledge.answers import AnswerPolicy
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from tests.bot.broadcast.conftest import FAST, FAST_LIMITS
from tests.bot.broadcast.world import ADMIN_IDS, World
from tests.bot.polls.conftest import FAST as ZALO_RETRY
from tests.bot.polls.conftest import Handled, build_poll_world
from tests.conftest import write_documents
from tests.dispatchers import broadcast_feature, dispatcher
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer

WAIT = 10.0
OFFICER = 901  # the district officer's Telegram id (tests.bot.broadcast.world)


@pytest.fixture
def db(tmp_path: Path) -> Any:
    """A real SQLite database file per test (import this fixture into a test module: this
    folder has no conftest of its own)."""
    database = Database.open(f"sqlite:///{tmp_path / 'bot.db'}")
    database.create_all()
    yield database
    database.close()


@dataclass
class Stage:
    db: Database
    world: World
    tg: TelegramApiServer
    zalo: ZaloApiServer
    assistant: Dispatcher
    runner: PollRunner
    handled: Handled
    worker: BroadcastWorker | None = None

    def officer(self) -> Any:
        return self.world.actor(self.db, self.world.officer_id)

    async def post_polls(self, poll_id: int, *, rounds: int = 10) -> None:
        """Tick the runner until none of the poll's messages waits to be posted. On a loaded
        machine a send to the loopback server can time out; the runner keeps that message
        pending for its next tick, as it would in production."""
        for _ in range(rounds):
            await self.runner.tick()
            if not self.db.call(_pending_messages, poll_id):
                return
        raise AssertionError(f"poll {poll_id}: messages still pending after {rounds} ticks")


def _pending_messages(session: Any, poll_id: int) -> int:
    return len(session.exec(select(PollMessage.id).where(
        PollMessage.poll_id == poll_id, PollMessage.status == "pending")).all())


def build(db: Database) -> World:
    """The poll tests' world: units, Telegram members and groups, Zalo members and a group."""
    return build_poll_world(db)


@asynccontextmanager
async def stage(db: Database, tmp_path: Path, *, world: World | None = None,
                worker: bool = False) -> AsyncIterator[Stage]:
    """Everything running; the runner is ticked by the test (`await s.runner.tick()`), the
    worker (when asked for) runs on its own."""
    world = world or build(db)
    embedder = HashingEmbedder()
    build_store([write_documents(tmp_path / "knowledge")], tmp_path / "store", embedder)
    knowledge = KnowledgeBase(Searcher(StoreReader(tmp_path / "store"), embedder), AnswerPolicy(), opening_section)
    async with AsyncExitStack() as stack:
        tg = await stack.enter_async_context(TelegramApiServer(max_poll_wait=0.2))
        zalo = await stack.enter_async_context(ZaloApiServer(max_poll_wait=0.2))
        zalo_transport = await stack.enter_async_context(
            ZaloOutbound.bulk_sender(zalo.token, base_url=zalo.base_url, limits=FAST_LIMITS, timeout=2.0))
        poll_sender = await stack.enter_async_context(
            TelegramOutbound.bulk(tg.token, base_url=tg.base_url, timeout=2.0))
        runner = PollRunner(db, {"telegram": poll_sender, "zalo": zalo_transport},
                            RunnerConfig(interval=0.05))
        assistant = dispatcher(db, knowledge, ADMIN_IDS, broadcasts=True, polls=True,
                               poll_wake=runner.wake)
        running = None
        if worker:
            transport = await stack.enter_async_context(TelegramOutbound.bulk(
                tg.token, base_url=tg.base_url, limits=FAST_LIMITS, timeout=2.0))
            running = BroadcastWorker(db, {"telegram": transport, "zalo": zalo_transport}, FAST)
            broadcast_feature(assistant).wake = running.wake
            stop = asyncio.Event()
            task = asyncio.create_task(running.run(stop))

            async def finish() -> None:
                stop.set()
                await asyncio.wait_for(task, WAIT)

            stack.push_async_callback(finish)
        handled = Handled(assistant)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        client = ZaloBotApi(zalo.token, session, base_url=zalo.base_url, retry=ZALO_RETRY)
        # The durable update inbox, as `tuyengiao run` wires it: what it keeps is searched too.
        await stack.enter_async_context(TelegramChannel(
            tg.token, handled, base_url=tg.base_url, poll_timeout=0.2,
            inbox=DurableInbox(db, "telegram", worker_id("telegram", None))))
        await stack.enter_async_context(ZaloChannel(
            client, handled, poll_timeout=1, error_backoff=0.01, key_secret=zalo.token.encode(),
            inbox=DurableInbox(db, "zalo", worker_id("zalo", None))))
        yield Stage(db, world, tg, zalo, assistant, runner, handled, running)


async def zalo_says(s: Stage, chat: str, user: str, text: str, *, group: bool = False) -> str:
    """A Zalo member writes; the bot's answer in that chat (waited for)."""
    before = len(s.zalo.sent_texts(chat))
    s.zalo.text_update(chat, user, text, chat_type="GROUP" if group else "PRIVATE")
    await s.handled.wait(1)
    return await s.zalo._until(
        lambda: sent[-1] if len(sent := s.zalo.sent_texts(chat)) > before else None, WAIT)


async def telegram_says(s: Stage, chat: int, user: int, text: str,
                        chat_type: str = "private") -> dict[str, Any]:
    """A Telegram member writes; the bot's first answer in that chat (waited for)."""
    s.tg.text_update(chat, user, text, chat_type)
    return await s.tg.wait_for("sendMessage", lambda p: p["chat_id"] == chat, timeout=WAIT)


__all__ = ["OFFICER", "WAIT", "Stage", "build", "db", "stage", "telegram_says", "zalo_says"]
