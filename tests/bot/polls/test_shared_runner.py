"""Several serving processes on one database each run a poll runner, and one at a time does
the work (the `poll-runner` work lease, bot.storage.leases): ticking side by side they post
each poll once, stop each poll message once and send the officer the results once; a
clean stop hands the polls over at once; a runner that died is replaced once its lease
passes. On SQLite and on PostgreSQL (tests/postgres_server.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.polls import service
from bot.polls.models import Poll, PollMessage
from bot.polls.runner import LEASE_NAME, PollRunner, RunnerConfig
from bot.storage.database import Database
from bot.storage.models import WorkLease, utcnow
from tests.bot.polls.conftest import WAIT, Polls, officer


@pytest.fixture
def db(database: Database) -> Database:
    """The poll fixtures' database: SQLite, then PostgreSQL (tests/conftest.py)."""
    return database


def create(p: Polls, *, closes_in: timedelta = timedelta(hours=1)) -> int:
    actor = officer(p)
    poll = p.db.call(service.create, actor, question="Chi bộ đã sinh hoạt chuyên đề quý này chưa?",
                     options=["Đã sinh hoạt", "Chưa"], anonymous=False, multiple=False,
                     closes_at=utcnow() + closes_in, unit_ids=[p.world.cell],
                     origin=("telegram", p.world.officer_id))
    assert poll.id is not None
    p.db.call(service.open_poll, actor, poll.id)
    return poll.id


def other_runner(p: Polls, holder: str) -> PollRunner:
    return PollRunner(p.db, p.runner.senders, RunnerConfig(interval=0.05, holder=holder))


def lease_holder(db: Database) -> str | None:
    return db.call(lambda s: (lease := s.get(WorkLease, LEASE_NAME)) and lease.holder)


def telegram_chats(p: Polls) -> list[str]:
    return sorted(p.world.members[p.world.cell] + [p.world.groups[p.world.cell]])


async def test_two_runners_ticking_together_post_stop_and_report_each_poll_once(polls: Polls) -> None:
    p = polls
    b = other_runner(p, "host-b:8444")
    poll_id = create(p)
    for _ in range(2):  # each runner ticks one at a time, the two side by side
        await asyncio.gather(p.runner.tick(), b.tick())
    assert sorted(str(c["chat_id"]) for c in p.tg.calls_of("sendPoll")) == telegram_chats(p)
    assert sorted(c["chat_id"] for c in p.zalo.calls_of("sendMessage")) == [
        "z-7001", "z-7002", "z-7003", "zg-cell"]
    holder = lease_holder(p.db)
    assert holder in (p.runner.holder, b.holder)
    # The deadline passes: both tick again, the holder closes it.
    p.db.call(lambda s: s.get(Poll, poll_id).__setattr__("closes_at", utcnow() - timedelta(seconds=1)))
    for _ in range(2):
        await asyncio.gather(p.runner.tick(), b.tick())
    assert sorted(str(c["chat_id"]) for c in p.tg.calls_of("stopPoll")) == telegram_chats(p)
    assert len(p.tg.photos) == 1 and str(p.tg.photos[0]["chat_id"]) == p.world.officer_id
    finished = p.runner if holder == p.runner.holder else b
    idle = b if finished is p.runner else p.runner
    assert finished.finished.get_nowait() == poll_id and idle.finished.empty()
    assert p.db.call(lambda s: s.get(Poll, poll_id).status) == "closed"


async def test_a_clean_stop_hands_the_polls_over_at_once(polls: Polls) -> None:
    p = polls
    await p.runner.tick()  # A takes the lease
    b = other_runner(p, "host-b:8444")
    create(p)
    await b.tick()
    assert p.tg.calls_of("sendPoll") == [] and lease_holder(p.db) == p.runner.holder
    stop = asyncio.Event()
    stop.set()
    await asyncio.wait_for(p.runner.run(stop), WAIT)  # A stops
    assert lease_holder(p.db) is None  # given up at the stop
    await b.tick()
    assert lease_holder(p.db) == b.holder
    assert sorted(str(c["chat_id"]) for c in p.tg.calls_of("sendPoll")) == telegram_chats(p)


async def test_a_dead_runner_is_replaced_when_its_lease_passes_and_a_restart_takes_it_back(
        polls: Polls) -> None:
    p = polls
    await p.runner.tick()  # A holds the lease, then dies without giving it up
    b = other_runner(p, "host-b:8444")
    create(p)
    await b.tick()
    assert p.tg.calls_of("sendPoll") == [] and lease_holder(p.db) == p.runner.holder
    # A restarted under its stable name takes its lease back at once.
    restarted = other_runner(p, p.runner.holder)
    await restarted.tick()
    assert len(p.tg.calls_of("sendPoll")) == len(telegram_chats(p))
    # It dies for good: B takes over once the lease has passed (the clock moved on).
    past = utcnow() - timedelta(seconds=1)
    value = past.replace(tzinfo=None) if p.db.engine.dialect.name == "sqlite" else past
    with p.db.session() as s:
        s.exec(text("UPDATE work_lease SET lease_until = :t"), params={"t": value})  # type: ignore[call-overload]
    poll_id = create(p, closes_in=timedelta(hours=2))
    await b.tick()
    assert lease_holder(p.db) == b.holder
    second = p.db.call(lambda s: sorted(m.status for m in s.exec(
        select(PollMessage).where(PollMessage.poll_id == poll_id))))
    assert set(second) == {"sent"} and len(p.tg.calls_of("sendPoll")) == 2 * len(telegram_chats(p))
