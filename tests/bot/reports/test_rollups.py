"""Roll-ups of a unit report (table, PNG chart, formula-safe CSV), results sent back to the
units that answered, the monthly summary to the requester, and a deleted unit's open
instance closed and reported."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, col, delete, select

from bot.core.dispatcher import Dispatcher
from bot.core.types import FileReply, Outcome, PhotoReply
from bot.reports.config import ReportConfig
from bot.reports.models import ReportAssignment
from bot.reports.worker import tick_once
from bot.storage.database import Database
from bot.storage.models import ChatRecord, Membership, Unit
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


async def _requested_and_answered(core: Dispatcher, world: World, sessions: str,
                                  highlight: str) -> Talk:
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc",
                                   "Hằng tháng", "20")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    commune = Talk(core, COMMUNE_OFFICER)
    await commune.say("/nopbaocao")
    await commune.say(sessions)
    asked = await commune.say(highlight)
    asked = await commune.press(buttons(asked)["Khá"])
    summary = await commune.press(buttons(asked)["⏭ Bỏ qua"])
    await commune.press(buttons(summary)["✅ Gửi báo cáo"])
    return officer


def _file(outcome: Outcome) -> FileReply:
    files = [r for r in outcome.replies if isinstance(r, FileReply)]
    assert len(files) == 1, outcome.replies
    return files[0]


async def test_rollup_table_chart_and_csv(core: Dispatcher, db: Database, world: World) -> None:
    officer = await _requested_and_answered(core, world, "12", "@SUM(A1) học tập chuyên đề")
    table = await officer.say("/tonghopbaocao 1")
    assert text_of(table).splitlines()[:3] == [
        "📊 Tổng hợp «Báo cáo công tác tuyên giáo tháng» — tháng 5/2026 (1/2 nơi đã nộp)",
        "1. Số buổi sinh hoạt chi bộ — tổng: 12",
        "   • Xã Hòa Bình: 12"], text_of(table)
    assert "3. Đánh giá chung: Khá 1" in text_of(table)
    charts = [r for r in table.replies if isinstance(r, PhotoReply)]
    assert len(charts) == 1 and charts[0].image.startswith(b"\x89PNG\r\n\x1a\n")

    exported = _file(await officer.say("/tonghopbaocao 1 csv"))
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Đơn vị cấp trên", "Đơn vị", "Người nộp", "Tình trạng"]
    by_unit = {row[1]: row for row in rows[1:]}
    assert by_unit["Xã Hòa Bình"][3] == "đúng hạn" and by_unit["Xã Hòa Bình"][7] == "12"
    assert by_unit["Xã Hòa Bình"][8] == "'@SUM(A1) học tập chuyên đề"  # inert in a spreadsheet
    assert by_unit["Xã Tân Lập"][3] == "chưa nộp"

    outsider = Talk(core, world.other_officer_id)
    assert "Xã Hòa Bình" not in text_of(await outsider.say("/tonghopbaocao 1"))


async def test_summary_at_the_deadline_and_results_sent_back(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    officer = await _requested_and_answered(core, world, "8", "Tọa đàm")
    clock.set(local(2026, 5, 21, 8))
    db.call(tick_once, clock(), config, reports_of(core).notices)
    summary = [(t, chats) for t, chats in notices(db) if t.startswith("📊 Hết hạn kỳ")]
    assert [chats for _, chats in summary] == [[world.officer_id]], notices(db)
    assert "Chưa nộp: Xã Tân Lập." in summary[0][0].splitlines(), summary[0][0]

    instance_id = db.call(lambda s: s.exec(select(ReportAssignment.instance_id)).first())
    sent = await officer.press(f"rp:b:{instance_id}")
    assert text_of(sent) == "Đã gửi kết quả kỳ tháng 5/2026 về 1 đơn vị đã nộp."
    results = [chats for t, chats in notices(db) if t.startswith("📊 Kết quả báo cáo")]
    assert results == [[COMMUNE_OFFICER]]  # only the unit that answered
    forged = await Talk(core, world.other_officer_id).press(f"rp:b:{instance_id}")
    assert "Đã gửi" not in text_of(forged)


async def test_a_deleted_units_open_assignment_is_closed_and_reported(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig) -> None:
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc",
                                   "Một lần", "30/5/2026")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])

    def remove_tan_lap(session: Session) -> None:  # as an operator removes a merged commune
        session.exec(delete(Membership).where(col(Membership.unit_id) == world.commune2))
        session.exec(delete(ChatRecord).where(col(ChatRecord.unit_id) == world.commune2))
        session.exec(delete(Unit).where(col(Unit.id) == world.commune2))

    db.call(remove_tan_lap)
    db.call(tick_once, clock(), config, reports_of(core).notices)
    told = [t for t, _ in notices(db) if "đã bị xóa" in t]
    assert told == [f"⚠️ Đơn vị «Xã Tân Lập» (mã {world.commune2}) đã bị xóa: yêu cầu #1 «Báo "
                    "cáo công tác tuyên giáo tháng» kỳ đợt hạn 30/05/2026 đã đóng với đơn vị này."]
    statuses = db.call(lambda s: sorted(s.exec(select(ReportAssignment.unit_name,
                                                      ReportAssignment.status)).all()))
    assert statuses == [("Xã Hòa Bình", "open"), ("Xã Tân Lập", "closed")]
    db.call(tick_once, clock(), config, reports_of(core).notices)
    assert len([t for t, _ in notices(db) if "đã bị xóa" in t]) == 1  # once
