"""A link the owner accepts but that would make one person of two voters in the same named
poll is refused (bot.services.person_merge): through the real adapters and the loopback
servers, the owner's button press and the joiner's Zalo chat both say why, and the two
accounts stay apart."""

from __future__ import annotations

import re

from sqlmodel import SQLModel, select

from bot.core.dispatcher import Dispatcher
from bot.polls.models import Poll, PollVote
from bot.storage.database import Database
from bot.storage.models import Identity, LinkRequest
from tests.bot.broadcast.world import build_world
from tests.bot.conftest import assistant, db, knowledge  # noqa: F401  (fixtures)
from tests.bot.person_rows import RowMaker
from tests.security.chats import both_platforms, buttons

LINK = re.compile(r"/lienket (LK-[A-Z2-9]{4}-[A-Z2-9]{4})")
REFUSED = ("Chưa liên kết được: cả hai tài khoản đều đã bỏ phiếu trong khảo sát #7; gộp lại sẽ "
           "làm sai kết quả. Hai tài khoản vẫn để riêng như trước.")


def person_of(db: Database, platform: str, user: str) -> int:
    with db.session() as s:
        return s.exec(select(Identity.person_id).where(
            Identity.platform == platform, Identity.platform_user_id == user)).one()


def both_voted(db: Database, owner: int, joiner: int) -> None:
    """A named poll (#7) in which each account voted."""
    def make(session) -> None:  # type: ignore[no-untyped-def]
        poll = session.get(Poll, RowMaker(session, owner).make(
            SQLModel.metadata.tables["poll"], owner))
        poll.anonymous, poll.number, poll.status = False, 7, "closed"
        session.add(poll)
        session.add(PollVote(poll_id=poll.id, platform="telegram", voter_key="telegram:3301",
                             person_id=owner, option_ids="0"))
        session.add(PollVote(poll_id=poll.id, platform="zalo", voter_key="zalo:z-3301",
                             person_id=joiner, option_ids="1"))
    db.call(make)


async def test_a_link_that_would_merge_two_voters_is_refused_to_both(
        assistant: Dispatcher, db: Database) -> None:
    build_world(db)
    async with both_platforms(assistant) as chats:
        code = LINK.search(await chats.telegram(3301, 3301, "/lienket", name="Lê Văn Hùng"))
        assert code is not None
        await chats.zalo("z-3301", "z-3301", f"/lienket {code[1]}", name="Hùng Lê")
        asked = await chats.tg.wait_for("sendMessage", lambda p: p["chat_id"] == 3301
                                        and buttons(p) != [])
        [accept, _] = buttons(asked)
        owner, joiner = person_of(db, "telegram", "3301"), person_of(db, "zalo", "z-3301")
        both_voted(db, owner, joiner)
        assert await chats.press(3301, 3301, accept, name="Lê Văn Hùng") == REFUSED
        assert await chats.zalo_reply("z-3301") == REFUSED
    assert person_of(db, "zalo", "z-3301") == joiner != owner
    with db.session() as s:
        assert [r.status for r in s.exec(select(LinkRequest))] == ["declined"]
        votes = sorted((v.voter_key, v.person_id) for v in s.exec(select(PollVote)))
    assert votes == [("telegram:3301", owner), ("zalo:z-3301", joiner)]
