"""A monthly request created after this month's deadline starts with the next month and the
officer is told why; /baocaodonvi in a month with nothing due yet shows the next deadline and
the last period whose deadline has passed. Driven by a controllable clock (no sleeps)."""

from __future__ import annotations

from bot.core.dispatcher import Dispatcher
from bot.reports.config import ReportConfig
from bot.reports.worker import tick_once
from bot.storage.database import Database
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import (
    Clock,
    Talk,
    buttons,
    create_request,
    local,
    reports_of,
    text_of,
)

TITLE = "Báo cáo công tác tuyên giáo tháng"


async def test_a_request_after_the_deadline_starts_next_month_and_baocaodonvi_looks_ahead(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    officer = Talk(core, world.officer_id)
    assert clock() == local(2026, 5, 4, 9)
    # Nothing asked yet: none due this month, and none ahead.
    assert text_of(await officer.say("/baocaodonvi")) == (
        "Trong tháng 5/2026 chưa có báo cáo nào đến hạn thuộc phạm vi đồng chí.\n"
        "Chưa có yêu cầu báo cáo nào sắp đến hạn.")

    # Due on the 2nd, made on the 4th: May's deadline has passed, June is the first period.
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc", "Hằng tháng",
                                   "2")
    passed = ("Hạn kỳ tháng 5/2026 (hết ngày 02/05/2026) đã qua nên yêu cầu bắt đầu từ kỳ "
              "tháng 6/2026.")
    assert "Kỳ đầu: tháng 6/2026 — hạn hết ngày 02/06/2026 (mở ngày 01/06/2026)" in text_of(preview)
    assert passed in text_of(preview)
    done = text_of(await officer.press(buttons(preview)["📨 Gửi yêu cầu"]))
    assert done.splitlines()[1:3] == [
        passed, "Kỳ đầu tháng 6/2026 sẽ mở ngày 01/06/2026; trợ lý tự gửi yêu cầu và nhắc hạn."]
    assert text_of(await officer.say("/baocaodonvi")) == (
        "Trong tháng 5/2026 chưa có báo cáo nào đến hạn thuộc phạm vi đồng chí.\n"
        f"Hạn gần nhất: «{TITLE}» kỳ tháng 6/2026, hạn hết ngày 02/06/2026.")

    # June opens on the 1st and nobody answers; July opens on 1 July, due on the 2nd.
    for day in (local(2026, 6, 1, 8), local(2026, 6, 3, 8), local(2026, 7, 1, 8)):
        clock.set(day)
        db.call(tick_once, clock(), config, reports_of(core).notices)
    shown = text_of(await officer.say("/baocaodonvi"))
    lines = shown.splitlines()
    assert lines[:3] == [
        "Trong tháng 7/2026 chưa có báo cáo nào đến hạn thuộc phạm vi đồng chí.",
        f"Hạn gần nhất: «{TITLE}» kỳ tháng 7/2026, hạn hết ngày 02/07/2026.",
        ""]
    # ... then June's punctuality, as /baocaodonvi 6/2026 shows it.
    june = text_of(await officer.say("/baocaodonvi 6/2026"))
    assert "\n".join(lines[3:]) == june
    assert june.startswith("🏅 Tình hình nộp báo cáo — tháng 6/2026 (1 yêu cầu, 2 nơi nộp)")
    assert "Chậm hoặc chưa nộp:" in june and f"«{TITLE}» chưa nộp" in june
