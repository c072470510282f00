"""The outbox: claiming due deliveries and recording what happened to them.

Claiming. One transaction selects up to `limit` due rows — pending with `next_attempt_at`
passed, or `sending` with an expired lease (their worker died) — and marks them `sending`
with this worker's id, the claim time and a lease (`lease_until`); `bot.storage.leases`
does it (`FOR UPDATE SKIP LOCKED` on PostgreSQL, one writer at a time on SQLite), so no row
is claimed twice.

Recording. A result is written right after each send, guarded by the claim
(`claimed_by` = this worker and status `sending`), so a worker whose lease expired cannot
overwrite the row another worker now owns. A success is the exception: "sent" is written
whoever holds the row (the message did go out; recording it saves the other worker a
duplicate).

Duplicates. A message is sent twice only if it was sent and the worker died before
recording it: those are exactly the rows in `sending` at the crash, at most the worker's
in-flight count (its concurrency).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, func, select

from bot.broadcast.models import OPEN_DELIVERY, Broadcast, Delivery
from bot.services import reachability
from bot.storage import leases
from bot.storage.models import utcnow


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 2.0  # seconds, doubled per attempt
    max_delay: float = 600.0
    jitter: float = 0.2  # ± share of the delay, so retries of one outage spread out

    def delay(self, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(retry_after, 0.0)
        base = min(self.base_delay * 2 ** max(attempts - 1, 0), self.max_delay)
        return base * (1 + random.uniform(-self.jitter, self.jitter))


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker now holds."""

    id: int
    broadcast_id: int
    platform: str
    chat_id: str
    chat_kind: str
    attempts: int
    lease_until: datetime


def _due(platforms: Sequence[str], now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        col(Delivery.platform).in_(list(platforms)),
        or_(
            and_(col(Delivery.status) == "pending", col(Delivery.next_attempt_at) <= now),
            and_(col(Delivery.status) == "sending", col(Delivery.lease_until) < now),
        ),
    )


def claim(
    session: Session, worker_id: str, platforms: Sequence[str], limit: int,
    lease: timedelta, *, now: datetime | None = None,
) -> list[Claimed]:
    """Claim up to `limit` due deliveries on `platforms` for `worker_id` (see module doc)."""
    if limit <= 0 or not platforms:
        return []
    now = now or utcnow()
    lease_until = now + lease
    ids = leases.claim(
        session, Delivery, _due(platforms, now),
        (col(Delivery.next_attempt_at), col(Delivery.id)), limit,
        {"status": "sending", "claimed_by": worker_id, "claimed_at": now,
         "lease_until": lease_until, "attempts": col(Delivery.attempts) + 1})
    if not ids:
        return []
    rows = session.exec(
        select(Delivery.id, Delivery.broadcast_id, Delivery.platform, Delivery.chat_id,
               Delivery.chat_kind, Delivery.attempts)
        .where(col(Delivery.id).in_(ids)).order_by(col(Delivery.id))
    ).all()
    return [Claimed(r[0], r[1], r[2], r[3], r[4], r[5], lease_until) for r in rows]


def next_due(session: Session, platforms: Sequence[str]) -> datetime | None:
    """When the earliest open delivery on `platforms` becomes claimable (None: nothing open)."""
    pending = session.exec(
        select(func.min(Delivery.next_attempt_at)).where(
            col(Delivery.platform).in_(list(platforms)), col(Delivery.status) == "pending")
    ).one()
    leased = session.exec(
        select(func.min(Delivery.lease_until)).where(
            col(Delivery.platform).in_(list(platforms)), col(Delivery.status) == "sending")
    ).one()
    moments = [m for m in (pending, leased) if m is not None]
    if not moments:
        return None
    return min(leases.aware(m) for m in moments)


def _mine(delivery_id: int, worker_id: str):  # type: ignore[no-untyped-def]
    return and_(col(Delivery.id) == delivery_id, col(Delivery.claimed_by) == worker_id,
                col(Delivery.status) == "sending")


def record_sent(session: Session, delivery_id: int, message_id: str,
                *, now: datetime | None = None) -> None:
    session.exec(  # type: ignore[call-overload]
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.status) != "sent")
        .values(status="sent", platform_message_id=message_id[:64], sent_at=now or utcnow(),
                claimed_by=None, lease_until=None, last_error=None)
    )


