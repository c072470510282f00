"""The durable inbox: `bot.core.inbox.Inbox` over the `inbox_update` table.

One per platform and process. Admitting writes the update (committed: on SQLite in WAL mode
with `synchronous=NORMAL` a commit survives the process being killed; `FULL` also a power
cut) before the channel acknowledges it. The bound counts this process's open tickets: the
updates it admitted or claimed and has not finished.

When the database cannot be written (read-only, full, locked beyond the best-effort wait,
away), admitting falls back to memory (the update is answered, not kept across a crash) rather
than refusing every update: members' questions keep being answered while the operator fixes
the database — the same choice as the question log's best-effort write. The fault is counted
in the database's `WriteFaults` under "inbox" (logged once, shown by `/tinhtrang`), but unlike
other best-effort writes an admit is always tried: durability is the inbox's whole point.

Worker id: stable across restarts of one process (host, platform, and the webhook port or
"polling"), so a restart claims what its crashed predecessor held at once instead of
waiting for the lease; another process would take it over once the lease has passed.
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

from bot.core.inbox import Admission, Admitted, Backlog, MemoryInbox, Received, Stored, Ticket
from bot.inbox import queue
from bot.storage.database import Database
from bot.storage.faults import DatabaseBusy, fault_kind
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

DB_ERRORS = (SQLAlchemyError, OSError, DatabaseBusy)
ERROR_LOG_INTERVAL = 60.0  # seconds between repeated "cannot store" errors


@dataclass(frozen=True)
class InboxConfig:
    max_backlog: int = 1000  # open updates per platform and process
    lease: timedelta = timedelta(seconds=60)
    retention: timedelta = timedelta(hours=48)  # answered keys kept for dedupe
    max_attempts: int = 5  # claims before an update that keeps failing is given up
    prune_interval: float = 600.0  # seconds between prunes


def worker_id(platform: str, port: int | None) -> str:
    """This process's id in the inbox: the same after a restart (see module notes)."""
    return f"{socket.gethostname()[:64]}:{platform}:{port if port is not None else 'polling'}"


class DurableInbox:
    def __init__(self, db: Database, platform: str, worker: str,
                 config: InboxConfig | None = None) -> None:
        self.db = db
        self.platform = platform
        self.worker_id = worker
        self.config = config or InboxConfig()
        self._backlog = Backlog(self.config.max_backlog)
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

    async def admit(self, updates: Sequence[Received], *, force: bool = False) -> list[Admitted]:
        results: list[Admitted] = []
        rest = list(updates)
        # Usually one transaction; more only when duplicates left room for later updates.
        while rest and (force or not self._backlog.full):
            batch, rest = (rest, []) if force else (rest[:self._backlog.room], rest[self._backlog.room:])
            try:
                ids = await asyncio.to_thread(self._store, batch)
            except DB_ERRORS as exc:
                self._log_store_error(exc, len(batch))
                admitted = [self._memory.admit_now(u, force=True) for u in batch]
            else:
                admitted = [Admitted(Admission.ACCEPTED, i) if i is not None
                            else Admitted(Admission.DUPLICATE) for i in ids]
            for result in admitted:
                if result.ticket is not None:
                    self._backlog.add(result.ticket)
            results += admitted
        return results + [Admitted(Admission.FULL)] * len(rest)

    def _store(self, batch: list[Received]) -> list[int | None]:
        return self._within(queue.admit, self.platform, self.worker_id, batch,
                            self.config.lease, utcnow())

    def _within(self, fn: Any, *args: Any) -> Any:
        """One write transaction (in a worker thread), waiting for the database at most its
        best-effort wait; faults are counted where the operator sees the others."""
        try:
            with self.db.session(wait=self.db.best_effort_wait) as session:
                result = fn(session, *args)
        except Exception as exc:
            if (kind := fault_kind(exc)) is not None:
                self.db.faults.record("inbox", kind, exc)
            raise
        self.db.faults.succeeded()
        return result

    async def finish(self, ticket: Ticket, *, failed: bool = False) -> None:
        try:
            if isinstance(ticket, int):
                await asyncio.to_thread(self._within, queue.finish, ticket, failed, utcnow())
            else:
                self._memory.forget([ticket])
        except DB_ERRORS as exc:  # it stays open: handled again after a restart (a duplicate)
            logger.warning("inbox %s: could not mark update %s answered: %s", self.platform,
                           ticket, exc)
        finally:
            self._backlog.discard([ticket])

    async def release(self, tickets: Sequence[Ticket]) -> None:
        stored = [t for t in tickets if isinstance(t, int)]
        try:
            if stored:
                released = await asyncio.to_thread(self._within, queue.release, self.worker_id, stored)
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
            self._backlog.discard(tickets)

    async def claim_stored(self, limit: int, *, restart: bool) -> list[Stored]:
        limit = min(limit, self._backlog.room)
        if limit <= 0:
            return []
        try:
            stored, given_up = await self.db.run(
                queue.claim, self.platform, self.worker_id, limit, self.config.lease, utcnow(),
                restart=restart, max_attempts=self.config.max_attempts)
        except DB_ERRORS as exc:
            logger.warning("inbox %s: could not look for stored updates: %s", self.platform, exc)
            return []
        for key in given_up:
            logger.error("inbox %s: update %s given up after %d attempts", self.platform, key,
                         self.config.max_attempts)
        for row in stored:
            self._backlog.add(row.ticket)
        if stored:
            logger.info("inbox %s: %d stored updates to answer", self.platform, len(stored))
        return stored

    async def maintain(self) -> None:
        """Renew the leases held (every third of a lease) and prune (every prune_interval)."""
        clock = time.monotonic()
        try:
            if clock - self._renewed_at >= self.config.lease.total_seconds() / 3:
                self._renewed_at = clock
                if self._backlog.open:
                    await self.db.run(queue.renew, self.platform, self.worker_id,
                                      self.config.lease, utcnow())
            if clock - self._pruned_at >= self.config.prune_interval:
                self._pruned_at = clock
                pruned = await self.db.run(queue.prune, self.platform,
                                           utcnow() - self.config.retention)
                if pruned:
                    logger.info("inbox %s: pruned %d answered updates", self.platform, pruned)
        except DB_ERRORS as exc:
            logger.warning("inbox %s: housekeeping failed: %s", self.platform, exc)

    def _log_store_error(self, exc: BaseException, count: int) -> None:
        clock = time.monotonic()
        if clock - self._error_logged_at >= ERROR_LOG_INTERVAL:
            self._error_logged_at = clock
            logger.error("inbox %s: could not store %d update(s) (%s); answering from "
                         "memory, not kept across a crash", self.platform, count,
                         type(exc).__name__)


__all__ = ["DurableInbox", "InboxConfig", "worker_id"]
