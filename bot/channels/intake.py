"""One platform's updates from receipt to answer, the same for every channel and mode.

    received ──admit──▶ inbox ──task──▶ chat's turn ──slot──▶ handle ──▶ finish
                          │                                      (stop: grace, then cancel
                          └─ DUPLICATE: nothing; FULL: refused     → released to the inbox)

- An update is admitted to the inbox before the platform is told it arrived (the webhook's
  200, the next getUpdates offset); a duplicate key is acknowledged and dropped.
- Each admitted update this process answers gets a task at once, in arrival order (after
  the older updates of its chat the inbox hands over with it); the task waits for its chat's
  turn (`ChatTurns`: one chat's updates in order) and then for one of `concurrency` slots,
  handles the update, and finishes its ticket while still holding the slot. So the updates
  answered but not yet marked answered (the only ones a crash can repeat) are at most
  `concurrency` per platform and process.
- Several processes may share the inbox (bot/inbox/queue.py): an update whose chat another
  process is answering is accepted without a ticket and answered there; finishing an update
  hands this process its chat's next ones, which get tasks in turn.
- `recover` claims what the inbox kept from an earlier run, before anything new is taken, so
  they go first in their chats. A background sweep claims what other processes left behind
  (their lease passed) and lets the inbox beat, renew its leases and prune.
- `stop(grace)`: updates being handled get `grace` seconds, then are cancelled; those not
  started are not started. Every ticket not finished is released for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from bot.channels.chat_turns import ChatTurns
from bot.core.inbox import Admission, Inbox, Received, Ticket

logger = logging.getLogger(__name__)

SWEEP_INTERVAL = 5.0  # seconds between looks for updates other processes left behind
RECOVER_BATCH = 500


class Intake:
    def __init__(self, inbox: Inbox, handle: Callable[[Any], Awaitable[None]], *,
                 order_key: Callable[[Any], Hashable], decode: Callable[[str], Any],
                 concurrency: int, ahead: int | None = None,
                 sweep_interval: float = SWEEP_INTERVAL) -> None:
        """`handle(update)` answers one update and deals with its own errors; `order_key`
        names its chat (arrival order kept per key); `decode` turns a stored payload back
        into an update; `ahead`: at most this many updates admitted and not finished in this
        intake (polling: the rest stay on the platform)."""
        self.inbox = inbox
        self._handle = handle
        self._order_key = order_key
        self._decode = decode
        self._slots = asyncio.Semaphore(max(concurrency, 1))
        self._ahead = ahead
        self._sweep_interval = sweep_interval
        self._turns = ChatTurns()
        self._tasks: dict[asyncio.Task[None], Ticket] = {}
        self._unanswered: list[Ticket] = []
        self._changed = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def in_flight(self) -> int:
        """Updates admitted here and not finished (waiting or being handled)."""
        return len(self._tasks)

    # --- taking updates in ----------------------------------------------------------------
    async def admit(self, received: Sequence[tuple[Received, Any]], *,
                    force: bool = False) -> list[Admission]:
        """Admit updates (each with its decoded form) and start the accepted ones."""
        results = await self.inbox.admit([r for r, _ in received], force=force)
        self._start_stored(results.earlier)  # older updates of these chats: first
        for (_, update), result in zip(received, results):
            if result.status is Admission.ACCEPTED and result.ticket is not None:
                self._start(update, result.ticket)
        return [r.status for r in results]

    async def recover(self) -> int:
        """Claim and start what the inbox kept from this process's earlier run (and what
        nobody else is handling); call before taking anything new."""
        started = 0
        while not self._closing:
            stored = await self.inbox.claim_stored(RECOVER_BATCH, restart=not started)
            started += self._start_stored(stored)
            if len(stored) < RECOVER_BATCH or self.inbox.full:
                break
        return started

    def start_sweeping(self) -> None:
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep(), name="inbox-sweep")

    async def wait_for_room(self) -> None:
        """Return when the inbox is below its bound (and below `ahead` here)."""
        while True:
            self._changed.clear()
            if self._ahead is not None and len(self._tasks) >= self._ahead:
                await self._changed.wait()
                continue
            if not self.inbox.full:
                return
            await self.inbox.wait_for_room()

    # --- handling ---------------------------------------------------------------------------
    def _start_stored(self, stored: Sequence[Any]) -> int:
        for row in stored:
            try:
                update = self._decode(row.payload)
            except Exception:
                logger.exception("inbox %s: stored update %s cannot be read; dropped",
                                 self.inbox.platform, row.key)
                self._start(None, row.ticket, failed=True)
                continue
            self._start(update, row.ticket)
        return len(stored)

    def _start(self, update: Any, ticket: Ticket, *, failed: bool = False) -> None:
        task = asyncio.create_task(self._run(update, ticket, failed))
        self._tasks[task] = ticket
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        self._changed.set()

    async def _run(self, update: Any, ticket: Ticket, failed: bool) -> None:
        try:
            if failed:
                self._start_stored(await self.inbox.finish(ticket, failed=True))
                return
            async with self._turns.turn(self._order_key(update)):
                async with self._slots:
                    if self._closing:  # stopping: not started, kept for the next start
                        self._unanswered.append(ticket)
                        return
                    try:
                        await self._handle(update)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # handle() reports its own errors; this is a bug
                        logger.exception("inbox %s: update handling failed", self.inbox.platform)
                        failed = True
                    # The chat's next updates (stored meanwhile, here or by another process)
                    # queue behind this one's turn.
                    self._start_stored(await self.inbox.finish(ticket, failed=failed))
        except asyncio.CancelledError:
            self._unanswered.append(ticket)
            raise

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_interval)
            await self.inbox.maintain()
            if not self._closing:
                room = self.inbox.room if self._ahead is None else min(
                    self.inbox.room, self._ahead - len(self._tasks))
                if room > 0:
                    self._start_stored(await self.inbox.claim_stored(room, restart=False))

    # --- stopping ---------------------------------------------------------------------------
    async def stop(self, grace: float) -> None:
        """Let updates being handled finish for up to `grace` seconds, cancel the rest, and
        give every unanswered ticket (and every chat held) back to the inbox."""
        self._closing = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        tasks = list(self._tasks)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            if late:
                logger.warning("inbox %s: %d updates still being answered after %.1f s; "
                               "cancelled, kept for the next start", self.inbox.platform,
                               len(late), grace)
                await asyncio.gather(*late, return_exceptions=True)
        unanswered, self._unanswered = self._unanswered, []
        await self.inbox.release(unanswered)  # also the chats held here, for other processes


__all__ = ["Intake"]
