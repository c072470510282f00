"""`tuyengiao run` as a whole: settings in, the Telegram channel up against the loopback Bot
API, a question answered from the published store, and a clean stop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from bot.app import serve
from bot.storage.database import Database
from bot.storage.models import QuestionLog
from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from tests.fakes.telegram_api import TelegramApiServer
from tuyengiao.settings import Settings

WAIT = 15.0


async def test_run_serves_telegram_and_stops_cleanly(
        knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, hashing_embedder)
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    async with TelegramApiServer() as api:
        settings = Settings(
            _env_file=None, telegram_bot_token=api.token, telegram_api_base_url=api.base_url,
            database_url=db_url, search_weight_dense=0.0, admin_ids="telegram:1",
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, store, stop))
        await api.wait_for("setMyCommands", timeout=WAIT)
        api.text_update(5, 5, "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?")
        sent = await api.wait_for("sendMessage", timeout=WAIT)
        assert "Chỉ thị 05-CT/TW" in sent["text"] and sent["parse_mode"] == "HTML"
        stop.set()
        await asyncio.wait_for(running, WAIT)
    db = Database.open(db_url)
    try:
        with db.session() as s:
            assert s.exec(select(QuestionLog)).one().answered
    finally:
        db.close()
