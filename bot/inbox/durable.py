"""The durable inbox: `bot.core.inbox.Inbox` over the `inbox_update` table.

One per platform and process; several processes may share the table (bot/inbox/queue.py:
any process answers any update, one chat by one process at a time, in order). Admitting
writes the update (committed: on SQLite in WAL mode with `synchronous=NORMAL` a commit
survives the process being killed; `FULL` also a power cut) before the channel acknowledges
it. The bound (`max_backlog`) counts the updates waiting or being answered in the database,
every process's together; `room` / `wait_for_room` count this process's open tickets (the
updates it answers and has not finished), which pace a polling loop's fetching.

When the database cannot be written (read-only, full, locked beyond the best-effort wait,
away), admitting falls back to memory (the update is answered, not kept across a crash) rather
than refusing every update: members' questions keep being answered while the operator fixes
the database — the same choice as the question log's best-effort write. The fault is counted
in the database's `WriteFaults` under "inbox" (logged once, shown by `/tinhtrang`), but unlike
other best-effort writes an admit is always tried: durability is the inbox's whole point.

Worker id: stable across restarts of one process (host, platform, and the webhook port or
"polling", and `INSTANCE_NAME` when several polling processes share a host), so a restart
claims what its crashed predecessor held at once instead of waiting for the lease; another
process takes it over once the lease has passed. Each process also beats in `inbox_peer`
every sweep, so one that stops knows whether others still take the platform's updates.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.core.inbox import (
    Admission,
    Admissions,
    Admitted,
    Backlog,
    MemoryInbox,
    Received,
    Stored,
    Ticket,
)
from bot.inbox import queue
from bot.storage.database import Database
from bot.storage.faults import DatabaseBusy, fault_kind
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

DB_ERRORS = (SQLAlchemyError, OSError, DatabaseBusy)
ERROR_LOG_INTERVAL = 60.0  # seconds between repeated "cannot store" errors


@dataclass(frozen=True)
class InboxConfig:
    max_backlog: int = 1000  # open updates per platform, all processes together
    lease: timedelta = timedelta(seconds=60)
    retention: timedelta = timedelta(hours=48)  # answered keys kept for dedupe
    max_attempts: int = 5  # claims before an update that keeps failing is given up
    prune_interval: float = 600.0  # seconds between prunes
    peer_window: timedelta = timedelta(seconds=15)  # a process silent this long has gone


def worker_id(platform: str, port: int | None, instance: str = "") -> str:
    """This process's id in the inbox: the same after a restart (see module notes)."""
    where = port if port is not None else "polling"
    return f"{socket.gethostname()[:64]}:{platform}:{where}" + (f":{instance[:32]}" if instance else "")


