"""The monthly summary to the requesting officer: on the 1st at 08:00 the requester of an
opinion request gets the past month's opinion roll-up — the periodic report and the flash
reports, including one sent after the month's deadline that no deadline summary covers —
once, driven by a controllable clock through the tracker's tick (no sleeps)."""

from __future__ import annotations

from bot.core.dispatcher import Dispatcher
from bot.reports.config import ReportConfig
from bot.reports.digest import month_due
from bot.reports.worker import tick_once
from bot.storage.database import Database
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import (
    COLLABORATOR,
    Clock,
    Talk,
    buttons,
    local,
    notices,
    reports_of,
    text_of,
)


def _tick(db: Database, core: Dispatcher, config: ReportConfig, clock: Clock
          ) -> list[tuple[str, list[str]]]:
    before = len(notices(db))
    db.call(tick_once, clock(), config, reports_of(core).notices)
    return notices(db)[before:]


async def _opinion(collaborator: Talk, command: str, mood: str, text: str) -> str:
    found = await collaborator.say(command)
    found = await collaborator.press(buttons(found)["Giá điện"])
    found = await collaborator.press(buttons(found)[mood])
    found = await collaborator.say(text)
    found = await collaborator.press(buttons(found)["⏭ Bỏ qua"])
    found = await collaborator.press(buttons(found)["Không, chỉ đơn vị được biết"])
    return text_of(await collaborator.press(buttons(found)["✅ Gửi báo cáo"]))


def test_the_month_due_turns_on_the_first_at_the_reminder_hour() -> None:
    assert month_due(local(2026, 6, 1, 7, 59), 8) == local(2026, 4, 1).date()
    assert month_due(local(2026, 6, 1, 8, 0), 8) == local(2026, 5, 1).date()
    assert month_due(local(2026, 6, 30, 23), 8) == local(2026, 5, 1).date()
    assert month_due(local(2026, 1, 1, 8), 8) == local(2025, 12, 1).date()


async def test_the_requester_gets_the_month_with_flash_reports_once(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    officer = Talk(core, world.officer_id)
    await officer.say("/chude thêm Giá điện")
    asked = await officer.say("/yeucaudlxh")
    asked = await officer.press(buttons(asked)["Huyện Đông Hà"])
    asked = await officer.press(buttons(asked)["Hằng tháng"])
    preview = await officer.say("20")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    assert not [t for t, _ in _tick(db, core, config, clock) if t.startswith("🗓")]  # 4/5

    collaborator = Talk(core, COLLABORATOR)
    clock.set(local(2026, 5, 10, 9))
    assert "đúng hạn" in await _opinion(collaborator, "/baocaodlxh", "Ổn định",
                                        "Bà con đồng tình với giá điện bậc thang")
    clock.set(local(2026, 5, 21, 8))
    ended = [t for t, _ in _tick(db, core, config, clock) if "Hết hạn kỳ tháng 5/2026" in t]
    assert len(ended) == 1 and "đồng tình" in ended[0]
    clock.set(local(2026, 5, 27, 15))  # after the deadline: no deadline summary will carry it
    assert "báo cáo nhanh" in await _opinion(collaborator, "/baocaonhanh", "Bức xúc",
                                             "Hóa đơn tiền điện tháng 5 tăng gấp đôi")

    clock.set(local(2026, 6, 1, 7, 59))
    assert not [t for t, _ in _tick(db, core, config, clock) if t.startswith("🗓")]
    clock.set(local(2026, 6, 1, 8, 0))
    digests = [(t, chats) for t, chats in _tick(db, core, config, clock) if t.startswith("🗓")]
    assert len(digests) == 1, digests
    text, chats = digests[0]
    assert chats == [world.officer_id]
    assert text.startswith("🗓 Tổng hợp dư luận tháng 5/2026 — yêu cầu #1"), text
    assert "Cộng tác viên đã nộp báo cáo định kỳ: 1/1 (0 nộp muộn)." in text
    assert "• Giá điện: 2 báo cáo, 1 khẩn — Ổn định 1 · Bức xúc 1" in text, text
    assert "⚡[Giá điện] Chi bộ thôn Đông — Bức xúc: Hóa đơn tiền điện tháng 5" in text
    assert "/tonghopdlxh 5/2026 csv" in text
    clock.set(local(2026, 6, 1, 9))
    assert not [t for t, _ in _tick(db, core, config, clock) if t.startswith("🗓")]  # once

    clock.set(local(2026, 7, 1, 8))  # June: the instance, no report yet
    june = [t for t, _ in _tick(db, core, config, clock) if t.startswith("🗓")]
    assert len(june) == 1 and "Chưa có báo cáo dư luận nào trong tháng 6/2026." in june[0], june
    assert "0/1" in june[0]


async def test_a_stopped_request_gets_no_monthly_summary(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    officer = Talk(core, world.officer_id)
    asked = await officer.say("/yeucaudlxh")
    asked = await officer.press(buttons(asked)["Huyện Đông Hà"])
    asked = await officer.press(buttons(asked)["Hằng tháng"])
    await officer.press(buttons(await officer.say("20"))["📨 Gửi yêu cầu"])
    page = await officer.say("/theodoibaocao 1")
    assert "Đã dừng" in text_of(await officer.press(buttons(page)["⏹ Dừng định kỳ"]))
    clock.set(local(2026, 6, 1, 8))
    assert not [t for t, _ in _tick(db, core, config, clock) if t.startswith("🗓")]
