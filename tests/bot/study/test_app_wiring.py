"""`tuyengiao run` with study campaigns: the menu has the commands, an officer creates a
campaign with the Telegram buttons, the in-process broadcast worker delivers it, the
cell's officer reads the session code from the roll call and a member checks in with it."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.storage.database import Database
from bot.study import messages as texts
from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from tests.bot.broadcast.world import add_person, build_world
from tests.fakes.telegram_api import TelegramApiServer
from tests.security.chats import buttons
from tuyengiao.serve import serve
from tuyengiao.settings import Settings

WAIT = 15.0
OFFICER, SECRETARY = 901, 911


async def test_run_delivers_a_campaign_and_takes_check_ins(
        knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, hashing_embedder)
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    with Database.open(db_url) as db:
        db.create_all()
        world = build_world(db)

        def secretary(session: Session) -> None:
            add_person(session, str(SECRETARY), "Hoàng Văn Em", world.cell, "officer")

        db.call(secretary)
    async with TelegramApiServer() as api:
        settings = Settings(
            _env_file=None, telegram_bot_token=api.token, telegram_api_base_url=api.base_url,
            database_url=db_url, search_weight_dense=0.0, study_runner_seconds=30.0)
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, store, stop))
        commands = await api.wait_for("setMyCommands", timeout=WAIT)
        assert {"hoctap", "comat"} <= {c["command"] for c in commands["commands"]}

        async def reply(chat: int, starts: str) -> dict[str, Any]:
            return await api.wait_for("sendMessage", lambda p: p["chat_id"] == chat and html.unescape(
                str(p["text"])).startswith(starts), timeout=WAIT)

        async def press(data: str, chat: int = OFFICER) -> None:
            api.callback_update(chat, chat, data)
            await api.wait_for("answerCallbackQuery", timeout=WAIT)

        api.text_update(OFFICER, OFFICER, "/taohoctap")
        campaign_id = int(buttons(await reply(OFFICER, "📚 Tạo đợt học tập"))[0].split(":")[2])
        api.text_update(OFFICER, OFFICER, "05-CT/TW")
        await reply(OFFICER, "Bước 2")
        for data, step in (("t", "Bước 3"), (f"u:{world.cell}", "Bước 3"), ("ud", "Bước 4"),
                           ("dl:7", "Bước 5"), ("ss", "Bước 6"), ("nq", "📚 Xem lại")):
            await press(f"sh:c:{campaign_id}:{data}")
            await reply(OFFICER, step)
        await press(f"sh:c:{campaign_id}:go")
        member = int(world.members[world.cell][1])
        got = await reply(member, f"📚 Đợt học tập #{campaign_id}")
        assert buttons(got) == [f"sh:doc:{campaign_id}"]
        api.text_update(SECRETARY, SECRETARY, f"/diemdanh {campaign_id}")
        roll = html.unescape(str((await reply(SECRETARY, "📋"))["text"]))
        code = re.search(r"Mã điểm danh: (\w+)", roll)[1]  # type: ignore[index]
        api.text_update(member, member, f"/comat {code}")
        checked = await reply(member, "✅")
        assert checked["text"] == texts.CHECKED_IN.format(
            id=campaign_id, title="Học tập, quán triệt Chỉ thị 05-CT/TW")
        stop.set()
        await asyncio.wait_for(running, WAIT)
