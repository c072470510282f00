"""The inbox's units of work (each runs in one transaction through `Database.run`): a work
queue several processes share, one chat answered by one process at a time, in order.

Admitting is `INSERT … ON CONFLICT (platform, update_key) DO NOTHING RETURNING id` on both
SQLite and PostgreSQL: a key seen before inserts nothing and comes back as a duplicate, with
no read-then-write race between two deliveries of one update. New rows are `pending`; in the
same transaction the admitting process tries to take each new row's chat (`hold`) and, when
it gets it, claims the chat's open rows.

The per-chat claim (`inbox_chat`, see bot/inbox/models.py) is what keeps a chat's order
across processes. Every transaction that may claim a chat's rows, or give the chat up,
first takes that chat's row — an upsert (admit, sweep) or `SELECT … FOR UPDATE` (finish) —
so on PostgreSQL they queue on its row lock and each sees what the one before it committed:

- an admit that finds the chat held by another process leaves its row `pending`; that
  holder's next finish in the chat (after the admit committed) claims it, or, if the
  holder's finish came first and gave the chat up, the admit's upsert takes the free chat;
- a finish gives the chat up only when the chat has no open row left (pending, or being
  answered here), so no update is left behind with its chat held by nobody's work.

Within one process, an update's turn in its chat is kept in memory (bot.channels.chat_turns).
Rows are claimed in id order, and an update is admitted (committed) before the platform is
told it arrived, so a chat's updates are answered in the order the platform delivered them
(when it waits for each acknowledgement, as Telegram does per chat). Chats are locked in
sorted order within a transaction, and rows before chats, so two transactions never wait on
each other in a cycle (the sweep takes one chat per transaction). On SQLite (`BEGIN IMMEDIATE`, one writer)
all of this is serial anyway.

Rows are claimed with `bot.storage.leases` (SKIP LOCKED on PostgreSQL), the broadcast
outbox's mechanism.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.core.inbox import Received, Stored
from bot.inbox.models import FINISHED, OPEN, InboxChat, InboxPeer, InboxUpdate
from bot.storage import leases

_ERASED = {"payload": None, "chat_key": None, "claimed_by": None, "lease_until": None}
FULL = -1  # admit's answer for an update refused because the backlog is at its bound


@dataclass
class Taken:
    """Rows this worker now answers, oldest first, and the keys of rows given up (claimed
    too often: an update that kills its process each time)."""

    stored: list[Stored] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)

    def extend(self, other: Taken) -> None:
        self.stored += other.stored
        self.given_up += other.given_up


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def open_count(session: Session, platform: str) -> int:
    """Updates of `platform` waiting or being answered, by every process."""
    return int(session.exec(select(func.count()).select_from(InboxUpdate).where(
        col(InboxUpdate.platform) == platform, col(InboxUpdate.status).in_(OPEN))).one())


def admit(session: Session, platform: str, worker_id: str, updates: Sequence[Received],
          lease: timedelta, now: datetime, *, bound: int | None = None,
          max_attempts: int = 5) -> tuple[list[int | None], Taken]:
    """Store each update as `pending`: its row id, None when its key was stored before (a
    duplicate), or FULL when `bound` open updates (every process's) are already waiting.
    Then take the new rows' chats that are free (or held here) and claim their open rows,
    and the new rows without a chat: what this worker answers now, oldest first."""
    room = None if bound is None else bound - open_count(session, platform)
    insert = _insert(session)
    ids: list[int | None] = []
    for received in updates:
        if room is not None and room <= 0:
            ids.append(FULL)
            continue
        statement = (
            insert(InboxUpdate)
            .values(platform=platform, update_key=received.key[:128],
                    chat_key=received.chat[:128] if received.chat else None,
                    payload=received.payload, status="pending", attempts=0, received_at=now)
            .on_conflict_do_nothing(index_elements=["platform", "update_key"])
            .returning(InboxUpdate.id)  # type: ignore[arg-type]
        )
        row_id = session.exec(statement).scalar_one_or_none()  # type: ignore[call-overload]
        ids.append(row_id)
        if row_id is not None and room is not None:
            room -= 1
    new = {i for i in ids if i is not None and i != FULL}
    chats = {r.chat[:128] for r, i in zip(updates, ids) if i in new and r.chat}
    loose = [i for r, i in zip(updates, ids) if i in new and not r.chat]
    taken = _take_chats(session, platform, worker_id, chats, lease, now, max_attempts)
    if loose:
        taken.extend(_claim(session, platform, worker_id, col(InboxUpdate.id).in_(loose),
                            len(loose), lease, now, max_attempts))
    taken.stored.sort(key=lambda s: int(s.ticket))
    return ids, taken


def finish(session: Session, platform: str, worker_id: str, ticket: int, failed: bool,
           lease: timedelta, now: datetime, *, max_attempts: int = 5) -> Taken:
    """Mark an update answered (or given up), erasing its content and chat. If this worker
    holds its chat: claim the chat's next open rows (admitted meanwhile, here or by another
    process), or give the chat up when none is left."""
    chat = session.exec(select(InboxUpdate.chat_key).where(col(InboxUpdate.id) == ticket)).first()
    session.exec(update(InboxUpdate).where(col(InboxUpdate.id) == ticket)  # type: ignore[call-overload]
                 .values(status="failed" if failed else "done", finished_at=now, **_ERASED))
    if chat is None:
        return Taken()
    held = session.exec(select(InboxChat).where(
        col(InboxChat.platform) == platform, col(InboxChat.chat_key) == chat,
        col(InboxChat.claimed_by) == worker_id).with_for_update()).first()
    if held is None:  # our lease passed and another process took the chat: its rows are its own
        return Taken()
    taken = _claim_chat_rows(session, platform, worker_id, [chat], lease, now, max_attempts)
    if taken.stored or _answering(session, platform, worker_id, chat):
        held.lease_until = now + lease
        session.add(held)
    else:
        session.delete(held)
    return taken


def release(session: Session, platform: str, worker_id: str, tickets: Sequence[int]) -> int:
    """Give back rows this worker holds, unanswered (the claim does not count as an attempt),
    and every chat it holds, so that another process takes them at once."""
    released = 0
    if tickets:
        result = session.exec(  # type: ignore[call-overload]
            update(InboxUpdate)
            .where(col(InboxUpdate.id).in_(list(tickets)), col(InboxUpdate.claimed_by) == worker_id,
                   col(InboxUpdate.status) == "processing")
            .values(status="pending", claimed_by=None, lease_until=None,
                    attempts=col(InboxUpdate.attempts) - 1)
        )
        released = int(result.rowcount or 0)
    session.exec(delete(InboxChat).where(col(InboxChat.platform) == platform,  # type: ignore[call-overload]
                                         col(InboxChat.claimed_by) == worker_id))
    return released


def take_back(session: Session, platform: str, worker_id: str) -> None:
    """A restart: give back every row and chat this worker id holds — its previous run died
    with them — so they are taken now, not when their lease passes (the claim counts as an
    attempt: an update that crashed the process must not crash it for ever)."""
    session.exec(  # type: ignore[call-overload]
        update(InboxUpdate)
        .where(col(InboxUpdate.platform) == platform, col(InboxUpdate.claimed_by) == worker_id,
               col(InboxUpdate.status) == "processing")
        .values(status="pending", claimed_by=None, lease_until=None))
    session.exec(delete(InboxChat).where(col(InboxChat.platform) == platform,  # type: ignore[call-overload]
                                         col(InboxChat.claimed_by) == worker_id))


def orphans(session: Session, platform: str, now: datetime, limit: int) -> list[tuple[str, int]]:
    """Up to `limit` chats with open rows and nobody answering them (no holder, or a holder
    whose lease passed), oldest update first, each with its number of open rows."""
    holder = select(InboxChat.chat_key).where(
        col(InboxChat.platform) == platform, col(InboxChat.chat_key) == col(InboxUpdate.chat_key),
        col(InboxChat.lease_until) >= now)
    found = session.exec(
        select(InboxUpdate.chat_key, func.count())
        .where(col(InboxUpdate.platform) == platform, col(InboxUpdate.status).in_(OPEN),
               col(InboxUpdate.chat_key).is_not(None), ~holder.exists())
        .group_by(col(InboxUpdate.chat_key)).order_by(func.min(InboxUpdate.id)).limit(limit)
    ).all()
    return [(chat, int(count)) for chat, count in found if chat]


def take_chat(session: Session, platform: str, worker_id: str, chat: str, lease: timedelta,
              now: datetime, *, max_attempts: int) -> Taken:
    """Take one chat (free, lapsed or already held here) with its open rows; nothing when
    another process holds it. One chat per transaction: a sweep waits on at most one chat
    lock at a time, so sweeps of several processes never wait on each other in a cycle."""
    return _take_chats(session, platform, worker_id, {chat}, lease, now, max_attempts)


def claim_loose(session: Session, platform: str, worker_id: str, limit: int, lease: timedelta,
                now: datetime, *, max_attempts: int) -> Taken:
    """Up to `limit` rows without a chat nobody handles (pending, or processing with the
    lease passed), oldest first."""
    due = and_(col(InboxUpdate.platform) == platform, col(InboxUpdate.chat_key).is_(None),
               or_(col(InboxUpdate.status) == "pending",
                   and_(col(InboxUpdate.status) == "processing",
                        col(InboxUpdate.lease_until) < now)))
    return _claim(session, platform, worker_id, due, limit, lease, now, max_attempts)


def renew(session: Session, platform: str, worker_id: str, tickets: Sequence[int],
          chats: Iterable[str], lease: timedelta, now: datetime) -> int:
    """Extend the leases of the rows this worker is answering and of their chats (one
    outlasting its lease must not be taken by another process meanwhile). Only these: a row
    or chat it holds without answering it (a finish that could not be written) lapses, and
    another process takes it. Rows before chats: the order every transaction locks them in."""
    result = session.exec(  # type: ignore[call-overload]
        update(InboxUpdate)
        .where(col(InboxUpdate.id).in_(list(tickets)), col(InboxUpdate.claimed_by) == worker_id,
               col(InboxUpdate.status) == "processing")
        .values(lease_until=now + lease)
    )
    if chats := sorted(set(chats)):
        session.exec(update(InboxChat).where(  # type: ignore[call-overload]
            col(InboxChat.platform) == platform, col(InboxChat.claimed_by) == worker_id,
            col(InboxChat.chat_key).in_(chats)).values(lease_until=now + lease))
    return int(result.rowcount or 0)


def prune(session: Session, platform: str, before: datetime) -> int:
    """Delete rows answered before `before` (their keys no longer guard against a redelivery)."""
    result = session.exec(  # type: ignore[call-overload]
        delete(InboxUpdate).where(col(InboxUpdate.platform) == platform,
                                  col(InboxUpdate.status).in_(FINISHED),
                                  col(InboxUpdate.finished_at) < before)
    )
    return int(result.rowcount or 0)


# --- serving processes ----------------------------------------------------------------------


def beat(session: Session, platform: str, worker_id: str, now: datetime) -> None:
    """Record that this process takes `platform`'s updates (a heartbeat)."""
    statement = (_insert(session)(InboxPeer)
                 .values(platform=platform, worker_id=worker_id, beat_at=now)
                 .on_conflict_do_update(index_elements=["platform", "worker_id"],
                                        set_={"beat_at": now}))
    session.exec(statement)  # type: ignore[call-overload]


