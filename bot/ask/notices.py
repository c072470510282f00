"""Telling members that their question now has an official answer: the `AnswerNotice`
outbox and its worker, which also keeps trying to join waiting answers to the store.

The outbox is the broadcast outbox's design on a small table (bot/broadcast/outbox.py has the
reasoning): a tick claims due rows with a lease (`bot.storage.leases`: `FOR UPDATE SKIP
LOCKED` on PostgreSQL, so several processes never take one row), only for platforms this
process has a port for; each is paced at its platform's rate (`bot.core.ratelimit`), sent
through the outbound port, and its result written at once. A transient failure waits
(`retry_after`, else 2 s doubled per attempt, at most 10 minutes) up to `max_attempts`; a
chat that is gone is marked unreachable (bot.services.reachability) and the notice failed; a
group that moved is followed. A process that dies holding rows gives them back when their
lease passes; the only repeats possible are rows sent but not yet recorded at the crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from bot.ask import official
from bot.ask.joining import Joiner
from bot.ask.models import AnswerNotice, OfficialAnswer
from bot.core.outbound import ChatMoved, Destination, OutboundPort, PermanentError, TransientError, Unreachable
from bot.core.ratelimit import RateLimiter
from bot.services import reachability
from bot.storage import leases
from bot.storage.leases import new_worker_id
from bot.storage.database import Database
from bot.storage.models import QuestionLog, utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticeConfig:
    interval: float = 5.0  # seconds between looks at the outbox when not woken
    store_retry: float = 30.0  # seconds between tries to join waiting answers to the store
    lease: timedelta = timedelta(seconds=60)
    batch: int = 50
    max_attempts: int = 8


@dataclass(frozen=True)
class _Prepared:
    id: int
    platform: str
    chat_id: str
    kind: str
    text: str
    attempts: int


class NoticeWorker:
    name = "official-answer-notices"

    def __init__(self, db: Database, ports: Mapping[str, OutboundPort], joiner: Joiner,
                 config: NoticeConfig = NoticeConfig(), *, worker_id: str | None = None) -> None:
        self.db = db
        self.ports = dict(ports)
        self.joiner = joiner
        self.config = config
        self.worker_id = worker_id or new_worker_id()
        self.limiters = {p: RateLimiter(port.limits) for p, port in self.ports.items()}
        self._wake = asyncio.Event()
        self._store_due = 0.0  # loop time of the next try to join the store

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.tick()
                if loop.time() >= self._store_due:
                    self._store_due = loop.time() + self.config.store_retry
                    await self.joiner.join()
            except Exception:  # a database hiccup must not end the loop
                logger.exception("official answer notices: tick failed")
            waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
            await asyncio.wait(waiters, timeout=self.config.interval,
                               return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def tick(self) -> int:
        """Send what is due now; how many were sent."""
        if not self.ports:
            return 0
        claimed = await self.db.run(self._claim)
        sent = 0
        for notice in claimed:
            sent += await self._send(notice)
        return sent

    def _claim(self, session: Session) -> list[_Prepared]:
        now = utcnow()
        platforms = list(self.ports)
        due = and_(col(AnswerNotice.platform).in_(platforms), or_(
            and_(col(AnswerNotice.status) == "pending", col(AnswerNotice.next_attempt_at) <= now),
            and_(col(AnswerNotice.status) == "sending", col(AnswerNotice.lease_until) < now)))
        ids = leases.claim(session, AnswerNotice, due, [col(AnswerNotice.next_attempt_at)],
                           self.config.batch, {"status": "sending", "claimed_by": self.worker_id,
                                               "lease_until": now + self.config.lease})
        out = []
        for notice_id in ids:
            notice = session.get(AnswerNotice, notice_id)
            answer = session.get(OfficialAnswer, notice.answer_id) if notice else None
            asked = session.get(QuestionLog, notice.question_id) if notice else None
            if notice is None or answer is None or asked is None:
                continue
            session.refresh(notice)
            name = (official.display_name(session, notice.person_id, notice.platform)
                    if notice.chat_kind == "group" else None)
            assert notice.id is not None
            out.append(_Prepared(notice.id, notice.platform, notice.chat_id, notice.chat_kind,
                                 official.notice_text(answer, asked.text, name or None),
                                 notice.attempts))
        return out

    async def _send(self, notice: _Prepared) -> int:
        port = self.ports[notice.platform]
        await self.limiters[notice.platform].acquire()
        to = Destination(notice.chat_id, "group" if notice.kind == "group" else "private")
        try:
            await port.send_text(to, notice.text)
        except ChatMoved as moved:
            await self.db.run(self._record, notice.id, "pending", None, moved.new_chat_id, 0.0)
            return 0
        except TransientError as exc:
            attempts = notice.attempts + 1
            if attempts >= self.config.max_attempts:
                await self.db.run(self._record, notice.id, "failed", exc.reason, None, 0.0)
            else:
                delay = exc.retry_after if exc.retry_after is not None else min(2.0 * 2 ** attempts, 600.0)
                await self.db.run(self._record, notice.id, "pending", exc.reason, None, delay)
            return 0
        except Unreachable as exc:
            await self.db.run(self._gone, notice, exc.reason)
            return 0
        except PermanentError as exc:
            await self.db.run(self._record, notice.id, "failed", exc.reason, None, 0.0)
            return 0
        await self.db.run(self._record, notice.id, "sent", None, None, 0.0)
        return 1

    def _record(self, session: Session, notice_id: int, status: str, error: str | None,
                moved_to: str | None, delay: float) -> None:
        notice = session.get(AnswerNotice, notice_id)
        if notice is None:
            return
        now = utcnow()
        if status == "sent":  # whoever holds it now: it did go out
            notice.status, notice.sent_at, notice.last_error = "sent", now, None
        elif notice.claimed_by == self.worker_id and notice.status == "sending":
            notice.status = status
            notice.last_error = error[:300] if error else None
            notice.attempts += 0 if moved_to else 1
            notice.next_attempt_at = now + timedelta(seconds=delay)
            if moved_to:
                notice.chat_id = moved_to[:64]
        notice.lease_until = None
        session.add(notice)
        logger.info("official answer notice %s: %s%s", notice_id, status,
                    f" ({error})" if error else "")

    def _gone(self, session: Session, notice: _Prepared, reason: str) -> None:
        reachability.mark_unreachable(session, notice.platform, notice.chat_id, notice.kind, reason)
        self._record(session, notice.id, "failed", reason, None, 0.0)


__all__ = ["NoticeConfig", "NoticeWorker"]
