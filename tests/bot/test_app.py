"""`tuyengiao run` as a whole: settings in, the Telegram and Zalo channels up against their
loopback Bot API servers (alone and side by side), questions answered from the published
store, and a clean stop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from tuyengiao.serve import serve
from bot.storage.database import Database
from bot.storage.models import QuestionLog
from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer
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


async def test_run_serves_telegram_and_zalo_side_by_side(
        knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, hashing_embedder)
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    question = "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"
    async with TelegramApiServer() as tg, ZaloApiServer(max_poll_wait=0.5) as zl:
        settings = Settings(
            _env_file=None, telegram_bot_token=tg.token, telegram_api_base_url=tg.base_url,
            zalo_bot_token=zl.token, zalo_api_base_url=zl.base_url, zalo_poll_timeout=1,
            database_url=db_url, search_weight_dense=0.0,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, store, stop))
        await tg.wait_for("setMyCommands", timeout=WAIT)
        await zl.wait_arrivals("getUpdates", 1, timeout=WAIT)
        # Questions on both platforms at once, the same core answering both.
        for i in range(3):
            tg.text_update(100 + i, 100 + i, question)
            zl.text_update(f"z{i}", f"z{i}", question)
        tg_sent = [await tg.wait_for("sendMessage", timeout=WAIT) for _ in range(3)]
        zl_sent = [await zl.wait_for("sendMessage", timeout=WAIT) for _ in range(3)]
        stop.set()
        await asyncio.wait_for(running, WAIT)
    assert {m["chat_id"] for m in tg_sent} == {100, 101, 102}
    assert all("<b>Chỉ thị 05-CT/TW</b>" in m["text"] and m["parse_mode"] == "HTML" for m in tg_sent)
    assert {m["chat_id"] for m in zl_sent} == {"z0", "z1", "z2"}
    assert all("Chỉ thị 05-CT/TW" in m["text"] and "<b>" not in m["text"] for m in zl_sent)
    assert zl.calls_of("deleteWebhook") == []  # polling mode: no webhook to remove
    db = Database.open(db_url)
    try:
        with db.session() as s:
            logged = s.exec(select(QuestionLog)).all()
    finally:
        db.close()
    assert sorted(q.platform for q in logged) == ["telegram"] * 3 + ["zalo"] * 3
    assert all(q.answered for q in logged)


def test_local_channel_only_without_any_platform_token() -> None:
    from tuyengiao.serve import platforms

    assert platforms(Settings(_env_file=None)) == []
    assert platforms(Settings(_env_file=None, zalo_bot_token="1:z")) == ["zalo"]
    assert platforms(Settings(_env_file=None, zalo_bot_token="1:z", telegram_bot_token="2:t")) == [
        "telegram", "zalo"]
