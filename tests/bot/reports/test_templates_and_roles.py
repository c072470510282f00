"""A saved template reused, a quarterly request to people with a role, and the collaborator
role given and taken back by an officer (only inside their subtree)."""

from __future__ import annotations

from bot.core.dispatcher import Dispatcher
from bot.storage.database import Database
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import (
    Talk,
    buttons,
    create_request,
    notices,
    text_of,
)


async def test_a_template_is_saved_and_reused_for_people(core: Dispatcher, db: Database,
                                                         world: World) -> None:
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc",
                                   "Hằng quý", "15")
    assert "Kỳ đầu: quý II/2026 — hạn hết ngày 15/06/2026" in text_of(preview), text_of(preview)
    saved = await officer.press(buttons(preview)["💾 Lưu làm mẫu"])
    assert text_of(saved) == ("Đã lưu mẫu #1 «Báo cáo công tác tuyên giáo tháng». Lần sau: "
                              "/yeucaubaocao mẫu 1.")
    await officer.press(buttons(preview)["✖ Hủy"])
    listed = await officer.say("/dsbaocao")
    assert "Mẫu 1: «Báo cáo công tác tuyên giáo tháng» (4 mục)" in text_of(listed)

    reused = await officer.say("/yeucaubaocao mẫu 1")
    who = await officer.press(buttons(reused)["Chi bộ thôn Đông"])
    schedule = await officer.press(buttons(who)["Từng đảng viên"])
    deadline = await officer.press(buttons(schedule)["Một lần"])
    assert text_of(deadline).startswith("Hạn nộp"), text_of(deadline)
    preview = await officer.say("30/5/2026")
    assert "Ảnh biên bản (tệp hoặc ảnh, không bắt buộc)" in text_of(preview)
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    sent = [sorted(chats) for text, chats in notices(db) if "YÊU CẦU BÁO CÁO" in text]
    assert sent == [["1001", "1002", "1003", "1004"]]  # members who ever wrote; not 1008

    # Forms are shared by every officer (their units are not): the other province's officer
    # may reuse it for their own units only; a member may not use it at all.
    other = await Talk(core, world.other_officer_id).say("/yeucaubaocao mẫu 1")
    assert list(buttons(other)) == ["Tỉnh Lâm Giang", "✖ Hủy"]
    member = await Talk(core, world.members[world.cell][0]).say("/yeucaubaocao mẫu 1")
    assert text_of(member) == "Chỉ cán bộ phụ trách đơn vị mới thực hiện được thao tác này."
    missing = await officer.say("/yeucaubaocao mẫu 99")
    assert text_of(missing) == "Không tìm thấy mẫu báo cáo này (xem /dsbaocao)."


async def test_the_collaborator_role_per_unit(core: Dispatcher, db: Database,
                                              world: World) -> None:
    officer = Talk(core, world.officer_id)
    listed = await officer.say(f"/congtacvien {world.cell}")
    assert "Cộng tác viên dư luận của Chi bộ thôn Đông:" in text_of(listed)
    member = next(label for label in buttons(listed) if label.startswith("◻️"))
    granted = await officer.press(buttons(listed)[member])
    assert text_of(granted).startswith("Đã giao vai trò cộng tác viên dư luận của Chi bộ thôn Đông")
    again = await officer.press(buttons(listed)[member])
    assert text_of(again).startswith("Đã thu hồi vai trò cộng tác viên dư luận")

    outsider = Talk(core, world.other_officer_id)
    refused = await outsider.say(f"/congtacvien {world.cell}")
    assert text_of(refused) == "Đơn vị này nằm ngoài phạm vi đồng chí phụ trách.", text_of(refused)
    forged = await outsider.press(buttons(listed)[member])
    assert not text_of(forged).startswith("Đã giao")
    usage = await officer.say("/congtacvien abc")
    assert text_of(usage) == "Cách dùng: /congtacvien <mã đơn vị> (xem mã bằng /donvi)."
