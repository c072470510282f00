"""Claiming, leases, retries and pacing, on a real SQLite outbox and a fake clock."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import select

from bot.broadcast import outbox, service
from bot.broadcast.models import Delivery
from bot.broadcast.outbox import RetryPolicy
from bot.core.ratelimit import RateLimiter
from bot.core.outbound import RateLimits
from bot.storage.database import Database
from bot.storage.models import utcnow
from tests.bot.broadcast.world import World

LEASE = timedelta(seconds=60)


def confirmed(db: Database, world: World) -> int:
    officer = world.actor(db, world.officer_id)
    draft = db.call(service.create, officer, text="Thông báo.", unit_ids=[world.commune2],
                    roles=["member"], include_groups=False)
    db.call(service.confirm, officer, draft.id)
    return draft.id or 0


def row(db: Database, delivery_id: int) -> Delivery:
    return db.call(lambda s: s.get(Delivery, delivery_id))


def test_claims_are_exclusive_until_the_lease_expires(db: Database, world: World) -> None:
    confirmed(db, world)
    now = utcnow()
    first = db.call(outbox.claim, "A", ["telegram"], 2, LEASE, now=now)
    second = db.call(outbox.claim, "B", ["telegram"], 5, LEASE, now=now)
    assert len(first) == 2 and len(second) == 1
    assert not {c.id for c in first} & {c.id for c in second}
    assert db.call(outbox.claim, "C", ["telegram"], 5, LEASE, now=now) == []
    assert db.call(outbox.claim, "C", ["zalo"], 5, LEASE, now=now + 2 * LEASE) == []
    # A dies: after its lease, its rows are claimable again (attempts counts both claims).
    later = now + LEASE + timedelta(seconds=1)
    retaken = db.call(outbox.claim, "C", ["telegram"], 5, LEASE, now=later)
    assert {c.id for c in retaken} == {c.id for c in first} | {c.id for c in second}
    assert all(c.attempts == 2 for c in retaken)
    # A's late result cannot touch C's rows, except "sent", which is the truth.
    gone = first[0].id
    assert db.call(outbox.record_permanent, gone, "A", "late") == "failed_permanent"
    assert row(db, gone).status == "sending" and row(db, gone).claimed_by == "C"
    db.call(outbox.record_sent, gone, "77")
    assert row(db, gone).status == "sent" and row(db, gone).platform_message_id == "77"


def test_retries_back_off_and_give_up(db: Database, world: World) -> None:
    confirmed(db, world)
    policy = RetryPolicy(max_attempts=2, base_delay=10, jitter=0)
    now = utcnow()
    claimed = db.call(outbox.claim, "A", ["telegram"], 1, LEASE, now=now)[0]
    status = db.call(outbox.record_transient, claimed.id, "A", "502", attempts=claimed.attempts,
                     retry_after=None, policy=policy, now=now)
    assert status == "pending"
    assert row(db, claimed.id).next_attempt_at == now + timedelta(seconds=10)
    assert db.call(outbox.next_due, ["telegram"]) is not None
    again = db.call(outbox.claim, "A", ["telegram"], 3, LEASE, now=now + timedelta(seconds=11))
    retried = next(c for c in again if c.id == claimed.id)
    # Flood control does not use up an attempt and waits exactly retry_after.
    db.call(outbox.record_transient, retried.id, "A", "429", attempts=retried.attempts,
            retry_after=3.0, policy=policy, now=now)
    assert row(db, claimed.id).attempts == 1
    assert row(db, claimed.id).next_attempt_at == now + timedelta(seconds=3)
    third = db.call(outbox.claim, "A", ["telegram"], 3, LEASE, now=now + timedelta(seconds=4))
    last = next(c for c in third if c.id == claimed.id)
    status = db.call(outbox.record_transient, last.id, "A", "timeout", attempts=last.attempts,
                     retry_after=None, policy=policy, now=now)
    assert status == "failed_permanent"
    assert row(db, claimed.id).last_error == "gave up: timeout"
    # Deferring (the chat's own limit) gives the row back without an attempt.
    other = next(c for c in again if c.id != claimed.id)
    db.call(outbox.defer, other.id, "A", 2.0, now=now)
    assert row(db, other.id).status == "pending" and row(db, other.id).attempts == other.attempts - 1
    statuses = db.call(lambda s: sorted(s.exec(select(Delivery.status)).all()))
    assert statuses == ["failed_permanent", "pending", "sending"]
    assert db.call(outbox.release_all, "A") == 1


def test_pacing_overall_per_chat_and_per_group() -> None:
    clock = [100.0]
    limiter = RateLimiter(RateLimits(global_per_second=10, per_chat_per_second=1,
                                     per_group_per_minute=3), clock=lambda: clock[0])
    assert limiter.chat_delay("42", False) == 0
    limiter.reserve_chat("42", False)
    assert limiter.chat_delay("42", False) == 1.0
    clock[0] += 0.4
    assert abs(limiter.chat_delay("42", False) - 0.6) < 1e-9
    for _ in range(3):
        assert limiter.chat_delay("-7", True) == 0
        limiter.reserve_chat("-7", True)
        clock[0] += 1.0
    assert abs(limiter.chat_delay("-7", True) - 57.0) < 1e-9  # 20/min style window
    clock[0] += 57.0
    assert limiter.chat_delay("-7", True) == 0


async def test_overall_pacing_spaces_sends_by_one_over_the_rate() -> None:
    limiter = RateLimiter(RateLimits(global_per_second=50))
    start = time.monotonic()
    for _ in range(6):
        await limiter.acquire()
    assert time.monotonic() - start >= 5 / 50 - 0.005  # the first goes at once


def test_workers_share_the_overall_limit_through_heartbeats(db: Database) -> None:
    from bot.broadcast import peers

    window = timedelta(seconds=5)
    now = utcnow()
    assert db.call(peers.beat, "A", "telegram", now, window) == 1
    assert db.call(peers.beat, "B", "telegram", now, window) == 2
    assert db.call(peers.beat, "C", "zalo", now, window) == 1  # limits are per platform
    later = now + timedelta(seconds=4)
    assert db.call(peers.beat, "A", "telegram", later, window) == 2
    # B died (no beat for longer than the window): A has the whole limit again.
    assert db.call(peers.beat, "A", "telegram", now + timedelta(seconds=6), window) == 1
    db.call(peers.beat, "B", "telegram", now + timedelta(seconds=6), window)
    db.call(peers.leave, "B")  # a clean stop leaves at once
    assert db.call(peers.beat, "A", "telegram", now + timedelta(seconds=6), window) == 1
    limiter = RateLimiter(RateLimits(global_per_second=30))
    limiter.share(3)
    assert abs(limiter._interval - 0.1) < 1e-9  # 10/s each
