"""Greetings, thanks and typed reactions get a short reply, not a search and a refusal; junk
lines get a hint to ask a full question; none of them reaches the question log."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.dispatcher import Dispatcher
import io

from bot.ask.noise import is_noise
from bot.ask.small_talk import small_talk
from bot.channels.local import LocalChannel
from bot.core.types import AnswerReply, TextReply
from bot.storage.database import Database
from bot.storage.models import QuestionLog
from bot import messages
from bot.ask import messages as ask_texts
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
        ("cảm ơn là gì", None), ("", None),
        # Typed reactions and acknowledgements after a reply.
        ("ok", "ack"), ("Ok ạ", "ack"), ("ừ", "ack"), ("u", "ack"), ("vâng", "ack"),
        ("dạ, rõ rồi ạ", "ack"), ("đã hiểu", "ack"), ("hay quá!", "ack"), ("👍", "ack"),
        ("🙏", "ack"), ("👍🏻👍🏻", "ack"), ("❤️", "ack"), ("👏 !!", "ack"),
        ("cảm ơn nhé 👍", "thanks"), ("ok 2", None), ("ok, còn gì nữa?", None),
        ("được không", None), ("👍 chỉ thị 05", None),
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
        ask_texts.SMALL_TALK_GREETING
    ]
    assert "/help" in ask_texts.SMALL_TALK_GREETING
    thanks = await assistant.handle(text("42", "cam on nhieu a"))
    assert [r.text for r in thanks.replies if isinstance(r, TextReply)] == [ask_texts.SMALL_TALK_THANKS]
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
        ask_texts.SMALL_TALK_GREETING
    ]


async def test_a_refusal_names_documents_that_are_in_the_store(assistant: Dispatcher) -> None:
    outcome = await assistant.handle(text("42", "giá vàng hôm nay bao nhiêu?"))
    [reply] = outcome.replies
    assert isinstance(reply, AnswerReply) and not reply.answer.answered
    # the test store holds Nghị quyết 57-NQ/TW (2024), Kết luận 01-KL/TU (2022), Chỉ thị 05-CT/TW
    assert reply.answer.examples == ("Nghị quyết 57-NQ/TW", "Kết luận 01")
    assert "(ví dụ: «Nghị quyết 57-NQ/TW», «Kết luận 01»)" in reply.answer.text


@pytest.mark.parametrize(
    ("message", "noise"),
    [
        ("???", True), ("...", True), ("!", True), ("k", True), ("x?", True),
        ("asdfgh", True), ("qwerty", True), ("jjj kkk", True), ("sdfsdf sdfsd", True),
        ("UBND", False), ("ubnd la gi", False), ("NQ57", False), ("12", False),
        ("chỉ thị 12", False), ("dang phi", False), ("covid 19", False),
        ("asdf qwer zxcv hjkl", False),  # four words: read as a question
        ("", False),
    ],
)
def test_noise_is_told_from_questions(message: str, noise: bool) -> None:
    assert is_noise(message) is noise


async def test_reactions_after_an_answer_are_small_talk_not_questions(
    assistant: Dispatcher, db: Database
) -> None:
    """Through the local channel: an answer, then what members type back."""
    out = io.StringIO()
    local = LocalChannel(assistant.handle, reader=io.StringIO(""), writer=out)

    async def say(line: str) -> str:
        out.truncate(0)
        out.seek(0)
        await local.handle_line(line)
        return out.getvalue().strip()

    answer = await say("Mỗi thôn có tổ xung kích phòng, chống thiên tai không?")
    assert "Chỉ thị 05-CT/TW" in answer
    assert await say("👍") == messages.FEEDBACK_THANKS  # the hint's 👍: feedback, as before
    for reaction in ("ok", "ừ", "Vâng ạ", "🙏", "😊😊", "hay quá"):
        assert await say(reaction) == "Vâng. Cần gì thêm, đồng chí cứ gõ câu hỏi.", reaction
    assert await say("cảm ơn nhé 👍") == ask_texts.SMALL_TALK_THANKS
    with db.session() as s:
        assert [r.text for r in s.exec(select(QuestionLog))] == [
            "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"]


async def test_junk_lines_get_a_hint_and_never_reach_the_unanswered_list(
    assistant: Dispatcher, db: Database
) -> None:
    hint = ("Trợ lý chưa hiểu tin nhắn này. Đồng chí hãy gõ một câu hỏi đầy đủ, ví dụ: «Chỉ thị 05 "
            "yêu cầu gì về học tập và làm theo?»; gõ /help để xem cách dùng.")
    for junk in ("???", "k", "asdfgh", "...", "/hoi jjjj"):
        outcome = await assistant.handle(text("42", junk))
        assert [r.text for r in outcome.replies if isinstance(r, TextReply)] == [hint], junk
    # A real question still is one, and is the only entry of the log.
    refused = await assistant.handle(text("42", "giá vàng hôm nay bao nhiêu?"))
    assert isinstance(refused.replies[0], AnswerReply) and not refused.replies[0].answer.answered
    with db.session() as s:
        assert [(r.text, r.answered) for r in s.exec(select(QuestionLog))] == [
            ("giá vàng hôm nay bao nhiêu?", False)]
