"""Members who blocked the bot and groups it was removed from (issue 11, case "unreachable"):
they are marked (per identity or group, with when and why) from what the platform says —
Telegram's `my_chat_member`, or a send answered 403 / "chat not found" on either platform —
left out of later sends, counted so in broadcast previews, poll previews and reports, and
the mark goes when the person (or the group) writes again. Replayed through the real
adapters, the broadcast worker and the poll runner against the loopback servers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.broadcast import compose, report, service as broadcasts
from bot.polls import results, service as polls
from bot.polls.models import Poll
from bot.storage.database import Database
from bot.storage.models import ChatRecord, Identity, utcnow
from bot import messages
from bot.broadcast import messages as broadcast_texts
from bot.polls import messages as poll_texts
from tests.security.stage import OFFICER, WAIT, Stage, db, stage, telegram_says, zalo_says  # noqa: F401

BLOCKER = 1002  # a cell member on Telegram
COMMUNE_GROUP = -5002


def _marks(db: Database) -> dict[str, tuple[bool, str | None]]:
    """Every marked identity or group: platform:id -> (has a moment, reason)."""
    def read(session: Any) -> dict[str, tuple[bool, str | None]]:
        found = {f"{i.platform}:{i.platform_user_id}": (i.unreachable_at is not None,
                                                        i.unreachable_reason)
                 for i in session.exec(select(Identity).where(
                     Identity.unreachable_reason.is_not(None)))}  # type: ignore[union-attr]
        found |= {f"{c.platform}:{c.chat_id}": (c.unreachable_at is not None, c.unreachable_reason)
                  for c in session.exec(select(ChatRecord).where(
                      ChatRecord.unreachable_reason.is_not(None)))}  # type: ignore[union-attr]
        return found
    return db.call(read)


def _preview(s: Stage) -> str:
    actor = s.officer()
    draft = s.db.call(broadcasts.create, actor, text="Lịch học tập Nghị quyết 57 tháng 12.",
                      unit_ids=[s.world.district], roles=["member"])
    return s.db.call(lambda session: compose.preview(session, draft).text)


async def test_telegram_says_who_blocked_the_bot_and_previews_count_them_until_they_write(
        db: Database, tmp_path: Path) -> None:
    async with stage(db, tmp_path) as s:
        s.tg.block_bot(BLOCKER)  # Telegram: my_chat_member, status "kicked"
        s.tg.kick_bot(COMMUNE_GROUP, notify=True)  # an admin removed the bot: status "left"
        await s.handled.wait(2)
        assert _marks(s.db) == {
            f"telegram:{BLOCKER}": (True, "403 Forbidden: bot was blocked by the user"),
            f"telegram:{COMMUNE_GROUP}": (True, "the bot was removed from the group (left)")}
        # District, members: cell 4 on Telegram (+1 never wrote) and 3 on Zalo, commune 3.
        preview = _preview(s)
        assert "Người nhận: 11 người, 9 người nhận được tin riêng (9 tin nhắn); 2 nhóm chat." \
            in preview
        assert broadcast_texts.COMPOSE_PREVIEW_UNREACHABLE.format(count=1) in preview  # never wrote
        assert messages.UNREACHABLE_PEOPLE.format(count=1) in preview
        assert messages.UNREACHABLE_GROUPS.format(count=1) in preview
        # The member (who unblocked the bot) writes again, the bot is added back to the group:
        # nothing is marked any more.
        s.tg.blocked.discard(BLOCKER)
        await telegram_says(s, BLOCKER, BLOCKER, "Nghị quyết 57 nói gì về thư viện số?")
        await s.handled.wait(1)
        s.tg.kicked.discard(COMMUNE_GROUP)
        s.tg.my_chat_member_update(COMMUNE_GROUP, 901, "member")
        await s.handled.wait(1)
        assert _marks(s.db) == {}
        preview = _preview(s)
        assert "Người nhận: 11 người, 10 người nhận được tin riêng (10 tin nhắn); 3 nhóm chat." \
            in preview
        assert "chặn trợ lý" not in preview and "không còn gửi được" not in preview


async def test_sends_answered_403_mark_the_chat_and_the_report_counts_it(
        db: Database, tmp_path: Path) -> None:
    async with stage(db, tmp_path, worker=True) as s:
        assert s.worker is not None
        s.tg.block_bot(BLOCKER, notify=False)  # Telegram's update was lost: the send finds out
        s.zalo.fail_next("sendMessage", 403, "Forbidden: user blocked the OA", chat_id="z-7002")
        actor = s.officer()
        draft = s.db.call(broadcasts.create, actor, text="Đề nghị đọc Chỉ thị 05-CT/TW.",
                          unit_ids=[s.world.cell], roles=["member"], include_groups=False)
        assert draft.id is not None
        s.db.call(broadcasts.confirm, actor, draft.id)
        s.worker.wake()

        async def finished() -> None:
            while await s.worker.finished.get() != draft.id:  # type: ignore[union-attr]
                pass

        await asyncio.wait_for(finished(), WAIT)
        marks = _marks(s.db)
        assert marks == {
            f"telegram:{BLOCKER}": (True, "403 Forbidden: bot was blocked by the user"),
            "zalo:z-7002": (True, "403 Forbidden: user blocked the OA")}
        final = s.db.call(lambda session: report.final_text(report.delivery_report(
            session, broadcasts.get(session, None, draft.id))))
        assert "Tổng: gửi được 5/7 tin; lỗi 2; đã hủy 0." in final
        assert broadcast_texts.BROADCAST_REPORT_UNREACHED.format(count=3) in final  # 2 + 1 never wrote
        assert messages.UNREACHABLE_PEOPLE.format(count=2) in final
        # The next broadcast leaves them out: nothing is sent to them again.
        preview = _preview(s)
        assert "Người nhận: 11 người, 8 người nhận được tin riêng (8 tin nhắn); 3 nhóm chat." \
            in preview
        assert messages.UNREACHABLE_PEOPLE.format(count=2) in preview
        # A message from the Zalo member clears their mark (their question is answered).
        await zalo_says(s, "z-7002", "z-7002", "Chỉ thị 05 nói gì về tổ xung kích?")
        assert set(_marks(s.db)) == {f"telegram:{BLOCKER}"}


async def test_a_poll_counts_the_chats_it_could_not_reach(db: Database, tmp_path: Path) -> None:
    async with stage(db, tmp_path) as s:
        s.tg.kick_bot(COMMUNE_GROUP)  # removed without the bot hearing of it
        s.tg.delete_chat(1007)  # an account that is gone: "chat not found"
        actor = s.officer()
        poll = s.db.call(polls.create, actor, question="Đồng chí đã đọc Nghị quyết 57 chưa?",
                         options=["Đã đọc", "Chưa đọc"], anonymous=False,
                         closes_at=utcnow() + timedelta(hours=1), unit_ids=[s.world.commune2])
        assert poll.id is not None
        s.db.call(polls.open_poll, actor, poll.id)
        await s.runner.tick()
        assert _marks(s.db) == {
            f"telegram:{COMMUNE_GROUP}": (True, "403 Forbidden: bot was kicked from the group chat"),
            "telegram:1007": (True, "400 Chat not found")}
        found = s.db.call(lambda session: results.compute(session, session.get(Poll, poll.id)))
        shown = results.text(found, s.db.call(lambda session: session.get(Poll, poll.id)))
        assert poll_texts.POLL_UNREACHABLE.format(count=2) in shown
        # The next poll's preview, composed with the buttons on Telegram, says so.
        preview = await _compose_poll(s, "Lịch học tháng 12 có phù hợp không?\nCó\nKhông")
        assert "Đơn vị: Xã Tân Lập. Gửi tới 2 cuộc trò chuyện (0 nhóm)." in preview  # 1006, 1008
        assert messages.UNREACHABLE_PEOPLE.format(count=1) in preview
        assert messages.UNREACHABLE_GROUPS.format(count=1) in preview
        # The bot is added back and the group writes to it again: the group's mark goes.
        s.tg.kicked.discard(COMMUNE_GROUP)
        said = await telegram_says(s, COMMUNE_GROUP, 1006, "/donvi", "group")
        assert said["chat_id"] == COMMUNE_GROUP
        assert set(_marks(s.db)) == {"telegram:1007"}


async def _compose_poll(s: Stage, lines: str) -> str:
    """The officer composes a poll for Xã Tân Lập with the Telegram buttons; the preview."""
    async def reply(starts: str) -> dict[str, Any]:
        return await s.tg.wait_for("sendMessage", lambda p: p["chat_id"] == OFFICER
                                   and p["text"].startswith(starts), timeout=WAIT)

    async def press(message: dict[str, Any], label: str) -> None:
        data = {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                for b in row}[label]
        s.tg.callback_update(OFFICER, OFFICER, data)
        await s.tg.wait_for("answerCallbackQuery", timeout=WAIT)

    s.tg.text_update(OFFICER, OFFICER, f"/khaosat {lines}")
    await press(await reply(poll_texts.POLL_ASK_KIND), poll_texts.POLL_SINGLE_BUTTON)
    await press(await reply(poll_texts.POLL_ASK_ANONYMOUS), poll_texts.POLL_ANONYMOUS_BUTTON)
    await press(await reply(poll_texts.POLL_ASK_DURATION), "24 giờ")
    await press(await reply(poll_texts.POLL_ASK_UNITS[:20]), "Xã Tân Lập")
    return str((await reply("XEM TRƯỚC KHẢO SÁT"))["text"])
_ = OFFICER
