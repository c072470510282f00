"""Report buttons that carry a unit's name cut it after a whole word (knowledge.text.shorten),
never in the middle of one: the officer's unit choice when creating a request. (A choice
field's options are at most 60 characters, bot.services.form_fields, the label's width.)"""

from __future__ import annotations

from bot.core.dispatcher import Dispatcher
from bot.storage.database import Database
from bot.storage.models import Unit
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import COMMUNE_OFFICER, Talk, buttons, create_request, text_of

LONG = "Huyện Đông Hà, tỉnh Minh Sơn — Ban Tuyên giáo Huyện ủy và các tổ chức cơ sở đảng trực thuộc"


async def test_unit_buttons_are_cut_after_a_whole_word(
        core: Dispatcher, db: Database, world: World) -> None:
    def rename(session) -> None:  # type: ignore[no-untyped-def]
        unit = session.get(Unit, world.district)
        unit.name = LONG
        session.add(unit)

    db.call(rename)
    officer = Talk(core, world.officer_id)
    unit_button = "Huyện Đông Hà, tỉnh Minh Sơn — Ban Tuyên giáo Huyện ủy và…"
    preview = await create_request(officer, unit_button, "Các đơn vị trực thuộc", "Hằng tháng",
                                   "20")
    sent = await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    assert "Đã gửi yêu cầu báo cáo #" in text_of(sent), text_of(sent)
    assert "(1/4)" in text_of(await Talk(core, COMMUNE_OFFICER).say("/nopbaocao"))
