"""Study campaigns run from Zalo, where chats have no buttons: an officer composes a
campaign and takes the roll call by typing the numbers the bot's hints give, through the
real Zalo adapter and the loopback Zalo server."""

from __future__ import annotations

import re

from bot.study import messages as texts
from tests.bot.broadcast.test_zalo_conversation import choice
from tests.bot.broadcast.zalo_world import ZALO_OFFICER
from tests.bot.study.conftest import QUIZ, Stage, live, open_campaign
from tests.bot.study.test_conversation import _zl_reply, _zsay


async def test_an_officer_composes_on_zalo_by_typing_numbers(stage: Stage) -> None:
    """Zalo has no buttons: every choice is a number typed back; a date or a quiz line that
    cannot be read is refused with what is wrong, and the step goes on."""
    officer = ZALO_OFFICER
    async with live(stage) as running:
        chats = running.chats
        asked = await _zsay(chats, officer, "/taohoctap", "📚 Tạo đợt học tập")
        assert asked.endswith("Gõ 1: ✖ Hủy")
        title = await _zsay(chats, officer, "chỉ thị 05", "Bước 2")
        units = await _zsay(chats, officer, choice(title, texts.TITLE_SUGGESTED_BUTTON), "Bước 3")
        assert "Tỉnh Lâm Giang" not in units
        units = await _zsay(chats, officer, choice(units, "Xã Tân Lập"), "Bước 3")
        assert units.split("\n")[1] == "Đã chọn: Xã Tân Lập" and "4: ✓ Xã Tân Lập" in units
        deadline = await _zsay(chats, officer, choice(units, "Xong"), "Bước 4")
        session = await _zsay(chats, officer, choice(deadline, "2 tuần"), "Bước 5")
        assert (await _zsay(chats, officer, "mai nhé", "")).startswith("Không đọc được ngày")
        quiz = await _zsay(chats, officer, choice(session, texts.SESSION_SKIP_BUTTON), "Bước 6")
        bad = await _zsay(chats, officer, "Câu 1 | A | B | 3 | t\nCâu 2 | A | B | 1 | t\n"
                          "Câu 3 | A | B | 1 | t", "")
        assert bad.startswith("Dòng 1: đáp án đúng phải là số thứ tự")
        marks = await _zsay(chats, officer, QUIZ, "Bài kiểm tra có 3 câu")
        preview = await _zsay(chats, officer, choice(marks, "Đúng 3/3"), "")
        assert "Đơn vị: Xã Tân Lập\n" in preview and "Ngày sinh hoạt: chưa đặt\n" in preview
        assert ("Đối tượng: 5 đảng viên (0 miễn sinh hoạt); 5 người nhận được tin riêng, 2 nhóm"
                in preview)
        started = await _zsay(chats, officer, choice(preview, texts.START_BUTTON), "✅")
        campaign_id = int(re.search(r"#(\d+)", started)[1])  # type: ignore[index]
        campaign = stage.campaign(campaign_id)
        assert (campaign.status, campaign.unit_ids, campaign.pass_mark) == (
            "open", [stage.world.commune2], 3)
        assert campaign.session_at is None and campaign.origin_platform == "zalo"
        await _zl_reply(chats, stage.zalo.members[stage.world.commune2][0], "📚 Đợt học tập")


async def test_the_roll_call_on_zalo_by_typed_numbers(stage: Stage) -> None:
    """A district officer on Zalo: /diemdanh offers the sessions of their units, the roll
    numbers the members, a member's choices are numbered too, closing ends it."""
    officer = ZALO_OFFICER
    w = stage.world
    campaign_id = open_campaign(stage)
    async with live(stage) as running:
        chats = running.chats
        await _zl_reply(chats, officer, "📚 Đợt học tập")
        pick = await _zsay(chats, officer, f"/diemdanh {campaign_id}", "Đợt")
        assert pick.startswith(texts.ROLL_PICK_UNIT.format(id=campaign_id))
        roll = await _zsay(chats, officer, choice(pick, "Xã Tân Lập"), "📋")
        assert f"📋 Điểm danh đợt #{campaign_id} — Xã Tân Lập" in roll
        first_member = roll.split("\n")[4].split(". ", 1)[1].split(" — ")[0]
        person = await _zsay(chats, officer, choice(roll, first_member), first_member)
        roll = await _zsay(chats, officer, choice(person, texts.ROLL_PRESENT_BUTTON), "📋")
        assert f"1. {first_member} — có mặt" in roll
        roll = await _zsay(chats, officer, choice(roll, "Những người còn lại"), "📋")
        assert "Có mặt 5 · vắng 0 · miễn 0 · chưa điểm danh 0" in roll
        closed = await _zsay(chats, officer, choice(roll, "Kết thúc"), "🔒")
        assert closed.startswith(texts.ROLL_CLOSED_DONE.format(
            unit="Xã Tân Lập", present=5, absent=0, exempt=0)[:40])
    assert stage.session_of(campaign_id, w.commune2).roll_closed_at is not None
