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

import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from bot.storage.models import WorkLease


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


__all__ = ["aware", "claim", "give_up", "hold", "new_worker_id"]
