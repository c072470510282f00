"""The study runner: what campaigns do without anyone writing, driven by the database so a
restart loses nothing (started by `tuyengiao run` when STUDY_RUNNER is on).

Each tick (every `interval` seconds, or at once when woken):
1. close the rolls whose session is long past (bot.study.attendance.auto_close);
2. for each open campaign: add the people who joined its units since the start, queue the
   announcement to those not told yet (also people who only now wrote to the bot), the
   self-study message to absentees of closed rolls, and the reminder an offset before the
   deadline owes (bot.services.reminders) — all through the delivery queue (the broadcast
   engine's outbox, worker and pacing: bot.core.delivery);
3. close campaigns past their deadline and send each final report (table and chart) to
   its author once (`report_sent` false → true decides who sends);
4. every `validity_interval`, look the documents up in the knowledge base again: one
   deleted from the store or no longer in force is flagged on the campaign (reports show
   it) and its author is told once.

One process at a time does this, whatever number of serving processes run with
STUDY_RUNNER on one database: a tick starts by taking (or keeping) the `study-runner` work
lease (bot.storage.leases.JobLease, `StudyConfig.lease` seconds, renewed every third of
it), and a runner that does not hold it does nothing that tick. The steps' own bookkeeping
(`reminders_sent`, `notified_at`, `report_sent`) is read and written in separate
transactions, so two runners at once on PostgreSQL could both send a reminder; the lease
keeps them apart. A clean stop gives the lease up; a process that dies is replaced once its
lease passes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from bot.core.delivery import DeliveryQueue
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import DeliveryError, Destination, Outbound, OutboundPort, PermanentError
from bot.core.ticks import tick_until_stopped
from bot.core.types import PhotoReply, Reply, TextReply
from bot.services.reminders import ReminderSchedule
from bot.storage.database import Database
from bot.storage.leases import JobLease
from bot.storage.models import utcnow
from bot.study import announce, attendance, chart, completion, lifecycle, service
from bot.study import messages as texts
from bot.study.dates import shown
from bot.study.models import StudyCampaign
from knowledge.text import shorten

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudyConfig:
    interval: float = 30.0  # seconds between ticks
    reminders: ReminderSchedule = field(default_factory=lambda: ReminderSchedule.parse("72,24"))
    attendance: attendance.AttendanceRules = field(default_factory=attendance.AttendanceRules)
    validity_interval: float = 600.0  # seconds between looks at the documents' validity
    lease: float = 90.0  # seconds another process waits after this one dies before it runs
    holder: str = ""  # this process's stable name (empty: one of its own, new at each start)
    clock: Callable[[], datetime] = utcnow  # the lease's clock (tests move it)


LEASE_NAME = "study-runner"


class StudyRunner:
    name = "study-runner"

    def __init__(self, db: Database, ports: Mapping[str, OutboundPort], queue: DeliveryQueue,
                 knowledge: KnowledgeBase | None, outbound: Outbound | None = None,
                 config: StudyConfig | None = None) -> None:
        self.db = db
        self.ports = dict(ports)
        self.queue = queue
        self.knowledge = knowledge
        self.outbound = outbound  # the channels' own ports (the terminal has no other)
        self.config = config or StudyConfig()
        self._wake = asyncio.Event()
        self._validity_at = float("-inf")
        self.reported: asyncio.Queue[int] = asyncio.Queue()  # final reports sent (tests wait)
        self.lease = JobLease(db, LEASE_NAME, self.config.holder, self.config.lease,
                              self.config.clock)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await tick_until_stopped(self.tick, stop, self._wake, self.config.interval,
                                     "study runner")
        finally:
            await self.lease.release()  # another process may take over at once

    async def tick(self) -> bool:
        """One round of the work, if this process holds the runner's lease: whether it did."""
        if not await self.lease.lead():
            return False
        now = utcnow()
        await self.db.run(attendance.auto_close, self.config.attendance, now)
        queued = 0
        for campaign in await self.db.run(lifecycle.open_campaigns):
            assert campaign.id is not None
            try:
                queued += await self.db.run(self._campaign_tick, campaign.id)
            except Exception:
                logger.exception("study runner: campaign %s", campaign.id)
        if queued:
            self.queue.wake()
        await self.db.run(lifecycle.close_due)
        for campaign_id in await self.db.run(lifecycle.unreported):
            if await self.db.run(lifecycle.take_report_turn, campaign_id):
                await self._final_report(campaign_id)
        clock = asyncio.get_running_loop().time()
        if self.knowledge is not None and clock - self._validity_at >= self.config.validity_interval:
            self._validity_at = clock
            await self._check_documents()
        return True

    def _campaign_tick(self, session: Session, campaign_id: int) -> int:
        now = utcnow()
        campaign = session.get(StudyCampaign, campaign_id)
        if campaign is None or campaign.status != "open":
            return 0
        service.sync_participants(session, campaign, now=now)
        private, groups = announce.announce_pending(session, campaign, self.queue, now)
        queued = private + groups + announce.send_self_study(session, campaign, self.queue, now)
        return queued + announce.send_reminders(session, campaign, self.queue,
                                                self.config.reminders, now)

    # --- to the author ---------------------------------------------------------------------
    def _port(self, platform: str | None) -> OutboundPort | None:
        if not platform:
            return None
        port = self.ports.get(platform)
        if port is None and self.outbound is not None:
            port = self.outbound.port(platform)
        return port

    async def _to_author(self, campaign: StudyCampaign, replies: list[Reply]) -> bool | None:
        """Send to the chat the campaign was composed in: True sent, False a transient
        failure (try again), None nowhere to send or refused for good."""
        port = self._port(campaign.origin_platform)
        if port is None or not campaign.origin_chat_id:
            return None
        try:
            await port.send(Destination(campaign.origin_chat_id), replies)
        except PermanentError as exc:
            logger.warning("study campaign %s: author not reached: %s", campaign.id, exc)
            return None
        except DeliveryError as exc:
            logger.info("study campaign %s: author not reached, retried next tick: %s",
                        campaign.id, exc)
            return False
        return True

    async def _final_report(self, campaign_id: int) -> None:
        def compute(session: Session) -> tuple[StudyCampaign, completion.Completion]:
            campaign = service.find(session, campaign_id)
            return campaign, completion.compute(session, campaign)

        campaign, report = await self.db.run(compute)
        image = await asyncio.to_thread(chart.png, report)
        header = texts.REPORT_FINAL.format(id=campaign_id, deadline=shown(campaign.deadline_at))
        sent = await self._to_author(campaign, [
            TextReply(f"{header}\n{completion.text(report)}"),
            PhotoReply(image, shorten(texts.CHART_TITLE.format(id=campaign_id, title=campaign.title), 1000),
                       f"hoctap-{campaign_id}.png")])
        if sent is False:  # give the turn back: the next tick tries again
            await self.db.run(_report_again, campaign_id)
            return
        logger.info("study campaign %s: final report %s", campaign_id,
                    "sent" if sent else "has no chat to go to")
        self.reported.put_nowait(campaign_id)

    async def _check_documents(self) -> None:
        assert self.knowledge is not None
        for campaign in await self.db.run(lifecycle.open_campaigns):
            if not campaign.doc_id or campaign.id is None:
                continue
            state, note = lifecycle.doc_state(await self.knowledge.overview(campaign.doc_id))
            if await self.db.run(lifecycle.record_doc_state, campaign.id, state, note):
                what = (texts.VALIDITY_DELETED if state == "deleted"
                        else texts.VALIDITY_REPLACED.format(note=note))
                await self._to_author(campaign, [TextReply(texts.VALIDITY_NOTICE.format(
                    id=campaign.id, document=announce.document_name(campaign), state=what))])


def _report_again(session: Session, campaign_id: int) -> None:
    session.exec(update(StudyCampaign).where(  # type: ignore[call-overload]
        col(StudyCampaign.id) == campaign_id).values(report_sent=False))


__all__ = ["LEASE_NAME", "StudyConfig", "StudyRunner"]
