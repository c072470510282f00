"""The durable inbox on a real database, SQLite and PostgreSQL: admitting (stored, duplicate,
full), finishing (content erased), releasing, claiming after a restart or another process's
lease, giving up on an update that keeps failing, pruning, and answering from memory when
the database cannot be written."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.core.inbox import Admission, Received
from bot.inbox import queue
from bot.inbox.durable import DurableInbox, InboxConfig
from bot.inbox.models import InboxChat, InboxUpdate
from bot.storage.database import Database
from bot.storage.models import utcnow

WORKER = "host-a:telegram:8443"


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
    await other.admit([update(3, chat="43")])
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
        s.exec(text("UPDATE inbox_chat SET lease_until = :t WHERE chat_key = '43'"),  # type: ignore[call-overload]
               params={"t": (utcnow() - timedelta(seconds=1)).replace(tzinfo=None)
                       if database.engine.dialect.name == "sqlite" else utcnow() - timedelta(seconds=1)})
    taken = await inbox(database, worker="host-c:telegram:8443").claim_stored(10, restart=False)
    assert [s.key for s in taken] == ["7:3"]


async def test_released_updates_come_back_without_counting_an_attempt(database: Database) -> None:
    box = inbox(database)
    admitted = await box.admit([update(1, chat="1"), update(2, chat="2")])
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


async def test_two_processes_claiming_at_once_never_share_a_row_or_a_chat(
        database: Database) -> None:
    box = inbox(database, max_backlog=200)
    # 100 updates in 20 chats, interleaved; given back (a stop), so nobody holds a chat.
    await box.release([a.ticket for a in await box.admit(  # type: ignore[misc]
        [update(n, chat=str(n % 20)) for n in range(100)])])
    claimers = [inbox(database, worker=f"host-{i}:telegram:8443", max_backlog=30) for i in range(4)]
    batches = await asyncio.gather(*(c.claim_stored(30, restart=False) for c in claimers))
    keys = [s.key for batch in batches for s in batch]
    assert len(keys) == len(set(keys)) == 100
    # Whole chats per claimer (five updates each), each chat's updates oldest first.
    owners = {s.chat: i for i, batch in enumerate(batches) for s in batch}
    assert len(owners) == 20
    for i, batch in enumerate(batches):
        assert len(batch) <= 30
        for chat in {s.chat for s in batch}:
            assert [s.key for s in batch if s.chat == chat] == [
                f"7:{n}" for n in range(100) if str(n % 20) == chat] and owners[chat] == i


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
        ids, taken = db.call(queue.admit, "zalo", WORKER, [update(5), update(5)],
                             timedelta(seconds=60), utcnow())
        assert ids[0] is not None and ids[1] is None
        assert [s.key for s in taken.stored] == ["7:5"]
    finally:
        db.close()


# --- one work queue for several processes (issue 17) -----------------------------------------


def held_chats(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(c.chat_key, c.claimed_by) for c in
                s.exec(select(InboxChat).order_by(InboxChat.chat_key)).all()]  # type: ignore[arg-type]


def lapse(db: Database) -> None:
    """Every lease passed: what a process that died leaves behind, a lease later."""
    past = utcnow() - timedelta(seconds=1)
    value = past.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else past
    with db.session() as s:
        for table in ("inbox_update", "inbox_chat"):
            s.exec(text(f"UPDATE {table} SET lease_until = :t WHERE lease_until IS NOT NULL"),  # type: ignore[call-overload]
                   params={"t": value})


async def test_a_chat_is_answered_by_one_process_at_a_time_and_handed_on_in_order(
        database: Database) -> None:
    a, b = inbox(database, worker="host-a:telegram:1"), inbox(database, worker="host-b:telegram:2")
    [first] = await a.admit([update(1)])
    # Chat 42 is A's while it answers update 1: B stores update 2 without answering it.
    [second] = await b.admit([update(2)])
    [other] = await b.admit([update(3, chat="43")])
    assert (first.status, second.status, other.status) == (Admission.ACCEPTED,) * 3
    assert first.ticket is not None and second.ticket is None and other.ticket is not None
    assert [(r.update_key, r.status, r.claimed_by) for r in rows(database)] == [
        ("7:1", "processing", "host-a:telegram:1"), ("7:2", "pending", None),
        ("7:3", "processing", "host-b:telegram:2")]
    assert held_chats(database) == [("42", "host-a:telegram:1"), ("43", "host-b:telegram:2")]
    # A finishes update 1 and is handed update 2, then gives chat 42 up.
    handed = await a.finish(first.ticket)
    assert [s.key for s in handed] == ["7:2"]
    assert held_chats(database)[0] == ("42", "host-a:telegram:1")
    assert await a.finish(handed[0].ticket) == []
    assert held_chats(database) == [("43", "host-b:telegram:2")]
    # The chat is free: whoever receives its next update answers it.
    [fourth] = await b.admit([update(4)])
    assert fourth.ticket is not None
    assert held_chats(database) == [("42", "host-b:telegram:2"), ("43", "host-b:telegram:2")]


async def test_a_dead_process_chats_are_taken_whole_once_their_lease_passes(
        database: Database) -> None:
    a, b = inbox(database, worker="host-a:telegram:1"), inbox(database, worker="host-b:telegram:2")
    await a.admit([update(1)])
    await b.admit([update(2)])  # waits for A, which dies
    assert await b.claim_stored(10, restart=False) == []  # A's lease still runs
    lapse(database)
    taken = await b.claim_stored(10, restart=False)
    assert [s.key for s in taken] == ["7:1", "7:2"]
    assert [(r.status, r.claimed_by, r.attempts) for r in rows(database)] == [
        ("processing", "host-b:telegram:2", 2), ("processing", "host-b:telegram:2", 1)]
    # An update admitted meanwhile on A's old chat waits for B, which answers it next.
    [third] = await inbox(database, worker="host-c:telegram:3").admit([update(3)])
    assert third.ticket is None
    [handed] = await b.finish(taken[0].ticket)  # queued here behind update 2
    assert handed.key == "7:3"
    assert await b.finish(taken[1].ticket) == [] and held_chats(database) == [
        ("42", "host-b:telegram:2")]
    assert await b.finish(handed.ticket) == [] and held_chats(database) == []


async def test_the_bound_counts_every_process_updates(database: Database) -> None:
    a, b = inbox(database, worker="host-a:telegram:1", max_backlog=3), \
        inbox(database, worker="host-b:telegram:2", max_backlog=3)
    await a.admit([update(1), update(2, chat="2")])
    assert [x.status for x in await b.admit([update(3, chat="3"), update(4, chat="4")])] == [
        Admission.ACCEPTED, Admission.FULL]
    assert b.room == 2  # B itself answers one: its own fetching is not held back


async def test_three_processes_sharing_one_inbox_answer_each_chat_in_order_and_one_at_a_time(
        database: Database) -> None:
    """Updates of 6 chats delivered one after another (as a platform waits for each
    acknowledgement) to three processes in turn, each answering through its own intake;
    answers take a varying number of event-loop turns. Every update is answered once, each
    chat's in order, never two of one chat at once."""
    from bot.channels.intake import Intake

    total, chats = 90, 6
    answered: list[tuple[str, int, int]] = []  # (chat, n, process)
    busy: dict[str, int] = {}
    overlaps: list[str] = []
    done = asyncio.Event()

    def handler(process: int):  # type: ignore[no-untyped-def]
        async def handle(payload: dict[str, Any]) -> None:
            chat, n = payload["chat"], payload["n"]
            if busy.get(chat):
                overlaps.append(f"{chat}:{n}")
            busy[chat] = 1
            for _ in range(n % 7):  # a varying answer time
                await asyncio.sleep(0)
            busy[chat] = 0
            answered.append((chat, n, process))
            if len(answered) >= total:
                done.set()
        return handle

    intakes = [Intake(inbox(database, worker=f"host-{i}:telegram:{i}", max_backlog=500),
                      handler(i), order_key=lambda u: u["chat"], decode=json.loads,
                      concurrency=4, sweep_interval=0.2) for i in range(3)]
    for intake in intakes:
        await intake.recover()
        intake.start_sweeping()
    try:
        for n in range(total):
            chat = str(n % chats if n % 5 else 0)  # chat 0 gets more than its share
            payload = json.dumps({"chat": chat, "n": n})
            [status] = await intakes[n % 3].admit([(Received(f"7:{n}", chat, payload),
                                                    json.loads(payload))])
            assert status is Admission.ACCEPTED
        await asyncio.wait_for(done.wait(), 60)
    finally:
        for intake in intakes:
            await intake.stop(1.0)
    assert overlaps == []
    assert sorted(n for _, n, _ in answered) == list(range(total))
    for chat in {c for c, _, _ in answered}:
        sent = [n for c, n, _ in answered if c == chat]
        assert sent == sorted(sent), chat
    assert len({p for _, _, p in answered}) == 3  # all three processes answered some
    assert {r.status for r in rows(database)} == {"done"} and held_chats(database) == []
