"""A monthly unit report end to end through the real core and SQLite: an officer creates it,
the commune officers get it (through the outbox), fill it in (a draft kept when they stop),
resubmit, submit late; the tracker's page says who is on time, late, missing."""

from __future__ import annotations

from bot.core.dispatcher import Dispatcher
from bot.storage.database import Database
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import (
    COMMUNE2_OFFICER,
    COMMUNE_OFFICER,
    Clock,
    Talk,
    add_commune2_officer,
    buttons,
    create_request,
    local,
    notices,
    text_of,
)


async def _monthly(core: Dispatcher, world: World) -> tuple[Talk, int]:
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc", "Hằng tháng",
                                   "20")
    assert "tháng 5/2026" in text_of(preview), text_of(preview)
    assert "Xã Tân Lập" in text_of(preview)  # no officer: said before sending
    sent = await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    text = text_of(sent)
    assert "Đã gửi yêu cầu báo cáo #" in text
    request_id = int(text.split("#", 1)[1].split(" ", 1)[0])
    return officer, request_id


async def test_monthly_report_submitted_drafted_and_tracked(core: Dispatcher, db: Database,
                                                            world: World, clock: Clock) -> None:
    officer, request_id = await _monthly(core, world)
    queued = notices(db)
    request_notice = [(t, chats) for t, chats in queued if "YÊU CẦU BÁO CÁO" in t]
    assert [chats for _, chats in request_notice] == [[COMMUNE_OFFICER]]
    assert "hết ngày 20/05/2026" in request_notice[0][0]

    commune = Talk(core, COMMUNE_OFFICER)
    first = await commune.say("/nopbaocao")
    assert "(1/4) Số buổi sinh hoạt chi bộ" in text_of(first)
    wrong = await commune.say("mười hai")
    assert "không phải là một số" in text_of(wrong)
    assert "(1/4)" in text_of(wrong)  # asked again
    await commune.say("12")
    # Stops halfway: a question in between is not taken by the form once paused.
    paused = await commune.press(buttons(await commune.say("Sinh hoạt chuyên đề Bác Hồ"))
                                 ["⏸ Để sau"])
    assert "Đã lưu bản nháp" in text_of(paused)
    resumed = await commune.say("/nopbaocao")
    assert "2/4 mục đã điền" in text_of(resumed) or "(3/4)" in text_of(resumed), text_of(resumed)
    chosen = await commune.press(buttons(resumed)["Khá"])
    summary = await commune.press(buttons(chosen)["⏭ Bỏ qua"])
    assert "KIỂM TRA TRƯỚC KHI GỬI" in text_of(summary)
    assert "12" in text_of(summary) and "Khá" in text_of(summary)
    done = await commune.press(buttons(summary)["✅ Gửi báo cáo"])
    assert "lần 1" in text_of(done) and "đúng hạn" in text_of(done)

    page = await officer.say(f"/theodoibaocao {request_id}")
    assert "Xã Hòa Bình" in text_of(page)
    assert "Xã Tân Lập" in text_of(page)
    assert "chưa có cán bộ" in text_of(page), text_of(page)

    # A second version before the deadline; then, after it, a new officer's late report.
    again = await commune.say("/nopbaocao")
    assert "(1/4)" in text_of(again)
    await commune.press(buttons(again)["↩ Giữ nguyên"])
    asked = await commune.say("Nội dung mới")
    asked = await commune.press(buttons(asked)["↩ Giữ nguyên"])
    summary = await commune.press(buttons(asked)["⏭ Bỏ qua"])  # nothing kept to keep
    assert "lần nộp thứ 2" in text_of(summary), text_of(summary)
    assert "Nội dung mới" in text_of(summary)
    done = await commune.press(buttons(summary)["✅ Gửi báo cáo"])
    assert "lần 2" in text_of(done) and "đúng hạn" in text_of(done)

    add_commune2_officer(db, world)
    clock.set(local(2026, 5, 23, 10))
    late = Talk(core, COMMUNE2_OFFICER)
    form = await late.say("/nopbaocao")
    assert "(1/4)" in text_of(form), text_of(form)
    await late.say("3")
    asked = await late.say("Chậm vì mưa bão")
    chosen = await late.press(buttons(asked)["Trung bình"])
    summary = await late.press(buttons(chosen)["⏭ Bỏ qua"])
    assert "Đã quá hạn" in text_of(summary)
    done = await late.press(buttons(summary)["✅ Gửi báo cáo"])
    assert "nộp muộn 3 ngày" in text_of(done), text_of(done)
    page = await officer.say(f"/theodoibaocao {request_id}")
    assert "Xã Tân Lập — nộp muộn 3 ngày" in text_of(page), text_of(page)
