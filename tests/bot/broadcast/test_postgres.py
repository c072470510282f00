"""The outbox on a real PostgreSQL server: claims skip rows another transaction holds, and
two workers (two engines, as two processes would have) share one broadcast without sending
to anyone twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlmodel import select

from bot.broadcast import outbox, service
from bot.broadcast.models import Delivery
from bot.channels.telegram.outbound import TelegramOutbound
from bot.broadcast.worker import BroadcastWorker, WorkerConfig
from bot.storage.database import Database
from tests.bot.broadcast.conftest import FAST, WAIT, FAST_LIMITS, sent_to
from tests.bot.broadcast.world import build_world
from tests.fakes.telegram_api import TelegramApiServer

LEASE = timedelta(seconds=30)


def confirmed_broadcast(db: Database, members: int) -> tuple[int, list[str]]:
    world = build_world(db, cell_members=members, commune2_members=0, silent=0)
    officer = world.actor(db, world.officer_id)
    draft = db.call(service.create, officer, text="Kế hoạch học tập Nghị quyết.",
                    unit_ids=[world.cell], roles=["member"], include_groups=False)
    assert draft.id is not None
    db.call(service.confirm, officer, draft.id)
    return draft.id, world.members[world.cell]


def test_concurrent_claims_skip_locked_rows(pg_db: Database) -> None:
    broadcast_id, members = confirmed_broadcast(pg_db, 10)
    other = Database.open(pg_db.engine.url.render_as_string(hide_password=False))
    try:
        with pg_db.session() as first:
            claimed_a = outbox.claim(first, "A", ["telegram"], 6, LEASE)
            # A's transaction is still open: its rows are locked. B must skip them, not wait.
            with other.session() as second:
                second.connection().exec_driver_sql("SET lock_timeout = '2s'")
                claimed_b = outbox.claim(second, "B", ["telegram"], 10, LEASE)
        ids_a = {c.id for c in claimed_a}
        ids_b = {c.id for c in claimed_b}
        assert len(ids_a) == 6 and len(ids_b) == 4
        assert not ids_a & ids_b
        rows = other.call(lambda s: s.exec(select(Delivery).where(
            Delivery.broadcast_id == broadcast_id)).all())
        assert Counter(r.claimed_by for r in rows) == {"A": 6, "B": 4}
        assert all(r.status == "sending" and r.attempts == 1 for r in rows)
    finally:
        other.close()


async def test_two_workers_share_one_broadcast_without_duplicates(pg_db: Database) -> None:
    broadcast_id, members = confirmed_broadcast(pg_db, 120)
    second_db = Database.open(pg_db.engine.url.render_as_string(hide_password=False))
    config = WorkerConfig(concurrency=4, lease=LEASE, poll_interval=0.05,
                          progress_interval=0.05, retry=FAST.retry)
    try:
        async with TelegramApiServer() as api, \
                TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=FAST_LIMITS) as t1, \
                TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=FAST_LIMITS) as t2:
            workers = [BroadcastWorker(pg_db, {"telegram": t1}, config, worker_id="W1"),
                       BroadcastWorker(second_db, {"telegram": t2}, config, worker_id="W2")]
            stop = asyncio.Event()
            tasks = [asyncio.create_task(w.run(stop)) for w in workers]
            try:
                async with asyncio.timeout(WAIT * 2):
                    closed = await asyncio.wait(
                        [asyncio.create_task(w.finished.get()) for w in workers],
                        return_when=asyncio.FIRST_COMPLETED)
                    assert closed[0]
            finally:
                stop.set()
                await asyncio.wait_for(asyncio.gather(*tasks), WAIT)
            received = Counter(str(p["chat_id"]) for p in api.calls_of("sendMessage"))
            for member in members:
                assert received[member] == 1, member
            assert workers[0].counts["sent"] > 0 and workers[1].counts["sent"] > 0
            assert workers[0].counts["sent"] + workers[1].counts["sent"] == len(members)
            assert sent_to(api, "-5001") == []
    finally:
        second_db.close()
    statuses = pg_db.call(lambda s: Counter(s.exec(select(Delivery.status).where(
        Delivery.broadcast_id == broadcast_id)).all()))
    assert statuses == {"sent": 120}
