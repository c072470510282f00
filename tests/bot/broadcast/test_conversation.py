"""The officer's whole flow through the real Telegram adapter, the real core and the real
worker, against the loopback Bot API: compose with buttons, preview, send, progress edited
in place, report; members press "Đã đọc"; the officer lists and reminds the others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.outbound import TelegramOutbound
from bot.channels.telegram.channel import TelegramChannel
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.storage.database import Database
from indexer.build import build_store
from indexer.opening import opening_section
from bot import messages as texts
from bot import messages
from bot.broadcast import messages as broadcast_texts
from knowledge.answers import AnswerPolicy
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from tests.bot.broadcast.conftest import FAST_LIMITS, WAIT, finished, running_worker
from tests.dispatchers import broadcast_feature, dispatcher
from tests.bot.broadcast.world import ADMIN_IDS, World
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.telegram_faults import FaultPlan

OFFICER = 901


@pytest.fixture
def assistant(knowledge_dir: Path, tmp_path: Path, db: Database) -> Dispatcher:
    embedder = HashingEmbedder()
    build_store([knowledge_dir], tmp_path / "store", embedder)
    knowledge = KnowledgeBase(Searcher(StoreReader(tmp_path / "store"), embedder), AnswerPolicy(), opening_section)
    return dispatcher(db, knowledge, ADMIN_IDS, broadcasts=True)


@pytest.fixture
async def bot(api: TelegramApiServer, assistant: Dispatcher) -> AsyncIterator[TelegramChannel]:
    async with TelegramChannel(api.token, assistant.handle, base_url=api.base_url,
                               commands=assistant.menu(), poll_timeout=1.0) as channel:
        yield channel


def buttons(params: dict[str, Any]) -> dict[str, str]:
    rows = params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def reply_to(api: TelegramApiServer, chat: int, starts: str = "") -> dict[str, Any]:
    return await api.wait_for("sendMessage", lambda p: p["chat_id"] == chat
                              and p["text"].startswith(starts), timeout=WAIT)


async def press(api: TelegramApiServer, chat: int, data: str) -> dict[str, Any]:
    api.callback_update(chat, chat, data)
    return await api.wait_for("answerCallbackQuery", timeout=WAIT)


async def test_officer_composes_sends_and_follows_up(
        api: TelegramApiServer, bot: TelegramChannel, assistant: Dispatcher, db: Database,
        world: World, faults: FaultPlan) -> None:
    assert {"thongbao", "nhacdoc"} <= {c["command"] for c in next(iter(api.commands.values()))}
    api.text_update(OFFICER, OFFICER, "/thongbao")
    asked = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_TEXT[:20])
    assert messages.COMPOSE_CANCEL_BUTTON in buttons(asked)
    api.text_update(OFFICER, OFFICER, "Đề nghị các chi bộ tổ chức học tập Chỉ thị 05 trước 30/11.")
    doc = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_DOC[:20])
    api.text_update(OFFICER, OFFICER, "chỉ thị 05")  # found in the store: its label is kept
    targets = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_UNITS[:20])
    choices = buttons(targets)
    assert "Tỉnh Lâm Giang" not in " ".join(choices)  # not in this officer's subtree
    cell = next(data for label, data in choices.items() if "Chi bộ thôn Đông" in label)
    commune2 = next(data for label, data in choices.items() if "Xã Tân Lập" in label)
    assert (await press(api, OFFICER, cell))["text"].startswith("Đã chọn «Chi bộ thôn Đông»")
    await press(api, OFFICER, commune2)
    # Forged callback data for a unit outside the subtree is refused.
    forged = cell.rsplit(":", 1)[0] + f":{world.other_province}"
    assert (await press(api, OFFICER, forged))["text"] == texts.OUTSIDE_SCOPE
    await press(api, OFFICER, choices[broadcast_texts.COMPOSE_DONE_BUTTON])
    roles = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_ROLES)
    await press(api, OFFICER, buttons(roles)[broadcast_texts.COMPOSE_ROLES_MEMBER])
    groups = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_GROUPS[:20])
    await press(api, OFFICER, buttons(groups)[broadcast_texts.COMPOSE_YES])
    confirm = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_CONFIRM)
    await press(api, OFFICER, buttons(confirm)[broadcast_texts.COMPOSE_YES])
    deadline = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_DEADLINE)
    await press(api, OFFICER, buttons(deadline)["Trong 3 ngày"])
    preview = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_PREVIEW_TITLE)
    assert "Văn bản: Chỉ thị 05-CT/TW" in preview["text"]
    assert "Người nhận: 8 người, 7 người nhận được tin riêng (7 tin nhắn); 2 nhóm chat." in preview["text"]
    assert "1 người chưa từng nhắn tin" in preview["text"]

    async with TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=FAST_LIMITS) as transport, \
            running_worker(db, transport) as worker:
        broadcast_feature(assistant).wake = worker.wake
        gate = asyncio.Event()  # one slow chat: the progress shows while it runs
        faults.hang_chat(world.members[world.commune2][-1], gate)
        await press(api, OFFICER, buttons(preview)[broadcast_texts.COMPOSE_SEND_BUTTON])
        sending = await reply_to(api, OFFICER, "Đang gửi thông báo #")
        broadcast_id = int(sending["text"].split("#")[1].split()[0])
        progress = await reply_to(api, OFFICER, "📤")
        gate.set()
        await finished(worker, broadcast_id)
        report = await reply_to(api, OFFICER, "📊")
        # One progress message, edited in place (a fast run may show the final state at once).
        shown = [mid for (chat, mid), m in api.messages.items()
                 if chat == OFFICER and m.get("text", "").startswith("📤")]
        assert len(shown) == 1
        edits = [p for p in api.calls_of("editMessageText") if p["chat_id"] == OFFICER]
        assert all(p["message_id"] == shown[0] for p in edits)
        final = api.messages[(OFFICER, shown[0])]["text"]
        assert broadcast_texts.BROADCAST_PROGRESS_DONE in final and "đã gửi 9/9" in final
        assert progress["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"bc:{broadcast_id}:stop"
        assert "đã xác nhận đọc: 0/5 (0%)" in report["text"]

        # Members confirm with the button on their message.
        readers = world.members[world.cell][:3]
        for reader in readers:
            got = await reply_to(api, int(reader), "📢")
            data = buttons(got)[broadcast_texts.BROADCAST_READ_BUTTON]
            api.callback_update(int(reader), int(reader), data)
            answered = await api.wait_for("answerCallbackQuery", timeout=WAIT)
            assert answered["text"] == broadcast_texts.BROADCAST_READ_THANKS

        await press(api, OFFICER, buttons(report)[broadcast_texts.BROADCAST_LIST_BUTTON])
        listing = await reply_to(api, OFFICER, "Xác nhận đã đọc")
        assert "Chi bộ thôn Đông: đã đọc 3/5 (60%)" in listing["text"]
        assert "Hạn xác nhận: " in listing["text"] and "quá hạn" not in listing["text"]
        assert "Xã Tân Lập: đã đọc 0/3 (0%)" in listing["text"]
        await press(api, OFFICER, buttons(report)[broadcast_texts.BROADCAST_REMIND_BUTTON])
        reminding = await reply_to(api, OFFICER, "Đang nhắc")
        assert reminding["text"] == broadcast_texts.BROADCAST_REMINDING.format(people=4, messages=4)
        reminder_id = broadcast_id + 1
        await finished(worker, reminder_id)
    reminded = {str(p["chat_id"]) for p in api.calls_of("sendMessage") if p["text"].startswith("🔔")}
    assert reminded == {world.members[world.cell][3], *world.members[world.commune2]}


async def test_members_cannot_compose_and_groups_are_attached_by_officers(
        api: TelegramApiServer, bot: TelegramChannel, world: World) -> None:
    member = int(world.members[world.cell][0])
    api.text_update(member, member, "/thongbao")
    assert (await reply_to(api, member))["text"] == texts.NOT_OFFICER
    group = -5009
    api.text_update(group, member, f"/ganhom {world.cell}", chat_type="supergroup", chat_title="Tổ 3")
    refused = await reply_to(api, group)
    assert refused["text"] == texts.OUTSIDE_SCOPE
    api.text_update(group, OFFICER, f"/ganhom {world.other_province}", chat_type="supergroup",
                    chat_title="Tổ 3")
    assert (await reply_to(api, group))["text"] == texts.OUTSIDE_SCOPE
    api.text_update(group, OFFICER, f"/ganhom {world.cell}", chat_type="supergroup", chat_title="Tổ 3")
    done = await reply_to(api, group)
    assert done["text"] == broadcast_texts.GANHOM_DONE.format(title="Tổ 3", unit="Chi bộ thôn Đông")
    api.text_update(OFFICER, OFFICER, "/nhatky")
    assert (await reply_to(api, OFFICER))["text"] == texts.PERMISSION_DENIED


async def test_an_attached_file_follows_the_text_and_a_scheduled_send_waits(
        api: TelegramApiServer, bot: TelegramChannel, assistant: Dispatcher, db: Database,
        world: World) -> None:
    api.text_update(OFFICER, OFFICER, "/thongbao Kế hoạch tuyên truyền tháng 12 (tệp kèm theo).")
    await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_DOC[:20])
    api.document_update(OFFICER, OFFICER, "ke-hoach-35.pdf")
    targets = await reply_to(api, OFFICER, "Đã đính kèm tệp «ke-hoach-35.pdf»")
    choices = buttons(targets)
    await press(api, OFFICER, next(d for label, d in choices.items() if "Xã Tân Lập" in label))
    await press(api, OFFICER, choices[broadcast_texts.COMPOSE_DONE_BUTTON])
    await press(api, OFFICER, buttons(await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_ROLES))[
        broadcast_texts.COMPOSE_ROLES_MEMBER])
    await press(api, OFFICER, buttons(await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_GROUPS[:20]))[
        broadcast_texts.COMPOSE_NO])
    await press(api, OFFICER, buttons(await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_CONFIRM))[
        broadcast_texts.COMPOSE_NO])
    preview = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_PREVIEW_TITLE)
    assert "Tệp đính kèm: ke-hoach-35.pdf" in preview["text"]
    await press(api, OFFICER, buttons(preview)[broadcast_texts.COMPOSE_SCHEDULE_BUTTON])
    await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_TIME[:20])
    api.text_update(OFFICER, OFFICER, "mai")
    assert (await reply_to(api, OFFICER))["text"] == broadcast_texts.BROADCAST_TIME_INVALID
    api.text_update(OFFICER, OFFICER, "23:59 31/12")
    scheduled = await reply_to(api, OFFICER, "Đã hẹn gửi thông báo #")
    assert "lúc 23:59 31/12/" in scheduled["text"]
    broadcast_id = int(scheduled["text"].split("#")[1].split()[0])

    from bot.broadcast.models import Broadcast, Delivery
    from datetime import timedelta
    from sqlmodel import select, update
    from bot.storage.models import utcnow

    async with TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=FAST_LIMITS) as transport, \
            running_worker(db, transport) as worker:
        # Not due yet: the worker finds nothing to claim (the rows exist, with their time).
        rows = db.call(lambda s: s.exec(select(Delivery).where(Delivery.broadcast_id == broadcast_id)).all())
        assert len(rows) == 3 and all(r.status == "pending" for r in rows)
        assert db.call(lambda s: s.get(Broadcast, broadcast_id)).status == "scheduled"
        # Bring the time forward to now: it goes out.
        moved = utcnow() - timedelta(seconds=1)

        def advance(session) -> None:  # type: ignore[no-untyped-def]
            session.exec(update(Broadcast).where(Broadcast.id == broadcast_id).values(scheduled_at=moved))
            session.exec(update(Delivery).where(Delivery.broadcast_id == broadcast_id).values(next_attempt_at=moved))

        db.call(advance)
        worker.wake()
        await finished(worker, broadcast_id)
    for member in world.members[world.commune2]:
        text = [p for p in api.calls_of("sendMessage") if str(p["chat_id"]) == member]
        files = [p for p in api.calls_of("sendDocument") if str(p["chat_id"]) == member]
        assert len(text) == 1 and "Kế hoạch tuyên truyền tháng 12" in text[0]["text"]
        assert [f["document"] for f in files] == ["BQACAgIAAxk-ke-hoach-35.pdf"]
        assert "reply_markup" not in text[0]  # no reading confirmation asked


async def test_a_question_mid_compose_is_still_answered(
        api: TelegramApiServer, bot: TelegramChannel, world: World) -> None:
    api.text_update(OFFICER, OFFICER, "/thongbao Nội dung.")
    doc = await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_DOC[:20])
    await press(api, OFFICER, buttons(doc)[broadcast_texts.COMPOSE_SKIP_BUTTON])
    await reply_to(api, OFFICER, broadcast_texts.COMPOSE_ASK_UNITS[:20])
    # The next step is answered with buttons: a typed text is a question, as always.
    api.text_update(OFFICER, OFFICER, "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?")
    answer = await api.wait_for("sendMessage", lambda p: p["chat_id"] == OFFICER
                                and "05-CT/TW" in p["text"], timeout=WAIT)
    assert "👍" in buttons(answer)
