"""A Zalo owner's typed answer to a link question («Gõ 1: ✅ Đồng ý · 2: ✖ Từ chối») survives
a restart between the question and the answer: the numbered choice is kept in the database
(bot.inbox.offers) and the request's 15 minutes in its `link_request` row. Two app
instances — each its own core, and its channels built by `tuyengiao run`'s own wiring
(tuyengiao.serve) — one after the other on the same database, through the loopback Telegram
and Zalo servers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

from sqlmodel import select

from bot.core.knowledge_base import KnowledgeBase
from bot.storage.database import Database
from bot.storage.models import Identity, LinkRequest, utcnow
from bot import messages
from tests.bot.broadcast.world import ADMIN_IDS, add_members, build_world
from tests.bot.conftest import db, knowledge  # noqa: F401  (fixtures)
from tests.dispatchers import dispatcher
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer
from tests.security.chats import Chats
from tuyengiao import serve
from tuyengiao.settings import Settings

LINK = re.compile(r"/lienket (LK-[A-Z2-9]{4}-[A-Z2-9]{4})")


def _person(db: Database, platform: str, user: str) -> int:
    with db.session() as s:
        return s.exec(select(Identity.person_id).where(
            Identity.platform == platform, Identity.platform_user_id == user)).one()


@asynccontextmanager
async def instance(db: Database, knowledge: KnowledgeBase) -> AsyncIterator[Chats]:
    """One app instance: a core, and both channels as `tuyengiao run` builds, starts and
    attaches them (its Zalo channel keeps offers in the database), over loopback servers."""
    async with TelegramApiServer(max_poll_wait=0.2) as tg, \
            ZaloApiServer(max_poll_wait=0.2) as zl, AsyncExitStack() as stack:
        settings = Settings(_env_file=None, telegram_bot_token=tg.token,
                            telegram_api_base_url=tg.base_url, zalo_bot_token=zl.token,
                            zalo_api_base_url=zl.base_url, zalo_poll_timeout=1)
        core = dispatcher(db, knowledge, ADMIN_IDS)
        channels = [("telegram", serve._telegram_channel(settings, core, db)),
                    ("zalo", await serve._zalo_channel(settings, core, db, stack))]
        for platform, channel in channels:
            await channel.start()
            stack.push_async_callback(channel.stop, 2.0)
            core.outbound.attach(platform, channel.outbound)
            stack.callback(core.outbound.detach, platform)
        yield Chats(tg, zl)


async def _ask_owner(db: Database, knowledge: KnowledgeBase, owner: str, joiner: int) -> None:
    """The first instance: the Zalo owner's link code, claimed on Telegram; the question
    reaches the owner's Zalo chat; then the instance stops."""
    async with instance(db, knowledge) as chats:
        code = LINK.search(await chats.zalo(owner, owner, "/lienket", name="Phạm Văn Dũng"))
        assert code is not None
        await chats.telegram(joiner, joiner, f"/lienket {code[1]}", name="Dũng Phạm")
        asked = await chats.zalo_reply(owner)
        assert asked.endswith("Gõ 1: ✅ Đồng ý · 2: ✖ Từ chối")


async def test_a_typed_link_answer_after_a_restart_links_the_accounts(
        db: Database, knowledge: KnowledgeBase) -> None:
    world = build_world(db)
    db.call(add_members, world.cell, ["z-7001"], platform="zalo")
    await _ask_owner(db, knowledge, "z-7001", 3001)
    # A new instance: new core, new adapters, nothing in memory from the first.
    async with instance(db, knowledge) as chats:
        done = await chats.zalo("z-7001", "z-7001", "1", name="Phạm Văn Dũng")
        assert done == messages.LINK_DONE_OWNER.format(platform="Telegram", name="Dũng Phạm")
        assert await chats.telegram_reply(3001) == messages.ACCOUNTS_LINKED
    assert _person(db, "telegram", "3001") == _person(db, "zalo", "z-7001")


async def test_a_typed_link_answer_after_the_request_expired_is_refused(
        db: Database, knowledge: KnowledgeBase) -> None:
    world = build_world(db)
    db.call(add_members, world.cell, ["z-7002"], platform="zalo")
    await _ask_owner(db, knowledge, "z-7002", 3002)
    with db.session() as s:  # the 15 minutes have passed while the bot was down
        request = s.exec(select(LinkRequest)).one()
        request.expires_at = utcnow() - timedelta(seconds=1)
        s.add(request)
    async with instance(db, knowledge) as chats:
        refused = await chats.zalo("z-7002", "z-7002", "1", name="Phạm Văn Dũng")
        assert refused == messages.LINK_REQUEST_GONE
    assert _person(db, "telegram", "3002") != _person(db, "zalo", "z-7002")
    with db.session() as s:
        assert s.exec(select(LinkRequest.status)).one() == "pending"  # lapsed, never accepted
