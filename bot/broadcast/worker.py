"""The delivery worker: claims due outbox rows, paces them, sends them, records the result.

One loop per platform (each has its own limits and transport) plus a progress loop
(bot.broadcast.progress). A platform loop keeps up to `concurrency` sends in flight: it
claims a batch when a quarter of the slots are free, each claimed row waits for its chat's
and the platform's rate limits, is sent, and its result is written at once (so the rows in
`sending` are exactly the ones in flight: the bound on duplicates after a crash).

Stopping: `stop` set → no more claims, in-flight sends finish and are recorded, rows still
held are given back. A crash (SIGKILL, power loss) skips all that: the rows it held come
back to other workers when their lease expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session

from bot.broadcast import outbox, peers
from bot.broadcast.content import recipient_actions, recipient_text
from bot.broadcast.models import Broadcast
from bot.broadcast.outbox import Claimed, RetryPolicy
from bot.broadcast.queue import bulletin_actions
from bot.broadcast.results import Result, ResultWriter
from bot.core.outbound import (
    ChatMoved,
    Destination,
    OutboundPort,
    PermanentError,
    TransientError,
    Unreachable,
)
from bot.core.types import FileReply, Reply, TextReply
from bot.services import reachability
from bot.core.ratelimit import RateLimiter
from bot.storage.database import Database
from bot.storage.leases import new_worker_id
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

BEAT_INTERVAL = 1.0  # seconds between heartbeats (bot.broadcast.peers)
BEAT_WINDOW = 5.0  # a worker silent this long no longer counts (at least 3 polls)


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 16  # sends in flight per platform
    lease: timedelta = timedelta(seconds=60)
    poll_interval: float = 1.0  # seconds between looks at an idle outbox
    progress_interval: float = 3.0  # seconds between edits of an officer's progress message
    # Platforms that cannot edit (Zalo) get a new progress message this often instead; a
    # broadcast that finishes sooner gets only its final report.
    progress_interval_no_edit: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True)
class _Prepared:
    replies: tuple[Reply, ...]  # the text (the delivery), then its file when there is one


class BroadcastWorker:
    name = "broadcast-worker"

    def __init__(self, db: Database, transports: Mapping[str, OutboundPort],
                 config: WorkerConfig | None = None, *, worker_id: str | None = None) -> None:
        self.db = db
        self.transports = dict(transports)
        self.config = config or WorkerConfig()
        self.worker_id = worker_id or new_worker_id()
        self.counts: Counter[str] = Counter()  # sent / retried / failed / deferred, this process
        self.finished: asyncio.Queue[int] = asyncio.Queue()  # broadcasts this worker closed
        self._wake = asyncio.Event()
        self._content: dict[tuple[int, str], _Prepared] = {}
        self._results = ResultWriter(db, self.worker_id, self.config.retry)
        self.limiters: dict[str, RateLimiter] = {}  # per platform, while running

    def wake(self) -> None:
        """Look at the outbox now (a broadcast was just confirmed in this process)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        from bot.broadcast.progress import ProgressReporter

        reporter = ProgressReporter(self.db, self.transports, self.config, self.finished)
        loops = [asyncio.create_task(self._platform_loop(t, stop), name=f"outbox-{p}")
                 for p, t in self.transports.items()]
        loops.append(asyncio.create_task(reporter.run(stop, self._wake), name="progress"))
        writer = asyncio.create_task(self._results.run(), name="outbox-results")
        logger.info("broadcast worker %s started for %s", self.worker_id,
                    ", ".join(self.transports) or "no platform")
        try:
            await asyncio.gather(*loops)
        finally:
            writer.cancel()  # after the platform loops: their last results get written
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            for task in loops:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*loops, return_exceptions=True)

    # --- one platform -------------------------------------------------------------------
    async def _platform_loop(self, transport: OutboundPort, stop: asyncio.Event) -> None:
        limiter = RateLimiter(transport.limits)
        self.limiters[transport.platform] = limiter
        beaten_at = -BEAT_INTERVAL
        concurrency = max(self.config.concurrency, 1)
        low_water = max(concurrency // 4, 1)  # refill early: a claim takes a thread hop
        inflight: set[asyncio.Task[None]] = set()
        room_event = asyncio.Event()

        def done(task: asyncio.Task[None]) -> None:
            inflight.discard(task)
            if len(inflight) <= concurrency - low_water:
                room_event.set()

        try:
            while not stop.is_set():
                if (clock := asyncio.get_running_loop().time()) - beaten_at >= BEAT_INTERVAL:
                    beaten_at = clock
                    await self._beat(transport.platform, limiter)
                room = concurrency - len(inflight)
                claimed: list[Claimed] = []
                if room >= low_water:
                    try:
                        claimed = await self.db.run(
                            outbox.claim, self.worker_id, [transport.platform], room,
                            self.config.lease)
                    except Exception:  # the database is away: log, wait, try again
                        logger.exception("outbox: claim failed")
                for row in claimed:
                    task = asyncio.create_task(self._deliver(transport, limiter, row))
                    inflight.add(task)
                    task.add_done_callback(done)
                room_event.clear()
                if claimed and len(claimed) == room:
                    await _first(stop.wait(), room_event.wait())  # more is due: refill soon
                    continue
                timeout = self.config.poll_interval
                if not claimed and not inflight:
                    timeout = await self._idle_timeout(transport.platform)
                await _first(stop.wait(), room_event.wait(), self._wake.wait(), timeout=timeout)
                self._wake.clear()
        finally:
            if inflight:  # let the sends in flight finish and be recorded
                await asyncio.gather(*inflight, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.db.run(peers.leave, self.worker_id)
                released = await self.db.run(outbox.release_all, self.worker_id)
                if released:
                    logger.info("outbox: gave back %d unsent rows", released)

    async def _beat(self, platform: str, limiter: RateLimiter) -> None:
        window = timedelta(seconds=max(BEAT_WINDOW, 3 * self.config.poll_interval))
        try:
            workers = await self.db.run(peers.beat, self.worker_id, platform, utcnow(), window)
        except Exception:
            logger.exception("outbox: heartbeat failed")
            return
        if workers != limiter.workers:
            logger.info("outbox: %d workers share the %s limit", workers, platform)
            limiter.share(workers)

    async def _idle_timeout(self, platform: str) -> float:
        try:
            due = await self.db.run(outbox.next_due, [platform])
        except Exception:
            logger.exception("outbox: next_due failed")
            return self.config.poll_interval
        if due is None:
            return self.config.poll_interval
        return min(max((due - utcnow()).total_seconds(), 0.01), self.config.poll_interval)

    async def _deliver(self, transport: OutboundPort, limiter: RateLimiter, row: Claimed) -> None:
        try:
            prepared = await self._prepared(row.broadcast_id, row.platform)
            is_group = row.chat_kind == "group"
            delay = limiter.chat_delay(row.chat_id, is_group)
            if delay > 0:  # this chat is at its limit: back to the outbox, not a slot held
                await self._results.record(Result(row.id, "defer", retry_after=delay))
                self.counts["deferred"] += 1
                return
            limiter.reserve_chat(row.chat_id, is_group)
            await limiter.acquire()
            try:
                message_id = await transport.send(Destination(row.chat_id, row.chat_kind),
                                                  prepared.replies)
            except TransientError as exc:
                status = await self._results.record(Result(
                    row.id, "transient", error=exc.reason, attempts=row.attempts,
                    retry_after=exc.retry_after))
                self.counts["retried" if status == "pending" else "failed"] += 1
                logger.info("outbox: delivery %s to %s:%s: %s (%s)", row.id, row.platform,
                            row.chat_id, exc.reason, status)
            except ChatMoved as moved:  # the group has a new id: the row goes out there
                await self.db.run(_chat_moved, row, moved.new_chat_id, self.worker_id)
                self.counts["moved"] += 1
                logger.info("outbox: delivery %s: group %s:%s moved to %s", row.id,
                            row.platform, row.chat_id, moved.new_chat_id)
                self.wake()
            except PermanentError as exc:
                await self._results.record(Result(row.id, "permanent", error=exc.reason))
                self.counts["failed"] += 1
                logger.info("outbox: delivery %s to %s:%s failed for good: %s", row.id,
                            row.platform, row.chat_id, exc.reason)
                if isinstance(exc, Unreachable):
                    await self.db.run(reachability.mark_unreachable, row.platform, row.chat_id,
                                      row.chat_kind, exc.reason)
            else:
                await self._results.record(Result(row.id, "sent", message_id=message_id))
                self.counts["sent"] += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or the database: the lease brings the row back
            logger.exception("outbox: delivery %s: unexpected %s", row.id, type(exc).__name__)

    async def _prepared(self, broadcast_id: int, platform: str) -> _Prepared:
        """The message for a broadcast on a platform (a broadcast does not change once
        confirmed, so it is read once per process)."""
        prepared = self._content.get((broadcast_id, platform))
        if prepared is None:
            found = await self.db.run(outbox.broadcasts_by_id, [broadcast_id])
            # A platform without buttons (Zalo) gets the typed «đã đọc» request instead.
            port = self.transports.get(platform)
            prepared = _prepare(found[broadcast_id], platform,
                                port.capabilities.buttons if port is not None else True)
            self._content[(broadcast_id, platform)] = prepared
        return prepared


def _prepare(broadcast: Broadcast, platform: str, buttons: bool = True) -> _Prepared:
    if broadcast.feature:  # another feature's bulletin (bot.broadcast.queue): sent as it is
        replies: list[Reply] = [
            TextReply(broadcast.text, bulletin_actions(broadcast)) if buttons
            else TextReply(broadcast.plain_text or broadcast.text)]
    else:
        replies = [TextReply(recipient_text(broadcast, broadcast.sender_label, buttons=buttons),
                             recipient_actions(broadcast) if buttons else ())]
    # A file id is only valid on the platform it was uploaded to. The text (with its
    # buttons) is the delivery; the file follows it, and a failure there is logged by the
    # port, not retried: resending would duplicate the text.
    if broadcast.attachment_file_id and broadcast.attachment_platform == platform:
        replies.append(FileReply(b"", broadcast.attachment_name or "", "",
                                 file_id=broadcast.attachment_file_id))
    return _Prepared(tuple(replies))


def _chat_moved(session: Session, row: Claimed, new_chat_id: str, worker_id: str) -> None:
    """Re-point the group (its unit registration) and every delivery to it, then give this
    row back unsent and due now: the next claim sends it to the new id."""
    outbox.move_chat(session, row.platform, row.chat_id, new_chat_id)
    outbox.defer(session, row.id, worker_id, 0.0)


async def _first(*waits: object, timeout: float | None = None) -> None:
    """Wait until the first of the awaitables completes (or `timeout`); cancel the rest."""
    tasks = [asyncio.ensure_future(w) for w in waits]  # type: ignore[arg-type]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


__all__ = ["BroadcastWorker", "WorkerConfig", "new_worker_id"]
