"""The poll runner: everything about polls that happens without anyone writing, driven by
the database so that a restart loses nothing (started by `tuyengiao run`, like the broadcast
worker).

Each tick (every `interval` seconds, or at once when woken):
1. post the pending PollMessages of open polls (a native poll on Telegram, a numbered text on
   Zalo); a chat that cannot be reached (blocked, bot removed from the group) is marked
   `unreachable`, its identity or group too (bot.services.reachability), and logged (other
   refusals: `failed`), a transient failure is retried next tick, a group that moved (a Telegram group
   upgraded to a supergroup) is re-pointed and posted to at its new id;
2. close the open polls whose deadline has passed (an anonymous poll forgets its voters in
   that same transaction: bot.polls.anonymity);
3. finish closed polls: stopPoll each Telegram poll still open (its final counts are
   recorded; a message deleted by a group admin or a group the bot left gives an error that
   is logged and the message marked `stop_failed`; the poll is closed regardless), wipe an
   anonymous poll's private chats and purge the deleted rows from the database files, then
   send the final results to the officer once (`results_sent` false → true decides who
   sends, so two runners never both do).

An anonymous poll on a platform whose sender `forwards_polls` (Telegram) is posted once per
unit and forwarded to the unit's other chats: a forwarded poll is the same poll, so Telegram
counts every copy's votes together and no chat has counts of its own (one poll per private
chat would store each member's choice as that chat's counts). The original goes to the
unit's registered group when it has one (the group gets the poll anyway), otherwise to the
first member's private chat (ordered by row): not to the officer's chat, whose vote would
then count in every unit they target, and which a poll from the CLI does not have. If the
original cannot be posted (403), the unit's next chat takes its place; its forwards wait.

Several serving processes on one database each run a runner, but one at a time does the
work: a tick starts by taking (or keeping) the `poll-runner` work lease (bot.storage.leases,
`RunnerConfig.lease` seconds, renewed every third of it while posting or stopping), and a
runner that does not hold it does nothing that tick. Posting a message, stopping a poll and
purging are not idempotent (two runners would post a poll twice, or record a second stopPoll's
refusal over the first's counts), so they are not shared out. The holder is the process's
stable name (`holder`): a restarted process takes its lease back at once; another one takes
it when the lease passes (a clean stop gives it up at once).

Chat ids of private chats are never logged (for an anonymous poll they are its voters).
The database steps (one transaction each) are in bot.polls.runner_steps.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from bot.core.outbound import (
    ChatMoved,
    DeliveryError,
    Destination,
    OutboundPort,
    PermanentError,
    RateLimits,
    TransientError,
)
from bot.core.ticks import tick_until_stopped
from bot.core.types import PhotoReply
from bot.polls import anonymity, chart, results, service, votes
from bot.polls import runner_steps as steps
from bot.polls.models import Poll
from bot.polls.posting import poll_spec
from bot.core.ratelimit import RateLimiter
from bot.storage.leases import JobLease
from bot.storage.database import Database
from bot.storage.models import utcnow
from bot.polls import messages as poll_texts

logger = logging.getLogger(__name__)

STOP_GIVE_UP = timedelta(minutes=10)  # transient stopPoll failures after this: stop_failed
MAX_ROUNDS = 5  # posting rounds per tick (originals, then forwards, then retries of a unit)
LEASE_NAME = "poll-runner"


@dataclass(frozen=True)
class RunnerConfig:
    interval: float = 5.0
    batch: int = 100
    concurrency: int = 8
    lease: float = 30.0  # seconds another process waits after this one dies before it runs polls
    holder: str = ""  # this process's stable name (empty: one of its own, new at each start)


class _Deposed(Exception):
    """Another process took the runner's lease during a tick (this one stalled past it)."""


