"""Adding a feature is one line: a toy feature, written here against bot.core.feature only,
plugged into the real `tuyengiao run` (tuyengiao.serve.serve) by the one line that lists the
features, gets its command in the Telegram menu and answered, its button pressed, and its
background worker started with the process's outbound ports and stopped with it — through
the real Telegram adapter against the loopback Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.core.commands import Command
from bot.core.feature import BaseFeature, MenuCommand, Worker
from bot.core.outbound import Destination, OutboundPort
from bot.core.types import Action, IncomingAction, IncomingText, Outcome, TextReply
from bot.services.people import Actor
from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from tests.fakes.telegram_api import TelegramApiServer
from tuyengiao.features import FeatureContext, build_features
from tuyengiao.serve import serve
from tuyengiao.settings import Settings

WAIT = 15.0
MEMBER = 4242


class ToyWorker:
    """Sends a line to each chat that pressed the toy button, from the background."""

    name = "toy-worker"

    def __init__(self, port: OutboundPort) -> None:
        self.port = port
        self.chats: asyncio.Queue[str] = asyncio.Queue()
        self.stopped = False

    def wake(self) -> None:
        pass

    async def run(self, stop: asyncio.Event) -> None:
        stopping = asyncio.ensure_future(stop.wait())
        while not stop.is_set():
            next_chat = asyncio.ensure_future(self.chats.get())
            await asyncio.wait({stopping, next_chat}, return_when=asyncio.FIRST_COMPLETED)
            if next_chat.done():
                await self.port.send_text(Destination(next_chat.result()), "Tin từ việc nền.")
            else:
                next_chat.cancel()
        self.stopped = True


class ToyFeature(BaseFeature):
    name = "toy"
    commands = (MenuCommand("dochoi", "Thử: một lệnh đồ chơi"),)
    button_prefixes = ("toy",)
    has_workers = True  # type: ignore[assignment]

    def __init__(self) -> None:
        self.worker: ToyWorker | None = None

    async def command(self, incoming: IncomingText, actor: Actor,
                      command: Command) -> Outcome | None:
        return Outcome([TextReply("Đồ chơi đây.", (Action("Bấm thử", "toy:1"),))])

    async def action(self, incoming: IncomingAction, actor: Actor, prefix: str,
                     rest: str) -> Outcome | None:
        assert self.worker is not None
        self.worker.chats.put_nowait(incoming.chat.chat_id)
        return Outcome(notice=f"Đã bấm {rest}.")

    def workers(self, ports: Mapping[str, OutboundPort]) -> Sequence[Worker]:
        self.worker = ToyWorker(ports["telegram"])
        return (self.worker,)


async def test_a_toy_feature_gets_a_command_a_button_and_a_worker(
        knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, hashing_embedder)
    toy = ToyFeature()
    async with TelegramApiServer() as api:
        settings = Settings(_env_file=None, telegram_bot_token=api.token,
                            telegram_api_base_url=api.base_url,
                            database_url=f"sqlite:///{tmp_path / 'bot.db'}",
                            search_weight_dense=0.0)
        stop = asyncio.Event()
        # The one line: the application's features, and the toy.
        running = asyncio.create_task(serve(settings, store, stop, features=lambda ctx: [
            *build_features(ctx), toy]))
        menu = await api.wait_for("setMyCommands", timeout=WAIT)
        assert {"command": "dochoi", "description": "Thử: một lệnh đồ chơi"} in menu["commands"]
        assert "thongbao" in {c["command"] for c in menu["commands"]}  # the others stay

        api.text_update(MEMBER, MEMBER, "/dochoi")
        shown = await api.wait_for("sendMessage", lambda p: p["chat_id"] == MEMBER, timeout=WAIT)
        assert shown["text"] == "Đồ chơi đây."
        assert shown["reply_markup"]["inline_keyboard"] == [
            [{"text": "Bấm thử", "callback_data": "toy:1"}]]

        api.callback_update(MEMBER, MEMBER, "toy:1")
        toast = await api.wait_for("answerCallbackQuery", timeout=WAIT)
        assert toast["text"] == "Đã bấm 1."
        sent = await api.wait_for("sendMessage", lambda p: p["text"] == "Tin từ việc nền.",
                                  timeout=WAIT)
        assert sent["chat_id"] == MEMBER
        stop.set()
        await asyncio.wait_for(running, WAIT)
    assert toy.worker is not None and toy.worker.stopped  # stopped with the process


def test_the_toy_is_just_another_feature(tmp_path: Path) -> None:
    """What `serve` builds from the list: the toy after the application's own features."""
    from bot.core.knowledge_base import KnowledgeBase
    from bot.core.outbound import Outbound
    from bot.storage.database import Database

    with Database.open(f"sqlite:///{tmp_path / 'bot.db'}") as db:
        ctx = FeatureContext(db, KnowledgeBase.__new__(KnowledgeBase), Outbound())
        names = [f.name for f in [*build_features(ctx), ToyFeature()]]
    assert names == ["official_answers", "ask", "units", "broadcast", "polls", "study", "reports", "toy"]