def record_transient(
    session: Session, delivery_id: int, worker_id: str, error: str, *, attempts: int,
    retry_after: float | None, policy: RetryPolicy, now: datetime | None = None,
) -> str:
    """Put the row back for a later attempt, or fail it for good after too many attempts.
    Flood control (retry_after given) is the platform pacing us, not the chat failing: it
    does not use up an attempt. Returns the new status."""
    now = now or utcnow()
    counted = attempts if retry_after is None else attempts - 1
    if counted >= policy.max_attempts:
        return record_permanent(session, delivery_id, worker_id, f"gave up: {error}", now=now)
    values: dict[str, object] = {
        "status": "pending", "last_error": error[:300], "claimed_by": None, "lease_until": None,
        "next_attempt_at": now + timedelta(seconds=policy.delay(counted, retry_after)),
    }
    if retry_after is not None:
        values["attempts"] = col(Delivery.attempts) - 1
    session.exec(update(Delivery).where(_mine(delivery_id, worker_id)).values(**values))  # type: ignore[call-overload]
    return "pending"


def record_permanent(session: Session, delivery_id: int, worker_id: str, error: str,
                     *, now: datetime | None = None) -> str:
    session.exec(  # type: ignore[call-overload]
        update(Delivery).where(_mine(delivery_id, worker_id))
        .values(status="failed_permanent", last_error=error[:300], claimed_by=None,
                lease_until=None)
    )
    return "failed_permanent"


def defer(session: Session, delivery_id: int, worker_id: str, seconds: float,
          *, now: datetime | None = None) -> None:
    """Give a claimed row back unsent, due in `seconds` (its chat is at its rate limit):
    the claim does not count as an attempt."""
    now = now or utcnow()
    session.exec(  # type: ignore[call-overload]
        update(Delivery).where(_mine(delivery_id, worker_id))
        .values(status="pending", claimed_by=None, lease_until=None,
                attempts=col(Delivery.attempts) - 1,
                next_attempt_at=now + timedelta(seconds=seconds))
    )


def release_all(session: Session, worker_id: str) -> int:
    """On a clean shutdown: give back every row this worker still holds, unsent."""
    result = session.exec(  # type: ignore[call-overload]
        update(Delivery)
        .where(col(Delivery.claimed_by) == worker_id, col(Delivery.status) == "sending")
        .values(status="pending", claimed_by=None, lease_until=None,
                attempts=col(Delivery.attempts) - 1)
    )
    return int(result.rowcount or 0)


def cancel_open(session: Session, broadcast_id: int) -> int:
    """Cancel the deliveries not yet sent (rows being sent right now finish and count)."""
    result = session.exec(  # type: ignore[call-overload]
        update(Delivery)
        .where(col(Delivery.broadcast_id) == broadcast_id, col(Delivery.status) == "pending")
        .values(status="cancelled", claimed_by=None, lease_until=None)
    )
    return int(result.rowcount or 0)


def move_chat(session: Session, platform: str, old_chat_id: str, new_chat_id: str) -> int:
    """A group moved (Telegram: upgraded to a supergroup): the stored group follows
    (bot.services.reachability.move_chat, idempotent), and so do its deliveries, sent or not,
    and broadcasts composed there: open rows go out to the new id and replies there find
    them. A broadcast that already has a row for the new id keeps that one; the old one, if
    still open, is cancelled (a second message would repeat it). Returns the rows
    re-pointed."""
    reachability.move_chat(session, platform, old_chat_id, new_chat_id)
    where = (col(Delivery.platform) == platform, col(Delivery.chat_id) == old_chat_id)
    taken = select(Delivery.broadcast_id).where(
        col(Delivery.platform) == platform, col(Delivery.chat_id) == new_chat_id)
    session.exec(  # type: ignore[call-overload]
        update(Delivery).where(*where, col(Delivery.broadcast_id).in_(taken),
                               col(Delivery.status).in_(OPEN_DELIVERY))
        .values(status="cancelled", claimed_by=None, lease_until=None,
                last_error=f"chat moved to {new_chat_id}, already a recipient"[:300]))
    moved = session.exec(  # type: ignore[call-overload]
        update(Delivery).where(*where, col(Delivery.broadcast_id).not_in(taken))
        .values(chat_id=new_chat_id))
    session.exec(  # type: ignore[call-overload]
        update(Broadcast).where(col(Broadcast.origin_platform) == platform,
                                col(Broadcast.origin_chat_id) == old_chat_id)
        .values(origin_chat_id=new_chat_id))
    return int(moved.rowcount or 0)


def status_counts(session: Session, broadcast_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Delivery.status, func.count()).where(col(Delivery.broadcast_id) == broadcast_id)
        .group_by(col(Delivery.status))
    ).all()
    return {status: int(n) for status, n in rows}


def broadcasts_by_id(session: Session, ids: Sequence[int]) -> dict[int, Broadcast]:
    found = session.exec(select(Broadcast).where(col(Broadcast.id).in_(list(ids)))).all()
    return {b.id: b for b in found if b.id is not None}


__all__ = ["Claimed", "RetryPolicy", "broadcasts_by_id", "cancel_open", "claim", "defer",
           "move_chat", "next_due", "record_permanent", "record_sent", "record_transient", "release_all",
           "status_counts"]
