"""`tuyengiao run` with polls: an officer creates a poll with the Telegram buttons, the
in-process runner posts it at once (woken), `/ketqua` answers with the table and the chart
(sendPhoto), `/dongkhaosat` stops every poll and the final results reach the officer."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tuyengiao.serve import serve
from bot.storage.database import Database
from indexer.build import build_store
from bot.polls import messages as poll_texts
from knowledge.embedder import HashingEmbedder
from tests.bot.broadcast.world import build_world
from tests.fakes.telegram_api import TelegramApiServer
from tuyengiao.settings import Settings

WAIT = 15.0
OFFICER = 901


async def test_run_posts_a_poll_created_with_buttons_and_reports_at_close(
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
            database_url=db_url, search_weight_dense=0.0, poll_runner_seconds=30.0)
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, store, stop))
        commands = await api.wait_for("setMyCommands", timeout=WAIT)
        assert {"khaosat", "ketqua"} <= {c["command"] for c in commands["commands"]}

        def buttons(params: dict) -> dict[str, str]:  # type: ignore[type-arg]
            return {b["text"]: b["callback_data"]
                    for row in params.get("reply_markup", {}).get("inline_keyboard", []) for b in row}

        async def reply(starts: str) -> dict:  # type: ignore[type-arg]
            return await api.wait_for("sendMessage", lambda p: p["chat_id"] == OFFICER
                                      and p["text"].startswith(starts), timeout=WAIT)

        async def press(data: str) -> None:
            api.callback_update(OFFICER, OFFICER, data)
            await api.wait_for("answerCallbackQuery", timeout=WAIT)

        api.text_update(OFFICER, OFFICER, "/khaosat Chi bộ họp vào buổi nào?\nSáng thứ Bảy\nTối thứ Sáu")
        await press(buttons(await reply(poll_texts.POLL_ASK_KIND))[poll_texts.POLL_SINGLE_BUTTON])
        await press(buttons(await reply(poll_texts.POLL_ASK_ANONYMOUS))[poll_texts.POLL_NAMED_BUTTON])
        await press(buttons(await reply(poll_texts.POLL_ASK_DURATION))["3 ngày"])
        await press(buttons(await reply(poll_texts.POLL_ASK_UNITS[:20]))["Xã Tân Lập"])
        await press(buttons(await reply("XEM TRƯỚC KHẢO SÁT"))[poll_texts.POLL_SEND_BUTTON])
        # The runner looks only every 30 s here: a prompt post means it was woken.
        for chat in world.members[world.commune2] + ["-5002"]:
            got = await api.wait_for("sendPoll", lambda p, c=chat: str(p["chat_id"]) == c, timeout=5.0)
            assert got["question"] == "Chi bộ họp vào buổi nào?" and got["is_anonymous"] is False
        api.text_update(OFFICER, OFFICER, "/ketqua 1")
        await reply("📊 Kết quả khảo sát #1 (đang mở)")
        photo = await api.wait_for("sendPhoto", timeout=WAIT)
        assert photo["chat_id"] == OFFICER and photo["photo"]["data"][:4] == b"\x89PNG"
        api.text_update(OFFICER, OFFICER, "/ketqua 1 csv")
        document = await api.wait_for("sendDocument", timeout=WAIT)
        assert document["chat_id"] == OFFICER and document["document"]["filename"] == "khaosat-1.csv"
        assert document["caption"].startswith("Kết quả khảo sát #1 theo đơn vị (CSV)")
        api.text_update(OFFICER, OFFICER, "/dongkhaosat 1")
        await reply(poll_texts.POLL_CLOSED_NOW.format(id=1))
        for _ in range(len(world.members[world.commune2]) + 1):
            await api.wait_for("stopPoll", timeout=5.0)
        await reply(poll_texts.POLL_FINAL_TITLE.format(id=1))
        await api.wait_for("sendPhoto", timeout=WAIT)
        stop.set()
        await asyncio.wait_for(running, WAIT)
