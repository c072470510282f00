"""Broadcasts from and to Zalo through the real Zalo adapter, the real core and the real
worker, against the loopback Zalo Bot API (and the Telegram one for the unit's Telegram
members): an officer composes by typing numbers and words, members confirm by replying
«đã đọc», the officer lists and reminds with commands; scope is enforced by the core."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from bot.channels.plain_render import typed_wording
from bot.broadcast.models import Broadcast, BroadcastRecipient
from bot.channels.telegram.outbound import TelegramOutbound
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.core.types import Chat, IncomingAction, Sender
from bot.storage.database import Database
from indexer.build import build_store
from indexer.opening import opening_section
from bot import messages as texts
from bot.broadcast import messages as broadcast_texts
from knowledge.answers import AnswerPolicy
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from tests.bot.broadcast.conftest import WAIT, finished
from tests.dispatchers import dispatcher
from tests.bot.broadcast.world import ADMIN_IDS, World
from tests.bot.broadcast.zalo_world import (
    ZALO_OFFICER,
    ZALO_OTHER_OFFICER,
    ZaloPeople,
    add_zalo_people,
    running_on,
    zalo_transport,
)
from tests.fakes.zalo_api import ZaloApiServer


@pytest.fixture
def assistant(knowledge_dir: Path, tmp_path: Path, db: Database) -> Dispatcher:
    embedder = HashingEmbedder()
    build_store([knowledge_dir], tmp_path / "store", embedder)
    knowledge = KnowledgeBase(Searcher(StoreReader(tmp_path / "store"), embedder), AnswerPolicy(), opening_section)
    return dispatcher(db, knowledge, ADMIN_IDS, broadcasts=True)


@pytest.fixture
def zpeople(db: Database, world: World) -> ZaloPeople:
    return add_zalo_people(db, world)


@asynccontextmanager
async def zalo_bot(assistant: Dispatcher) -> AsyncIterator[ZaloApiServer]:
    async with ZaloApiServer(max_poll_wait=0.5) as api, aiohttp.ClientSession() as session:
        client = ZaloBotApi(api.token, session, base_url=api.base_url,
                            retry=RetryPolicy(backoff=0.01))
        async with ZaloChannel(client, assistant.handle, poll_timeout=1):
            yield api


async def say(api: ZaloApiServer, chat: str, text: str, expect: str = "") -> str:
    """Type `text` in a private chat; the bot's next message there that starts with `expect`."""
    api.text_update(chat, chat, text)
    sent = await api.wait_for("sendMessage", lambda p: p["chat_id"] == chat
                              and p["text"].startswith(expect), timeout=WAIT)
    return str(sent["text"])


def choice(hint_text: str, label: str) -> str:
    """The number the hint "Gõ 1: A · 2: B" gives to the choice whose label contains `label`."""
    hint = hint_text.rsplit("Gõ ", 1)[1]
    for part in hint.split(texts.ACTIONS_HINT_SEPARATOR):
        number, _, text = part.partition(": ")
        if label in text:
            return number
    raise AssertionError(f"{label!r} not offered in {hint!r}")