def leave(session: Session, platform: str, worker_id: str, now: datetime,
          window: timedelta) -> int:
    """This process stops taking `platform`'s updates: its heartbeat goes, and so do beats
    older than ten windows; how many other processes beat within `window`."""
    session.exec(delete(InboxPeer).where(  # type: ignore[call-overload]
        col(InboxPeer.platform) == platform,
        or_(col(InboxPeer.worker_id) == worker_id, col(InboxPeer.beat_at) < now - 10 * window)))
    return int(session.exec(select(func.count()).select_from(InboxPeer).where(
        col(InboxPeer.platform) == platform, col(InboxPeer.beat_at) >= now - window)).one())


# --- claiming -------------------------------------------------------------------------------


def _take_chats(session: Session, platform: str, worker_id: str, chats: set[str],
                lease: timedelta, now: datetime, max_attempts: int) -> Taken:
    """Hold each chat that is free, expired or already held here (in sorted order: no lock
    cycles between processes), then claim the held chats' open rows."""
    held = [chat for chat in sorted(chats) if _hold(session, platform, worker_id, chat, lease, now)]
    if not held:
        return Taken()
    taken = _claim_chat_rows(session, platform, worker_id, held, lease, now, max_attempts)
    # A chat held with nothing to answer here would never be given up: give it up now.
    answering = {s.chat for s in taken.stored}
    idle = [c for c in held if c not in answering and not _answering(session, platform, worker_id, c)]
    if idle:
        session.exec(delete(InboxChat).where(  # type: ignore[call-overload]
            col(InboxChat.platform) == platform, col(InboxChat.claimed_by) == worker_id,
            col(InboxChat.chat_key).in_(idle)))
    return taken


