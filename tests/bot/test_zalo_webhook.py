"""Zalo webhook mode: the platform POSTs updates with the secret header; anything without the
right secret is refused before it is read and nothing of it is processed."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.channels.zalo.channel import ZaloChannel, ZaloWebhookConfig
from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.core.types import IncomingText, Outcome, TextReply
from tests.fakes import zalo_updates
from tests.fakes.core import WAIT, Core
from tests.fakes.zalo_api import SECRET_HEADER, ZaloApiServer

PRIVATE = "5811347209875310000"
SECRET = "bi-mat_cua-webhook-Zalo"


@pytest.fixture
async def api() -> AsyncIterator[ZaloApiServer]:
    async with ZaloApiServer(max_poll_wait=0.5) as server:
        yield server


def config() -> ZaloWebhookConfig:
    return ZaloWebhookConfig(url="http://127.0.0.1:{port}/zalo/webhook", secret_token=SECRET,
                             listen_host="127.0.0.1", listen_port=0)


@asynccontextmanager
async def running(api: ZaloApiServer, core: Core) -> AsyncIterator[ZaloChannel]:
    async with aiohttp.ClientSession() as session:
        client = ZaloBotApi(api.token, session, base_url=api.base_url, retry=RetryPolicy(backoff=0.01))
        async with ZaloChannel(client, core, webhook=config()) as channel:
            yield channel


@pytest.mark.parametrize("envelope", [True, False])
async def test_webhook_delivers_updates_and_is_removed_at_stop(api: ZaloApiServer, envelope: bool) -> None:
    api.webhook_envelope = envelope  # {"ok": true, "result": update} or the bare update
    core = Core(lambda incoming: Outcome([TextReply("Qua webhook.")]))
    async with running(api, core) as channel:
        registered = await api.wait_for("setWebhook", timeout=WAIT)
        assert registered == {"url": f"http://127.0.0.1:{channel.webhook_port}/zalo/webhook",
                              "secret_token": SECRET}
        update = api.text_update(PRIVATE, PRIVATE, "qua webhook?")  # the server POSTs it to us
        incoming = await core.next()
        sent = await api.wait_for("sendMessage", timeout=WAIT)
    assert isinstance(incoming, IncomingText) and incoming.text == "qua webhook?"
    assert sent == {"chat_id": PRIVATE, "text": "Qua webhook."}
    assert api.webhook_deliveries == [(update["message"]["message_id"], 200)]
    assert "getUpdates" not in [c.method for c in api.calls]
    await api.wait_for("deleteWebhook", timeout=WAIT)
    assert api.webhook["url"] == ""


async def test_webhook_rejects_requests_without_the_right_secret(
        api: ZaloApiServer, caplog: pytest.LogCaptureFixture) -> None:
    core = Core()
    raw = zalo_updates.text_update(PRIVATE, PRIVATE, "giả mạo")
    with caplog.at_level(logging.WARNING, logger="bot.channels.zalo"):
        async with running(api, core) as channel:
            url = f"http://127.0.0.1:{channel.webhook_port}/zalo/webhook"
            async with aiohttp.ClientSession() as session:
                async def post(headers: dict[str, str], **body: Any) -> int:
                    async with session.post(url, headers=headers, **body) as response:
                        return response.status

                assert await post({}, json=raw) == 401
                assert await post({SECRET_HEADER: "sai-bi-mat"}, json=raw) == 403
                assert await post({SECRET_HEADER: SECRET[:-1]}, json=raw) == 403
                assert await post({SECRET_HEADER: SECRET + "x"}, json=raw) == 403
                assert await post({"X-Telegram-Bot-Api-Secret-Token": SECRET}, json=raw) == 401
                assert await post({SECRET_HEADER: SECRET, "Content-Type": "application/json"},
                                  data=b"{not json") == 400
                assert await post({SECRET_HEADER: SECRET}, json=["not", "an", "update"]) == 400
                async with session.get(url, headers={SECRET_HEADER: SECRET}) as response:
                    assert response.status == 405
            await channel.stop()
    assert core.seen.empty()
    assert api.calls_of("sendMessage", include_failed=True) == []
    assert api.calls_of("sendChatAction", include_failed=True) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("secret" in w and "127.0.0.1" in w for w in warnings) == 5
    assert sum("malformed" in w for w in warnings) == 2


async def test_webhook_with_the_secret_is_processed_once(api: ZaloApiServer) -> None:
    core = Core(lambda incoming: Outcome([TextReply("Đã xử lý.")]))
    raw = {"ok": True, "result": zalo_updates.text_update(PRIVATE, PRIVATE, "xin chào")}
    async with running(api, core) as channel:
        url = f"http://127.0.0.1:{channel.webhook_port}/zalo/webhook"
        async with aiohttp.ClientSession() as session:
            for _ in range(2):  # the platform retrying a delivery: answered once
                async with session.post(url, json=raw, headers={SECRET_HEADER: SECRET}) as response:
                    assert response.status == 200
        incoming = await core.next()
        sent = await api.wait_for("sendMessage", timeout=WAIT)
        await channel.stop()
    assert isinstance(incoming, IncomingText) and incoming.update_id == raw["result"]["message"]["message_id"]
    assert sent == {"chat_id": PRIVATE, "text": "Đã xử lý."}
    assert core.seen.empty() and len(api.calls_of("sendMessage")) == 1


@pytest.mark.parametrize("secret", ["", "short", "có dấu tiếng Việt", "x" * 257, "has space in it"])
def test_webhook_config_requires_a_valid_secret(secret: str) -> None:
    with pytest.raises(ValueError):
        ZaloWebhookConfig(url="https://bot.example.vn/zalo", secret_token=secret)


def test_webhook_config_listens_on_the_url_path() -> None:
    assert ZaloWebhookConfig(url="https://bot.example.vn/zalo/hook", secret_token="12345678").listen_path == "/zalo/hook"
    assert ZaloWebhookConfig(url="https://bot.example.vn", secret_token="12345678").listen_path == "/"
    with pytest.raises(ValueError):
        ZaloWebhookConfig(url="", secret_token="12345678")
