"""`tuyengiao run` with broadcasts: the delivery worker starts with the Telegram channel, an
officer's broadcast confirmed in the chat goes out at once (the in-process worker is woken),
and the stop is clean."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tuyengiao.serve import serve
from bot.channels.plain_render import typed_wording
from bot.storage.database import Database
from indexer.build import build_store
from bot.broadcast import messages as broadcast_texts
from knowledge.embedder import HashingEmbedder
from tests.bot.broadcast.world import build_world
from tests.fakes.telegram_api import TelegramApiServer
from tuyengiao.settings import Settings

WAIT = 15.0
OFFICER = 901


async def test_run_starts_the_worker_and_sends_a_confirmed_broadcast(
        knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, hashing_embedder)
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    with Database.open(db_url) as db:
        db.create_all()
        world = build_world(db)
    async with TelegramApiServer() as api:
        settings = Settings(
            _env_file=None, telegram_bot_token=api.token, telegram_api_base_url=api.base_url,
            database_url=db_url, search_weight_dense=0.0, broadcast_poll_seconds=30.0,
            broadcast_progress_seconds=0.1)
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, store, stop))
        commands = await api.wait_for("setMyCommands", timeout=WAIT)
        assert "thongbao" in {c["command"] for c in commands["commands"]}

        def buttons(params: dict) -> dict[str, str]:  # type: ignore[type-arg]
            return {b["text"]: b["callback_data"]
                    for row in params.get("reply_markup", {}).get("inline_keyboard", []) for b in row}

        async def reply(starts: str) -> dict:  # type: ignore[type-arg]
            return await api.wait_for("sendMessage", lambda p: p["chat_id"] == OFFICER
                                      and p["text"].startswith(starts), timeout=WAIT)

        async def press(data: str) -> None:
            api.callback_update(OFFICER, OFFICER, data)
            await api.wait_for("answerCallbackQuery", timeout=WAIT)

        api.text_update(OFFICER, OFFICER, "/thongbao Họp chi bộ bất thường tối thứ Sáu.")
        await press(buttons(await reply(broadcast_texts.COMPOSE_ASK_DOC[:20]))[broadcast_texts.COMPOSE_SKIP_BUTTON])
        targets = buttons(await reply(broadcast_texts.COMPOSE_ASK_UNITS[:20]))
        await press(next(d for label, d in targets.items() if "Xã Tân Lập" in label))
        await press(targets[broadcast_texts.COMPOSE_DONE_BUTTON])
        await press(buttons(await reply(broadcast_texts.COMPOSE_ASK_ROLES))[broadcast_texts.COMPOSE_ROLES_ALL])
        await press(buttons(await reply(broadcast_texts.COMPOSE_ASK_GROUPS[:20]))[broadcast_texts.COMPOSE_YES])
        await press(buttons(await reply(broadcast_texts.COMPOSE_ASK_CONFIRM))[broadcast_texts.COMPOSE_NO])
        await press(buttons(await reply(broadcast_texts.COMPOSE_PREVIEW_TITLE))[broadcast_texts.COMPOSE_SEND_BUTTON])
        # The worker polls only every 30 s here: a prompt delivery means it was woken.
        for chat in world.members[world.commune2] + ["-5002"]:
            got = await api.wait_for("sendMessage", lambda p, c=chat: str(p["chat_id"]) == c,
                                     timeout=5.0)
            assert "Họp chi bộ bất thường tối thứ Sáu." in got["text"]
        await reply("📊")  # the final report reached the officer
        stop.set()
        await asyncio.wait_for(running, WAIT)


async def test_run_sends_on_zalo_too_when_its_token_is_set(
        knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> None:
    from tests.bot.broadcast.zalo_world import ZALO_OFFICER, add_zalo_people
    from tests.fakes.zalo_api import ZaloApiServer

    store = tmp_path / "store"
    build_store([knowledge_dir], store, hashing_embedder)
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    with Database.open(db_url) as db:
        db.create_all()
        world = build_world(db)
        zpeople = add_zalo_people(db, world)
    async with TelegramApiServer() as api, ZaloApiServer(max_poll_wait=0.5) as zapi:
        settings = Settings(
            _env_file=None, telegram_bot_token=api.token, telegram_api_base_url=api.base_url,
            zalo_bot_token=zapi.token, zalo_api_base_url=zapi.base_url, zalo_poll_timeout=1,
            database_url=db_url, search_weight_dense=0.0, broadcast_poll_seconds=30.0)
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, store, stop))

        async def say(text: str, expect: str) -> str:
            zapi.text_update(ZALO_OFFICER, ZALO_OFFICER, text)
            sent = await zapi.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                                       and p["text"].startswith(expect), timeout=WAIT)
            return str(sent["text"])

        await say("/thongbao Họp chi bộ bất thường tối thứ Sáu.", broadcast_texts.COMPOSE_ASK_DOC[:20])
        await say("bỏ qua", typed_wording(broadcast_texts.COMPOSE_ASK_UNITS)[:20])
        await say("xã tân lập", "Đã chọn")
        await say("xong", broadcast_texts.COMPOSE_ASK_ROLES)
        await say("đảng viên và cán bộ", broadcast_texts.COMPOSE_ASK_GROUPS[:20])
        await say("có", broadcast_texts.COMPOSE_ASK_CONFIRM)
        await say("không", broadcast_texts.COMPOSE_PREVIEW_TITLE)
        await say("gửi ngay", "Đang gửi thông báo #")
        # The worker polls only every 30 s here: a prompt delivery means it was woken.
        for chat in zpeople.members[world.commune2] + [zpeople.group]:
            got = await zapi.wait_for("sendMessage", lambda p, c=chat: p["chat_id"] == c,
                                      timeout=5.0)
            assert "Họp chi bộ bất thường tối thứ Sáu." in got["text"]
        for chat in world.members[world.commune2]:
            await api.wait_for("sendMessage", lambda p, c=chat: str(p["chat_id"]) == c, timeout=5.0)
        await zapi.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                            and p["text"].startswith("📊"), timeout=WAIT)
        stop.set()
        await asyncio.wait_for(running, WAIT)