class DurableInbox:
    def __init__(self, db: Database, platform: str, worker: str,
                 config: InboxConfig | None = None) -> None:
        self.db = db
        self.platform = platform
        self.worker_id = worker
        self.config = config or InboxConfig()
        self._backlog = Backlog(self.config.max_backlog)
        self._chats: dict[Ticket, str | None] = {}  # each open ticket's chat (renewed with it)
        self._left = False  # stopped taking updates: no more heartbeats
        # Keeps the updates admitted while the database could not be written.
        self._memory = MemoryInbox(platform, self.config.max_backlog)
        self._error_logged_at = -ERROR_LOG_INTERVAL
        self._renewed_at = time.monotonic()
        self._pruned_at = -self.config.prune_interval

    @property
    def full(self) -> bool:
        return self._backlog.full

    @property
    def room(self) -> int:
        return self._backlog.room

    async def wait_for_room(self) -> None:
        await self._backlog.wait_for_room()

    async def admit(self, updates: Sequence[Received], *, force: bool = False) -> Admissions:
        if not updates:
            return Admissions()
        try:
            ids, taken = await asyncio.to_thread(self._within, queue.admit, self.platform,
                                                 self.worker_id, list(updates),
                                                 self.config.lease, utcnow(),
                                                 bound=None if force else self.config.max_backlog,
                                                 max_attempts=self.config.max_attempts)
        except DB_ERRORS as exc:
            self._log_store_error(exc, len(updates))
            results = Admissions([self._memory.admit_now(u, force=True) for u in updates])
            for result in results:
                if result.ticket is not None:  # else a duplicate
                    self._open(result.ticket, None)
            return results
        self._given_up(taken.given_up)
        mine = {int(s.ticket) for s in taken.stored}
        results = Admissions()
        for received, row_id in zip(updates, ids):
            if row_id is None:
                results.append(Admitted(Admission.DUPLICATE))
            elif row_id == queue.FULL:
                results.append(Admitted(Admission.FULL))
            elif row_id in mine:
                results.append(Admitted(Admission.ACCEPTED, row_id))
            else:  # its chat is answered by another process, which takes it in turn
                results.append(Admitted(Admission.ACCEPTED))
        new = {r.ticket for r in results if r.ticket is not None}
        results.earlier = [s for s in taken.stored if s.ticket not in new]
        for stored in taken.stored:
            self._open(stored.ticket, stored.chat)
        return results

    def _open(self, ticket: Ticket, chat: str | None) -> None:
        self._backlog.add(ticket)
        self._chats[ticket] = chat

    def _close(self, tickets: Sequence[Ticket]) -> None:
        for ticket in tickets:
            self._chats.pop(ticket, None)
        self._backlog.discard(tickets)

    def _within(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """One write transaction (in a worker thread), waiting for the database at most its
        best-effort wait; faults are counted where the operator sees the others."""
        try:
            with self.db.session(wait=self.db.best_effort_wait) as session:
                result = fn(session, *args, **kwargs)
        except Exception as exc:
            if (kind := fault_kind(exc)) is not None:
                self.db.faults.record("inbox", kind, exc)
            raise
        self.db.faults.succeeded()
        return result

    async def finish(self, ticket: Ticket, *, failed: bool = False) -> list[Stored]:
        taken = queue.Taken()
        try:
            if isinstance(ticket, int):
                taken = await asyncio.to_thread(
                    self._within, queue.finish, self.platform, self.worker_id, ticket, failed,
                    self.config.lease, utcnow(), max_attempts=self.config.max_attempts)
            else:
                self._memory.forget([ticket])
        except DB_ERRORS as exc:  # it stays open: its lease passes and it is answered again
            logger.warning("inbox %s: could not mark update %s answered: %s", self.platform,
                           ticket, exc)
        finally:
            self._close([ticket])
        self._given_up(taken.given_up)
        for stored in taken.stored:
            self._open(stored.ticket, stored.chat)
        return taken.stored

    async def release(self, tickets: Sequence[Ticket]) -> None:
        stored = [t for t in tickets if isinstance(t, int)]
        try:
            released = await asyncio.to_thread(self._within, queue.release, self.platform,
                                               self.worker_id, stored)
            if stored:
                logger.info("inbox %s: %d unanswered updates kept for the next start",
                            self.platform, released)
            lost = len(tickets) - len(stored)
            if lost:
                logger.warning("inbox %s: %d unanswered updates were never stored (database "
                               "error) and are lost", self.platform, lost)
        except DB_ERRORS as exc:  # their lease brings them back anyway
            logger.warning("inbox %s: could not give back %d updates: %s", self.platform,
                           len(stored), exc)
        finally:
            self._memory.forget(tickets)
            self._close(tickets)

    async def claim_stored(self, limit: int, *, restart: bool) -> list[Stored]:
        limit = min(limit, self._backlog.room)
        if restart:
            await self._beat()
        if limit <= 0:
            return []
        lease, attempts = self.config.lease, self.config.max_attempts
        taken = queue.Taken()
        try:
            if restart:
                await self.db.run(queue.take_back, self.platform, self.worker_id)
            # Whole chats, as many as fit (at least one); a chat another process takes
            # meanwhile is skipped for the next one.
            for chat, count in await self.db.run(queue.orphans, self.platform, utcnow(), 4 * limit):
                if taken.stored and len(taken.stored) + count > limit:
                    break
                taken.extend(await self.db.run(queue.take_chat, self.platform, self.worker_id,
                                               chat, lease, utcnow(), max_attempts=attempts))
            if (room := limit - len(taken.stored)) > 0:
                taken.extend(await self.db.run(queue.claim_loose, self.platform, self.worker_id,
                                               room, lease, utcnow(), max_attempts=attempts))
        except DB_ERRORS as exc:
            logger.warning("inbox %s: could not look for stored updates: %s", self.platform, exc)
        self._given_up(taken.given_up)
        stored = sorted(taken.stored, key=lambda s: int(s.ticket))
        for row in stored:
            self._open(row.ticket, row.chat)
        if stored:
            logger.info("inbox %s: %d stored updates to answer", self.platform, len(stored))
        return stored

    async def maintain(self) -> None:
        """Beat; renew the leases held (every third of a lease); prune (every
        prune_interval)."""
        clock = time.monotonic()
        await self._beat()
        try:
            if clock - self._renewed_at >= self.config.lease.total_seconds() / 3:
                self._renewed_at = clock
                tickets = [t for t in self._backlog.open if isinstance(t, int)]
                if tickets:
                    chats = [c for t in tickets if (c := self._chats.get(t)) is not None]
                    await self.db.run(queue.renew, self.platform, self.worker_id, tickets,
                                      chats, self.config.lease, utcnow())
            if clock - self._pruned_at >= self.config.prune_interval:
                self._pruned_at = clock
                pruned = await self.db.run(queue.prune, self.platform,
                                           utcnow() - self.config.retention)
                if pruned:
                    logger.info("inbox %s: pruned %d answered updates", self.platform, pruned)
        except DB_ERRORS as exc:
            logger.warning("inbox %s: housekeeping failed: %s", self.platform, exc)

    async def leave(self) -> int:
        self._left = True
        try:
            return int(await self.db.run(queue.leave, self.platform, self.worker_id, utcnow(),
                                         self.config.peer_window))
        except DB_ERRORS as exc:
            logger.warning("inbox %s: could not tell whether other processes serve: %s",
                           self.platform, exc)
            return 0

    async def _beat(self) -> None:
        if self._left:
            return
        try:
            await self.db.run(queue.beat, self.platform, self.worker_id, utcnow())
        except DB_ERRORS as exc:
            logger.warning("inbox %s: heartbeat failed: %s", self.platform, exc)

    def _given_up(self, keys: Sequence[str]) -> None:
        for key in keys:
            logger.error("inbox %s: update %s given up after %d attempts", self.platform, key,
                         self.config.max_attempts)

    def _log_store_error(self, exc: BaseException, count: int) -> None:
        clock = time.monotonic()
        if clock - self._error_logged_at >= ERROR_LOG_INTERVAL:
            self._error_logged_at = clock
            logger.error("inbox %s: could not store %d update(s) (%s); answering from "
                         "memory, not kept across a crash", self.platform, count,
                         type(exc).__name__)


__all__ = ["DurableInbox", "InboxConfig", "worker_id"]
