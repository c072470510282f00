"""Account linking under attack (issue 11), through the real adapters and loopback servers:
a code asked for in a group, a leaked link code claimed by a stranger, a member's link code
handed to an officer as an "invite", a forged confirmation; and the real thing, confirmed."""

from __future__ import annotations

import logging
import re

import pytest
from sqlmodel import select

from bot.channels.plain_render import typed_wording
from bot.core.dispatcher import Dispatcher
from bot.core.types import Action
from bot.storage.database import Database
from bot.storage.models import Identity, InviteCode, LinkRequest, Membership
from bot import messages
from tests.bot.broadcast.world import add_members, add_person, build_world
from tests.bot.conftest import assistant, db, knowledge  # noqa: F401  (fixtures)
from tests.fakes.telegram_faults import FaultPlan, blocked
from tests.security.chats import both_platforms, buttons

LINK = re.compile(r"/lienket (LK-[A-Z2-9]{4}-[A-Z2-9]{4})")


def person_of(db: Database, platform: str, user: str) -> int:
    with db.session() as s:
        return s.exec(select(Identity.person_id).where(
            Identity.platform == platform, Identity.platform_user_id == user)).one()


def roles_of(db: Database, person: int) -> list[tuple[int, str]]:
    with db.session() as s:
        return sorted(s.exec(select(Membership.unit_id, Membership.role)
                             .where(Membership.person_id == person)).all())


async def test_codes_asked_for_in_a_group_go_to_private_or_nowhere(assistant: Dispatcher,
                                                                   db: Database) -> None:
    world = build_world(db)
    db.call(add_members, world.cell, ["z-silent"], known_chat=False, platform="zalo")
    faults = FaultPlan()
    faults.always(1002, blocked())  # 1002 blocked the bot: its private chat cannot be reached
    group = int(world.groups[world.cell])
    async with both_platforms(assistant, telegram_faults=faults) as chats:
        said = await chats.telegram(group, 1001, "/lienket", group=True, name="Đảng viên 1001")
        assert said == messages.CODE_SENT_PRIVATELY
        [private] = chats.telegram_texts(1001)
        code = LINK.search(private)
        assert code is not None and private.startswith("Mã liên kết của đồng chí: LK-")

        said = await chats.telegram(group, 901, f"/taoma {world.cell} canbo", group=True,
                                    name="Trần Thị Bình")
        assert said == messages.CODE_SENT_PRIVATELY
        [invite] = chats.telegram_texts(901)
        assert invite.startswith("Mã mời vào «Chi bộ thôn Đông» (cán bộ): ")
        assert "Dùng được 1 lần" in invite

        # No private chat the bot may write to: a refusal, and no code is made.
        silent = int(world.silent[0])
        assert await chats.telegram(group, silent, "/lienket", group=True) == messages.CODES_PRIVATE_ONLY
        assert await chats.telegram(group, 1002, "/lienket", group=True) == messages.CODES_PRIVATE_ONLY
        said = await chats.zalo("zg-cell", "z-silent", "/lienket", group=True)
        assert said == messages.CODES_PRIVATE_ONLY

    shown_in_group = "\n".join(chats.telegram_texts(group))
    assert "LK-" not in shown_in_group and code[1] not in shown_in_group
    assert not any("LK-" in text for text in chats.zl.sent_texts("zg-cell"))
    with db.session() as s:
        codes = s.exec(select(InviteCode).order_by(InviteCode.id)).all()
    owner = person_of(db, "telegram", "1001")
    blocked_owner = person_of(db, "telegram", "1002")
    # 1001's code stands; 1002's was made, could not be delivered, and was withdrawn.
    assert [(c.kind, c.person_id, c.revoked) for c in codes if c.kind == "link"] == [
        ("link", owner, False), ("link", blocked_owner, True)]
    [officer_code] = [c for c in codes if c.kind == "unit"]
    assert (officer_code.unit_id, officer_code.role, officer_code.max_uses) == (world.cell, "officer", 1)
    assert officer_code.code in invite and officer_code.code not in shown_in_group


