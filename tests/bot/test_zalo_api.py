"""The Zalo Bot Platform client against the loopback server: wire format, typed errors, and
which failures are retried."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.channels.zalo.errors import (
    ZaloBadRequest,
    ZaloChatNotFound,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloPermanentError,
    ZaloRateLimited,
    ZaloRecipientError,
    ZaloServerError,
    ZaloTransientError,
    ZaloUnauthorized,
    error_for,
)
from tests.fakes.zalo_api import ZaloApiServer

FAST = RetryPolicy(retries=3, backoff=0.01, max_backoff=0.05, max_retry_after=2.0)


@pytest.fixture
async def api() -> AsyncIterator[ZaloApiServer]:
    async with ZaloApiServer(max_poll_wait=0.2) as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def client(api: ZaloApiServer, session: aiohttp.ClientSession, **options: object) -> ZaloBotApi:
    return ZaloBotApi(api.token, session, base_url=api.base_url, retry=FAST, **options)  # type: ignore[arg-type]


async def test_methods_speak_the_wire_format(api: ZaloApiServer, session: aiohttp.ClientSession) -> None:
    bot = client(api, session)
    me = await bot.get_me()
    assert me["display_name"] == "Trợ lý tuyên giáo" and me["account_name"] == "bot.TuyenGiaoTest"
    sent = await bot.send_message("u-an", "Chào bạn")
    assert sent["message_id"]
    await bot.send_photo("u-an", "https://example.vn/bieu-do.png", caption="Kết quả")
    await bot.send_chat_action("u-an")
    await bot.set_webhook("https://bot.example.vn/zalo", "bi-mat-dai-du")
    assert (await bot.get_webhook_info())["url"] == "https://bot.example.vn/zalo"
    await bot.delete_webhook()
    assert (await bot.get_webhook_info())["url"] == ""
    assert [(c.method, c.params) for c in api.calls][1:4] == [
        ("sendMessage", {"chat_id": "u-an", "text": "Chào bạn"}),
        ("sendPhoto", {"chat_id": "u-an", "photo": "https://example.vn/bieu-do.png", "caption": "Kết quả"}),
        ("sendChatAction", {"chat_id": "u-an", "action": "typing"}),
    ]
    assert api.calls_of("setWebhook") == [{"url": "https://bot.example.vn/zalo", "secret_token": "bi-mat-dai-du"}]


async def test_get_updates_returns_one_update_or_nothing(api: ZaloApiServer, session: aiohttp.ClientSession) -> None:
    bot = client(api, session)
    first = api.text_update("u1", "u1", "một")
    second = api.text_update("u1", "u1", "hai")
    assert await bot.get_updates(timeout=1) == [first]
    assert await bot.get_updates(timeout=1) == [second]
    assert await bot.get_updates(timeout=1) == []  # the 408 "Request timeout" answer
    api.empty_poll = "null"
    assert await bot.get_updates(timeout=1) == []
    batch = [api.text_update("u1", "u1", "ba"), api.text_update("u1", "u1", "bốn")]
    api.pending[:] = [batch]  # a platform that batches: nothing dropped
    assert await bot.get_updates(timeout=1) == batch
    assert len(api.calls_of("getUpdates", include_failed=True)) == 5


async def test_get_updates_errors_are_not_retried_here(api: ZaloApiServer, session: aiohttp.ClientSession) -> None:
    api.fail_next("getUpdates", 502, "Bad Gateway")
    with pytest.raises(ZaloServerError):
        await client(api, session).get_updates(timeout=1)
    assert len(api.calls_of("getUpdates", include_failed=True)) == 1


async def test_a_wrong_token_is_unauthorized(api: ZaloApiServer, session: aiohttp.ClientSession) -> None:
    bot = ZaloBotApi("999:sai", session, base_url=api.base_url, retry=FAST)
    with pytest.raises(ZaloUnauthorized) as caught:
        await bot.get_me()
    assert caught.value.error_code == 401 and caught.value.method == "getMe"
    assert len(api.calls) == 1  # permanent: not retried


@pytest.mark.parametrize("code, error_type", [
    (400, ZaloBadRequest), (403, ZaloForbidden), (404, ZaloChatNotFound), (409, ZaloBadRequest),
])
async def test_ok_false_answers_become_permanent_errors(
        api: ZaloApiServer, session: aiohttp.ClientSession, code: int, error_type: type[ZaloError]) -> None:
    api.fail_next("sendMessage", code, f"lỗi {code}", chat_id="u-bi-chan")
    bot = client(api, session)
    with pytest.raises(error_type) as caught:
        await bot.send_message("u-bi-chan", "Thông báo")
    assert isinstance(caught.value, ZaloPermanentError)
    assert (caught.value.error_code, caught.value.description) == (code, f"lỗi {code}")
    assert isinstance(caught.value, ZaloRecipientError) == (code in (403, 404))
    assert len(api.calls_of("sendMessage", include_failed=True)) == 1
    await bot.send_message("u-khac", "Thông báo")  # the fault was for that chat only


async def test_server_errors_are_retried_with_backoff(api: ZaloApiServer, session: aiohttp.ClientSession) -> None:
    api.fail_next("sendMessage", 500, "Internal Server Error")
    api.fail_http("sendMessage", 502)  # a proxy's HTML page, not the API's JSON
    api.fail_next("sendMessage", 503, "Service Unavailable")
    await client(api, session).send_message("u1", "Đến nơi")
    calls = api.calls_of("sendMessage", include_failed=True)
    assert len(calls) == 4 and len(api.calls_of("sendMessage")) == 1


async def test_retries_give_up_with_a_transient_error(api: ZaloApiServer, session: aiohttp.ClientSession) -> None:
    api.fail_next("getMe", 503, "Service Unavailable", times=None)
    with pytest.raises(ZaloServerError) as caught:
        await client(api, session).get_me()
    assert isinstance(caught.value, ZaloTransientError) and caught.value.error_code == 503
    assert len(api.calls_of("getMe", include_failed=True)) == 1 + FAST.retries


async def test_rate_limit_waits_retry_after_and_long_waits_go_to_the_caller(
        api: ZaloApiServer, session: aiohttp.ClientSession) -> None:
    bot = client(api, session)
    api.fail_next("sendMessage", 429, "Too Many Requests", retry_after=0)
    await bot.send_message("u1", "Sau khi chờ")
    assert len(api.calls_of("sendMessage", include_failed=True)) == 2
    api.fail_next("sendMessage", 429, "Too Many Requests", retry_after=60)
    with pytest.raises(ZaloRateLimited) as caught:
        await bot.send_message("u1", "Chờ lâu")
    assert caught.value.retry_after == 60  # longer than max_retry_after: the caller schedules
    assert len(api.calls_of("sendMessage", include_failed=True)) == 3


async def test_a_send_that_timed_out_is_not_repeated_but_a_read_is(
        api: ZaloApiServer, session: aiohttp.ClientSession) -> None:
    bot = client(api, session, request_timeout=0.2)
    api.delay("sendMessage", 1.0)
    with pytest.raises(ZaloNetworkError) as caught:
        await bot.send_message("u1", "Có thể đã đến")
    assert caught.value.maybe_delivered
    assert api.calls_of("sendMessage") == []  # a retry would have gone through at once
    api.delay("getMe", 1.0)
    assert (await bot.get_me())["display_name"]  # idempotent: retried after the timeout


async def test_a_refused_connection_is_retried_even_for_sends(session: aiohttp.ClientSession) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bot = ZaloBotApi("1:t", session, base_url=f"http://127.0.0.1:{port}/bot", retry=FAST)
    with pytest.raises(ZaloNetworkError) as caught:
        await bot.send_message("u1", "không ai nghe")
    assert not caught.value.maybe_delivered


def test_error_codes_map_to_types() -> None:
    cases = {429: ZaloRateLimited, 408: ZaloServerError, 500: ZaloServerError, 504: ZaloServerError,
             401: ZaloUnauthorized, 403: ZaloForbidden, 404: ZaloChatNotFound, 400: ZaloBadRequest,
             413: ZaloBadRequest, -201: ZaloPermanentError}
    for code, expected in cases.items():
        assert type(error_for("sendMessage", code, "x")) is expected, code
    assert type(error_for("sendMessage", None, "x", http_status=502)) is ZaloServerError
    assert error_for("sendMessage", 429, "x", retry_after=3.0).retry_after == 3.0  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        ZaloBotApi("", None)  # type: ignore[arg-type]
