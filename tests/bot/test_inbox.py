"""The durable inbox on a real database, SQLite and PostgreSQL: admitting (stored, duplicate,
full), finishing (content erased), releasing, claiming after a restart or another process's
lease, giving up on an update that keeps failing, pruning, and answering from memory when
the database cannot be written."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.core.inbox import Admission, Received
from bot.inbox import queue
from bot.inbox.durable import DurableInbox, InboxConfig
from bot.inbox.models import InboxUpdate
from bot.storage.database import Database
from bot.storage.models import utcnow

WORKER = "host-a:telegram:8443"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database.open(f"sqlite:///{tmp_path / 'inbox.db'}")
    else:
        db = Database.open(request.getfixturevalue("postgres").create_database())
    db.create_all()
    yield db
    db.close()


def update(n: int, chat: str = "42") -> Received:
    return Received(f"7:{n}", chat, f'{{"update_id": {n}, "text": "câu hỏi {n}"}}')


def rows(db: Database) -> list[InboxUpdate]:
    with db.session() as s:
        return list(s.exec(select(InboxUpdate).order_by(InboxUpdate.id)).all())  # type: ignore[arg-type]


def inbox(db: Database, worker: str = WORKER, **config: Any) -> DurableInbox:
    return DurableInbox(db, "telegram", worker, InboxConfig(**{"max_backlog": 10, **config}))


async def test_admitted_once_bounded_and_erased_when_answered(database: Database) -> None:
    box = inbox(database, max_backlog=2)
    first = await box.admit([update(1), update(1), update(2), update(3)])
    assert [a.status for a in first] == [Admission.ACCEPTED, Admission.DUPLICATE,
                                         Admission.ACCEPTED, Admission.FULL]
    assert box.full and box.room == 0
    stored = rows(database)
    assert [(r.update_key, r.status, r.claimed_by, r.chat_key) for r in stored] == [
        ("7:1", "processing", WORKER, "42"), ("7:2", "processing", WORKER, "42")]
    assert stored[0].payload == '{"update_id": 1, "text": "câu hỏi 1"}'
    # Forced (an update the platform already forgot): kept beyond the bound.
    [forced] = await box.admit([update(3)], force=True)
    assert forced.status is Admission.ACCEPTED
    await box.finish(first[0].ticket)  # type: ignore[arg-type]
    done = rows(database)[0]
    assert (done.status, done.payload, done.chat_key, done.claimed_by) == ("done", None, None, None)
    assert done.finished_at is not None
    # Answered, and still a duplicate: a redelivery is not answered again.
    assert [a.status for a in await box.admit([update(1)], force=True)] == [Admission.DUPLICATE]


async def test_a_restart_takes_back_at_once_what_it_held_others_wait_for_the_lease(
        database: Database) -> None:
    crashed = inbox(database)
    await crashed.admit([update(1), update(2)])
    other = inbox(database, worker="host-b:telegram:8443")
    await other.admit([update(3)])
    # Another process does not take rows whose lease still runs ...
    assert await inbox(database, worker="host-c:telegram:8443").claim_stored(10, restart=True) == []
    # ... the same process, restarted, takes back its own at once, oldest first.
    restarted = inbox(database)
    stored = await restarted.claim_stored(10, restart=True)
    assert [(s.key, s.payload) for s in stored] == [
        ("7:1", '{"update_id": 1, "text": "câu hỏi 1"}'), ("7:2", '{"update_id": 2, "text": "câu hỏi 2"}')]
    assert [r.attempts for r in rows(database)] == [2, 2, 1]
    # Once the lease has passed, anyone takes them.
    with database.session() as s:
        s.exec(text("UPDATE inbox_update SET lease_until = :t WHERE update_key = '7:3'"),  # type: ignore[call-overload]
               params={"t": (utcnow() - timedelta(seconds=1)).replace(tzinfo=None)
                       if database.engine.dialect.name == "sqlite" else utcnow() - timedelta(seconds=1)})
    taken = await inbox(database, worker="host-c:telegram:8443").claim_stored(10, restart=False)
    assert [s.key for s in taken] == ["7:3"]


async def test_released_updates_come_back_without_counting_an_attempt(database: Database) -> None:
    box = inbox(database)
    admitted = await box.admit([update(1), update(2)])
    await box.release([a.ticket for a in admitted])  # type: ignore[misc]
    assert [(r.status, r.claimed_by, r.attempts) for r in rows(database)] == [
        ("pending", None, 0), ("pending", None, 0)]
    assert box.room == 10
    stored = await inbox(database, worker="host-b:telegram:8443").claim_stored(1, restart=False)
    assert [s.key for s in stored] == ["7:1"]  # oldest first, no more than asked


async def test_an_update_that_keeps_killing_the_process_is_given_up(
        database: Database, caplog: pytest.LogCaptureFixture) -> None:
    await inbox(database).admit([update(1)])
    for _ in range(2):  # two more crashes with it
        assert [s.key for s in await inbox(database, max_attempts=3).claim_stored(10, restart=True)] == ["7:1"]
    with caplog.at_level(logging.ERROR, logger="bot.inbox.durable"):
        assert await inbox(database, max_attempts=3).claim_stored(10, restart=True) == []
    [row] = rows(database)
    assert (row.status, row.payload) == ("failed", None)
    assert "update 7:1 given up after 3 attempts" in caplog.text


async def test_answered_rows_are_pruned_after_the_retention(database: Database) -> None:
    box = inbox(database, retention=timedelta(hours=1))
    old, new, open_ = await box.admit([update(1), update(2), update(3)])
    await box.finish(old.ticket)  # type: ignore[arg-type]
    await box.finish(new.ticket)  # type: ignore[arg-type]
    with database.session() as s:
        two_hours_ago = utcnow() - timedelta(hours=2)
        s.exec(text("UPDATE inbox_update SET finished_at = :t WHERE update_key = '7:1'"),  # type: ignore[call-overload]
               params={"t": two_hours_ago.replace(tzinfo=None)
                       if database.engine.dialect.name == "sqlite" else two_hours_ago})
    await box.maintain()
    assert [(r.update_key, r.status) for r in rows(database)] == [("7:2", "done"), ("7:3", "processing")]


async def test_two_processes_claiming_at_once_never_share_a_row(database: Database) -> None:
    box = inbox(database, max_backlog=200)
    await box.release([a.ticket for a in await box.admit([update(n) for n in range(100)])])  # type: ignore[misc]
    claimers = [inbox(database, worker=f"host-{i}:telegram:8443", max_backlog=30) for i in range(4)]
    batches = await asyncio.gather(*(c.claim_stored(30, restart=False) for c in claimers))
    keys = [s.key for batch in batches for s in batch]
    assert len(keys) == len(set(keys)) == 100


async def test_an_unwritable_database_answers_from_memory(
        database: Database, caplog: pytest.LogCaptureFixture) -> None:
    """A read-only database (SQLite opened read-only, PostgreSQL in read-only transactions:
    what a read-only mount or a hot standby gives) cannot store updates: they are answered
    from memory, still deduplicated, and the fault is counted where the operator sees it."""
    url = database.engine.url.render_as_string(hide_password=False)
    if database.engine.dialect.name == "sqlite":
        read_only = Database.open(f"sqlite:///file:{database.engine.url.database}?mode=ro&uri=true",
                                  best_effort_wait=1.0)
    else:
        with database.session() as s:
            s.exec(text(f'ALTER DATABASE "{database.engine.url.database}" '  # type: ignore[call-overload]
                        "SET default_transaction_read_only = on"))
        read_only = Database.open(url, best_effort_wait=1.0)
    try:
        box = inbox(read_only)
        with caplog.at_level(logging.ERROR):
            admitted = await box.admit([update(1), update(1), update(2)])
        assert [a.status for a in admitted] == [Admission.ACCEPTED, Admission.DUPLICATE,
                                                Admission.ACCEPTED]
        assert "answering from memory, not kept across a crash" in caplog.text
        assert [(f.operation, f.kind) for f in read_only.faults.snapshot()] == [("inbox", "read-only")]
        await box.finish(admitted[0].ticket)  # type: ignore[arg-type]
        assert box.room == 9
        assert rows(database) == []
    finally:
        read_only.close()


def test_admit_twice_in_one_transaction_keeps_one_row(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'inbox.db'}")
    db.create_all()
    try:
        ids = db.call(queue.admit, "zalo", WORKER, [update(5), update(5)], timedelta(seconds=60), utcnow())
        assert ids[0] is not None and ids[1] is None
    finally:
        db.close()