async def test_officer_composes_on_zalo_and_members_confirm_by_reply(
        assistant: Dispatcher, db: Database, world: World, zpeople: ZaloPeople,
        transport: TelegramOutbound) -> None:
    async with zalo_bot(assistant) as api, zalo_transport(api) as ztransport, \
            running_on(db, {"telegram": transport, "zalo": ztransport}) as worker:
        officer = ZALO_OFFICER
        asked = await say(api, officer, "/thongbao", broadcast_texts.COMPOSE_ASK_TEXT[:20])
        assert asked.endswith("Gõ 1: ✖ Hủy")
        await say(api, officer, "Đề nghị các chi bộ học tập Chỉ thị 05 trước 30/11.",
                  broadcast_texts.COMPOSE_ASK_DOC[:20])
        units = await say(api, officer, "chỉ thị 05", typed_wording(broadcast_texts.COMPOSE_ASK_UNITS)[:20])
        assert "Tỉnh Lâm Giang" not in units  # outside this officer's subtree
        picked = await say(api, officer, choice(units, "Chi bộ thôn Đông"), "Đã chọn")
        assert picked == broadcast_texts.COMPOSE_UNIT_ADDED.format(unit="Chi bộ thôn Đông", count=1)
        # A label typed without its decoration ("› Xã Tân Lập") chooses it too.
        picked = await say(api, officer, "xa tan lap", "Đã chọn")
        assert picked == broadcast_texts.COMPOSE_UNIT_ADDED.format(unit="Xã Tân Lập", count=2)
        roles = await say(api, officer, "xong", broadcast_texts.COMPOSE_ASK_ROLES)
        # Text that matches no choice: the same step again, not a question to the archive.
        again = await say(api, officer, "gửi cho mọi người nhé", broadcast_texts.COMPOSE_NOT_UNDERSTOOD)
        assert broadcast_texts.COMPOSE_ASK_ROLES in again and again.endswith(roles.rsplit("\n", 1)[1])
        await say(api, officer, choice(roles, broadcast_texts.COMPOSE_ROLES_MEMBER), broadcast_texts.COMPOSE_ASK_GROUPS[:20])
        await say(api, officer, "có", broadcast_texts.COMPOSE_ASK_CONFIRM)
        deadline = await say(api, officer, "1", broadcast_texts.COMPOSE_ASK_DEADLINE)
        preview = await say(api, officer, choice(deadline, broadcast_texts.COMPOSE_NO_DEADLINE),
                            broadcast_texts.COMPOSE_PREVIEW_TITLE)
        assert "Văn bản: Chỉ thị 05-CT/TW" in preview
        # Telegram: 4 + 3 members (one never wrote), Zalo: 2 + 2 members and the member linked
        # on both platforms; groups: two Telegram, one Zalo.
        assert "Người nhận: 12 người, 11 người nhận được tin riêng (12 tin nhắn); 3 nhóm chat." in preview
        sending = await say(api, officer, choice(preview, "Gửi ngay"), "Đang gửi thông báo #")
        broadcast_id = int(re.search(r"#(\d+)", sending)[1])  # type: ignore[index]
        assert sending.startswith(broadcast_texts.COMPOSE_SENDING_NO_LIVE.format(id=broadcast_id, messages=15))
        await finished(worker, broadcast_id)
        report = await api.wait_for("sendMessage", lambda p: p["chat_id"] == officer
                                    and p["text"].startswith("📊"), timeout=WAIT)
        assert "Chi bộ thôn Đông: 6/7 người nhận được (86%); nhóm 1/1" in report["text"]
        assert report["text"].endswith(f"Gõ /chuadoc {broadcast_id} để xem ai chưa đọc · "
                                       f"/nhacdoc {broadcast_id} để nhắc người chưa đọc")

        # Members on Zalo confirm by replying; the reply is read by the core.
        reader, other = zpeople.members[world.cell]
        got = await api.wait_for("sendMessage", lambda p: p["chat_id"] == reader, timeout=WAIT)
        assert got["text"].startswith("📢") and "trả lời «đã đọc»" in got["text"]
        assert await say(api, reader, "Đã đọc.", "Đã ghi") == broadcast_texts.BROADCAST_READ_THANKS
        assert await say(api, reader, "da doc", "Đồng chí") == broadcast_texts.BROADCAST_READ_AGAIN
        assert await say(api, ZALO_OTHER_OFFICER, "đã đọc") == broadcast_texts.BROADCAST_READ_NOTHING
        with db.session() as s:
            confirmed = s.exec(select(BroadcastRecipient).where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.confirmed_at.is_not(None))).all()  # type: ignore[union-attr]
            assert [r.confirmed_platform for r in confirmed] == ["zalo"]

        # In the unit's Zalo group a member names the bot to confirm; group chatter does not.
        group_member = zpeople.members[world.commune2][0]
        api.text_update(zpeople.group, group_member, "đã đọc", "GROUP")
        api.text_update(zpeople.group, group_member, "@Trợ lý tuyên giáo đã đọc", "GROUP")
        thanks = await api.wait_for("sendMessage", lambda p: p["chat_id"] == zpeople.group
                                    and not p["text"].startswith("📢"), timeout=WAIT)
        assert thanks["text"] == broadcast_texts.BROADCAST_READ_THANKS
        await api.wait_taken()
        assert len(api.sent_texts(zpeople.group)) == 2  # the broadcast and one thanks

        listing = await say(api, officer, f"/chuadoc {broadcast_id}", "Xác nhận đã đọc")
        assert "Chi bộ thôn Đông: đã đọc 1/7" in listing and "Xã Tân Lập: đã đọc 1/5" in listing
        reminding = await say(api, officer, f"/nhacdoc {broadcast_id}", "Đang nhắc")
        assert reminding == broadcast_texts.BROADCAST_REMINDING.format(people=9, messages=10)
        reminder = await api.wait_for("sendMessage", lambda p: p["chat_id"] == other
                                      and p["text"].startswith("🔔"), timeout=WAIT)
        assert "trả lời «đã đọc»" in reminder["text"]
        # Replying to the reminder confirms the original broadcast.
        assert await say(api, other, "đã đọc ạ", "Đã ghi") == broadcast_texts.BROADCAST_READ_THANKS
        listing = await say(api, officer, f"/chuadoc {broadcast_id}", "Xác nhận đã đọc")
        assert "Chi bộ thôn Đông: đã đọc 2/7" in listing


async def test_zalo_officers_stay_in_their_subtree_and_members_cannot_broadcast(
        assistant: Dispatcher, db: Database, world: World, zpeople: ZaloPeople) -> None:
    async with zalo_bot(assistant) as api:
        other = ZALO_OTHER_OFFICER
        await say(api, other, "/thongbao Họp chi bộ tháng 12.", broadcast_texts.COMPOSE_ASK_DOC[:20])
        units = await say(api, other, "bỏ qua", typed_wording(broadcast_texts.COMPOSE_ASK_UNITS)[:20])
        assert "Tỉnh Lâm Giang" in units
        assert "Huyện Đông Hà" not in units and "Chi bộ thôn Đông" not in units
        member = zpeople.members[world.cell][0]
        assert await say(api, member, "/thongbao Nội dung") == texts.NOT_OFFICER
    # The adapter only turns remembered choices into actions; the core refuses a forged one.
    with db.session() as s:
        draft = s.exec(select(Broadcast).where(Broadcast.origin_chat_id == other,
                                               Broadcast.status == "draft")).one()
    sender = Sender("zalo", other, "Lê Văn Cường")
    outcome = await assistant.handle(IncomingAction(
        "forged-1", sender, Chat("zalo", other, "private"), f"bc:{draft.id}:unit:{world.cell}"))
    assert outcome.notice == texts.OUTSIDE_SCOPE
    with db.session() as s:
        refreshed = s.get(Broadcast, draft.id)
        assert refreshed is not None and refreshed.target_unit_ids == ""
