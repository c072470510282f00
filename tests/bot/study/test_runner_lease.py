"""Two serving processes with STUDY_RUNNER on one database: one study runner at a time does
the work (its `work_lease` row), renews its hold while it runs, another takes over once the
holder's lease has passed (it died) or at once when the holder stops cleanly. Two runners
on one real database (SQLite and PostgreSQL), one controllable clock, ticked by hand."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from bot.core.knowledge_base import KnowledgeBase
from bot.storage.database import Database
from bot.storage.models import WorkLease, utcnow
from bot.study.models import StudyParticipant
from bot.study.runner import LEASE_NAME, StudyRunner
from tests.bot.broadcast.world import add_person
from tests.bot.study.conftest import CONFIG, Stage, build_stage, open_campaign

LEASE = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def runner(stage: Stage, holder: str, clock: Clock) -> StudyRunner:
    config = replace(CONFIG, holder=holder, lease=LEASE, clock=clock)
    return StudyRunner(stage.db, {}, stage.study.queue, None, None, config)


def participants(db: Database, campaign_id: int) -> int:
    return db.call(lambda s: s.exec(select(func.count()).select_from(StudyParticipant).where(
        StudyParticipant.campaign_id == campaign_id)).one())


def holder(db: Database) -> tuple[str, datetime] | None:
    lease = db.call(lambda s: s.get(WorkLease, LEASE_NAME))
    return (lease.holder, lease.lease_until) if lease is not None else None


def joins(stage: Stage, user: str) -> None:
    def add(session: Session) -> None:
        add_person(session, user, f"Đảng viên mới {user}", stage.world.cell, "member")

    stage.db.call(add)


async def test_one_study_runner_at_a_time_and_a_takeover(database: Database,
                                                        knowledge: KnowledgeBase) -> None:
    stage = build_stage(database, knowledge)
    clock = Clock()
    campaign_id = open_campaign(stage)
    a, b = runner(stage, "process-a", clock), runner(stage, "process-b", clock)
    start = participants(database, campaign_id)

    joins(stage, "5001")  # a member joins after the start: the runner adds them
    assert await a.tick() is True
    assert participants(database, campaign_id) == start + 1
    assert holder(database) == ("process-a", clock.now + timedelta(seconds=LEASE))

    joins(stage, "5002")
    assert await b.tick() is False  # a holds the job: b does nothing
    assert participants(database, campaign_id) == start + 1

    clock.advance(LEASE / 2)  # a renews while it runs
    assert await a.tick() is True
    assert participants(database, campaign_id) == start + 2
    assert holder(database) == ("process-a", clock.now + timedelta(seconds=LEASE))
    clock.advance(LEASE * 0.9)  # within a's renewed lease
    joins(stage, "5003")
    assert await b.tick() is False
    assert participants(database, campaign_id) == start + 2

    clock.advance(LEASE * 0.2)  # a died: its lease has passed, b takes over
    assert await b.tick() is True
    assert participants(database, campaign_id) == start + 3
    assert holder(database) == ("process-b", clock.now + timedelta(seconds=LEASE))
    assert await a.tick() is False  # a came back too late: b holds it now

    stop = asyncio.Event()
    stop.set()
    await b.run(stop)  # a clean stop gives the job up at once
    assert holder(database) is None
    joins(stage, "5004")
    assert await a.tick() is True
    assert participants(database, campaign_id) == start + 4