async def test_a_stranger_with_a_leaked_link_code_gets_nothing(assistant: Dispatcher, db: Database,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    world = build_world(db)
    officer = person_of(db, "telegram", world.officer_id)
    async with both_platforms(assistant) as chats:
        shown = await chats.telegram(901, 901, "/lienket", name="Trần Thị Bình")
        code = LINK.search(shown)
        assert code is not None
        # Someone who saw it claims it from their own Zalo account...
        requested = await chats.zalo("z-666", "z-666", f"/lienket {code[1]}", name="Kẻ lạ")
        assert requested.startswith(typed_wording(messages.LINK_REQUESTED.format(
            platform="Telegram", name="Trần Thị Bình"), (Action(messages.LINK_CANCEL_BUTTON, ""),)))
        # ...which only asks the officer, naming the account that asks.
        asked = await chats.tg.wait_for("sendMessage", lambda p: p["chat_id"] == 901)
        assert asked["text"].startswith("Tài khoản Zalo «Kẻ lạ» vừa nhập mã liên kết của đồng chí")
        assert messages.LINK_NO_ROLES in asked["text"]
        assert buttons(asked) == ["lk:1:y", "lk:1:n"]
        # Another member forging the «Đồng ý» press is refused.
        assert await chats.press(1001, 1001, "lk:1:y") == messages.LINK_NOT_YOURS
        # The officer refuses; the stranger is told.
        assert await chats.press(901, 901, "lk:1:n", name="Trần Thị Bình") == \
            messages.LINK_DECLINED_OWNER.format(platform="Zalo", name="Kẻ lạ")[:190]
        assert await chats.zalo_reply("z-666") == messages.LINK_DECLINED_JOINER.format(
            platform="Telegram", name="Trần Thị Bình")
        # Too late to accept now, and the stranger is no officer.
        assert await chats.press(901, 901, "lk:1:y") == messages.LINK_REQUEST_GONE[:190]
        assert await chats.zalo("z-666", "z-666", f"/taodonvi {world.cell} chibo Chi bộ giả") == \
            messages.NOT_OFFICER

    stranger = person_of(db, "zalo", "z-666")
    assert stranger != officer and roles_of(db, stranger) == []
    assert roles_of(db, officer) == [(world.district, "officer")]
    with db.session() as s:
        assert [r.status for r in s.exec(select(LinkRequest)).all()] == ["declined"]
    member = person_of(db, "telegram", "1001")
    logged = [r.getMessage() for r in caplog.records]
    assert f"link request 1: person {member} (telegram user 1001) is not its owner" in logged
    assert f"link request 1 declined by person {officer}" in logged


async def test_a_link_code_handed_over_as_an_invite_does_nothing(assistant: Dispatcher, db: Database,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    world = build_world(db)
    db.call(add_person, "z-901", "Trần Thị Bình", world.district, "officer", platform="zalo")
    async with both_platforms(assistant) as chats:
        shown = await chats.telegram(1001, 1001, "/lienket", name="Đảng viên 1001")
        code = LINK.search(shown)
        assert code is not None
        # "Here is the invite, đồng chí": the officer types it into /dangky on Zalo.
        for typed in (code[1], code[1][3:].replace("-", "")):
            assert await chats.zalo("z-901", "z-901", f"/dangky {typed}", name="Trần Thị Bình") == \
                messages.CODE_IS_LINK
    member, officer = person_of(db, "telegram", "1001"), person_of(db, "zalo", "z-901")
    assert member != officer
    assert roles_of(db, member) == [(world.cell, "member")]
    assert roles_of(db, officer) == [(world.district, "officer")]
    with db.session() as s:
        assert [c.uses for c in s.exec(select(InviteCode).where(InviteCode.kind == "link"))] == [0]
        assert s.exec(select(LinkRequest)).all() == []
    refused = [r.getMessage() for r in caplog.records if "code refused (link_code)" in r.getMessage()]
    assert len(refused) == 2
    assert all(f"person {officer} (zalo user z-901) in chat zalo:z-901 typed " in m for m in refused)
    assert not any(code[1][3:7] in m for m in refused)  # the log does not hold the code


async def test_the_owner_confirms_a_real_link_by_a_typed_choice_on_zalo(assistant: Dispatcher,
                                                                       db: Database) -> None:
    world = build_world(db)
    db.call(add_members, world.cell, ["z-7001"], platform="zalo")
    async with both_platforms(assistant) as chats:
        shown = await chats.zalo("z-7001", "z-7001", "/lienket", name="Phạm Văn Dũng")
        code = LINK.search(shown)
        assert code is not None
        requested = await chats.telegram(3001, 3001, f"/lienket {code[1]}", name="Dũng Phạm")
        assert requested == messages.LINK_REQUESTED.format(platform="Zalo", name="Phạm Văn Dũng")
        asked = await chats.zalo_reply("z-7001")
        assert asked.startswith("Tài khoản Telegram «Dũng Phạm» vừa nhập mã liên kết của đồng chí")
        assert asked.endswith("Gõ 1: ✅ Đồng ý · 2: ✖ Từ chối")
        done = await chats.zalo("z-7001", "z-7001", "1", name="Phạm Văn Dũng")
        assert done == messages.LINK_DONE_OWNER.format(platform="Telegram", name="Dũng Phạm")
        assert await chats.telegram_reply(3001) == messages.ACCOUNTS_LINKED
    owner = person_of(db, "zalo", "z-7001")
    assert person_of(db, "telegram", "3001") == owner
    assert roles_of(db, owner) == [(world.cell, "member")]
