"""The officer's view while a broadcast runs: one progress message edited in place, and the
final report per unit when the last delivery is settled.

Every worker runs this loop; the database decides which one acts, so several workers never
edit one message twice in an interval nor send two final reports:
- scheduled broadcasts whose time has come turn `sending` (one UPDATE, any worker);
- the progress edit is claimed by moving `progress_updated_at` forward with a conditional
  UPDATE (only the worker whose UPDATE matched edits);
- a platform that cannot edit messages (Zalo: the transport's `can_edit = False`) gets no
  live message: a new progress message every `progress_interval_no_edit` seconds while it
  runs (none in the first interval, so a short broadcast gets its final report only), with
  the same claim deciding which worker sends it;
- closing is `UPDATE ... SET status='done' WHERE status='sending'` and the report is sent by
  whoever flips `report_sent` from false to true.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from bot.broadcast import outbox
from bot.broadcast.models import Broadcast, BroadcastEvent
from bot.broadcast.report import delivery_report, final_text, progress_text
from bot.broadcast.text_replies import typed_hint
from bot.core.outbound import ChatMoved, DeliveryError, Destination, OutboundPort, TransientError
from bot.core.types import NETWORK_PLATFORMS, Action, TextReply
from bot.storage.database import Database
from bot.storage.models import utcnow
from bot.broadcast import messages as broadcast_texts
if TYPE_CHECKING:
    from bot.broadcast.worker import WorkerConfig

logger = logging.getLogger(__name__)

MAX_REPORT_WAIT = 30.0  # seconds: a longer flood wait gives up (the officer can /tiendo)
T = TypeVar("T")


def start_due(session: Session, now: datetime) -> int:
    result = session.exec(  # type: ignore[call-overload]
        update(Broadcast)
        .where(col(Broadcast.status) == "scheduled", col(Broadcast.scheduled_at) <= now)
        .values(status="sending")
    )
    return int(result.rowcount or 0)


def active(session: Session) -> list[tuple[int, str | None]]:
    """(id, origin platform) of broadcasts that are sending, or cancelled/done without their
    final report yet."""
    return list(session.exec(
        select(Broadcast.id, Broadcast.origin_platform).where(or_(
            col(Broadcast.status) == "sending",
            (col(Broadcast.status).in_(["cancelled", "done"]))
            & col(Broadcast.report_sent).is_(False),
        ))
    ).all())


def take_progress_turn(session: Session, broadcast_id: int, now: datetime,
                       interval: timedelta) -> bool:
    result = session.exec(  # type: ignore[call-overload]
        update(Broadcast)
        .where(col(Broadcast.id) == broadcast_id,
               or_(col(Broadcast.progress_updated_at).is_(None),
                   col(Broadcast.progress_updated_at) <= now - interval))
        .values(progress_updated_at=now)
    )
    return bool(result.rowcount)


def close_if_settled(session: Session, broadcast_id: int, now: datetime) -> bool:
    """Mark a sending broadcast done once no delivery is open; True for the worker that did."""
    counts = outbox.status_counts(session, broadcast_id)
    if counts.get("pending", 0) or counts.get("sending", 0):
        return False
    result = session.exec(  # type: ignore[call-overload]
        update(Broadcast).where(col(Broadcast.id) == broadcast_id,
                                col(Broadcast.status) == "sending")
        .values(status="done", finished_at=now)
    )
    if result.rowcount:
        session.add(BroadcastEvent(broadcast_id=broadcast_id, action="finished",
                                   detail=f"sent {counts.get('sent', 0)}, failed "
                                          f"{counts.get('failed_permanent', 0)}"))
        return True
    return False


def take_report_turn(session: Session, broadcast_id: int) -> bool:
    result = session.exec(  # type: ignore[call-overload]
        update(Broadcast).where(
            col(Broadcast.id) == broadcast_id, col(Broadcast.report_sent).is_(False),
            col(Broadcast.status).in_(["done", "cancelled"]))
        .values(report_sent=True)
    )
    return bool(result.rowcount)


def save_progress_message(session: Session, broadcast_id: int, message_id: str) -> None:
    session.exec(  # type: ignore[call-overload]
        update(Broadcast).where(col(Broadcast.id) == broadcast_id)
        .values(progress_message_id=message_id)
    )


def snapshot(session: Session, broadcast_id: int) -> tuple[Broadcast, str, str, int]:
    """The broadcast, its progress and final texts, and the number officers know it by
    (what the buttons carry: `bc:<number>:stop`)."""
    broadcast = session.get(Broadcast, broadcast_id)
    assert broadcast is not None
    report = delivery_report(session, broadcast)
    return broadcast, progress_text(report), final_text(report), report.number


class ProgressReporter:
    def __init__(self, db: Database, transports: Mapping[str, OutboundPort], config: WorkerConfig,
                 finished: asyncio.Queue[int]) -> None:
        self.db = db
        self.transports = transports
        self.interval = config.progress_interval
        self.interval_no_edit = config.progress_interval_no_edit
        self.poll = config.poll_interval
        self.finished = finished

    async def run(self, stop: asyncio.Event, wake: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                logger.exception("broadcast progress: tick failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=min(self.poll, self.interval))
            except TimeoutError:
                pass

    async def tick(self) -> None:
        now = utcnow()
        await self.db.run(start_due, now)
        for broadcast_id, origin in await self.db.run(active):
            closed = await self.db.run(close_if_settled, broadcast_id, now)
            # Broadcasts composed elsewhere (the terminal, the CLI) get no live progress:
            # `/tiendo` and `tuyengiao broadcast status` show it.
            if origin in NETWORK_PLATFORMS and origin not in self.transports:
                continue  # the officer is on a platform another worker serves
            if await self.db.run(take_report_turn, broadcast_id):
                await self._final(broadcast_id)
                self.finished.put_nowait(broadcast_id)
            elif not closed and await self.db.run(
                    take_progress_turn, broadcast_id, now,
                    timedelta(seconds=self._interval(origin))):
                await self._progress(broadcast_id)

    def _interval(self, origin: str | None) -> float:
        transport = self.transports.get(origin or "")
        return self.interval if _can_edit(transport) else self.interval_no_edit

    async def _progress(self, broadcast_id: int) -> None:
        broadcast, text, _, number = await self.db.run(snapshot, broadcast_id)
        if broadcast.status != "sending":
            return
        if not _can_edit(self._origin(broadcast)):
            started = broadcast.scheduled_at or broadcast.confirmed_at or broadcast.created_at
            if (utcnow() - started).total_seconds() < self.interval_no_edit:
                return  # the first turn, at the start: the officer was just told it is sending
        stop = (Action(broadcast_texts.BROADCAST_STOP_BUTTON, f"bc:{number}:stop"),)
        await self._show(broadcast, text, stop)

    async def _final(self, broadcast_id: int) -> None:
        broadcast, text, report, number = await self.db.run(snapshot, broadcast_id)
        transport = self._origin(broadcast)
        if transport is None:
            return
        if _can_edit(transport):  # a new "done" message would only repeat the report
            await self._show(broadcast, text, ())
        actions: tuple[Action, ...] = ()
        if broadcast.require_confirmation and not broadcast.parent_id:
            actions = (Action(broadcast_texts.BROADCAST_LIST_BUTTON, f"bc:{number}:list"),
                       Action(broadcast_texts.BROADCAST_REMIND_BUTTON, f"bc:{number}:remind"))
        try:
            await self._to_origin(broadcast, lambda chat_id: transport.send(
                Destination(chat_id), [officer_reply(transport, report, actions)]))
        except DeliveryError as exc:
            logger.warning("broadcast %s: final report not delivered: %s", broadcast_id, exc)

    async def _show(self, broadcast: Broadcast, text: str, actions: tuple[Action, ...]) -> None:
        """Edit the progress message in place (send it the first time)."""
        transport = self._origin(broadcast)
        if transport is None or broadcast.id is None:
            return
        shown = broadcast.progress_message_id
        try:
            if shown and _can_edit(transport):
                await _retrying(lambda: transport.edit(
                    Destination(broadcast.origin_chat_id or ""), shown,
                    officer_reply(transport, text, actions)))
            else:
                message_id = await self._to_origin(broadcast, lambda chat_id: transport.send(
                    Destination(chat_id), [officer_reply(transport, text, actions)]))
                await self.db.run(save_progress_message, broadcast.id, message_id)
        except DeliveryError as exc:
            logger.warning("broadcast %s: progress not shown: %s", broadcast.id, exc)

    async def _to_origin(self, broadcast: Broadcast, send: Callable[[str], Awaitable[T]]) -> T:
        """Send to the officer's chat (flood waits retried); if that chat moved (a Telegram
        group upgraded to a supergroup), re-point the stored chat and send at the new id."""
        assert broadcast.origin_chat_id is not None and broadcast.origin_platform is not None
        chat_id = broadcast.origin_chat_id
        try:
            return await _retrying(lambda: send(chat_id))
        except ChatMoved as moved:
            await self.db.run(outbox.move_chat, broadcast.origin_platform, chat_id,
                              moved.new_chat_id)
            return await _retrying(lambda: send(moved.new_chat_id))

    def _origin(self, broadcast: Broadcast) -> OutboundPort | None:
        if not broadcast.origin_platform or not broadcast.origin_chat_id:
            return None  # sent from the CLI: `tuyengiao broadcast status` shows it
        return self.transports.get(broadcast.origin_platform)


def _can_edit(transport: OutboundPort | None) -> bool:
    """Whether the officer's platform edits messages (Zalo does not)."""
    return transport is None or transport.capabilities.edits


def officer_reply(port: OutboundPort, text: str, actions: tuple[Action, ...]) -> TextReply:
    """The officer's buttons, or on a platform without buttons the typed commands that stand
    in for them ("Gõ /dunggui 5 để dừng gửi"): these messages may come from a worker in
    another process, where a numbered hint could not be answered."""
    if port.capabilities.buttons:
        return TextReply(text, actions)
    hint = typed_hint(actions)
    return TextReply(f"{text.strip()}\n\n{hint}" if hint else text.strip())


async def _retrying(call: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """The officer's progress and report: a flood-control answer or a network hiccup must
    not lose them, so wait as told (or a second) and try again, a few times."""
    for attempt in range(attempts):
        try:
            return await call()
        except TransientError as exc:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(min(exc.retry_after or 1.0, MAX_REPORT_WAIT))
    raise AssertionError("unreachable")


__all__ = ["ProgressReporter", "active", "close_if_settled", "officer_reply", "start_due"]
