"""The Zalo adapter end to end against the loopback Zalo Bot API server, polling: what it
hands the core, what it sends back, and how it survives bad input and platform errors.

The core is the stand-in from `tests.fakes.core`, answering with real core reply types; the
adapter, the client, aiohttp and the platform fake are real. Webhook mode is in
test_zalo_webhook.py; the real core behind Zalo in test_zalo_core.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import aiohttp
import pytest

from bot.channels.splitting import utf16_len
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.channels.zalo.errors import ZaloUnauthorized
from bot.core.types import (
    Action,
    AnswerReply,
    Incoming,
    IncomingAction,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    TextReply,
)
from bot import messages
from knowledge.answers import Answer, AnswerPassage, Citation
from knowledge.passages import DocumentMeta
from tests.fakes.core import WAIT, Core
from tests.fakes.zalo_api import ZaloApiServer

PRIVATE = "5811347209875310000"
GROUP = "g-chi-bo-thon-dong"
ACTIONS = (Action("👍", "fb:9:1"), Action("👎", "fb:9:-1"), Action("Xem văn bản", "doc:9"))
FAST = RetryPolicy(retries=2, backoff=0.01, max_backoff=0.02)


@pytest.fixture
async def api() -> AsyncIterator[ZaloApiServer]:
    async with ZaloApiServer(max_poll_wait=0.5) as server:
        yield server


@asynccontextmanager
async def running(api: ZaloApiServer, core: Core, **options: Any) -> AsyncIterator[ZaloChannel]:
    options = {"poll_timeout": 1, "error_backoff": 0.01, **options}
    async with aiohttp.ClientSession() as session:
        client = ZaloBotApi(api.token, session, base_url=api.base_url, retry=FAST)
        async with ZaloChannel(client, core, **options) as channel:
            yield channel


def answered_with_actions(incoming: Incoming) -> Outcome:
    if isinstance(incoming, IncomingAction):
        return Outcome(notice=f"hành động {incoming.data}")
    return Outcome([TextReply(f"Trả lời: {getattr(incoming, 'text', '')}", ACTIONS)])


async def test_a_private_question_is_answered_in_plain_text_with_a_numbered_hint(api: ZaloApiServer) -> None:
    release = asyncio.Event()

    async def respond(incoming: Incoming) -> Outcome:
        await release.wait()  # a slow core: "typing…" shows meanwhile
        return answered_with_actions(incoming)

    core = Core(respond)
    async with running(api, core, typing_interval=0.05):
        update = api.text_update(PRIVATE, PRIVATE, "Chỉ thị 05 nói gì?")
        incoming = await core.next()
        for _ in range(2):
            typing = await api.wait_for("sendChatAction", timeout=WAIT)
            assert typing == {"chat_id": PRIVATE, "action": "typing"}
        release.set()
        sent = await api.wait_for("sendMessage", timeout=WAIT)
    assert isinstance(incoming, IncomingText) and incoming.addressed
    assert (incoming.sender.platform, incoming.sender.user_id, incoming.sender.display_name) == (
        "zalo", PRIVATE, "Nguyễn Văn An")
    assert (incoming.chat.chat_id, incoming.chat.kind, incoming.text) == (PRIVATE, "private", "Chỉ thị 05 nói gì?")
    assert incoming.update_id == update["message"]["message_id"]
    assert incoming.sent_at is not None and incoming.sent_at.utcoffset().total_seconds() == 7 * 3600
    assert sent == {"chat_id": PRIVATE, "text": "Trả lời: Chỉ thị 05 nói gì?\n\nGõ 1: 👍 · 2: 👎 · 3: Xem văn bản"}


@pytest.mark.parametrize("typed, data", [("1", "fb:9:1"), ("2", "fb:9:-1"), ("3", "doc:9"),
                                         ("👍", "fb:9:1"), ("sai rồi", "fb:9:-1"), ("xem van ban", "doc:9")])
async def test_replies_to_the_hint_become_actions(api: ZaloApiServer, typed: str, data: str) -> None:
    release = asyncio.Event()

    async def respond(incoming: Incoming) -> Outcome:
        if isinstance(incoming, IncomingText) and incoming.text == "câu hỏi":
            await release.wait()
        return answered_with_actions(incoming)

    core = Core(respond)
    async with running(api, core):
        api.text_update(PRIVATE, PRIVATE, "câu hỏi")
        api.text_update(PRIVATE, PRIVATE, typed)  # typed before the answer came: read after it
        await core.next()
        await api.wait_arrivals("getUpdates", 3, timeout=WAIT)  # the reply to the hint is in
        release.set()
        action = await core.next()
        notice = await api.wait_for("sendMessage", lambda p: p["text"].startswith("hành động"), timeout=WAIT)
    assert isinstance(action, IncomingAction) and action.data == data and action.callback_id is None
    assert notice["text"] == f"hành động {data}"


async def test_numbers_without_a_hint_are_questions(api: ZaloApiServer) -> None:
    core = Core(lambda incoming: Outcome([TextReply("Không có gợi ý.")]))
    async with running(api, core):
        api.text_update(PRIVATE, PRIVATE, "1")
        first = await core.next()
        api.text_update(PRIVATE, PRIVATE, "4")
        second = await core.next()
    assert isinstance(first, IncomingText) and first.text == "1"
    assert isinstance(second, IncomingText) and second.text == "4"


async def test_group_messages_count_only_when_addressed(api: ZaloApiServer) -> None:
    core = Core(answered_with_actions)
    async with running(api, core) as channel:
        api.text_update(GROUP, "u-an", "Tối nay chi bộ họp lúc 19h.", "GROUP")
        api.text_update(GROUP, "u-an", "gửi @Nguyễn Bình tài liệu", "GROUP")
        api.sticker_update(GROUP, "u-an", "GROUP")
        api.image_update(GROUP, "u-an", "GROUP", caption="@Trợ lý tuyên giáo ảnh gì đây?")
        api.unsupported_update(GROUP, "u-an", "GROUP")
        api.text_update(GROUP, "u-an", "@trợ lý tuyên giáo, chỉ thị 05 nói gì?", "GROUP")
        mentioned = await core.next()
        api.text_update(GROUP, "u-binh", "/hoi nghị quyết 57", "GROUP")
        command = await core.next()
        api.text_update(GROUP, "u-binh", "3", "GROUP")  # the hint given to Bình: his "3"
        own_hint = await core.next()
        api.text_update(GROUP, "u-chi", "1", "GROUP")  # Chi was given no hint: chatter, or a
        bare_number = await core.next()  # vote on a poll posted to the group (the core decides)
        api.text_update(GROUP, "u-an", "👍", "GROUP")  # an emoji alone may answer someone else
        api.text_update(GROUP, "u-an", "@bot.TuyenGiaoTest 👍", "GROUP")
        rated = await core.next()
        await api.wait_taken(timeout=WAIT)
        await channel.stop()
    assert isinstance(mentioned, IncomingText) and mentioned.text == "chỉ thị 05 nói gì?"
    assert mentioned.chat.kind == "group" and mentioned.chat.chat_id == GROUP
    assert isinstance(command, IncomingText) and command.text == "/hoi nghị quyết 57"
    assert isinstance(own_hint, IncomingAction) and own_hint.data == "doc:9" and own_hint.sender.user_id == "u-binh"
    assert isinstance(rated, IncomingAction) and rated.data == "fb:9:1" and rated.sender.user_id == "u-an"
    assert isinstance(bare_number, IncomingText) and not bare_number.addressed
    assert core.seen.empty()  # nothing else reached the core


@pytest.mark.parametrize("builder, kind", [("image_update", "image"), ("sticker_update", "sticker"),
                                           ("unsupported_update", "unsupported")])
async def test_unreadable_messages_in_private_become_unsupported(
        api: ZaloApiServer, builder: str, kind: str) -> None:
    core = Core(lambda incoming: Outcome([TextReply(messages.UNSUPPORTED_MESSAGE)]))
    async with running(api, core):
        getattr(api, builder)(PRIVATE, PRIVATE)
        incoming = await core.next()
        sent = await api.wait_for("sendMessage", timeout=WAIT)
    assert isinstance(incoming, IncomingUnsupported) and incoming.kind == kind
    assert sent["text"] == messages.UNSUPPORTED_MESSAGE


@pytest.mark.parametrize("raw", [
    "not an update", [42], {"event_name": "message.text.received"},
    {"event_name": "message.text.received", "message": {"chat": {"id": PRIVATE}, "text": "thiếu from"}},
    {"event_name": "message.text.received", "message": {"from": {"id": PRIVATE}, "chat": {}, "text": "x"}},
    {"event_name": "message.text.received", "message": {"from": {"id": True}, "chat": {"id": PRIVATE}}},
    {"event_name": "message.text.received", "message": {"from": {"id": PRIVATE}, "chat": {"id": PRIVATE}}},
    {"event_name": "user.follow", "message": {"from": {"id": PRIVATE}, "chat": {"id": PRIVATE}}},
])
async def test_malformed_and_unknown_updates_are_logged_and_skipped(
        api: ZaloApiServer, caplog: pytest.LogCaptureFixture, raw: Any) -> None:
    core = Core()
    with caplog.at_level(logging.INFO, logger="bot.channels.zalo.translate"):
        async with running(api, core):
            api.push_update(raw)
            api.text_update(PRIVATE, PRIVATE, "câu sau vẫn được trả lời")
            incoming = await core.next()
            await api.wait_for("sendMessage", timeout=WAIT)
    assert isinstance(incoming, IncomingText) and incoming.text == "câu sau vẫn được trả lời"
    assert core.seen.empty()
    assert len([r for r in caplog.records if r.levelno >= logging.INFO]) == 1


async def test_a_failing_update_gets_an_apology_and_others_go_on(
        api: ZaloApiServer, caplog: pytest.LogCaptureFixture) -> None:
    def respond(incoming: Incoming) -> Outcome:
        if isinstance(incoming, IncomingText) and incoming.text == "hỏng":
            raise RuntimeError("core exploded")
        return Outcome([TextReply("Vẫn chạy.")])

    with caplog.at_level(logging.ERROR, logger="bot.channels.zalo"):
        async with running(api, Core(respond)):
            broken = api.text_update(PRIVATE, PRIVATE, "hỏng")
            apology = await api.wait_for("sendMessage", timeout=WAIT)
            api.text_update("u-khac", "u-khac", "câu tiếp")
            after = await api.wait_for("sendMessage", timeout=WAIT)
    assert apology == {"chat_id": PRIVATE, "text": messages.ERROR_GENERIC}
    assert after == {"chat_id": "u-khac", "text": "Vẫn chạy."}
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert broken["message"]["message_id"] in failure.getMessage()
    assert "core exploded" in str(failure.exc_info[1])


async def test_send_errors_blocked_users_and_server_errors(
        api: ZaloApiServer, caplog: pytest.LogCaptureFixture) -> None:
    api.fail_next("sendMessage", 500, "Internal Server Error")
    api.fail_http("sendMessage", 502)
    api.fail_next("sendMessage", 403, "Forbidden: the user blocked the bot", chat_id="u-chan", times=None)
    with caplog.at_level(logging.WARNING, logger="bot.channels.zalo"):
        async with running(api, Core(lambda i: Outcome([TextReply("Đến nơi.")]))) as channel:
            api.text_update(PRIVATE, PRIVATE, "câu hỏi")
            assert (await api.wait_for("sendMessage", timeout=WAIT))["chat_id"] == PRIVATE
            api.text_update("u-chan", "u-chan", "câu hỏi")
            api.text_update("u-khac", "u-khac", "câu hỏi")
            assert (await api.wait_for("sendMessage", timeout=WAIT))["chat_id"] == "u-khac"
            await channel.stop()
    assert len(api.calls_of("sendMessage", include_failed=True)) == 3 + 1 + 1  # retried twice; blocked once
    assert any("u-chan" in r.getMessage() and "cannot be messaged" in r.getMessage() for r in caplog.records)


async def test_polling_survives_platform_errors(api: ZaloApiServer, caplog: pytest.LogCaptureFixture) -> None:
    api.fail_next("getUpdates", 502, "Bad Gateway")
    api.fail_http("getUpdates", 503, "<html>down</html>")
    api.fail_next("getUpdates", 429, "Too Many Requests", retry_after=0)
    with caplog.at_level(logging.WARNING, logger="bot.channels.zalo"):
        async with running(api, Core()):
            api.text_update(PRIVATE, PRIVATE, "còn đó không?")
            assert (await api.wait_for("sendMessage", timeout=WAIT))["chat_id"] == PRIVATE
    assert sum("getUpdates failed" in r.getMessage() for r in caplog.records) == 3


async def test_empty_long_polls_in_either_form_are_not_errors(
        api: ZaloApiServer, caplog: pytest.LogCaptureFixture) -> None:
    api.max_poll_wait = 0.01
    with caplog.at_level(logging.WARNING):
        async with running(api, Core()):
            await api.wait_for("getUpdates", lambda p: True, include_failed=True, timeout=WAIT)
            api.empty_poll = "null"
            for _ in range(3):
                await api.wait_for("getUpdates", timeout=WAIT)
            api.text_update(PRIVATE, PRIVATE, "sau nhiều lần chờ")
            await api.wait_for("sendMessage", timeout=WAIT)
    assert [r.getMessage() for r in caplog.records] == []


async def test_a_long_answer_is_split_under_2000_with_citations_whole(api: ZaloApiServer) -> None:
    doc = DocumentMeta("ct05.txt", "Về phòng, chống thiên tai", "chi-thi-05-CT-TW.txt", "05-CT/TW",
                       "Chỉ thị", "Bộ Chính trị", date(2016, 5, 15))
    sentence = "Các chi bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt chi bộ và tổ dân phố. "
    answer = Answer("thiên tai", True, [
        AnswerPassage(Citation.of(doc, f"II. NHIỆM VỤ › {i}."), (sentence * 30).strip(), 1.0 - i / 10, i)
        for i in range(1, 4)])
    async with running(api, Core(lambda i: Outcome([AnswerReply(answer, ACTIONS)]))) as channel:
        api.text_update(PRIVATE, PRIVATE, "thiên tai")
        await api.wait_for("sendMessage", lambda p: "Gõ 1" in p["text"], timeout=WAIT)
        await channel.stop()
    texts = api.sent_texts(PRIVATE)
    assert len(texts) > 2 and len(api.calls_of("sendMessage", include_failed=True)) == len(texts)
    assert all(utf16_len(t) <= 2000 for t in texts)
    for i, citation in enumerate(answer.citations, 1):
        assert sum(f"[{i}] {citation.describe()}" in t for t in texts) == 1
    assert ["Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản" in t for t in texts] == [False] * (len(texts) - 1) + [True]


async def test_one_chats_messages_are_answered_in_order_while_others_go_ahead(api: ZaloApiServer) -> None:
    first_may_finish = asyncio.Event()

    async def respond(incoming: Incoming) -> Outcome:
        assert isinstance(incoming, IncomingText)
        if incoming.text == "câu 1":
            await first_may_finish.wait()
        return Outcome([TextReply(f"trả lời {incoming.text}")])

    async with running(api, Core(respond)):
        api.text_update(PRIVATE, PRIVATE, "câu 1")
        api.text_update(PRIVATE, PRIVATE, "câu 2")
        api.text_update("u-khac", "u-khac", "câu khác")
        assert (await api.wait_for("sendMessage", timeout=WAIT))["chat_id"] == "u-khac"
        first_may_finish.set()
        replies = [await api.wait_for("sendMessage", timeout=WAIT) for _ in range(2)]
    assert [r["text"] for r in replies] == ["trả lời câu 1", "trả lời câu 2"]


async def test_start_removes_a_webhook_and_a_bad_token_fails(api: ZaloApiServer) -> None:
    api.webhook = {"url": "https://old.example.vn/hook", "secret_token": "cu-bi-mat"}
    async with running(api, Core()):
        api.text_update(PRIVATE, PRIVATE, "sau khi gỡ webhook")
        await api.wait_for("sendMessage", timeout=WAIT)
    assert [c.method for c in api.calls][:3] == ["getMe", "getWebhookInfo", "deleteWebhook"]
    async with aiohttp.ClientSession() as session:
        channel = ZaloChannel(ZaloBotApi("999:sai", session, base_url=api.base_url), Core())
        with pytest.raises(ZaloUnauthorized):
            await channel.start()
        await channel.stop()


async def test_a_clean_stop_leaves_no_tasks_and_no_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        async with ZaloApiServer(max_poll_wait=0.5) as api:
            async with running(api, Core()):
                api.text_update(PRIVATE, PRIVATE, "xin chào")
                await api.wait_for("sendMessage", timeout=WAIT)
    assert asyncio.all_tasks() == {asyncio.current_task()}
    assert [r.getMessage() for r in caplog.records] == []
