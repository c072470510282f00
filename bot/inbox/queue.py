"""The inbox's units of work (each runs in one transaction through `Database.run`).

Admitting is `INSERT … ON CONFLICT (platform, update_key) DO NOTHING RETURNING id` on both
SQLite and PostgreSQL: a key seen before inserts nothing and comes back as a duplicate,
with no read-then-write race between two deliveries of one update. Claiming again uses
`bot.storage.leases` (SKIP LOCKED on PostgreSQL), the broadcast outbox's mechanism, so several
processes can later share one inbox as a work queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.core.inbox import Received, Stored
from bot.inbox.models import FINISHED, InboxUpdate
from bot.storage import leases

_ERASED = {"payload": None, "chat_key": None, "claimed_by": None, "lease_until": None}


def admit(session: Session, platform: str, worker_id: str, updates: Sequence[Received],
          lease: timedelta, now: datetime) -> list[int | None]:
    """Store each update as `processing`, claimed by `worker_id`; its row id, or None when
    its key was stored before (a duplicate)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    ids: list[int | None] = []
    for received in updates:
        statement = (
            insert(InboxUpdate)
            .values(platform=platform, update_key=received.key[:128],
                    chat_key=received.chat[:128] if received.chat else None,
                    payload=received.payload, status="processing", attempts=1,
                    received_at=now, claimed_by=worker_id, lease_until=now + lease)
            .on_conflict_do_nothing(index_elements=["platform", "update_key"])
            .returning(InboxUpdate.id)  # type: ignore[arg-type]
        )
        ids.append(session.exec(statement).scalar_one_or_none())  # type: ignore[call-overload]
    return ids


def finish(session: Session, ticket: int, failed: bool, now: datetime) -> None:
    """Mark an update answered (or given up), erasing its content and chat."""
    session.exec(update(InboxUpdate).where(col(InboxUpdate.id) == ticket)  # type: ignore[call-overload]
                 .values(status="failed" if failed else "done", finished_at=now, **_ERASED))


def release(session: Session, worker_id: str, tickets: Sequence[int]) -> int:
    """Give back rows this worker holds, unanswered: the claim does not count as an attempt."""
    if not tickets:
        return 0
    result = session.exec(  # type: ignore[call-overload]
        update(InboxUpdate)
        .where(col(InboxUpdate.id).in_(list(tickets)), col(InboxUpdate.claimed_by) == worker_id,
               col(InboxUpdate.status) == "processing")
        .values(status="pending", claimed_by=None, lease_until=None,
                attempts=col(InboxUpdate.attempts) - 1)
    )
    return int(result.rowcount or 0)


def claim(session: Session, platform: str, worker_id: str, limit: int, lease: timedelta,
          now: datetime, *, restart: bool, max_attempts: int) -> tuple[list[Stored], list[str]]:
    """Claim up to `limit` rows nobody handles (pending, or processing with the lease
    passed), oldest first. `restart`: first give back every row this worker id holds — its
    previous run died with them — so they are claimed now, not when their lease passes.
    Rows claimed more than `max_attempts` times are failed instead (an update that kills
    the process every time must not stop it for good). The stored updates, and the keys
    given up."""
    if restart:
        session.exec(  # type: ignore[call-overload]
            update(InboxUpdate)
            .where(col(InboxUpdate.platform) == platform,
                   col(InboxUpdate.claimed_by) == worker_id,
                   col(InboxUpdate.status) == "processing")
            .values(status="pending", claimed_by=None, lease_until=None))
    due = and_(col(InboxUpdate.platform) == platform,
               or_(col(InboxUpdate.status) == "pending",
                   and_(col(InboxUpdate.status) == "processing",
                        col(InboxUpdate.lease_until) < now)))
    ids = leases.claim(session, InboxUpdate, due, (col(InboxUpdate.id),), limit,
                       {"status": "processing", "claimed_by": worker_id,
                        "lease_until": now + lease, "attempts": col(InboxUpdate.attempts) + 1})
    if not ids:
        return [], []
    rows = session.exec(select(InboxUpdate).where(col(InboxUpdate.id).in_(ids))
                        .order_by(col(InboxUpdate.id))).all()
    stored: list[Stored] = []
    given_up: list[str] = []
    for row in rows:
        assert row.id is not None
        if row.attempts > max_attempts or row.payload is None:
            finish(session, row.id, True, now)
            given_up.append(row.update_key)
        else:
            stored.append(Stored(row.id, row.update_key, row.chat_key, row.payload))
    return stored, given_up


def renew(session: Session, platform: str, worker_id: str, lease: timedelta,
          now: datetime) -> int:
    """Extend the lease of every row this worker is handling (one outlasting its lease must
    not be claimed by another process meanwhile)."""
    result = session.exec(  # type: ignore[call-overload]
        update(InboxUpdate)
        .where(col(InboxUpdate.platform) == platform, col(InboxUpdate.claimed_by) == worker_id,
               col(InboxUpdate.status) == "processing")
        .values(lease_until=now + lease)
    )
    return int(result.rowcount or 0)


def prune(session: Session, platform: str, before: datetime) -> int:
    """Delete rows answered before `before` (their keys no longer guard against a redelivery)."""
    result = session.exec(  # type: ignore[call-overload]
        delete(InboxUpdate).where(col(InboxUpdate.platform) == platform,
                                  col(InboxUpdate.status).in_(FINISHED),
                                  col(InboxUpdate.finished_at) < before)
    )
    return int(result.rowcount or 0)


__all__ = ["admit", "claim", "finish", "prune", "release", "renew"]