def _hold(session: Session, platform: str, worker_id: str, chat: str, lease: timedelta,
          now: datetime) -> bool:
    """Take (or keep) the chat unless another process holds it with a live lease. An upsert:
    concurrent ones on one chat queue on its row, so exactly one process holds it."""
    statement = (
        _insert(session)(InboxChat)
        .values(platform=platform, chat_key=chat, claimed_by=worker_id, lease_until=now + lease)
        .on_conflict_do_update(
            index_elements=["platform", "chat_key"],
            set_={"claimed_by": worker_id, "lease_until": now + lease},
            where=or_(col(InboxChat.claimed_by) == worker_id, col(InboxChat.lease_until) < now))
        .returning(InboxChat.chat_key)  # type: ignore[arg-type]
    )
    return session.exec(statement).scalar_one_or_none() is not None  # type: ignore[call-overload]


def _answering(session: Session, platform: str, worker_id: str, chat: str) -> bool:
    """Whether this worker is still answering a row of the chat."""
    return session.exec(select(InboxUpdate.id).where(
        col(InboxUpdate.platform) == platform, col(InboxUpdate.chat_key) == chat,
        col(InboxUpdate.status) == "processing", col(InboxUpdate.claimed_by) == worker_id)
        .limit(1)).first() is not None


def _claim_chat_rows(session: Session, platform: str, worker_id: str, chats: list[str],
                     lease: timedelta, now: datetime, max_attempts: int) -> Taken:
    """The open rows of chats this worker holds, not already its own: pending ones, and
    processing ones of a process whose hold on the chat lapsed (it died)."""
    due = and_(col(InboxUpdate.platform) == platform, col(InboxUpdate.chat_key).in_(chats),
               or_(col(InboxUpdate.status) == "pending",
                   and_(col(InboxUpdate.status) == "processing",
                        or_(col(InboxUpdate.claimed_by).is_(None),
                            col(InboxUpdate.claimed_by) != worker_id))))
    return _claim(session, platform, worker_id, due, None, lease, now, max_attempts)


