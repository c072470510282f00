"""Reminders, the requester's summary and the escalation as messages arriving on the platforms:
the real report tracker (its run loop, woken after each move of the controllable clock — no
sleeps) queues them, the real broadcast worker delivers them through the real Telegram and Zalo
outbound adapters to the loopback Bot API servers.

    Huyện Đông Hà          officer 901 on Telegram (the requester)
    ├── Xã Hòa Bình        officer 911 on Telegram (buttons)
    └── Xã Tân Lập         officer z-912 on Zalo (no buttons: the typed command instead)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from bot.channels.telegram.outbound import TelegramOutbound
from bot.core.dispatcher import Dispatcher
from bot.reports.config import ReportConfig
from bot.reports.worker import ReportTracker, TickResult
from bot.storage.database import Database
from tests.bot.broadcast.conftest import FAST_LIMITS, WAIT
from tests.bot.broadcast.world import World, add_person
from tests.bot.broadcast.zalo_world import running_on, zalo_transport
from tests.bot.reports.conftest import (
    COMMUNE_OFFICER,
    Clock,
    Talk,
    buttons,
    create_request,
    local,
    notices,
    reports_of,
)
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer

ZALO_OFFICER = "z-912"


@asynccontextmanager
async def running_tracker(db: Database, core: Dispatcher, config: ReportConfig
                          ) -> AsyncIterator[ReportTracker]:
    """The tracker's own loop; an hour between ticks, so only `tick` below makes it work."""
    tracker = ReportTracker(db, reports_of(core).notices, replace(config, tick_seconds=3600))
    stop = asyncio.Event()
    task = asyncio.create_task(tracker.run(stop))
    try:
        await asyncio.wait_for(tracker.ticks.get(), WAIT)  # the pass it makes on starting
        yield tracker
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)


async def tick(tracker: ReportTracker, clock: Clock, moment: Any) -> TickResult:
    clock.set(moment)
    tracker.wake()
    return await asyncio.wait_for(tracker.ticks.get(), WAIT)


async def test_reminders_summary_and_escalation_arrive_on_telegram_and_zalo(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    db.call(add_person, ZALO_OFFICER, "Đỗ Thị Mai", world.commune2, "officer", platform="zalo")
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc", "Hằng tháng",
                                   "20")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])

    async with TelegramApiServer() as telegram, ZaloApiServer() as zalo, \
            TelegramOutbound.bulk(telegram.token, base_url=telegram.base_url,
                                  limits=FAST_LIMITS) as to_telegram, \
            zalo_transport(zalo) as to_zalo, \
            running_on(db, {"telegram": to_telegram, "zalo": to_zalo}), \
            running_tracker(db, core, config) as tracker:
        # The request itself went out when it was sent: one per commune, on its platform.
        await telegram.wait_for("sendMessage", lambda p: p["chat_id"] == int(COMMUNE_OFFICER)
                                and "YÊU CẦU BÁO CÁO" in p["text"], timeout=WAIT)
        await zalo.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                            and "YÊU CẦU BÁO CÁO" in p["text"], timeout=WAIT)

        assert (await tick(tracker, clock, local(2026, 5, 17, 7, 59))).reminders == 0
        assert (await tick(tracker, clock, local(2026, 5, 17, 8, 0))).reminders == 2  # D-3
        on_telegram = await telegram.wait_for(
            "sendMessage", lambda p: p["chat_id"] == int(COMMUNE_OFFICER)
            and p["text"].startswith("⏰ Nhắc hạn"), timeout=WAIT)
        assert "còn 3 ngày" in on_telegram["text"]
        keyboard = on_telegram["reply_markup"]["inline_keyboard"]
        assert [b["text"] for row in keyboard for b in row] == ["📝 Nộp báo cáo"]
        on_zalo = await zalo.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                                      and p["text"].startswith("⏰ Nhắc hạn"), timeout=WAIT)
        assert "còn 3 ngày" in on_zalo["text"] and "Gõ /nopbaocao để nộp." in on_zalo["text"]

        # Hòa Bình submits on the 18th; the deadline-day reminder goes to Tân Lập only.
        commune = Talk(core, COMMUNE_OFFICER)
        clock.set(local(2026, 5, 18, 9))
        await commune.say("/nopbaocao")
        await commune.say("5")
        asked = await commune.say("Học tập chuyên đề")
        asked = await commune.press(buttons(asked)["Tốt"])
        summary = await commune.press(buttons(asked)["⏭ Bỏ qua"])
        await commune.press(buttons(summary)["✅ Gửi báo cáo"])

        assert (await tick(tracker, clock, local(2026, 5, 19, 8))).reminders == 1  # D-1
        last_day = await zalo.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                                       and p["text"].startswith("⏰ Nhắc hạn"), timeout=WAIT)
        assert "còn 1 ngày" in last_day["text"]

        # The day after the deadline: the overdue reminder on Zalo, the summary to the requester.
        await tick(tracker, clock, local(2026, 5, 21, 8))
        overdue = await zalo.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                                      and p["text"].startswith("⏰ Quá hạn 1 ngày"), timeout=WAIT)
        assert "Vẫn có thể nộp" in overdue["text"]
        ended = await telegram.wait_for("sendMessage", lambda p: p["chat_id"] == int(
            world.officer_id) and "Hết hạn kỳ tháng 5/2026" in p["text"], timeout=WAIT)
        assert "Chưa nộp: Xã Tân Lập." in ended["text"], ended["text"]

        # Three days overdue: the district's officer is told who is still missing (once).
        assert (await tick(tracker, clock, local(2026, 5, 23, 8))).escalations == 1
        escalation = await telegram.wait_for(
            "sendMessage", lambda p: p["chat_id"] == int(world.officer_id)
            and p["text"].startswith("⚠️ Báo cáo"), timeout=WAIT)
        assert "quá hạn 3 ngày" in escalation["text"] and "• Xã Tân Lập" in escalation["text"]
        assert "Xã Hòa Bình" not in escalation["text"]
        await zalo.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                            and p["text"].startswith("⏰ Quá hạn 3 ngày"), timeout=WAIT)
        assert (await tick(tracker, clock, local(2026, 5, 23, 9))).escalations == 0

    # Hòa Bình, which submitted, had the D-3 reminder only; Tân Lập had D-3, D-1 and the
    # overdue days 1..3.
    reminders_911 = [p["text"] for p in telegram.calls_of("sendMessage")
                     if p["chat_id"] == int(COMMUNE_OFFICER) and p["text"].startswith("⏰")]
    assert len(reminders_911) == 1, reminders_911
    queued_911 = [t for t, chats in notices(db) if t.startswith("⏰") and COMMUNE_OFFICER in chats]
    assert len(queued_911) == 1, queued_911  # none queued that had not arrived yet either
    reminders_912 = [t for t in zalo.sent_texts(ZALO_OFFICER) if t.startswith("⏰")]
    assert [t.split(":")[0] for t in reminders_912] == [
        "⏰ Nhắc hạn", "⏰ Nhắc hạn", "⏰ Quá hạn 1 ngày", "⏰ Quá hạn 3 ngày"], reminders_912
