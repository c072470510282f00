"""The buttons under an answer are the asker's (issue 11): in a group, another member's 👍/👎
or «Xem văn bản» gets a short refusal meant for them alone and changes nothing; on Zalo
another member's bare number is not taken as the asker's choice."""

from __future__ import annotations

from sqlmodel import select

from bot.core.dispatcher import Dispatcher
from bot.storage.database import Database
from bot.storage.models import Feedback, Identity
from bot import messages
from tests.bot.broadcast.world import add_members, build_world
from tests.bot.conftest import assistant, db, knowledge  # noqa: F401  (fixtures)
from tests.security.chats import both_platforms, buttons

QUESTION = "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"


def votes(db: Database) -> list[tuple[str, int]]:
    with db.session() as s:
        return list(s.exec(select(Identity.platform_user_id, Feedback.value).join(
            Identity, Identity.person_id == Feedback.person_id).order_by(Feedback.id)).all())


async def test_another_member_cannot_rate_or_open_someone_elses_answer(assistant: Dispatcher,
                                                                      db: Database) -> None:
    world = build_world(db)
    group = int(world.groups[world.cell])
    async with both_platforms(assistant) as chats:
        chats.tg.text_update(group, 1001, f"/hoi {QUESTION}", "group", first_name="Đảng viên 1001")
        answer = await chats.tg.wait_for("sendMessage", lambda p: p["chat_id"] == group)
        assert buttons(answer) == ["fb:1:1", "fb:1:-1", "doc:1"]
        shown = len(chats.telegram_texts(group))
        assert await chats.press(group, 1002, "fb:1:1", group=True) == messages.FEEDBACK_NOT_YOURS
        assert await chats.press(group, 1002, "doc:1", group=True) == messages.DOCUMENT_BUTTON_NOT_YOURS
        assert len(chats.telegram_texts(group)) == shown  # nothing said to the whole group
        assert votes(db) == []
        # The asker's own presses work.
        assert await chats.press(group, 1001, "fb:1:-1", group=True) == messages.FEEDBACK_THANKS
        chats.tg.callback_update(group, 1001, "doc:1", chat_type="group")
        view = await chats.telegram_reply(group)
        assert view.startswith("<b>Chỉ thị 05-CT/TW</b>\nSố hiệu: 05-CT/TW\n")
    assert votes(db) == [("1001", -1)]


async def test_on_zalo_another_members_number_is_not_the_askers_choice(assistant: Dispatcher,
                                                                       db: Database) -> None:
    world = build_world(db)
    db.call(add_members, world.cell, ["z-1", "z-2"], platform="zalo")
    async with both_platforms(assistant) as chats:
        answer = await chats.zalo("zg", "z-1", f"/hoi {QUESTION}", group=True)
        assert answer.endswith("Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản")
        chats.zl.text_update("zg", "z-2", "1", "GROUP")  # not theirs: members talking
        assert await chats.zalo("zg", "z-1", "2", group=True) == messages.FEEDBACK_THANKS
        assert len(chats.zl.sent_texts("zg")) == 2
    assert votes(db) == [("z-1", -1)]
