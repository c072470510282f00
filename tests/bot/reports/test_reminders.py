"""Reminders, escalation, the requester's summary and the late list, driven by a controllable
clock through the tracker's tick (no sleeps): a monthly request due "hết ngày 20/5"."""

from __future__ import annotations

from bot.core.dispatcher import Dispatcher
from bot.reports.config import ReportConfig
from bot.reports.worker import tick_once
from bot.storage.database import Database
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import (
    COMMUNE_OFFICER,
    Clock,
    Talk,
    buttons,
    create_request,
    local,
    notices,
    reports_of,
    text_of,
)


def _tick(db: Database, core: Dispatcher, config: ReportConfig, clock: Clock) -> list[str]:
    """One tracker pass at the clock's time; the texts it queued."""
    before = len(notices(db))
    db.call(tick_once, clock(), config, reports_of(core).notices)
    return [text for text, _ in notices(db)[before:]]


async def test_reminders_before_and_after_the_deadline_then_escalation(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc", "Hằng tháng",
                                   "20")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    assert _tick(db, core, config, clock) == []  # 4/5: nothing is due

    clock.set(local(2026, 5, 17, 7, 59))
    assert _tick(db, core, config, clock) == []
    clock.set(local(2026, 5, 17, 8, 0))  # D-3 at 08:00
    sent = _tick(db, core, config, clock)
    assert len(sent) == 1 and "còn 3 ngày" in sent[0], sent
    assert notices(db)[-1][1] == [COMMUNE_OFFICER]  # Tân Lập has no officer to remind
    assert _tick(db, core, config, clock) == []  # once per step

    clock.set(local(2026, 5, 19, 9))
    assert ["còn 1 ngày" in t for t in _tick(db, core, config, clock)] == [True]

    # Hòa Bình submits; only units still missing are reminded afterwards.
    commune = Talk(core, COMMUNE_OFFICER)
    await commune.say("/nopbaocao")
    await commune.say("5")
    asked = await commune.say("Học tập chuyên đề")
    asked = await commune.press(buttons(asked)["Tốt"])
    summary = await commune.press(buttons(asked)["⏭ Bỏ qua"])
    await commune.press(buttons(summary)["✅ Gửi báo cáo"])

    clock.set(local(2026, 5, 21, 8))  # the day after the deadline: the requester's summary
    sent = _tick(db, core, config, clock)
    assert any("Hết hạn kỳ tháng 5/2026" in t for t in sent), sent
    assert not any("Quá hạn" in t for t in sent)  # the only missing unit has nobody to remind

    clock.set(local(2026, 5, 23, 8))  # 3 days overdue: the district's officers are told
    sent = _tick(db, core, config, clock)
    escalation = [t for t in sent if t.startswith("⚠️ Báo cáo")]
    assert len(escalation) == 1, sent
    assert "Xã Tân Lập (chưa có cán bộ phụ trách)" in escalation[0]
    assert "Xã Hòa Bình" not in escalation[0]
    assert notices(db)[-1][1] == [world.officer_id]
    assert _tick(db, core, config, clock) == []  # escalated once

    late = await officer.say("/baocaodonvi 5/2026")
    assert "Xã Tân Lập" in text_of(late), text_of(late)
    assert "Chậm hoặc chưa nộp" in text_of(late)


async def test_a_reminder_is_not_repeated_after_downtime(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    """The process was down from the 16th to the 20th: one reminder (the latest), not two,
    and on the deadline day itself it says "today", not "1 day left"."""
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc", "Hằng tháng",
                                   "20")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    clock.set(local(2026, 5, 20, 10))
    sent = _tick(db, core, config, clock)
    assert len(sent) == 1 and "hạn hết hôm nay (20/05/2026)" in sent[0], sent
    assert "còn" not in sent[0]


async def test_a_caught_up_reminder_counts_the_days_left_from_today(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    """Down on the 17th (the D-3 step): sent on the 18th it says 2 days left, not 3."""
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc", "Hằng tháng",
                                   "20")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    clock.set(local(2026, 5, 18, 10))
    sent = _tick(db, core, config, clock)
    assert len(sent) == 1 and "(còn 2 ngày)" in sent[0], sent
