"""`/tiendo` while a broadcast is still going out: recipients whose messages wait in the
queue are not yet "unreached" (a new-user tryout saw "2 người chưa nhận được tin riêng (chưa
từng nhắn tin với trợ lý hoặc đã chặn trợ lý)" for two members whose messages were queued)."""

from __future__ import annotations

from bot.broadcast import messages as texts
from bot.broadcast.models import Broadcast
from bot.broadcast.report import DeliveryReport, UnitLine, final_text
from bot.storage.models import Unit


def _report(counts: dict[str, int], reached: int) -> DeliveryReport:
    broadcast = Broadcast(id=7, text="Học tập Chỉ thị 05", status="sending")
    unit = Unit(id=3, name="Chi bộ 1", kind="cell", path="/1/3/")
    return DeliveryReport(broadcast, counts, [UnitLine(unit, people=2, reached=reached)], number=1)


def test_queued_recipients_are_told_as_waiting_not_unreached() -> None:
    text = final_text(_report({"pending": 2}, reached=0))
    assert texts.BROADCAST_REPORT_SENDING.format(waiting=2) in text.splitlines()
    assert "chưa từng nhắn tin" not in text


def test_after_sending_the_unreached_are_counted() -> None:
    text = final_text(_report({"sent": 1, "failed_permanent": 1}, reached=1))
    assert texts.BROADCAST_REPORT_UNREACHED.format(count=1) in text.splitlines()
    assert "Đang gửi" not in text
