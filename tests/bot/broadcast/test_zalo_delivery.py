"""The delivery engine on Zalo: the real Zalo transport (the project's Zalo client on aiohttp)
against the loopback Zalo Bot API with injected faults, beside the Telegram transport against
the loopback Telegram Bot API, one worker for both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlmodel import Session, select

from bot.broadcast import compose, service
from bot.broadcast.models import Delivery
from bot.channels.telegram.outbound import TelegramOutbound
from bot.broadcast.progress import officer_reply
from bot.core.outbound import Destination, PermanentError, TransientError
from bot.channels.zalo.outbound import ZaloOutbound
from bot.core.types import Action, TextReply
from bot.storage.database import Database
from bot.broadcast import messages as broadcast_texts
from tests.bot.broadcast.conftest import FAST, WAIT, finished, sent_to
from tests.bot.broadcast.world import World
from tests.bot.broadcast.zalo_world import (
    ZALO_OFFICER,
    ZaloPeople,
    add_zalo_people,
    calls_for,
    running_on,
    zalo_texts,
    zalo_transport,
)
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import Fault, ZaloApiServer


@pytest.fixture
async def zapi() -> AsyncIterator[ZaloApiServer]:
    async with ZaloApiServer() as server:
        yield server


@pytest.fixture
async def ztransport(zapi: ZaloApiServer) -> AsyncIterator[ZaloOutbound]:
    async with zalo_transport(zapi) as transport:
        yield transport


@pytest.fixture
def zpeople(db: Database, world: World) -> ZaloPeople:
    return add_zalo_people(db, world)


def start(db: Database, world: World, *, origin: tuple[str, str] = ("telegram", "901"),
          officer: tuple[str, str] = ("telegram", "901"), confirm: bool = True,
          text: str = "Học tập Chỉ thị 05 và báo cáo trước 30/11.") -> int:
    actor = world.actor(db, officer[1], officer[0])
    draft = db.call(service.create, actor, text=text, unit_ids=[world.district],
                    require_confirmation=confirm, origin=origin, doc_number="05-CT/TW")
    assert draft.id is not None
    db.call(service.confirm, actor, draft.id)
    return draft.id


def deliveries(db: Database, broadcast_id: int) -> dict[tuple[str, str], Delivery]:
    rows = db.call(lambda s: s.exec(select(Delivery).where(Delivery.broadcast_id == broadcast_id)).all())
    return {(d.platform, d.chat_id): d for d in rows}


async def test_a_broadcast_reaches_every_chat_on_both_platforms_once(
        db: Database, world: World, zpeople: ZaloPeople, api: TelegramApiServer,
        transport: TelegramOutbound, zapi: ZaloApiServer, ztransport: ZaloOutbound) -> None:
    broadcast_id = start(db, world)
    async with running_on(db, {"telegram": transport, "zalo": ztransport}) as worker:
        await finished(worker, broadcast_id)
    for chat in world.all_members() + ["-5001", "-5002"]:
        assert len([p for p in sent_to(api, chat) if p["text"].startswith("📢")]) == 1, chat
    zalo_chats = zpeople.all_members() + [zpeople.group, zpeople.both[1], ZALO_OFFICER]
    for chat in zalo_chats:
        [text] = zalo_texts(zapi, chat, "📢")
        assert "Văn bản: 05-CT/TW" in text and "Học tập Chỉ thị 05" in text
        assert text.endswith(broadcast_texts.BROADCAST_CONFIRM_PLEASE_TYPED), text  # no button to press
    # The member on both platforms got it on each (one private chat per platform).
    assert len([p for p in sent_to(api, zpeople.both[0]) if p["text"].startswith("📢")]) == 1
    rows = deliveries(db, broadcast_id)
    assert {k for k in rows if k[0] == "zalo"} == {("zalo", c) for c in zalo_chats}
    assert {d.status for d in rows.values()} == {"sent"}
    assert all(d.platform_message_id for d in rows.values())
    assert zalo_texts(zapi, "z-902") == []  # the other province's officer


async def test_zalo_429_5xx_and_unreachable_chats(
        db: Database, world: World, zpeople: ZaloPeople, zapi: ZaloApiServer,
        ztransport: ZaloOutbound, transport: TelegramOutbound) -> None:
    flooded, failing, blocked, unknown = zpeople.all_members()
    zapi.fail_next("sendMessage", 429, "Too Many Requests", chat_id=flooded, retry_after=1)
    zapi.fail_next("sendMessage", 502, "Bad Gateway", chat_id=failing, times=2)
    zapi.fail_next("sendMessage", 403, "Forbidden: the user blocked the bot", chat_id=blocked,
                   times=None)
    zapi.fail_next("sendMessage", 404, "Not Found: chat not found", chat_id=unknown, times=None)
    broadcast_id = start(db, world, origin=("zalo", ZALO_OFFICER), officer=("zalo", ZALO_OFFICER))
    async with running_on(db, {"telegram": transport, "zalo": ztransport}) as worker:
        await finished(worker, broadcast_id)
    rows = deliveries(db, broadcast_id)
    # 429: sent once the platform's retry_after had passed, and that attempt not counted.
    first, second = calls_for(zapi, flooded)
    assert (first.ok, first.error_code, second.ok) == (False, 429, True)
    assert second.at - first.at >= 0.9
    assert rows[("zalo", flooded)].status == "sent"
    assert rows[("zalo", flooded)].attempts == 1
    # 5xx twice: retried with backoff, then sent.
    assert [c.ok for c in calls_for(zapi, failing)] == [False, False, True]
    assert rows[("zalo", failing)].status == "sent" and rows[("zalo", failing)].attempts == 3
    # 403 and 404: failed for good after one try, never retried.
    for chat, code in ((blocked, "403"), (unknown, "404")):
        assert len(calls_for(zapi, chat)) == 1
        assert rows[("zalo", chat)].status == "failed_permanent"
        assert (rows[("zalo", chat)].last_error or "").startswith(code)
    # The officer on Zalo: no progress message for a short broadcast, one final report with
    # the typed commands instead of buttons.
    [report] = zalo_texts(zapi, ZALO_OFFICER)[-1:]
    assert report.startswith("📊") and "lỗi 2" in report
    assert f"/chuadoc {broadcast_id}" in report and f"/nhacdoc {broadcast_id}" in report
    assert not [t for t in zalo_texts(zapi, ZALO_OFFICER) if t.startswith("📤")]


async def test_progress_on_zalo_comes_as_occasional_new_messages(
        db: Database, world: World, zpeople: ZaloPeople, zapi: ZaloApiServer,
        ztransport: ZaloOutbound, transport: TelegramOutbound) -> None:
    slow = zpeople.all_members()[-1]
    zapi.faults.append(Fault("sendMessage", None, slow, times=1, delay=1.5))
    config = replace(FAST, progress_interval_no_edit=0.4)
    broadcast_id = start(db, world, origin=("zalo", ZALO_OFFICER), officer=("zalo", ZALO_OFFICER))
    async with running_on(db, {"telegram": transport, "zalo": ztransport}, config) as worker:
        progress = await zapi.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                                       and p["text"].startswith("📤"), timeout=WAIT)
        assert "đang chờ" in progress["text"]  # how many still wait depends on the machine
        assert progress["text"].endswith(f"Gõ /dunggui {broadcast_id} để dừng gửi")
        await finished(worker, broadcast_id)
    to_officer = zalo_texts(zapi, ZALO_OFFICER)
    shown = [c.at for c in calls_for(zapi, ZALO_OFFICER) if c.params["text"].startswith("📤")]
    assert shown  # the slow send kept the broadcast open past at least one interval
    # Occasional, not every 0.05 s tick: new progress messages come about the 0.4 s interval
    # apart (0.2 s of slack for a loaded machine delaying one request more than the next).
    assert all(later - earlier >= 0.2 for earlier, later in zip(shown, shown[1:]))
    assert to_officer[-1].startswith("📊")
    assert not [t for t in to_officer if broadcast_texts.BROADCAST_PROGRESS_DONE in t]  # the report says it


async def test_the_transport_sorts_zalo_errors_and_splits_long_texts(
        zapi: ZaloApiServer, ztransport: ZaloOutbound) -> None:
    long = "Đoạn một. " * 150 + "\n\n" + "Đoạn hai. " * 150  # 3,000 characters
    # What the broadcast engine sends an officer on Zalo: typed commands for its buttons.
    message_id = await ztransport.send(Destination("u1"), [
        officer_reply(ztransport, long, (Action("x", "bc:7:stop"),))])
    parts = zapi.sent_texts("u1")
    assert len(parts) == 2 and all(len(p) <= 2000 for p in parts)
    assert parts[1].endswith("Gõ /dunggui 7 để dừng gửi")
    assert message_id.startswith("bot")
    zapi.fail_next("sendMessage", 429, "Too Many Requests", retry_after=7)
    with pytest.raises(TransientError) as flood:
        await ztransport.send_text(Destination("u1"), "x")
    assert flood.value.retry_after == 7
    zapi.fail_http("sendMessage", 502)
    with pytest.raises(TransientError):
        await ztransport.send_text(Destination("u1"), "x")
    zapi.fail_next("sendMessage", 401, "Unauthorized")  # an operator must fix the token
    with pytest.raises(TransientError):
        await ztransport.send_text(Destination("u1"), "x")
    for code in (403, 404, 400):
        zapi.fail_next("sendMessage", code, "refused")
        with pytest.raises(PermanentError) as refused:
            await ztransport.send_text(Destination("u1"), "x")
        assert refused.value.reason.startswith(str(code))
    zapi.delay("sendMessage", 3.0)  # the transport's timeout is 2 s: may have arrived
    with pytest.raises(TransientError):
        await ztransport.send_text(Destination("u1"), "x")
    # No edits on Zalo: "edit" sends the text as a new message.
    before = len(zapi.sent_texts("u1"))
    assert await ztransport.edit(Destination("u1"), message_id, TextReply("mới")) != message_id
    assert zapi.sent_texts("u1")[before:] == ["mới"]


def test_the_preview_says_a_telegram_file_reaches_telegram_only(
        db: Database, world: World, zpeople: ZaloPeople) -> None:
    officer = world.actor(db, world.officer_id)

    def compose_with_file(session: Session) -> str:
        compose.start(session, officer, "telegram", world.officer_id, "Kế hoạch học tập tháng 12.")
        draft = service.draft_in_chat(session, officer, "telegram", world.officer_id)
        assert draft is not None and draft.id is not None
        compose.take_file(session, officer, draft, "telegram", "BQACAgUAAxk", "ke-hoach.pdf")
        compose.press(session, officer, draft.id, "unit", str(world.commune2))
        return compose.preview(session, draft).text

    preview = db.call(compose_with_file)
    assert "Tệp đính kèm: ke-hoach.pdf" in preview
    # Xã Tân Lập on Zalo: two members and the group.
    assert broadcast_texts.COMPOSE_PREVIEW_FILE_ELSEWHERE.format(platform="Telegram", count=3) in preview
