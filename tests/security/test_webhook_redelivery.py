"""Hostile or unlucky deliveries through the real Telegram and Zalo adapters in webhook mode,
the durable inbox on a real database, and the loopback platform servers: an update posted
twice is answered once, also across a restart and on PostgreSQL; a Zalo update without a
message id is named by its whole content (two different ones never collide); a flood beyond
the inbox's bound is refused with a retryable 503 and answered once redelivered."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.telegram.channel import TelegramChannel, WebhookConfig
from bot.channels.zalo.channel import ZaloChannel, ZaloWebhookConfig
from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.core.types import Incoming, IncomingText, Outcome, TextReply
from bot.inbox.durable import DurableInbox, InboxConfig
from bot.storage.database import Database
from tests.fakes import zalo_updates
from tests.fakes.core import WAIT, Core
from tests.fakes.telegram_api import SECRET_HEADER as TG_HEADER
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import SECRET_HEADER as ZALO_HEADER
from tests.fakes.zalo_api import ZaloApiServer

TG_SECRET = "tg-webhook-secret_0123456789"
ZALO_SECRET = "zalo-webhook-secret-0123456789"


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(f"sqlite:///{tmp_path / 'bot.db'}")
    db.create_all()
    yield db
    db.close()


def answer_with_text(incoming: Incoming) -> Outcome:
    assert isinstance(incoming, IncomingText)
    return Outcome([TextReply(f"Trả lời: {incoming.text}")])


@asynccontextmanager
async def telegram(api: TelegramApiServer, db: Database, core: Core,
                   bound: int = 100, inbox: DurableInbox | None = None,
                   ) -> AsyncIterator[tuple[TelegramChannel, str]]:
    inbox = inbox or DurableInbox(db, "telegram", "test-host:telegram:0",
                                  InboxConfig(max_backlog=bound))
    config = WebhookConfig(url="http://127.0.0.1:{port}/tg", secret_token=TG_SECRET,
                           listen_host="127.0.0.1", listen_port=0)
    async with TelegramChannel(api.token, core, base_url=api.base_url, webhook=config,
                               inbox=inbox, network_backoff=0.01) as channel:
        yield channel, f"http://127.0.0.1:{channel.webhook_port}/tg"


@asynccontextmanager
async def zalo(api: ZaloApiServer, db: Database, core: Core,
               bound: int = 100, inbox: DurableInbox | None = None,
               ) -> AsyncIterator[tuple[ZaloChannel, str]]:
    inbox = inbox or DurableInbox(db, "zalo", "test-host:zalo:0", InboxConfig(max_backlog=bound))
    config = ZaloWebhookConfig(url="http://127.0.0.1:{port}/zalo", secret_token=ZALO_SECRET,
                               listen_host="127.0.0.1", listen_port=0)
    async with aiohttp.ClientSession() as session:
        client = ZaloBotApi(api.token, session, base_url=api.base_url,
                            retry=RetryPolicy(backoff=0.01))
        async with ZaloChannel(client, core, webhook=config, inbox=inbox,
                               key_secret=api.token.encode()) as channel:
            yield channel, f"http://127.0.0.1:{channel.webhook_port}/zalo"


async def post(url: str, header: str, secret: str, body: Any) -> tuple[int, str | None]:
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body, headers={header: secret}) as response:
            return response.status, response.headers.get("Retry-After")


def tg_update(update_id: int, chat: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_700_000_000, "text": text,
        "chat": {"id": chat, "type": "private", "first_name": "An"},
        "from": {"id": chat, "is_bot": False, "first_name": "An"}}}


def tg_texts(api: TelegramApiServer, chat: int) -> list[str]:
    return [p["text"] for p in api.calls_of("sendMessage") if p["chat_id"] == chat]


async def test_telegram_update_posted_twice_is_answered_once_even_across_a_restart(
        database: Database) -> None:
    core = Core(answer_with_text)
    async with TelegramApiServer() as api:
        async with telegram(api, database, core) as (_, url):
            assert await post(url, TG_HEADER, TG_SECRET, tg_update(500, 77, "câu một")) == (200, None)
            assert await post(url, TG_HEADER, TG_SECRET, tg_update(500, 77, "câu một")) == (200, None)
            await api.wait_for("sendMessage", lambda p: p["chat_id"] == 77, timeout=WAIT)
        async with telegram(api, database, core) as (_, url):  # the process restarted
            assert (await post(url, TG_HEADER, TG_SECRET, tg_update(500, 77, "câu một")))[0] == 200
            assert (await post(url, TG_HEADER, TG_SECRET, tg_update(501, 77, "câu hai")))[0] == 200
            # One chat is answered in order: once "câu hai" is answered, a second answer to
            # "câu một" would have come before it.
            await api.wait_for("sendMessage", lambda p: p["text"] == "Trả lời: câu hai", timeout=WAIT)
    assert tg_texts(api, 77) == ["Trả lời: câu một", "Trả lời: câu hai"]
    assert [i.text for i in drain(core)] == ["câu một", "câu hai"]  # type: ignore[attr-defined]


async def test_zalo_message_posted_twice_is_answered_once_even_across_a_restart(
        database: Database) -> None:
    core = Core(answer_with_text)
    first = zalo_updates.text_update("z-77", "z-77", "câu một")
    async with ZaloApiServer() as api:
        async with zalo(api, database, core) as (_, url):
            for body in (first, {"ok": True, "result": first}):  # bare and wrapped: one message
                assert await post(url, ZALO_HEADER, ZALO_SECRET, body) == (200, None)
            await api.wait_for("sendMessage", lambda p: p["chat_id"] == "z-77", timeout=WAIT)
        async with zalo(api, database, core) as (_, url):
            assert (await post(url, ZALO_HEADER, ZALO_SECRET, first))[0] == 200
            second = zalo_updates.text_update("z-77", "z-77", "câu hai")
            assert (await post(url, ZALO_HEADER, ZALO_SECRET, second))[0] == 200
            await api.wait_for("sendMessage", lambda p: p["text"] == "Trả lời: câu hai", timeout=WAIT)
    assert api.sent_texts("z-77") == ["Trả lời: câu một", "Trả lời: câu hai"]


async def test_zalo_messages_without_an_id_are_told_apart_by_their_whole_content(
        sqlite_db: Database) -> None:
    core = Core(answer_with_text)
    one = zalo_updates.text_update("z-5", "z-5", "câu một")
    del one["message"]["message_id"]
    other = copy.deepcopy(one)  # same chat, same person, same millisecond, other words
    other["message"]["text"] = "câu khác"
    async with ZaloApiServer() as api:
        async with zalo(api, sqlite_db, core) as (_, url):
            for body in (one, other, one):
                assert (await post(url, ZALO_HEADER, ZALO_SECRET, body))[0] == 200
            await api.wait_for("sendMessage", lambda p: p["text"] == "Trả lời: câu khác", timeout=WAIT)
            sentinel = zalo_updates.text_update("z-5", "z-5", "hết")
            assert (await post(url, ZALO_HEADER, ZALO_SECRET, sentinel))[0] == 200
            await api.wait_for("sendMessage", lambda p: p["text"] == "Trả lời: hết", timeout=WAIT)
    assert api.sent_texts("z-5") == ["Trả lời: câu một", "Trả lời: câu khác", "Trả lời: hết"]
    keys = stored_keys(sqlite_db, "zalo")
    hashed = [k for k in keys if ":h:" in k]
    assert len(hashed) == 2 and len(set(hashed)) == 2  # two different messages, two keys
    assert all("câu" not in k and "z-5" not in k for k in hashed)  # a keyed hash, no content


async def test_a_flood_beyond_the_bound_is_refused_with_a_retryable_status(sqlite_db: Database) -> None:
    gate = asyncio.Event()

    async def slow(incoming: Incoming) -> Outcome:
        await gate.wait()
        return answer_with_text(incoming)

    tg_core, zalo_core = Core(slow), Core(slow)
    tg_inbox = DurableInbox(sqlite_db, "telegram", "test-host:telegram:0",
                            InboxConfig(max_backlog=2))
    zl_inbox = DurableInbox(sqlite_db, "zalo", "test-host:zalo:0", InboxConfig(max_backlog=2))
    async with TelegramApiServer() as tg, ZaloApiServer() as zl:
        async with telegram(tg, sqlite_db, tg_core, inbox=tg_inbox) as (_, tg_url), \
                zalo(zl, sqlite_db, zalo_core, inbox=zl_inbox) as (_, zalo_url):
            tg_bodies = [tg_update(600 + i, 80 + i, f"câu {i}") for i in range(4)]
            zl_bodies = [zalo_updates.text_update(f"z-8{i}", f"z-8{i}", f"câu {i}") for i in range(4)]
            tg_status = [await post(tg_url, TG_HEADER, TG_SECRET, b) for b in tg_bodies]
            zl_status = [await post(zalo_url, ZALO_HEADER, ZALO_SECRET, b) for b in zl_bodies]
            refused = [(503, "5"), (503, "5")]
            assert tg_status == [(200, None), (200, None)] + refused
            assert zl_status == [(200, None), (200, None)] + refused
            gate.set()
            for i in range(2):
                await tg.wait_for("sendMessage", lambda p, i=i: p["chat_id"] == 80 + i, timeout=WAIT)
                await zl.wait_for("sendMessage", lambda p, i=i: p["chat_id"] == f"z-8{i}", timeout=WAIT)
            # The platforms deliver the refused ones again: once there is room (an answer is
            # sent a moment before its update is marked done), they are taken and answered.
            for body in tg_bodies[2:]:
                await asyncio.wait_for(tg_inbox.wait_for_room(), WAIT)
                assert (await post(tg_url, TG_HEADER, TG_SECRET, body))[0] == 200
            for body in zl_bodies[2:]:
                await asyncio.wait_for(zl_inbox.wait_for_room(), WAIT)
                assert (await post(zalo_url, ZALO_HEADER, ZALO_SECRET, body))[0] == 200
            for i in range(2, 4):
                await tg.wait_for("sendMessage", lambda p, i=i: p["chat_id"] == 80 + i, timeout=WAIT)
                await zl.wait_for("sendMessage", lambda p, i=i: p["chat_id"] == f"z-8{i}", timeout=WAIT)
    assert [len(tg_texts(tg, 80 + i)) for i in range(4)] == [1, 1, 1, 1]
    assert [len(zl.sent_texts(f"z-8{i}")) for i in range(4)] == [1, 1, 1, 1]


async def test_telegram_retrying_a_refused_update_gets_it_answered_once(sqlite_db: Database) -> None:
    """The loopback server retries like Telegram (any non-2xx answer): a burst far beyond the
    bound ends with every update answered exactly once, some of them after a 503."""
    gate = asyncio.Event()

    async def slow(incoming: Incoming) -> Outcome:
        await gate.wait()
        return answer_with_text(incoming)

    async with TelegramApiServer(redeliver=0.05) as api:
        async with telegram(api, sqlite_db, Core(slow), bound=3):
            await api.wait_for("setWebhook", timeout=WAIT)
            for i in range(30):
                api.text_update(900 + i, 900 + i, f"câu {i}")
            await api.until(lambda: any(s == 503 for _, s in api.webhook_deliveries), timeout=WAIT)
            gate.set()
            for _ in range(30):
                await api.wait_for("sendMessage", timeout=WAIT)
    assert sorted(p["chat_id"] for p in api.calls_of("sendMessage")) == list(range(900, 930))
    statuses = [status for _, status in api.webhook_deliveries]
    assert statuses.count(200) == 30 and set(statuses) == {200, 503}


def stored_keys(db: Database, platform: str) -> list[str]:
    from sqlmodel import select

    from bot.inbox.models import InboxUpdate

    with db.session() as s:
        return list(s.exec(select(InboxUpdate.update_key).where(InboxUpdate.platform == platform)).all())


def drain(core: Core) -> list[Incoming]:
    seen = []
    while not core.seen.empty():
        seen.append(core.seen.get_nowait())
    return seen
