"""Both platforms for the hostile cases: the loopback Telegram and Zalo servers, the real
adapters pointed at them over one real core, each adapter attached to the core's outbound
port as `tuyengiao run` does (so the core can write first: a code sent privately, a link to
confirm). Every step waits for the message it expects (never a sleep)."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.core.dispatcher import Dispatcher
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer

WAIT = 10.0


@dataclass
class Chats:
    tg: TelegramApiServer
    zl: ZaloApiServer

    async def telegram(self, chat: int, user: int, text: str, *, group: bool = False,
                       name: str = "Nguyễn Văn An", reply_in: int | None = None) -> str:
        """`user` writes `text` in `chat`; the text of the next message the bot sends to
        `reply_in` (default: the same chat)."""
        self.tg.text_update(chat, user, text, "group" if group else "private", first_name=name)
        return await self.telegram_reply(reply_in if reply_in is not None else chat)

    async def telegram_reply(self, chat: int) -> str:
        sent = await self.tg.wait_for("sendMessage", lambda p: p["chat_id"] == chat, timeout=WAIT)
        return html.unescape(str(sent["text"]))  # what the person reads (sent as Telegram HTML)

    async def press(self, chat: int, user: int, data: str, *, group: bool = False,
                    name: str = "Nguyễn Văn An") -> str:
        """`user` presses a button carrying `data` under the bot's last message in `chat`;
        the toast Telegram shows them (answerCallbackQuery's text, "" when none)."""
        update = self.tg.callback_update(chat, user, data, chat_type="group" if group else "private",
                                         first_name=name)
        query_id = update["callback_query"]["id"]
        answered = await self.tg.wait_for("answerCallbackQuery",
                                          lambda p: p["callback_query_id"] == query_id, timeout=WAIT)
        return str(answered.get("text") or "")

    async def zalo(self, chat: str, user: str, text: str, *, group: bool = False,
                   name: str = "Nguyễn Văn An", reply_in: str | None = None) -> str:
        self.zl.text_update(chat, user, text, "GROUP" if group else "PRIVATE", display_name=name)
        return await self.zalo_reply(reply_in if reply_in is not None else chat)

    async def zalo_reply(self, chat: str) -> str:
        sent = await self.zl.wait_for("sendMessage", lambda p: p["chat_id"] == chat, timeout=WAIT)
        return str(sent["text"])

    def telegram_texts(self, chat: int) -> list[str]:
        return [html.unescape(str(p["text"])) for p in self.tg.calls_of("sendMessage")
                if p["chat_id"] == chat]


@asynccontextmanager
async def both_platforms(assistant: Dispatcher, *, telegram_faults: Any = None) -> AsyncIterator[Chats]:
    """`telegram_faults`: a tests.fakes.telegram_faults.FaultPlan for the Telegram server."""
    async with TelegramApiServer(max_poll_wait=0.2, faults=telegram_faults) as tg, ZaloApiServer(max_poll_wait=0.2) as zl, \
            aiohttp.ClientSession() as session:
        client = ZaloBotApi(zl.token, session, base_url=zl.base_url,
                            retry=RetryPolicy(retries=1, backoff=0.01, max_backoff=0.02))
        async with TelegramChannel(tg.token, assistant.handle, base_url=tg.base_url,
                                   poll_timeout=0.2) as telegram, \
                ZaloChannel(client, assistant.handle, poll_timeout=1, error_backoff=0.01) as zalo:
            assistant.outbound.attach("telegram", telegram.outbound)
            assistant.outbound.attach("zalo", zalo.outbound)
            try:
                yield Chats(tg, zl)
            finally:
                assistant.outbound.detach("telegram")
                assistant.outbound.detach("zalo")


def buttons(sent: dict[str, Any]) -> list[str]:
    """The callback data of a sent message's inline keyboard, in order."""
    markup = sent.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


__all__ = ["Chats", "WAIT", "both_platforms", "buttons"]
