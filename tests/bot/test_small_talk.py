"""Greetings and thanks get a short reply pointing to /help, not a search and a refusal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.dispatcher import Dispatcher
from bot.ask.small_talk import small_talk
from bot.core.types import AnswerReply, TextReply
from bot.storage.database import Database
from bot.storage.models import QuestionLog
from bot import messages
from tests.bot.test_assistant import text


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("chào bạn", "greeting"), ("Xin chào!", "greeting"), ("xin chao", "greeting"),
        ("Chào buổi sáng ạ", "greeting"), ("hi bot", "greeting"), ("Hello", "greeting"),
        ("cảm ơn", "thanks"), ("Cám ơn đồng chí ạ!", "thanks"), ("cam on nhieu nhe", "thanks"),
        ("Thanks!", "thanks"), ("thank you very much", "thanks"), ("ok cảm ơn bạn 👍", "thanks"),
        ("chào, cảm ơn nhé", "thanks"),
        ("chào bạn, nghị quyết 57 nói gì?", None), ("xin chào, tôi muốn hỏi về đảng phí", None),
        ("cảm ơn là gì", None), ("ok", None), ("", None), ("🙏", None),
        ("chào " * 20, None),  # long: a pasted text, not a greeting
    ],
)
def test_small_talk_is_recognised_by_every_word(message: str, kind: str | None) -> None:
    assert small_talk(message) == kind


async def test_a_greeting_gets_the_short_reply_and_is_not_logged(
    assistant: Dispatcher, db: Database
) -> None:
    outcome = await assistant.handle(text("42", "Chào bạn!"))
    assert [r.text for r in outcome.replies if isinstance(r, TextReply)] == [
        messages.SMALL_TALK_GREETING
    ]
    assert "/help" in messages.SMALL_TALK_GREETING
    thanks = await assistant.handle(text("42", "cam on nhieu a"))
    assert [r.text for r in thanks.replies if isinstance(r, TextReply)] == [messages.SMALL_TALK_THANKS]
    with db.session() as s:
        assert s.exec(select(QuestionLog)).all() == []


async def test_a_greeting_with_a_question_is_a_question(assistant: Dispatcher) -> None:
    outcome = await assistant.handle(
        text("42", "Chào bạn, mỗi thôn có tổ xung kích phòng, chống thiên tai không?")
    )
    [reply] = outcome.replies
    assert isinstance(reply, AnswerReply) and reply.answer.answered


async def test_greetings_in_a_group_are_answered_only_when_addressed(assistant: Dispatcher) -> None:
    assert (await assistant.handle(text("42", "chào cả nhà", group=True, addressed=False))).replies == []
    outcome = await assistant.handle(text("42", "/hoi chào bạn", group=True))
    assert [r.text for r in outcome.replies if isinstance(r, TextReply)] == [
        messages.SMALL_TALK_GREETING
    ]


async def test_a_refusal_names_documents_that_are_in_the_store(assistant: Dispatcher) -> None:
    outcome = await assistant.handle(text("42", "giá vàng hôm nay bao nhiêu?"))
    [reply] = outcome.replies
    assert isinstance(reply, AnswerReply) and not reply.answer.answered
    # the test store holds Nghị quyết 57-NQ/TW (2024), Kết luận 01-KL/TU (2022), Chỉ thị 05-CT/TW
    assert reply.answer.examples == ("Nghị quyết 57-NQ/TW", "Kết luận 01")
    assert "(ví dụ: «Nghị quyết 57-NQ/TW», «Kết luận 01»)" in reply.answer.text