def _claim(session: Session, platform: str, worker_id: str, due: object, limit: int | None,
           lease: timedelta, now: datetime, max_attempts: int) -> Taken:
    ids = leases.claim(session, InboxUpdate, due, (col(InboxUpdate.id),),  # type: ignore[arg-type]
                       limit if limit is not None else 1 << 30,
                       {"status": "processing", "claimed_by": worker_id,
                        "lease_until": now + lease, "attempts": col(InboxUpdate.attempts) + 1})
    taken = Taken()
    if not ids:
        return taken
    rows = session.exec(select(InboxUpdate).where(col(InboxUpdate.id).in_(ids))
                        .order_by(col(InboxUpdate.id))).all()
    for row in rows:
        assert row.id is not None
        if row.attempts > max_attempts or row.payload is None:
            session.exec(update(InboxUpdate).where(col(InboxUpdate.id) == row.id)  # type: ignore[call-overload]
                         .values(status="failed", finished_at=now, **_ERASED))
            taken.given_up.append(row.update_key)
        else:
            taken.stored.append(Stored(row.id, row.update_key, row.chat_key, row.payload))
    return taken


__all__ = ["FULL", "Taken", "admit", "beat", "claim_loose", "finish", "leave", "open_count",
           "orphans", "prune", "release", "renew", "take_back", "take_chat"]