class PollRunner:
    name = "poll-runner"

    def __init__(self, db: Database, senders: dict[str, OutboundPort],
                 config: RunnerConfig = RunnerConfig(),
                 limits: dict[str, RateLimits] | None = None) -> None:
        self.db = db
        self.senders = senders
        self.config = config
        # Posting is paced at each platform's overall rate (the broadcast settings): a poll
        # to thousands of members must not trip flood control.
        self._pacers = {platform: RateLimiter(limit) for platform, limit in (limits or {}).items()}
        self._wake = asyncio.Event()
        self._purge_due = True  # once after a start, then after each anonymous poll's close
        self._purge_failing = False
        self._lease = JobLease(db, LEASE_NAME, config.holder, config.lease)
        self.holder = self._lease.holder
        self.finished: asyncio.Queue[int] = asyncio.Queue()  # poll ids whose results went out

    def wake(self) -> None:
        self._wake.set()

    @property
    def purge_pending(self) -> bool:
        """True until deleted anonymous-poll rows are scrubbed from the database files (a
        purge that met another open transaction waits for a later tick)."""
        return self._purge_due

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await tick_until_stopped(self.tick, stop, self._wake, self.config.interval,
                                     "poll runner")
        finally:
            await self._lease.release()  # another process may take over at once

    async def tick(self) -> None:
        """One round of the work, if this process holds the runner's lease."""
        if not await self._lead():
            return
        try:
            await self._post_pending()
            for poll in await self.db.run(service.due):
                await self.db.run(steps.close_due, poll.id)
            for poll_id in await self.db.run(steps.closed_unfinished):
                await self._finish(poll_id)
            await self._purge()
        except _Deposed:
            logger.warning("poll runner: another process took over the polls mid-way")

    async def _lead(self) -> bool:
        """Take or keep the runner's lease (a database write every third of it at most)."""
        return await self._lease.lead()

    async def _still_leading(self) -> None:
        if not await self._lead():
            raise _Deposed

    # --- posting -------------------------------------------------------------------------
    async def _post_pending(self) -> None:
        # Rounds: forwards wait for their unit's original, and a unit whose original failed
        # (or moved) tries again; a round in which nothing changed ends the posting.
        waiting: set[int | None] = set()  # a transient failure this tick: next tick
        for _ in range(MAX_ROUNDS):
            ready = [item for item in await self.db.run(steps.ready_messages, self.senders,
                                                        self.config.batch)
                     if item[0].id not in waiting]
            if not ready:
                return
            gate = asyncio.Semaphore(self.config.concurrency)

            async def post(item: steps.Ready) -> bool:
                async with gate:
                    changed = await self._post(item)
                if not changed:
                    waiting.add(item[0].id)
                return changed

            if not any(await asyncio.gather(*(post(item) for item in ready))):
                return

    async def _post(self, item: steps.Ready) -> bool:
        """Post (or forward) one message; True when its row changed."""
        message, poll, source = item
        if (pacer := self._pacers.get(message.platform)) is not None:
            await pacer.acquire()
        await self._still_leading()
        sender = self.senders[message.platform]
        try:
            to = Destination(message.chat_id, message.chat_kind)  # type: ignore[arg-type]
            if source is not None:
                message_id = await sender.forward(to, *source[1:])
                poll_ref = None
            else:
                # A numbered text says how to name this poll where another is open there.
                several = not sender.capabilities.native_polls and bool(await self.db.run(
                    votes.open_polls_in_chat, message.platform, message.chat_id, poll.id))
                sent = await sender.send_poll(to, poll_spec(poll, message.chat_kind, several))
                message_id, poll_ref = sent.message_id, sent.poll_id
        except ChatMoved as moved:
            logger.info("poll %s: message %s: the group moved to %s", poll.id, message.id,
                        moved.new_chat_id)
            await self.db.run(service.move_chat, message.platform, message.chat_id,
                              moved.new_chat_id)
            return True
        except TransientError as exc:
            logger.warning("poll %s: message %s: %s (retrying)", poll.id, message.id, exc.reason)
            return False
        except PermanentError as exc:
            logger.warning("poll %s: message %s (%s %s) not posted: %s", poll.id, message.id,
                           message.platform, message.chat_kind, exc.reason)
            await self.db.run(steps.mark_failed, message, exc)
            return True
        await self.db.run(steps.set_message, message.id, status="sent", message_id=message_id,
                          telegram_poll_id=poll_ref,
                          forwarded_from=source[0] if source is not None else None)
        return True

    # --- closing -------------------------------------------------------------------------
    async def _finish(self, poll_id: int) -> None:
        poll, open_messages = await self.db.run(steps.open_messages, poll_id)
        for message in open_messages:
            await self._still_leading()
            sender = self.senders.get(message.platform)
            if sender is None or message.message_id is None:
                await self.db.run(steps.set_message, message.id, status="stop_failed",
                                  error="no sender")
                continue
            try:
                final = await sender.stop_poll(message.chat_id, message.message_id)
            except ChatMoved as moved:  # the group moved: stop it there next tick
                await self.db.run(service.move_chat, message.platform, message.chat_id,
                                  moved.new_chat_id)
                return
            except TransientError as exc:
                closed_at = poll.closed_at or utcnow()
                if utcnow() - closed_at < STOP_GIVE_UP:
                    logger.warning("poll %s: stopping message %s: %s (retrying)", poll_id,
                                   message.id, exc.reason)
                    return  # next tick
                await self.db.run(steps.set_message, message.id, status="stop_failed",
                                  error=exc.reason)
                continue
            except PermanentError as exc:
                # Deleted by a group admin, the bot removed from the group: nothing to stop.
                logger.warning("poll %s: message %s (%s) could not be stopped: %s", poll_id,
                               message.id, message.chat_kind, exc.reason)
                await self.db.run(steps.set_message, message.id, status="stop_failed",
                                  error=exc.reason)
                continue
            values: dict[str, object] = {"status": "stopped"}
            if final is not None and poll.anonymous:
                values.update(counts_json=json.dumps(final.counts), voters=final.voters)
            await self.db.run(steps.set_message, message.id, **values)
        await self.db.run(steps.settle_forwards, poll_id)
        if poll.anonymous:
            await self.db.run(anonymity.forget_private_chats, poll_id)
            self._purge_due = True
        await self._purge()
        if await self.db.run(steps.claim_results, poll_id):
            await self._send_results(poll)
            self.finished.put_nowait(poll_id)

    async def _purge(self) -> None:
        """Scrub what an anonymous poll deleted from the database files (the key, the hashed
        votes, the private chats); a purge that could not complete (another connection was
        reading) is tried again next tick. Also done once after a start: a close may have
        happened just before a crash."""
        if not self._purge_due:
            return
        try:
            self._purge_due = not await asyncio.to_thread(
                self.db.purge_deleted, anonymity.POLL_TABLES)
        except Exception as exc:  # a read-only or absent database: say so once, keep trying
            if not self._purge_failing:
                logger.error("poll runner: purging deleted poll rows failed: %s (retrying "
                             "every tick)", exc, exc_info=exc)
            self._purge_failing = True
        else:
            self._purge_failing = False

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
        caption = poll_texts.POLL_CHART_FOOTER.format(id=found.number, voters=found.voters)
        chat_id = poll.origin_chat_id
        title = poll_texts.POLL_FINAL_TITLE.format(id=found.number) + "\n\n" + table
        try:
            try:
                await sender.send_text(Destination(chat_id), title)
            except ChatMoved as moved:  # composed in a group that moved since: follow it
                await self.db.run(service.move_chat, sender.platform, chat_id,
                                  moved.new_chat_id)
                chat_id = moved.new_chat_id
                await sender.send_text(Destination(chat_id), title)
            # Platforms without uploads (Zalo's sendPhoto takes only a public URL) show the
            # chart's caption.
            await sender.send(Destination(chat_id),
                              [PhotoReply(image, caption, f"khaosat-{found.number}.png")])
        except DeliveryError as exc:
            logger.warning("poll %s: final results not delivered: %s", poll.id, exc.reason)


__all__ = ["LEASE_NAME", "PollRunner", "RunnerConfig"]

