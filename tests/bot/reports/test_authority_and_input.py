"""Who may ask for reports and see them (decided in the core services), and hostile input:
every refusal is a short Vietnamese message, and nothing is written."""

from __future__ import annotations

from sqlmodel import select

from bot.core.dispatcher import Dispatcher
from bot.reports.models import ReportRequest
from bot.storage.database import Database
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import COMMUNE_OFFICER, FIELDS, Talk, buttons, create_request, text_of


def _requests(db: Database) -> list[ReportRequest]:
    return db.call(lambda s: list(s.exec(select(ReportRequest)).all()))


async def test_a_member_cannot_ask_for_reports(core: Dispatcher, db: Database,
                                               world: World) -> None:
    member = Talk(core, world.members[world.cell][1])
    answer = await member.say(f"/yeucaubaocao {FIELDS}")
    assert text_of(answer) == "Chỉ cán bộ phụ trách đơn vị mới thực hiện được thao tác này."
    tracked = await member.say("/theodoibaocao 1")
    assert text_of(tracked) == "Không tìm thấy yêu cầu báo cáo này."
    assert _requests(db) == []


async def test_an_officer_asks_only_in_their_subtree(core: Dispatcher, db: Database,
                                                    world: World) -> None:
    outsider = Talk(core, world.other_officer_id)
    started = await outsider.say(f"/yeucaubaocao {FIELDS}")
    assert list(buttons(started)) == ["Tỉnh Lâm Giang", "✖ Hủy"]  # only their own province
    typed = await outsider.say(str(world.district))  # the unit typed by its id instead
    assert text_of(typed) == "Đơn vị này nằm ngoài phạm vi đồng chí phụ trách."
    draft = _requests(db)[0]
    assert draft.target_unit_ids in ("", None) or str(world.district) not in draft.target_unit_ids
    # A forged button for that unit is refused the same way.
    forged = await outsider.press(f"rp:c:{draft.id}:unit:{world.district}")
    assert text_of(forged) == "Đơn vị này nằm ngoài phạm vi đồng chí phụ trách."
    assert str(world.district) != db.call(lambda s: s.get(ReportRequest, draft.id)).target_unit_ids

    # The commune officer may not ask the district; the district officer's request is
    # invisible to the other province's officer.
    district = Talk(core, world.officer_id)
    preview = await create_request(district, "Huyện Đông Hà", "Các đơn vị trực thuộc",
                                   "Một lần", "30/5/2026")
    sent = await district.press(buttons(preview)["📨 Gửi yêu cầu"])
    request_id = int(text_of(sent).split("#", 1)[1].split(" ", 1)[0])
    refused = await outsider.say(f"/theodoibaocao {request_id}")
    assert "Xã Hòa Bình" not in text_of(refused)
    assert "ngoài phạm vi" in text_of(refused) or "Không tìm thấy" in text_of(refused), \
        text_of(refused)
    commune = Talk(core, COMMUNE_OFFICER)
    started = await commune.say(f"/yeucaubaocao {FIELDS}")
    assert "Huyện Đông Hà" not in buttons(started)
    assert "Xã Hòa Bình" in buttons(started)


async def test_bad_definitions_and_deadlines_are_refused_with_the_rule(
        core: Dispatcher, db: Database, world: World) -> None:
    officer = Talk(core, world.officer_id)
    usage = await officer.say("/yeucaubaocao")
    assert "Cách tạo yêu cầu báo cáo" in text_of(usage)
    bad_kind = await officer.say("/yeucaubaocao Báo cáo\nSố buổi | hình tam giác")
    assert "Dòng 1: không hiểu kiểu «hình tam giác»" in text_of(bad_kind), text_of(bad_kind)
    one_choice = await officer.say("/yeucaubaocao Báo cáo\nĐánh giá | chọn: Tốt")
    assert "Dòng 1: mục chọn cần từ 2" in text_of(one_choice), text_of(one_choice)
    assert _requests(db) == []

    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc",
                                   "Một lần", "31/2/2026")
    assert "không phải là ngày hợp lệ" in text_of(preview), text_of(preview)
    past = await officer.say("1/1/2020")
    assert text_of(past) == "Hạn nộp phải từ hôm nay trở đi."
    garbage = await officer.say("'; DROP TABLE reportrequest; --")
    assert "📨 Gửi yêu cầu" not in buttons(garbage)
    good = await officer.say("30/5/2026")
    assert "📨 Gửi yêu cầu" in buttons(good), text_of(good)
    # A stale or forged step button does not skip the order of steps.
    draft = _requests(db)[0]
    stale = await officer.press(f"rp:c:{draft.id}:sched:once")
    assert "📨 Gửi yêu cầu" not in buttons(stale)
    junk = await officer.press("rp:c:abc:go")
    assert text_of(junk) == "Nút này không còn dùng được. Đồng chí hãy hỏi lại."
    assert db.call(lambda s: s.get(ReportRequest, draft.id)).status == "draft"
