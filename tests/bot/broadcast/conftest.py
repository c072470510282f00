"""Broadcast fixtures: the unit world, the loopback Bot API with faults, a Telegram
transport pointed at it, and a worker runner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from bot.broadcast.outbox import RetryPolicy
from bot.channels.telegram.outbound import TelegramOutbound
from bot.core.outbound import RateLimits
from bot.broadcast.worker import BroadcastWorker, WorkerConfig
from bot.storage.database import Database
from tests.bot.broadcast.world import World, build_world
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.telegram_faults import FaultPlan

WAIT = 10.0  # seconds; only reached when something is broken
FAST_LIMITS = RateLimits(global_per_second=500, per_chat_per_second=0, per_group_per_minute=0)
FAST = WorkerConfig(concurrency=8, lease=timedelta(seconds=30), poll_interval=0.05,
                    progress_interval=0.05,
                    retry=RetryPolicy(max_attempts=4, base_delay=0.05, jitter=0.0))


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


@pytest.fixture
def faults() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
async def api(faults: FaultPlan) -> AsyncIterator[TelegramApiServer]:
    async with TelegramApiServer(faults=faults) as server:
        yield server


@pytest.fixture
async def transport(api: TelegramApiServer) -> AsyncIterator[TelegramOutbound]:
    async with TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=FAST_LIMITS,
                                 timeout=2.0) as t:
        yield t


@asynccontextmanager
async def running_worker(db: Database, transport: Any, config: WorkerConfig = FAST,
                         worker_id: str | None = None) -> AsyncIterator[BroadcastWorker]:
    worker = BroadcastWorker(db, {"telegram": transport}, config, worker_id=worker_id)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield worker
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)


async def finished(worker: BroadcastWorker, broadcast_id: int) -> None:
    """Wait until the worker closed this broadcast (report sent)."""
    async with asyncio.timeout(WAIT):
        while (done := await worker.finished.get()) != broadcast_id:
            pass


def sent_to(api: TelegramApiServer, chat_id: str | int, method: str = "sendMessage") -> list[dict[str, Any]]:
    return [p for p in api.calls_of(method) if str(p.get("chat_id")) == str(chat_id)]


Predicate = Callable[[dict[str, Any]], bool]


@pytest.fixture
def pg_db(postgres: Any) -> Any:
    database = Database.open(postgres.create_database())
    database.create_all()
    yield database
    database.close()
