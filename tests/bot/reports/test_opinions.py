"""Opinion collaborators: a flash report notifies the unit's and the parent unit's officers at
once (through the outbox); the reporter's name goes up only when they agree; the roll-up by
topic, unit and mood comes as a table and as a formula-safe CSV."""

from __future__ import annotations

import csv
import io

from bot.core.dispatcher import Dispatcher
from bot.core.types import FileReply, Outcome
from bot.storage.database import Database
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import COLLABORATOR, COMMUNE_OFFICER, Talk, buttons, notices, text_of


async def _flash(collaborator: Talk, text: str, mood: str, named: bool) -> Outcome:
    found = await collaborator.say("/baocaonhanh")
    assert "BÁO CÁO NHANH" in text_of(found)
    found = await collaborator.press(buttons(found)["Giá điện"])
    found = await collaborator.press(buttons(found)[mood])
    found = await collaborator.say(text)
    found = await collaborator.press(buttons(found)["⏭ Bỏ qua"])  # no photo
    found = await collaborator.press(buttons(found)["Đồng ý" if named else
                                                    "Không, chỉ đơn vị được biết"])
    assert "5. Cho cấp trên biết tên người báo cáo?" in text_of(found), text_of(found)
    return await collaborator.press(buttons(found)["✅ Gửi báo cáo"])


def _csv_rows(outcome: Outcome) -> list[list[str]]:
    files = [r for r in outcome.replies if isinstance(r, FileReply)]
    assert len(files) == 1, outcome.replies
    return list(csv.reader(io.StringIO(files[0].data.decode("utf-8-sig"))))


async def test_a_flash_report_alerts_the_unit_and_its_parent_at_once(
        core: Dispatcher, db: Database, world: World) -> None:
    officer = Talk(core, world.officer_id)
    assert text_of(await officer.say("/chude thêm Giá điện")) == "Đã thêm chủ đề «Giá điện»."
    member = Talk(core, world.members[world.cell][2])
    refused = await member.say("/baocaonhanh")
    assert "chưa được giao vai trò cộng tác viên" in text_of(refused)

    collaborator = Talk(core, COLLABORATOR, name="Nguyễn Văn An")
    done = await _flash(collaborator, "Người dân bức xúc vì hóa đơn tiền điện tăng gấp đôi",
                        "Bức xúc", named=False)
    assert "Đã nhận" in text_of(done), text_of(done)
    alerts = [(t, chats) for t, chats in notices(db) if "BÁO CÁO NHANH" in t]
    # The cell has no officer; the commune above it has one (911) — told at once, unnamed.
    assert [chats for _, chats in alerts] == [[COMMUNE_OFFICER]], alerts
    assert "hóa đơn tiền điện" in alerts[0][0] and "Bức xúc" in alerts[0][0]
    assert "Nguyễn Văn An" not in alerts[0][0]

    await _flash(collaborator, "=HYPERLINK(\"http://x\") lan truyền trên mạng", "Băn khoăn, lo lắng",
                 named=True)
    table = await officer.say("/tonghopdlxh 5/2026")
    assert "Giá điện" in text_of(table), text_of(table)
    assert text_of(table).splitlines()[:2] == [
        "🗣 Dư luận xã hội — tháng 5/2026 — Huyện Đông Hà (2 báo cáo, 2 khẩn)",
        "• Giá điện: 2 báo cáo, 2 khẩn — Băn khoăn, lo lắng 1 · Bức xúc 1"], text_of(table)
    assert "    Chi bộ thôn Đông: 2, 2 khẩn" in text_of(table)
    rows = _csv_rows(await officer.say("/tonghopdlxh 5/2026 csv"))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), rows
    assert any("HYPERLINK" in cell for cell in cells)  # kept, made inert
    assert sum("Giá điện" in row for row in rows) >= 2

    outsider = Talk(core, world.other_officer_id)
    theirs = await outsider.say("/tonghopdlxh 5/2026")
    assert "hóa đơn tiền điện" not in text_of(theirs)


async def test_a_monthly_opinion_request_reaches_the_collaborators(
        core: Dispatcher, db: Database, world: World) -> None:
    officer = Talk(core, world.officer_id)
    await officer.say("/chude thêm Giá điện")
    asked = await officer.say("/yeucaudlxh")
    asked = await officer.press(buttons(asked)["Huyện Đông Hà"])
    asked = await officer.press(buttons(asked)["Hằng tháng"])
    preview = await officer.say("20")
    assert "Kỳ đầu: tháng 5/2026 — hạn hết ngày 20/05/2026" in text_of(preview)
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    sent = [(text, chats) for text, chats in notices(db) if "YÊU CẦU BÁO CÁO" in text]
    assert [chats for _, chats in sent] == [[COLLABORATOR]]  # the collaborators, nobody else

    collaborator = Talk(core, COLLABORATOR)
    form = await collaborator.say("/baocaodlxh")
    assert text_of(form).startswith("📝 «Báo cáo dư luận xã hội» — tháng 5/2026 — Chi bộ thôn Đông")
    found = await collaborator.press(buttons(form)["Giá điện"])
    found = await collaborator.press(buttons(found)["Ổn định"])
    found = await collaborator.say("Bà con đồng tình với việc điều chỉnh giá điện bậc thang")
    found = await collaborator.press(buttons(found)["⏭ Bỏ qua"])
    found = await collaborator.press(buttons(found)["Đồng ý"])
    done = await collaborator.press(buttons(found)["✅ Gửi báo cáo"])
    assert "đúng hạn" in text_of(done), text_of(done)
    assert not [t for t, _ in notices(db) if "BÁO CÁO NHANH" in t]  # not urgent: no alert
    page = await officer.say("/theodoibaocao 1")
    assert "Đúng hạn 1 · Muộn 0 · Chưa nộp 0" in text_of(page), text_of(page)


async def test_a_flash_report_nobody_can_be_told_of_says_so(
        core: Dispatcher, db: Database, world: World) -> None:
    """A collaborator of the province, which has no officer and no parent: the report is kept,
    no alert is queued, and the reporter is told nobody was alerted."""
    from bot.reports.models import OpinionCollaborator
    from bot.services import people
    from tests.bot.broadcast.world import ADMIN_IDS

    reporter = world.members[world.commune2][0]

    def grant(session) -> None:  # type: ignore[no-untyped-def]
        person = people.identify(session, "telegram", reporter, "", admin_ids=ADMIN_IDS)
        session.add(OpinionCollaborator(person_id=person.person_id, unit_id=world.province))

    db.call(grant)
    await Talk(core, world.officer_id).say("/chude thêm Giá điện")  # the district's topic
    collaborator = Talk(core, reporter)
    found = await collaborator.say("/baocaonhanh")
    found = await collaborator.press(buttons(found)["Khác"])
    found = await collaborator.press(buttons(found)["Bức xúc"])
    found = await collaborator.say("Tin đồn về việc thu hồi đất")
    found = await collaborator.press(buttons(found)["⏭ Bỏ qua"])
    found = await collaborator.press(buttons(found)["Không, chỉ đơn vị được biết"])
    done = text_of(await collaborator.press(buttons(found)["✅ Gửi báo cáo"]))
    assert "chưa ai được báo ngay" in done and "Tỉnh Minh Sơn" in done, done
    assert not [t for t, _ in notices(db) if "BÁO CÁO NHANH" in t]
