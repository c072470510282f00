"""The delivery engine end to end: real SQLite outbox, real worker, the real Telegram
transport (python-telegram-bot) against the loopback Bot API with injected faults."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from bot.broadcast import service
from bot.broadcast.models import Broadcast, Delivery
from bot.channels.telegram.outbound import TelegramOutbound
from bot.broadcast.worker import BroadcastWorker
from bot.storage.database import Database
from bot.broadcast import messages as broadcast_texts
from tests.bot.broadcast.conftest import FAST, WAIT, finished, running_worker, sent_to
from tests.bot.broadcast.world import World
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.telegram_faults import FaultPlan, blocked, chat_not_found, flood, kicked, server_error


def start(db: Database, world: World, *, confirm: bool = True, units: list[int] | None = None,
          origin: tuple[str, str] | None = ("telegram", "901")) -> int:
    officer = world.actor(db, world.officer_id)
    draft = db.call(service.create, officer, text="Học tập Chỉ thị 05 & báo cáo <trước> 30/11.",
                    unit_ids=units or [world.district], require_confirmation=confirm,
                    origin=origin, doc_number="05-CT/TW")
    assert draft.id is not None
    db.call(service.confirm, officer, draft.id)
    return draft.id


def deliveries(db: Database, broadcast_id: int) -> dict[str, Delivery]:
    rows = db.call(lambda s: s.exec(select(Delivery).where(Delivery.broadcast_id == broadcast_id)).all())
    return {d.chat_id: d for d in rows}


async def test_every_member_and_group_gets_one_message_with_progress_and_report(
        db: Database, world: World, api: TelegramApiServer, transport: TelegramOutbound,
        faults: FaultPlan) -> None:
    slow = world.members[world.commune2][-1]
    gate = asyncio.Event()
    faults.hang_chat(slow, gate)  # keeps the broadcast running until progress has been shown
    broadcast_id = start(db, world)
    async with running_worker(db, transport) as worker:
        running = await api.wait_for("sendMessage", lambda p: str(p["chat_id"]) == world.officer_id
                                     and p["text"].startswith("📤"), timeout=WAIT)
        assert "đang chờ" in running["text"]
        gate.set()
        await finished(worker, broadcast_id)
    # The district's officer is in a target unit with a targeted role: they get it too.
    expected = world.all_members() + ["-5001", "-5002", world.officer_id]
    for chat in expected:
        got = [p for p in sent_to(api, chat) if p["text"].startswith("📢")]
        assert len(got) == 1, chat
        assert "Chỉ thị 05 &amp; báo cáo &lt;trước&gt; 30/11." in got[0]["text"]
        assert "Văn bản: 05-CT/TW" in got[0]["text"]
        buttons = got[0]["reply_markup"]["inline_keyboard"][0]
        assert buttons[0]["callback_data"] == f"rd:{broadcast_id}"
        assert buttons[0]["text"] == broadcast_texts.BROADCAST_READ_BUTTON
    assert sent_to(api, "-5003") == []  # another province's group
    for silent in world.silent:
        assert sent_to(api, silent) == []
    rows = deliveries(db, broadcast_id)
    assert {d.status for d in rows.values()} == {"sent"}
    assert all(d.platform_message_id for d in rows.values())
    # The officer: one progress message (sent once, then only edited) and one final report.
    to_officer = [p for p in sent_to(api, world.officer_id) if not p["text"].startswith("📢")]
    assert len(to_officer) == 2
    progress, report = to_officer
    assert progress["text"].startswith("📤")
    assert report["text"].startswith("📊")
    assert "Chi bộ thôn Đông: 4/5 người nhận được (80%)" in report["text"]
    assert "Xã Tân Lập: 3/3 người nhận được (100%); nhóm 1/1" in report["text"]
    edits = [p for p in api.calls_of("editMessageText") if str(p["chat_id"]) == world.officer_id]
    assert edits and broadcast_texts.BROADCAST_PROGRESS_DONE in edits[-1]["text"]
    assert len({p["message_id"] for p in edits}) == 1
    broadcast = db.call(lambda s: s.get(Broadcast, broadcast_id))
    assert broadcast.status == "done" and broadcast.finished_at is not None


async def test_transient_failures_are_retried_and_permanent_ones_stop(
        db: Database, world: World, api: TelegramApiServer, transport: TelegramOutbound,
        faults: FaultPlan) -> None:
    cell = world.members[world.cell]
    commune2 = world.members[world.commune2]
    faults.on_chat(cell[0], flood(retry_after=1))
    faults.on_chat(cell[1], server_error(502), server_error(500))
    faults.always(cell[2], blocked())
    faults.always(commune2[0], chat_not_found())
    faults.always("-5002", kicked())
    broadcast_id = start(db, world)
    async with running_worker(db, transport) as worker:
        await finished(worker, broadcast_id)
    rows = deliveries(db, broadcast_id)
    assert rows[cell[0]].status == "sent"
    assert rows[cell[1]].status == "sent" and rows[cell[1]].attempts == 3
    for chat, reason in ((cell[2], "403"), (commune2[0], "chat not found"), ("-5002", "kicked")):
        assert rows[chat].status == "failed_permanent"
        assert reason in (rows[chat].last_error or "").lower()
        # Tried once, never again.
        assert len([p for p in api.calls_of("sendMessage", include_failed=True)
                    if str(p["chat_id"]) == chat]) == 1
    # 429: the second try came no sooner than retry_after, and did not count as an attempt.
    assert rows[cell[0]].attempts == 1
    assert faults.injected == {429: 1, 502: 1, 500: 1, 403: 2, 400: 1}
    report = sent_to(api, world.officer_id)[-1]["text"]
    assert "lỗi 3" in report


async def test_flood_control_waits_retry_after(
        db: Database, world: World, api: TelegramApiServer, transport: TelegramOutbound,
        faults: FaultPlan) -> None:
    target = world.members[world.commune2][0]
    faults.on_chat(target, flood(retry_after=1))
    broadcast_id = start(db, world, units=[world.commune2])
    async with running_worker(db, transport) as worker:
        await finished(worker, broadcast_id)
    calls = [c for c in api.calls if c.method == "sendMessage" and str(c.params["chat_id"]) == target]
    assert [c.ok for c in calls] == [False, True]
    assert calls[1].at - calls[0].at >= 0.95  # the server's own clock: retry_after was 1 s


async def test_a_timeout_is_retried(db: Database, world: World, api: TelegramApiServer,
                                    faults: FaultPlan) -> None:
    target = world.members[world.commune2][1]
    gate = asyncio.Event()
    faults.hang_chat(target, gate)  # the answer never comes in time
    broadcast_id = start(db, world, units=[world.commune2])
    from tests.bot.broadcast.conftest import FAST_LIMITS

    async with TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=FAST_LIMITS,
                                 timeout=0.3) as transport:
        async with running_worker(db, transport) as worker:
            await api.wait_for("sendMessage", lambda p: str(p["chat_id"]) == target, timeout=WAIT)
            row = await _wait_row(db, broadcast_id, target, lambda d: d.status == "pending")
            assert "TimedOut" in (row.last_error or "")
            gate.set()
            await finished(worker, broadcast_id)
    row = deliveries(db, broadcast_id)[target]
    assert row.status == "sent" and row.attempts >= 2
    # Telegram got it at every attempt: a timeout cannot tell "lost" from "slow" (the
    # documented case), so each timed-out attempt that reached Telegram is a duplicate.
    assert len(sent_to(api, target)) == row.attempts


async def _wait_row(db: Database, broadcast_id: int, chat: str, ready, timeout: float = WAIT) -> Delivery:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while True:
            row = deliveries(db, broadcast_id)[chat]
            if ready(row):
                return row
            await asyncio.sleep(0.02)  # polling the database: no event to wait on across threads


async def test_a_worker_restarted_mid_broadcast_loses_nobody(
        db: Database, world: World, api: TelegramApiServer, transport: TelegramOutbound,
        faults: FaultPlan) -> None:
    """Worker A dies (its task is cancelled: nothing recorded, nothing released) while one
    send is in flight and rows are still unsent; worker B takes over after the lease."""
    hung = world.members[world.cell][3]
    gate = asyncio.Event()
    faults.hang_chat(hung, gate)
    broadcast_id = start(db, world)
    slow = replace(FAST, concurrency=1, lease=timedelta(seconds=0.5))
    worker_a = BroadcastWorker(db, {"telegram": transport}, slow, worker_id="A")
    stop_a = asyncio.Event()
    task_a = asyncio.create_task(worker_a.run(stop_a))
    await api.wait_for("sendMessage", lambda p: str(p["chat_id"]) == hung, timeout=WAIT)
    task_a.cancel()  # a crash: no clean-up runs that would touch the outbox
    await asyncio.gather(task_a, return_exceptions=True)
    before = deliveries(db, broadcast_id)
    in_flight = [c for c, d in before.items() if d.status == "sending"]
    assert hung in in_flight and len(in_flight) == 1
    assert any(d.status == "pending" for d in before.values())  # A left work undone
    gate.set()
    async with running_worker(db, transport, slow, worker_id="B") as worker_b:
        await finished(worker_b, broadcast_id)
    after = deliveries(db, broadcast_id)
    assert {d.status for d in after.values()} == {"sent"}
    counts = {chat: len([p for p in sent_to(api, chat) if p["text"].startswith("📢")])
              for chat in after}
    assert all(n >= 1 for n in counts.values())  # nobody lost
    duplicated = [chat for chat, n in counts.items() if n > 1]
    assert duplicated == [hung]  # only the message in flight at the crash


async def test_cancel_while_running_stops_the_rest(
        db: Database, world: World, api: TelegramApiServer, transport: TelegramOutbound,
        faults: FaultPlan) -> None:
    first = world.members[world.cell][0]
    gate = asyncio.Event()
    faults.hang_chat(first, gate)
    broadcast_id = start(db, world)
    one = replace(FAST, concurrency=1)
    async with running_worker(db, transport, one) as worker:
        await api.wait_for("sendMessage", lambda p: str(p["chat_id"]) == first, timeout=WAIT)
        officer = world.actor(db, world.officer_id)
        cancelled = db.call(service.cancel, officer, broadcast_id)
        gate.set()
        await finished(worker, broadcast_id)
    rows = deliveries(db, broadcast_id)
    sent = {c for c, d in rows.items() if d.status == "sent"}
    assert first in sent and len(sent) <= 2  # in flight when cancelled: it went out
    assert cancelled == len(rows) - len(sent) >= 8
    assert {d.status for c, d in rows.items() if c not in sent} == {"cancelled"}
    for chat in set(rows) - sent:
        assert not [p for p in sent_to(api, chat) if p["text"].startswith("📢")]
    report = sent_to(api, world.officer_id)[-1]["text"]
    assert f"đã hủy {cancelled}" in report


async def test_the_officers_progress_and_report_survive_flood_control(
        db: Database, world: World, api: TelegramApiServer, transport: TelegramOutbound,
        faults: FaultPlan) -> None:
    faults.on_chat(world.officer_id, flood(retry_after=1))  # the first message to the officer
    broadcast_id = start(db, world, units=[world.commune2])  # the officer is not in it
    async with running_worker(db, transport) as worker:
        await finished(worker, broadcast_id)
    to_officer = [c for c in api.calls if c.method == "sendMessage"
                  and str(c.params["chat_id"]) == world.officer_id]
    assert [c.ok for c in to_officer] == [False, True, True]  # 429, progress again, report
    assert to_officer[1].at - to_officer[0].at >= 0.95
    assert to_officer[2].params["text"].startswith("📊")
