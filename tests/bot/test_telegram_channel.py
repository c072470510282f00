"""The Telegram adapter end to end against a loopback Bot API server, and its HTML rendering.

The core is stood in for by a small handler written here that answers with real core reply
types (a real Answer composed over a tiny store); the adapter, python-telegram-bot and HTTP
are all real.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram.error import InvalidToken

from bot import messages as texts
from bot.storage.database import Database
from tuyengiao.health import checker
from bot.channels.telegram.channel import TelegramChannel, WebhookConfig
from bot.channels.telegram.render import (
    RenderedMessage,
    button_rows,
    citation_line,
    render,
    split_html,
    utf16_len,
)
from tests.dispatchers import FULL_MENU, MENU
from bot.core.types import (
    Action,
    AnswerReply,
    DocumentReply,
    Incoming,
    IncomingAction,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    TextReply,
)
from bot import messages
from knowledge.answers import Answer, AnswerPassage, Citation
from knowledge.passages import Chunk, DocumentMeta
from tests.fakes.core import Core
from tests.fakes.telegram_api import SECRET_HEADER, TelegramApiServer, parse_html

WAIT = 5.0  # seconds; only reached when something is broken
PRIVATE = 42
GROUP = -1001234567
ACTIONS = (Action("👍", "fb:up:1"), Action("👎", "fb:down:1"), Action("Xem văn bản", "doc:1"))
SECRET = "s3cr3t_Token-for-tests"


@pytest.fixture
async def api() -> AsyncIterator[TelegramApiServer]:
    async with TelegramApiServer() as server:
        yield server


@asynccontextmanager
async def running(api: TelegramApiServer, core: Core, **options: Any) -> AsyncIterator[TelegramChannel]:
    options = {"commands": MENU, "poll_timeout": 1.0, "network_backoff": 0.01, **options}
    async with TelegramChannel(api.token, core, base_url=api.base_url, **options) as channel:
        yield channel


def keyboard(params: dict[str, Any]) -> list[list[tuple[str, str]]]:
    rows = params.get("reply_markup", {}).get("inline_keyboard", [])
    return [[(b["text"], b["callback_data"]) for b in row] for row in rows]


# --- end to end: polling ------------------------------------------------------------------
async def test_a_quick_answer_shows_no_typing_indicator(api: TelegramApiServer, answer: Answer) -> None:
    release = asyncio.Event()

    async def respond(incoming: Incoming) -> Outcome:
        await release.wait()
        return Outcome([AnswerReply(answer, ACTIONS)])

    core = Core(respond)
    async with running(api, core, typing_delay=30.0):
        api.text_update(PRIVATE, PRIVATE, "Mỗi thôn có tổ xung kích không?")
        await core.next()
        try:
            with pytest.raises(AssertionError, match="no matching sendChatAction"):
                await api.wait_for("sendChatAction", timeout=0.3)  # within the delay: none
        finally:
            release.set()
        await api.wait_for("sendMessage", timeout=WAIT)
    assert api.calls_of("sendChatAction", include_failed=True) == []


async def test_answer_is_sent_as_html_with_citation_and_buttons(api: TelegramApiServer, answer: Answer) -> None:
    release = asyncio.Event()

    async def respond(incoming: Incoming) -> Outcome:
        await release.wait()  # a slow core: "typing…" must show meanwhile
        return Outcome([AnswerReply(answer, ACTIONS)])

    core = Core(respond)
    async with running(api, core, typing_interval=0.05):
        api.text_update(PRIVATE, PRIVATE, "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?")
        incoming = await core.next()
        assert isinstance(incoming, IncomingText)
        assert incoming.addressed and incoming.chat.kind == "private"
        assert (incoming.sender.platform, incoming.sender.user_id) == ("telegram", str(PRIVATE))
        assert incoming.text == "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"
        assert incoming.sent_at is not None and incoming.sent_at.utcoffset().total_seconds() == 7 * 3600
        for _ in range(2):  # kept alive while the core works
            typing = await api.wait_for("sendChatAction", timeout=WAIT)
            assert (typing["chat_id"], typing["action"]) == (PRIVATE, "typing")
        release.set()
        sent = await api.wait_for("sendMessage", timeout=WAIT)

    assert sent["chat_id"] == PRIVATE and sent["parse_mode"] == "HTML"
    assert "reply_parameters" not in sent  # private chats: no quoting
    text = sent["text"]
    assert text.startswith(messages.ANSWER_INTRO)
    assert "<blockquote><b>[1]</b> " in text
    assert "Mỗi thôn, bản có một tổ xung kích phòng, chống thiên tai" in text
    assert f"<b>{messages.SOURCES}:</b>" in text
    assert ("[1] <b>Chỉ thị 05-CT/TW</b>, «Về tăng cường công tác tuyên truyền phòng, chống thiên "
            "tai ở cơ sở», mục II. NHIỆM VỤ, GIẢI PHÁP, ngày 15/05/2016 (<i>chi-thi-05-CT-TW.txt</i>)") in text
    assert keyboard(sent) == [[("👍", "fb:up:1"), ("👎", "fb:down:1")], [("Xem văn bản", "doc:1")]]


async def test_commands_are_registered_at_start(api: TelegramApiServer) -> None:
    async with running(api, Core()):
        registered = await api.wait_for("setMyCommands", timeout=WAIT)
    assert registered["commands"] == [{"command": c, "description": d} for c, d in MENU]
    assert {"command": "hoi", "description": "Hỏi về văn bản: /hoi <câu hỏi>"} in registered["commands"]


async def test_messages_not_for_the_assistant_are_ignored(api: TelegramApiServer) -> None:
    core = Core()
    async with running(api, core) as channel:
        pushed = [
            api.text_update(GROUP, 7, "Tối nay chi bộ họp lúc 19h.", "supergroup"),
            api.text_update(GROUP, 7, "/hoi@OtherBot chỉ thị 05", "supergroup"),
            api.text_update(GROUP, 7, "gửi @someone_else tài liệu", "group"),
            api.sticker_update(GROUP, 7, "supergroup"),  # stickers in a group are chat, not questions
            api.photo_update(GROUP, 7, "group"),
            api.text_update(PRIVATE, PRIVATE, "sửa lại câu hỏi", edited=True),
        ]
        await api.wait_confirmed(pushed[-1]["update_id"], timeout=WAIT)
        await channel.stop()  # returns once every fetched update is handled
    assert core.seen.empty()
    assert api.calls_of("sendMessage", include_failed=True) == []
    assert api.calls_of("sendChatAction", include_failed=True) == []


@pytest.mark.parametrize("case", ["mention", "command", "command_for_us", "reply", "caption"])
async def test_group_messages_addressed_to_the_assistant(api: TelegramApiServer, case: str) -> None:
    core = Core(lambda incoming: Outcome([TextReply("Trả lời trong nhóm.")]))
    async with running(api, core):
        if case == "reply":  # reply to one of the assistant's earlier messages
            api.text_update(GROUP, 7, "@TuyenGiaoTestBot chào", "supergroup")
            await core.next()
            earlier = await api.wait_for("sendMessage", timeout=WAIT)
            bot_message = next(m for (c, _), m in api.messages.items() if c == GROUP and m["text"] == earlier["text"])
            update = api.text_update(GROUP, 7, "Chỉ thị 05 nói gì?", "supergroup", reply_to=bot_message["message_id"])
            expected = "Chỉ thị 05 nói gì?"
        elif case == "caption":
            update = api.photo_update(GROUP, 7, "supergroup", caption="@TuyenGiaoTestBot đây là văn bản gì?")
            expected = "đây là văn bản gì?"
        else:
            text, expected = {
                "mention": ("@TuyenGiaoTestBot chỉ thị 05 nói gì?", "chỉ thị 05 nói gì?"),
                "command": ("/hoi chỉ thị 05", "/hoi chỉ thị 05"),
                "command_for_us": ("/hoi@TuyenGiaoTestBot chỉ thị 05", "/hoi chỉ thị 05"),
            }[case]
            update = api.text_update(GROUP, 7, text, "supergroup")
        incoming = await core.next()
        sent = await api.wait_for("sendMessage", timeout=WAIT)
    assert isinstance(incoming, IncomingText)
    assert incoming.addressed and incoming.text == expected
    assert incoming.chat.kind == "group" and incoming.chat.chat_id == str(GROUP)
    assert incoming.chat.title == "Chi bộ thôn Đông"
    assert sent["chat_id"] == GROUP
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_button_press_becomes_an_action_and_is_answered(api: TelegramApiServer) -> None:
    core = Core(lambda incoming: Outcome(notice=messages.FEEDBACK_THANKS))
    async with running(api, core) as channel:
        update = api.callback_update(PRIVATE, PRIVATE, "fb:up:1")
        incoming = await core.next()
        answered = await api.wait_for("answerCallbackQuery", timeout=WAIT)
        await channel.stop()
    assert isinstance(incoming, IncomingAction)
    assert incoming.data == "fb:up:1" and incoming.update_id == str(update["update_id"])
    assert incoming.callback_id == update["callback_query"]["id"]
    assert incoming.sender.user_id == str(PRIVATE) and incoming.chat.chat_id == str(PRIVATE)
    assert answered == {"callback_query_id": incoming.callback_id, "text": messages.FEEDBACK_THANKS}
    assert api.calls_of("sendMessage") == []


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_unreadable_messages_become_unsupported(api: TelegramApiServer, kind: str) -> None:
    core = Core(lambda incoming: Outcome([TextReply(messages.UNSUPPORTED_MESSAGE)]))
    async with running(api, core):
        getattr(api, f"{kind}_update")(PRIVATE, PRIVATE)
        incoming = await core.next()
        sent = await api.wait_for("sendMessage", timeout=WAIT)
    assert isinstance(incoming, IncomingUnsupported) and incoming.kind == kind
    assert sent["text"] == messages.UNSUPPORTED_MESSAGE


async def test_a_failing_update_gets_an_apology_and_the_next_one_is_handled(
    api: TelegramApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    def respond(incoming: Incoming) -> Outcome:
        assert isinstance(incoming, IncomingText)
        if incoming.text == "hỏng":
            raise RuntimeError("core exploded")
        return Outcome([TextReply("Vẫn chạy.")])

    core = Core(respond)
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
        async with running(api, core):
            broken = api.text_update(PRIVATE, PRIVATE, "hỏng")
            apology = await api.wait_for("sendMessage", timeout=WAIT)
            api.text_update(PRIVATE + 1, PRIVATE + 1, "câu hỏi tiếp")
            after = await api.wait_for("sendMessage", timeout=WAIT)
    assert (apology["chat_id"], apology["text"]) == (PRIVATE, texts.ERROR_GENERIC)
    assert (after["chat_id"], after["text"]) == (PRIVATE + 1, "Vẫn chạy.")
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 1 and str(broken["update_id"]) in failures[0].getMessage()
    assert "core exploded" in str(failures[0].exc_info[1])


# PTB's own RetryAfter constructor reads its deprecated int-or-timedelta property.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_waits_and_delivers_the_reply_once(api: TelegramApiServer) -> None:
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    async with running(api, Core(lambda i: Outcome([TextReply("Sau khi chờ.")]))) as channel:
        api.text_update(PRIVATE, PRIVATE, "câu hỏi")
        sent = await api.wait_for("sendMessage", timeout=WAIT)
        await channel.stop()
    assert sent["text"] == "Sau khi chờ."
    assert len(api.calls_of("sendMessage", include_failed=True)) == 2  # the refused one, then the retry
    assert len(api.calls_of("sendMessage")) == 1


async def test_server_errors_are_retried_and_a_blocked_user_is_not(api: TelegramApiServer) -> None:
    api.fail_next("sendMessage", 502, "Bad Gateway")
    api.fail_next("sendMessage", 500, "Internal Server Error")
    async with running(api, Core(lambda i: Outcome([TextReply("Đến nơi.")]))) as channel:
        api.text_update(PRIVATE, PRIVATE, "câu hỏi")
        assert (await api.wait_for("sendMessage", timeout=WAIT))["text"] == "Đến nơi."
        api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
        api.text_update(PRIVATE + 1, PRIVATE + 1, "câu hỏi")
        await api.wait_for("sendMessage", lambda p: p["chat_id"] == PRIVATE + 1, include_failed=True)
        api.text_update(PRIVATE + 2, PRIVATE + 2, "câu hỏi")
        assert (await api.wait_for("sendMessage", timeout=WAIT))["chat_id"] == PRIVATE + 2
        await channel.stop()
    # the blocked user got one attempt and no apology (it could not be delivered either)
    assert len(api.calls_of("sendMessage", include_failed=True)) == 3 + 1 + 1


async def test_a_long_reply_is_split_with_buttons_on_the_last_part(api: TelegramApiServer) -> None:
    doc = DocumentMeta("chi-thi-05-CT-TW.txt", "Về <phòng, chống> thiên tai & bão lũ",
                       "chi-thi-05-CT-TW.txt", "05-CT/TW", "Chỉ thị", "Bộ Chính trị", date(2016, 5, 15))
    sentence = "Các chi bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt <chi bộ> & tổ dân phố. "
    passages = [
        AnswerPassage(Citation.of(doc, f"II. NHIỆM VỤ › {i}."), (sentence * 40).strip(), 1.0 - i / 10, i)
        for i in range(1, 4)
    ]
    long_answer = Answer("thiên tai", True, passages)
    core = Core(lambda incoming: Outcome([AnswerReply(long_answer, ACTIONS)]))
    async with running(api, core) as channel:
        api.text_update(PRIVATE, PRIVATE, "thiên tai")
        await core.next()
        await api.wait_for("sendMessage", lambda p: "reply_markup" in p, timeout=WAIT)
        await channel.stop()
    sent = api.calls_of("sendMessage", include_failed=True)
    assert len(sent) > 1 and all(p["chat_id"] == PRIVATE for p in sent)
    assert len(api.calls_of("sendMessage")) == len(sent)  # the server parsed every part's HTML
    assert all(utf16_len(p["text"]) <= 4096 for p in sent)
    assert ["reply_markup" in p for p in sent] == [False] * (len(sent) - 1) + [True]
    assert keyboard(sent[-1]) == [[("👍", "fb:up:1"), ("👎", "fb:down:1")], [("Xem văn bản", "doc:1")]]
    for i, citation in enumerate(long_answer.citations, 1):
        assert sum(citation_line(i, citation) in p["text"] for p in sent) == 1
    assert "&lt;chi bộ&gt; &amp; tổ" in sent[0]["text"]


async def test_clean_stop_leaves_no_tasks_and_no_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        async with TelegramApiServer() as api:
            async with running(api, Core()):
                api.text_update(PRIVATE, PRIVATE, "xin chào")
                await api.wait_for("sendMessage", timeout=WAIT)
            assert [m for m, _ in api.requests][-1] == "getUpdates"  # the final offset confirmation
    assert asyncio.all_tasks() == {asyncio.current_task()}
    assert [r.getMessage() for r in caplog.records] == []


async def test_bad_token_fails_at_start(api: TelegramApiServer) -> None:
    channel = TelegramChannel("999:wrong", Core(), base_url=api.base_url)
    with pytest.raises(InvalidToken):
        await channel.start()
    await channel.stop()


# --- end to end: webhook ------------------------------------------------------------------
def webhook_config() -> WebhookConfig:
    return WebhookConfig(url="http://127.0.0.1:{port}/telegram/webhook", secret_token=SECRET,
                         listen_host="127.0.0.1", listen_port=0)


async def test_webhook_delivers_updates_and_is_removed_at_stop(api: TelegramApiServer) -> None:
    core = Core(lambda incoming: Outcome([TextReply("Qua webhook.")]))
    async with running(api, core, webhook=webhook_config()) as channel:
        registered = await api.wait_for("setWebhook", timeout=WAIT)
        assert registered["url"] == f"http://127.0.0.1:{channel.webhook_port}/telegram/webhook"
        assert registered["secret_token"] == SECRET
        update = api.text_update(PRIVATE, PRIVATE, "qua webhook?")  # the server POSTs it to us
        incoming = await core.next()
        sent = await api.wait_for("sendMessage", timeout=WAIT)
    assert isinstance(incoming, IncomingText) and incoming.text == "qua webhook?"
    assert sent["text"] == "Qua webhook."
    assert api.webhook_deliveries == [(update["update_id"], 200)]
    assert "getUpdates" not in [m for m, _ in api.requests]
    await api.wait_for("deleteWebhook", timeout=WAIT)
    assert api.webhook["url"] == ""


async def test_webhook_rejects_requests_without_the_secret(
    api: TelegramApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    core = Core()
    raw = {"update_id": 900, "message": {"message_id": 1, "date": 1_700_000_000, "text": "xin chào",
                                         "chat": {"id": PRIVATE, "type": "private", "first_name": "An"},
                                         "from": {"id": PRIVATE, "is_bot": False, "first_name": "An"}}}
    with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
        async with running(api, core, webhook=webhook_config()) as channel:
            url = f"http://127.0.0.1:{channel.webhook_port}/telegram/webhook"
            async with aiohttp.ClientSession() as session:
                async def post(headers: dict[str, str], **body: Any) -> int:
                    async with session.post(url, headers=headers, **body) as response:
                        return response.status

                assert await post({}, json=raw) == 401
                assert await post({SECRET_HEADER: "wrong-secret"}, json=raw) == 403
                assert await post({SECRET_HEADER: SECRET[:-1]}, json=raw) == 403
                assert await post({SECRET_HEADER: SECRET, "Content-Type": "application/json"},
                                  data=b"{not json") == 400
                assert await post({SECRET_HEADER: SECRET}, json=["not", "an", "update"]) == 400
            await channel.stop()
    assert core.seen.empty()
    assert api.calls_of("sendMessage", include_failed=True) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("secret" in w and "127.0.0.1" in w for w in warnings) == 3


async def test_webhook_with_the_secret_is_processed(api: TelegramApiServer) -> None:
    core = Core(lambda incoming: Outcome([TextReply("Đã xử lý.")]))
    raw = {"update_id": 901, "message": {"message_id": 5, "date": 1_700_000_000, "text": "xin chào",
                                         "chat": {"id": PRIVATE, "type": "private", "first_name": "An"},
                                         "from": {"id": PRIVATE, "is_bot": False, "first_name": "An"}}}
    async with running(api, core, webhook=webhook_config()) as channel:
        url = f"http://127.0.0.1:{channel.webhook_port}/telegram/webhook"
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=raw, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200
        incoming = await core.next()
        sent = await api.wait_for("sendMessage", timeout=WAIT)
    assert isinstance(incoming, IncomingText) and incoming.update_id == "901"
    assert (sent["chat_id"], sent["text"]) == (PRIVATE, "Đã xử lý.")


async def test_webhook_server_answers_healthz(api: TelegramApiServer, tmp_path: Path) -> None:
    """GET /healthz beside the webhook (issue 16): 200 when the database answers and a store
    version is published, else 503; the answer names what it looked at."""
    store = tmp_path / "store"
    broken = tmp_path / "a-folder"  # SQLite cannot open a folder: a database that fails
    broken.mkdir()
    with Database.open(f"sqlite:///{tmp_path / 'h.db'}") as db, \
            Database.open(f"sqlite:///{broken}") as down:
        config = replace(webhook_config(), health=checker(db, store, ["telegram"]))
        async with running(api, Core(), webhook=config) as channel:
            url = f"http://127.0.0.1:{channel.webhook_port}/healthz"
            async with aiohttp.ClientSession() as session:
                async def get() -> tuple[int, dict[str, Any]]:
                    async with session.get(url) as response:
                        return response.status, await response.json()

                assert await get() == (503, {"status": "unavailable", "database": "ok",
                                             "store_version": None, "channels": ["telegram"]})
                (store / "versions" / "20261130T040535356058-013d3a").mkdir(parents=True)
                (store / "CURRENT").write_text("20261130T040535356058-013d3a\n")
                assert await get() == (200, {"status": "ok", "database": "ok",
                                             "store_version": "20261130T040535356058-013d3a",
                                             "channels": ["telegram"]})
                async with session.post(url) as response:  # not a webhook: no updates here
                    assert response.status == 405
        ok, found = await checker(down, store, ["telegram", "zalo"])()
    assert not ok and found["database"] == "unavailable"


def test_webhook_config_requires_a_valid_secret() -> None:
    with pytest.raises(ValueError):
        WebhookConfig(url="https://bot.example.vn/tg", secret_token="")
    with pytest.raises(ValueError):
        WebhookConfig(url="https://bot.example.vn/tg", secret_token="có dấu")
    assert WebhookConfig(url="https://bot.example.vn/tg/hook", secret_token="abc").listen_path == "/tg/hook"


# --- rendering ----------------------------------------------------------------------------
def test_text_is_escaped() -> None:
    [message] = render(TextReply("a < b && c > d <b>không phải thẻ</b>", ACTIONS[:2]))
    assert message.text == "a &lt; b &amp;&amp; c &gt; d &lt;b&gt;không phải thẻ&lt;/b&gt;"
    assert message.buttons == (ACTIONS[:2],)
    assert parse_html(message.text) == "a < b && c > d <b>không phải thẻ</b>"


def test_answer_escapes_document_text_and_cites_each_passage(answer: Answer) -> None:
    doc = DocumentMeta("kl.txt", "Về «dư luận» <xã hội> & mạng", "docs/kl.txt", "01-KL/TU", "Kết luận",
                       None, date(2022, 1, 10))
    tricky = Answer("q", True, [AnswerPassage(Citation.of(doc, "II. A&B"), "Giá <b>vàng</b> & đất", 0.9, 0)])
    [message] = render(AnswerReply(tricky))
    assert "<blockquote><b>[1]</b> Giá &lt;b&gt;vàng&lt;/b&gt; &amp; đất</blockquote>" in message.text
    assert ("[1] <b>Kết luận 01-KL/TU</b>, «Về «dư luận» &lt;xã hội&gt; &amp; mạng», mục II. A&amp;B, "
            "ngày 10/01/2022 (<i>docs/kl.txt</i>)") in message.text
    parse_html(message.text)
    [real] = render(AnswerReply(answer, ACTIONS))
    assert real.text.count("<blockquote>") == len(answer.passages)
    assert all(citation_line(i, c) in real.text for i, c in enumerate(answer.citations, 1))
    assert real.buttons == (ACTIONS[:2], ACTIONS[2:])


def test_refusal_renders_not_found_and_hints() -> None:
    [message] = render(AnswerReply(Answer("giá vàng", False, notice="Kho văn bản hiện chưa có văn bản «Chỉ thị 99»."), ACTIONS[:2]))
    assert message.text.startswith("Kho văn bản hiện chưa có văn bản «Chỉ thị 99».")
    assert messages.NOT_FOUND in message.text and messages.not_found_hints() in message.text
    assert "<blockquote>" not in message.text and messages.SOURCES not in message.text


def test_document_view_metadata_outline_and_long_section() -> None:
    doc = DocumentMeta("ct05.txt", "Về tăng cường tuyên truyền", "kho/ct05.txt", "05-CT/TW", "Chỉ thị",
                       "Bộ Chính trị", date(2016, 5, 15))
    outline = tuple(f"II. NHIỆM VỤ › {i}. Việc số {i}" for i in range(1, 60))
    section = outline[0]
    chunks = tuple(Chunk("ct05.txt", i, ("II. NHIỆM VỤ", "1. Việc số 1"), f"Đoạn {i}: " + "nội dung <dài> & chi tiết. " * 60)
                   for i in range(6))
    parts = render(DocumentReply(doc, outline, section, chunks))
    assert len(parts) > 1 and all(utf16_len(p.text) <= 4096 and not p.buttons for p in parts)
    first = parts[0].text
    assert first.startswith("<b>Chỉ thị 05-CT/TW</b>\n")
    for line in ("Số hiệu: 05-CT/TW", "Loại: Chỉ thị", "Cơ quan ban hành: Bộ Chính trị",
                 "Ngày ban hành: 15/05/2016", "Tiêu đề: Về tăng cường tuyên truyền",
                 "Nguồn: <i>kho/ct05.txt</i>", "<b>Bố cục:</b>", "<b>  • 1. Việc số 1</b>", "  • 2. Việc số 2"):
        assert line in first
    assert "Việc số 40\n…" in first and "Việc số 41" not in first
    whole = "\n".join(parse_html(p.text) for p in parts)
    assert "Nội dung mục II. NHIỆM VỤ › 1. Việc số 1:" in whole
    assert all(f"Đoạn {i}: nội dung <dài> & chi tiết." in whole for i in range(6))


def test_button_rows_put_emoji_together() -> None:
    more = (Action("Xem văn bản", "d"), Action("👍", "u"), Action("Văn bản khác", "o"), Action("👎", "n"))
    assert button_rows(more) == ((more[0],), (more[1], more[3]), (more[2],))
    assert button_rows(()) == ()


@pytest.mark.parametrize("limit", [60, 200, 4096])
def test_split_html_never_cuts_a_tag_or_an_entity(limit: int) -> None:
    unit = "<b>Điều 1.</b> Cán bộ &amp; đảng viên &lt;gương mẫu&gt; 😀 <i>học tập</i>, quán triệt.\n"
    text = "<blockquote>" + unit * 300 + "</blockquote>\n\n" + "Đoạn cuối &amp; hết. " * 50
    parts = split_html(text, limit)
    assert len(parts) > 1
    for part in parts:
        assert utf16_len(part) <= limit
        parse_html(part)  # balanced, no broken tag or entity
        assert not re.search(r"&[#\w]*$|<[^>]*$", part)
    squeeze = lambda s: re.sub(r"\s+", "", s)
    assert squeeze("".join(parse_html(p) for p in parts)) == squeeze(parse_html(text))


def test_split_html_prefers_paragraphs_then_lines_then_sentences() -> None:
    paragraphs = ["Một. " * 30, "Hai. " * 30, "Ba. " * 30]
    assert split_html("\n\n".join(p.strip() for p in paragraphs), 200) == [p.strip() for p in paragraphs]
    lines = "\n".join(f"[{i}] trích dẫn số {i}, mục {i}" for i in range(40))
    for part in split_html(lines, 120):
        assert all(re.fullmatch(r"\[\d+\] trích dẫn số \d+, mục \d+", line) for line in part.split("\n"))
    sentences = split_html("Câu thứ nhất khá dài. Câu thứ hai cũng dài. Câu thứ ba.", 45)
    assert sentences == ["Câu thứ nhất khá dài. Câu thứ hai cũng dài.", "Câu thứ ba."]
    assert split_html("  ", 10) == [] and split_html("ngắn", 10) == ["ngắn"]


def test_rendered_message_defaults() -> None:
    assert RenderedMessage("x").buttons == ()
    assert render(TextReply("   ")) == []


async def test_one_chats_messages_are_answered_in_order_while_others_go_ahead(
        api: TelegramApiServer) -> None:
    first_may_finish = asyncio.Event()

    async def respond(incoming: Incoming) -> Outcome:
        assert isinstance(incoming, IncomingText)
        if incoming.text == "câu 1":
            await first_may_finish.wait()  # the first question is slow
        return Outcome([TextReply(f"trả lời {incoming.text}")])

    core = Core(respond)
    async with running(api, core):
        api.text_update(PRIVATE, PRIVATE, "câu 1")
        api.text_update(PRIVATE, PRIVATE, "câu 2")
        api.text_update(PRIVATE + 1, PRIVATE + 1, "câu khác")
        # Another chat is not held up by the slow one ...
        other = await api.wait_for("sendMessage", timeout=WAIT)
        assert other["chat_id"] == PRIVATE + 1
        first_may_finish.set()
        # ... and the slow chat gets its answers in the order it asked.
        replies = [await api.wait_for("sendMessage", timeout=WAIT) for _ in range(2)]
    assert [r["text"] for r in replies] == ["trả lời câu 1", "trả lời câu 2"]
