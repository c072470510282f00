"""Claiming rows of a work table with a lease: what the broadcast outbox and the update inbox
share; and holding a job that one process at a time does for all (`hold`, `give_up`: the
poll runner).

One transaction selects up to `limit` due rows and updates them (status, owner, lease end).
On PostgreSQL the select is `FOR UPDATE SKIP LOCKED`: concurrent claimers skip each other's
locked rows instead of waiting, and a row another claimer took and committed meanwhile no
longer matches the WHERE when re-checked, so no row is claimed twice. On SQLite the same
statement runs without FOR UPDATE inside `BEGIN IMMEDIATE` (see bot.storage.database): one
writer at a time, so the select-then-update is atomic.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from bot.storage.models import WorkLease, utcnow

if TYPE_CHECKING:
    from bot.storage.database import Database

logger = logging.getLogger(__name__)


def claim(session: Session, table: type[Any], due: ColumnElement[bool],
          order_by: Sequence[Any], limit: int, values: Mapping[str, Any]) -> list[int]:
    """Lock up to `limit` rows of `table` matching `due` (in `order_by` order), set `values`
    on them; their ids, in that order. `table` has an integer `id` primary key."""
    if limit <= 0:
        return []
    ids = list(session.exec(
        select(table.id).where(due).order_by(*order_by).limit(limit)
        .with_for_update(skip_locked=True)
    ).all())
    if ids:
        session.exec(update(table).where(col(table.id).in_(ids)).values(**values))  # type: ignore[call-overload]
    return ids


def new_worker_id() -> str:
    """A claimer's id for `claimed_by`: host, process and a random part (a restarted
    process is another claimer)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def aware(moment: object) -> datetime:
    """A raw aggregate's datetime as aware UTC (raw aggregates bypass the column type:
    SQLite hands back naive UTC, or text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def hold(session: Session, name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take or keep the job `name` until now + lease, unless another holder's lease still
    runs: whether `holder` has it. An upsert: concurrent takers queue on the row (PostgreSQL)
    or on the write lock (SQLite), so exactly one gets it."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(WorkLease).values(name=name, holder=holder, lease_until=now + lease)
        .on_conflict_do_update(
            index_elements=["name"], set_={"holder": holder, "lease_until": now + lease},
            where=or_(col(WorkLease.holder) == holder, col(WorkLease.lease_until) < now))
        .returning(WorkLease.name)  # type: ignore[arg-type]
    )
    return session.exec(statement).scalar_one_or_none() is not None  # type: ignore[call-overload]


def give_up(session: Session, name: str, holder: str) -> None:
    """Let another process take the job at once (a clean stop)."""
    session.exec(delete(WorkLease).where(col(WorkLease.name) == name,  # type: ignore[call-overload]
                                         col(WorkLease.holder) == holder))


class JobLease:
    """One process's hold on the job `name` (a `work_lease` row): `lead()` before each round
    of the job says whether this process may do it now.

    The row names its holder and how long the hold lasts (`seconds`). `lead()` takes the job
    when nobody holds it or the holder's lease has passed (it died or stalled), and renews
    this process's own lease once a third of it has gone by (at most one write per third:
    a tick every few seconds does not write each time). A process that stops cleanly calls
    `release()` so another takes over at once; one that dies is replaced `seconds` after its
    last renewal. `holder`: this process's stable name (a restarted process takes its own
    lease back at once); empty: a new name for this run. `clock`: UTC now (tests move it).
    """

    def __init__(self, db: Database, name: str, holder: str = "", seconds: float = 30.0,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.name = name
        self.holder = holder or new_worker_id()
        self.lease = timedelta(seconds=seconds)
        self.clock = clock
        self._held_at: datetime | None = None  # when this process last took or renewed it

    @property
    def held(self) -> bool:
        """Whether the last `lead()` found the job ours (no database read)."""
        return self._held_at is not None

    async def lead(self) -> bool:
        """Take or keep the job; whether this process holds it now."""
        now = self.clock()
        if self._held_at is not None and timedelta(0) <= now - self._held_at < self.lease / 3:
            return True
        held = await self.db.run(hold, self.name, self.holder, now, self.lease)
        if held and self._held_at is None:
            logger.info("%s: %s now does this job", self.name, self.holder)
        elif not held and self._held_at is not None:
            logger.warning("%s: another process took the job from %s", self.name, self.holder)
        self._held_at = now if held else None
        return held

    async def release(self) -> None:
        """Give the job up (a clean stop), when held; a database error is logged."""
        if self._held_at is None:
            return
        self._held_at = None
        try:
            await self.db.run(give_up, self.name, self.holder)
        except Exception as exc:
            logger.warning("%s: could not give the job up: %s", self.name, exc)


__all__ = ["JobLease", "aware", "claim", "give_up", "hold", "new_worker_id"]
