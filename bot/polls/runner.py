"""The poll runner: everything about polls that happens without anyone writing, driven by
the database so that a restart loses nothing (started by `tuyengiao run`, like the broadcast
worker).

Each tick (every `interval` seconds, or at once when woken):
1. post the pending PollMessages of open polls (a native poll on Telegram, a numbered text on
   Zalo); a chat that cannot be reached (blocked, bot removed from the group) is marked
   `failed` and logged, a transient failure is retried next tick;
2. close the open polls whose deadline has passed (an anonymous poll forgets its voters in
   that same transaction: bot.polls.anonymity);
3. finish closed polls: stopPoll each Telegram message still open (its final counts are
   recorded; a message deleted by a group admin or a group the bot left gives an error that
   is logged and the message marked `stop_failed`; the poll is closed regardless), wipe an
   anonymous poll's private chats, then send the final results to the officer once
   (`results_sent` false → true decides who sends, so two runners never both do).

Chat ids of private chats are never logged (for an anonymous poll they are its voters).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.broadcast.ratelimit import RateLimiter
from bot.broadcast.transport import PermanentError, RateLimits, TransientError
from bot.polls import anonymity, chart, results, service
from bot.polls.models import Poll, PollMessage
from bot.polls.senders import PollSender
from bot.storage.database import Database
from bot.storage.models import utcnow
from knowledge import messages as texts

logger = logging.getLogger(__name__)

STOP_GIVE_UP = timedelta(minutes=10)  # transient stopPoll failures after this: stop_failed


@dataclass(frozen=True)
class RunnerConfig:
    interval: float = 5.0
    batch: int = 100
    concurrency: int = 8


class PollRunner:
    def __init__(self, db: Database, senders: dict[str, PollSender],
                 config: RunnerConfig = RunnerConfig(),
                 limits: dict[str, RateLimits] | None = None) -> None:
        self.db = db
        self.senders = senders
        self.config = config
        # Posting is paced at each platform's overall rate (the broadcast settings): a poll
        # to thousands of members must not trip flood control.
        self._pacers = {platform: RateLimiter(limit) for platform, limit in (limits or {}).items()}
        self._wake = asyncio.Event()
        self.finished: asyncio.Queue[int] = asyncio.Queue()  # poll ids whose results went out

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.tick()
            except Exception:  # a database hiccup must not end the loop
                logger.exception("poll runner: tick failed")
            waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
            await asyncio.wait(waiters, timeout=self.config.interval,
                               return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def tick(self) -> None:
        await self._post_pending()
        for poll in await self.db.run(service.due):
            await self.db.run(_close, poll.id)
        for poll_id in await self.db.run(_closed_unfinished):
            await self._finish(poll_id)

    # --- posting -------------------------------------------------------------------------
    async def _post_pending(self) -> None:
        pending = await self.db.run(_pending, list(self.senders), self.config.batch)
        gate = asyncio.Semaphore(self.config.concurrency)

        async def post(message: PollMessage, poll: Poll) -> None:
            async with gate:
                if (pacer := self._pacers.get(message.platform)) is not None:
                    await pacer.acquire()
                try:
                    message_id, poll_ref = await self.senders[message.platform].post(
                        message.chat_id, poll, message.chat_kind)
                except TransientError as exc:
                    logger.warning("poll %s: message %s: %s (retrying)", poll.id, message.id,
                                   exc.reason)
                    return
                except PermanentError as exc:
                    logger.warning("poll %s: message %s (%s %s) not posted: %s", poll.id,
                                   message.id, message.platform, message.chat_kind, exc.reason)
                    await self.db.run(_set, message.id, status="failed", error=exc.reason)
                    return
                await self.db.run(_set, message.id, status="sent", message_id=message_id,
                                  telegram_poll_id=poll_ref)

        await asyncio.gather(*(post(m, p) for m, p in pending))

    # --- closing -------------------------------------------------------------------------
    async def _finish(self, poll_id: int) -> None:
        poll, open_messages = await self.db.run(_open_messages, poll_id)
        for message in open_messages:
            sender = self.senders.get(message.platform)
            if sender is None or message.message_id is None:
                await self.db.run(_set, message.id, status="stop_failed", error="no sender")
                continue
            try:
                final = await sender.stop(message.chat_id, message.message_id)
            except TransientError as exc:
                closed_at = poll.closed_at or utcnow()
                if utcnow() - closed_at < STOP_GIVE_UP:
                    logger.warning("poll %s: stopping message %s: %s (retrying)", poll_id,
                                   message.id, exc.reason)
                    return  # next tick
                await self.db.run(_set, message.id, status="stop_failed", error=exc.reason)
                continue
            except PermanentError as exc:
                # Deleted by a group admin, the bot removed from the group: nothing to stop.
                logger.warning("poll %s: message %s (%s) could not be stopped: %s", poll_id,
                               message.id, message.chat_kind, exc.reason)
                await self.db.run(_set, message.id, status="stop_failed", error=exc.reason)
                continue
            values: dict[str, object] = {"status": "stopped"}
            if final is not None and poll.anonymous:
                values.update(counts_json=json.dumps(final[0]), voters=final[1])
            await self.db.run(_set, message.id, **values)
        if poll.anonymous:
            await self.db.run(anonymity.forget_private_chats, poll_id)
        if await self.db.run(_claim_results, poll_id):
            await self._send_results(poll)
            self.finished.put_nowait(poll_id)

    async def _send_results(self, poll: Poll) -> None:
        assert poll.id is not None
        sender = self.senders.get(poll.origin_platform or "")
        if sender is None or not poll.origin_chat_id:
            return  # created from the CLI: `tuyengiao poll results` shows them

        def compute(session: Session) -> tuple[str, results.PollResults]:
            fresh = session.get(Poll, poll.id)
            assert fresh is not None
            found = results.compute(session, fresh)
            return results.text(found, fresh, results.named_votes(session, fresh)), found

        table, found = await self.db.run(compute)
        image = await asyncio.to_thread(chart.png, found)
        caption = texts.POLL_CHART_FOOTER.format(id=poll.id, voters=found.voters)
        try:
            await sender.send_text(poll.origin_chat_id,
                                   texts.POLL_FINAL_TITLE.format(id=poll.id) + "\n\n" + table)
            await sender.send_photo(poll.origin_chat_id, image, caption, f"khaosat-{poll.id}.png")
        except (TransientError, PermanentError) as exc:
            logger.warning("poll %s: final results not delivered: %s", poll.id, exc.reason)


# --- units of work --------------------------------------------------------------------------


def _pending(session: Session, platforms: list[str], limit: int) -> list[tuple[PollMessage, Poll]]:
    rows = session.exec(
        select(PollMessage, Poll).join(Poll, col(Poll.id) == col(PollMessage.poll_id))
        .where(col(Poll.status) == "open", col(PollMessage.status) == "pending",
               col(PollMessage.platform).in_(platforms))
        .order_by(col(PollMessage.id)).limit(limit)).all()
    return [(m, p) for m, p in rows]


def _set(session: Session, row_id: int | None, **values: object) -> None:
    session.execute(update(PollMessage).where(col(PollMessage.id) == row_id).values(**values))


def _close(session: Session, poll_id: int | None) -> None:
    poll = session.get(Poll, poll_id)
    if poll is not None and service.close_unchecked(session, poll):
        logger.info("poll %s: deadline reached", poll_id)


def _closed_unfinished(session: Session) -> list[int]:
    return [p for p in session.exec(select(Poll.id).where(
        col(Poll.status) == "closed", col(Poll.results_sent) == False)).all()  # noqa: E712
        if p is not None]


def _open_messages(session: Session, poll_id: int) -> tuple[Poll, list[PollMessage]]:
    poll = session.get(Poll, poll_id)
    assert poll is not None
    messages = session.exec(select(PollMessage).where(
        col(PollMessage.poll_id) == poll_id, col(PollMessage.status) == "sent")).all()
    return poll, list(messages)


def _claim_results(session: Session, poll_id: int) -> bool:
    return bool(session.execute(update(Poll).where(
        col(Poll.id) == poll_id, col(Poll.results_sent) == False)  # noqa: E712
        .values(results_sent=True)).rowcount)


__all__ = ["PollRunner", "RunnerConfig"]

