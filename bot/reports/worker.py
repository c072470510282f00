"""The report tracker: every REPORT_TICK_SECONDS (or when woken) it opens the periods that
have begun, closes those past their last day and the assignments of deleted units, sends the
due reminders and escalations and the requester's summary at each deadline. It only writes
notices into the outbox (the broadcast worker delivers them), so it needs no platform port.

Time comes from the configured clock: tests move the clock and call `tick()` (or `wake()`
the running loop), never sleep. Every step is idempotent and claimed in the database
(bot.reports.instances, bot.reports.deadlines): several trackers can run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.core.delivery import DeliveryQueue
from bot.reports import deadlines, digest, instances
from bot.reports.config import ReportConfig
from bot.storage.database import Database

logger = logging.getLogger(__name__)


@dataclass
class TickResult:
    opened: int = 0
    closed: int = 0
    units_closed: int = 0
    reminders: int = 0
    escalations: int = 0
    summaries: int = 0
    digests: int = 0

    @property
    def notified(self) -> bool:
        return bool(self.opened or self.units_closed or self.reminders or self.escalations
                    or self.summaries or self.digests)


def tick_once(session: Session, now: datetime, config: ReportConfig, notices: DeliveryQueue) -> TickResult:
    """One pass of every step, in one transaction (what is sent is what is committed)."""
    result = TickResult()
    result.opened = instances.open_due(session, now, config, notices)
    result.units_closed = instances.close_deleted_units(session, now, notices)
    result.reminders = deadlines.remind_due(session, now, config, notices)
    result.escalations = deadlines.escalate_due(session, now, config, notices)
    result.summaries = deadlines.summarize_due(session, now, notices)
    result.digests = digest.send_due(session, now, config, notices)
    result.closed = instances.close_due(session, now)
    return result


class ReportTracker:
    name = "report-tracker"

    def __init__(self, db: Database, notices: DeliveryQueue, config: ReportConfig) -> None:
        self.db = db
        self.notices = notices
        self.config = config
        self._wake = asyncio.Event()
        self.ticks: asyncio.Queue[TickResult] = asyncio.Queue()  # for tests and logs

    def wake(self) -> None:
        self._wake.set()

    async def tick(self) -> TickResult:
        now = self.config.clock()
        result = await self.db.run(tick_once, now, self.config, self.notices)
        if result.notified:
            self.notices.wake()
            logger.info("report tracker: %s", result)
        return result

    async def run(self, stop: asyncio.Event) -> None:
        logger.info("report tracker started (every %.0f s)", self.config.tick_seconds)
        while not stop.is_set():
            self._wake.clear()  # a wake during the tick below brings the next one at once
            try:
                self.ticks.put_nowait(await self.tick())
            except Exception:  # the database is away or a bug: log, try again next tick
                logger.exception("report tracker: tick failed")
            waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
            try:
                await asyncio.wait(waits, timeout=self.config.tick_seconds,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in waits:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task


__all__ = ["ReportTracker", "TickResult", "tick_once"]
