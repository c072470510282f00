"""The inbox port: where a channel keeps each platform update from the moment it arrives
until it has been answered, so that nothing the platform was told we received is lost.

A channel *admits* an update before acknowledging it (answering a webhook POST with 200,
confirming a Telegram getUpdates offset). Admission says one of:

- ACCEPTED (with a ticket): kept; the channel answers it and then *finishes* the ticket;
- DUPLICATE: this platform key was admitted before (a webhook retry, an update fetched twice
  across a restart): acknowledge it and do nothing;
- FULL: the backlog (admitted, not yet finished) is at its bound: a webhook refuses with a
  retryable status and a polling loop stops fetching until there is room.

Several processes may share one durable inbox (a work queue): an update accepted by one
process may be answered by another — the one answering its chat's earlier updates — so
ACCEPTED comes without a ticket when this process does not answer it itself, admitting may
also hand this process older updates of the same chats (`Admissions.earlier`), and finishing
an update may hand it the chat's next ones.

Tickets not answered when the process stops are *released* (kept for the next start or for
another process), and `claim_stored` hands back what an earlier run (or a crashed process)
left unanswered.

`MemoryInbox` keeps only the bound and a memory of recent keys: what a channel uses when it
is given no durable inbox (tests, tools). The durable one is `bot.inbox.DurableInbox` (a
database table), wired by the entry point.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cachetools import LRUCache

Ticket = int | str  # a stored row's id, or a memory-only ticket ("m:<n>")
RECENT_KEYS = 4096  # keys a memory inbox remembers to drop a redelivered update


class Admission(enum.Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    FULL = "full"


@dataclass(frozen=True)
class Received:
    """An update as a channel admits it."""

    key: str  # unique per platform and bot: "<bot id>:<update id>" (see each channel)
    chat: str | None  # what orders it: updates of one chat are answered in arrival order
    payload: str  # the update as JSON text, enough to handle it again after a restart


@dataclass(frozen=True)
class Admitted:
    status: Admission
    # Set when ACCEPTED and this process answers it now; None when ACCEPTED and another
    # process answers it (it holds the update's chat).
    ticket: Ticket | None = None


@dataclass(frozen=True)
class Stored:
    """An update kept by an earlier run (or released at a stop) and claimed again."""

    ticket: Ticket
    key: str
    chat: str | None
    payload: str


class Admissions(list[Admitted]):
    """One `Admitted` per update, in order, and `earlier`: updates stored before (of the
    same chats) that this process now answers too — to start before the admitted ones."""

    def __init__(self, results: Sequence[Admitted] = (), earlier: Sequence[Stored] = ()) -> None:
        super().__init__(results)
        self.earlier = list(earlier)


class Inbox(Protocol):
    platform: str

    @property
    def full(self) -> bool:
        """The backlog is at its bound."""
        ...

    @property
    def room(self) -> int:
        """How many more updates may be admitted now."""
        ...

    async def wait_for_room(self) -> None:
        """Return once the backlog is below its bound."""
        ...

    async def admit(self, updates: Sequence[Received], *, force: bool = False) -> Admissions:
        """Keep each update unless it was kept before or the backlog is full (`force`: keep
        it anyway — an update the platform already forgot, such as a Zalo getUpdates one).
        One result per update, in order; a batch is written in one transaction."""
        ...

    async def finish(self, ticket: Ticket, *, failed: bool = False) -> list[Stored]:
        """The update was answered (or failed for good): it is not handled again. Returns
        the updates of its chat this process answers next (stored meanwhile, possibly by
        another process), oldest first."""
        ...

    async def release(self, tickets: Sequence[Ticket]) -> None:
        """Give back updates not answered (a stop): the next start handles them."""
        ...

    async def claim_stored(self, limit: int, *, restart: bool) -> list[Stored]:
        """Up to `limit` kept updates nobody is handling, oldest first, now claimed by this
        process. `restart`: also those this process's previous run held when it died."""
        ...

    async def maintain(self) -> None:
        """Periodic housekeeping (renew the claims held, prune old answered rows)."""
        ...

    async def leave(self) -> int:
        """This process stops taking updates: how many other processes still take this
        platform's (a stopping process leaves the webhook to them)."""
        ...


class Backlog:
    """The tickets admitted and not yet finished, against a bound, with a wait for room."""

    def __init__(self, bound: int) -> None:
        if bound < 1:
            raise ValueError("the inbox bound must be at least 1")
        self.bound = bound
        self.open: set[Ticket] = set()
        self._changed = asyncio.Event()

    @property
    def full(self) -> bool:
        return len(self.open) >= self.bound

    @property
    def room(self) -> int:
        return max(self.bound - len(self.open), 0)

    def add(self, ticket: Ticket) -> None:
        self.open.add(ticket)

    def discard(self, tickets: Sequence[Ticket]) -> None:
        for ticket in tickets:
            self.open.discard(ticket)
        self._changed.set()

    async def wait_for_room(self) -> None:
        while self.full:
            self._changed.clear()
            await self._changed.wait()


class MemoryInbox:
    """The bound and a memory of the last `RECENT_KEYS` keys, nothing kept across a restart."""

    def __init__(self, platform: str, bound: int = 1000) -> None:
        self.platform = platform
        self._backlog = Backlog(bound)
        self._recent: LRUCache[str, bool] = LRUCache(RECENT_KEYS)
        self._ids = itertools.count(1)

    @property
    def full(self) -> bool:
        return self._backlog.full

    @property
    def room(self) -> int:
        return self._backlog.room

    async def wait_for_room(self) -> None:
        await self._backlog.wait_for_room()

    async def admit(self, updates: Sequence[Received], *, force: bool = False) -> Admissions:
        return Admissions([self.admit_now(u, force=force) for u in updates])

    def admit_now(self, update: Received, *, force: bool = False) -> Admitted:
        if update.key in self._recent:
            return Admitted(Admission.DUPLICATE)
        if self._backlog.full and not force:
            return Admitted(Admission.FULL)
        self._recent[update.key] = True
        ticket = f"m:{next(self._ids)}"
        self._backlog.add(ticket)
        return Admitted(Admission.ACCEPTED, ticket)

    def forget(self, tickets: Sequence[Ticket]) -> None:
        self._backlog.discard(tickets)

    async def finish(self, ticket: Ticket, *, failed: bool = False) -> list[Stored]:
        self.forget([ticket])
        return []

    async def release(self, tickets: Sequence[Ticket]) -> None:
        self.forget(tickets)

    async def claim_stored(self, limit: int, *, restart: bool) -> list[Stored]:
        return []

    async def maintain(self) -> None:
        return None

    async def leave(self) -> int:
        return 0


__all__ = ["Admission", "Admissions", "Admitted", "Backlog", "Inbox", "MemoryInbox", "Received", "Stored",
           "Ticket"]
