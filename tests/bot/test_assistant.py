"""The core end to end: real store (hashing embedder), real SQLite, real services; and the same
core behind the real Telegram adapter against the loopback Bot API server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.channels.telegram.channel import TelegramChannel
from bot.core.dispatcher import Dispatcher
from tests.dispatchers import FULL_MENU, MENU
from bot.core.types import (
    AnswerReply,
    Chat,
    DocumentReply,
    IncomingAction,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    Sender,
    TextReply,
)
from bot import messages as service_texts
from bot.services import invites, units
from bot.storage.database import Database
from bot.storage.models import Feedback, Membership, QuestionLog, Unit
from indexer.build import build_store
from bot import messages
from knowledge.embedder import HashingEmbedder
from tests.conftest import write_documents
from tests.fakes.telegram_api import TelegramApiServer

WAIT = 10.0
QUESTION = "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"


_count = 0


def text(user: str, body: str, *, group: bool = False, addressed: bool = True) -> IncomingText:
    global _count
    _count += 1
    chat = Chat("telegram", "-100" if group else user, "group" if group else "private")
    return IncomingText(str(_count), Sender("telegram", user, f"user {user}"), chat, body, addressed)


def action(user: str, data: str) -> IncomingAction:
    return IncomingAction("a", Sender("telegram", user), Chat("telegram", user, "private"), data)


def only_text(outcome: Outcome) -> str:
    assert len(outcome.replies) == 1 and isinstance(outcome.replies[0], TextReply)
    return outcome.replies[0].text


async def test_a_question_is_answered_logged_and_can_be_rated(assistant: Dispatcher,
                                                               db: Database) -> None:
    outcome = await assistant.handle(text("42", QUESTION))
    reply = outcome.replies[0]
    assert isinstance(reply, AnswerReply) and reply.answer.answered
    assert reply.answer.citations[0].doc_id == "chi-thi-05-CT-TW.txt"
    labels = [a.label for a in reply.actions]
    assert labels == ["👍", "👎", messages.ACTION_VIEW_DOCUMENT]
    with db.session() as s:
        logged = s.exec(select(QuestionLog)).one()
    assert logged.answered and logged.top_doc_id == "chi-thi-05-CT-TW.txt" and logged.text == QUESTION
    assert reply.actions[0].data == f"fb:{logged.id}:1"

    rated = await assistant.handle(action("42", reply.actions[1].data))
    assert rated.notice == messages.FEEDBACK_THANKS and not rated.replies
    rated = await assistant.handle(action("42", reply.actions[0].data))  # changes their mind
    with db.session() as s:
        votes = s.exec(select(Feedback)).all()
    assert [v.value for v in votes] == [1]

    view = await assistant.handle(action("42", reply.actions[2].data))
    document = view.replies[0]
    assert isinstance(document, DocumentReply)
    assert document.doc.number == "05-CT/TW" and document.section == logged.top_section
    assert document.chunks and all(c.section == logged.top_section for c in document.chunks)
    assert logged.top_section in document.outline


async def test_out_of_domain_question_is_refused_and_logged_unanswered(
        assistant: Dispatcher, db: Database) -> None:
    outcome = await assistant.handle(text("42", "Cách nấu phở bò ngon tại nhà?"))
    reply = outcome.replies[0]
    assert isinstance(reply, AnswerReply) and not reply.answer.answered
    assert messages.NOT_FOUND in reply.answer.text
    assert messages.ACTION_VIEW_DOCUMENT not in [a.label for a in reply.actions]
    with db.session() as s:
        assert s.exec(select(QuestionLog)).one().answered is False


@pytest.mark.parametrize("query", ["CT 05", "05/CT-TW", "chỉ thị 05", "ct05"])
async def test_vanban_is_tolerant_of_how_numbers_are_written(assistant: Dispatcher, query: str) -> None:
    outcome = await assistant.handle(text("42", f"/vanban {query}"))
    view = outcome.replies[0]
    assert isinstance(view, DocumentReply) and view.doc.number == "05-CT/TW"
    assert view.outline  # the document's structure is shown


async def test_commands_and_bad_input(assistant: Dispatcher) -> None:
    assert only_text(await assistant.handle(text("42", "/vanban 999-CT/TW"))) == \
        messages.DOCUMENT_NOT_FOUND.format(query="999-CT/TW")
    latest = only_text(await assistant.handle(text("42", "/moi")))
    assert latest.startswith(messages.LATEST_DOCUMENTS) and "05-CT/TW" in latest
    assert only_text(await assistant.handle(text("42", "/start"))) == messages.WELCOME
    assert "/taoma" not in only_text(await assistant.handle(text("42", "/help")))
    assert "• /taoma <mã đơn vị>" in only_text(await assistant.handle(text("1", "/help")))
    assert only_text(await assistant.handle(text("42", "/khongco"))) == messages.UNKNOWN_COMMAND
    assert only_text(await assistant.handle(text("42", "/hoi"))) == messages.ASK_USAGE
    assert only_text(await assistant.handle(text("42", "   "))) == messages.EMPTY_QUESTION
    too_long = only_text(await assistant.handle(text("42", "chỉ thị " * 400)))
    assert too_long.startswith("Câu hỏi quá dài")
    # Zero-width space, NFD marks, a no-break space and an emoji around a bare document
    # reference: still read as "chỉ thị 05" alone, so the document's overview.
    odd = await assistant.handle(text("42", "\u200bchi\u0309 thi\u0323 05\u00a0 🙂"))
    assert isinstance(odd.replies[0], DocumentReply) and odd.replies[0].doc.number == "05-CT/TW"
    for data in ("rubbish", "fb:x:1", "fb:1:5", "doc:", "doc:999999"):
        assert (await assistant.handle(action("42", data))).notice == messages.ACTION_INVALID
    sticker = IncomingUnsupported("s", Sender("telegram", "42"), Chat("telegram", "42", "private"),
                                  "sticker")
    assert only_text(await assistant.handle(sticker)) == messages.UNSUPPORTED_MESSAGE


async def test_a_zero_width_space_between_words_is_read_as_a_space(
    assistant: Dispatcher, db: Database
) -> None:
    """Copied from a web page or typed on some phones, a question whose words are parted by
    zero-width spaces (U+200B) and word joiners (U+2060): answered as with spaces; glued
    ("tổxungkích phòngchống") nothing in the store matches it and it was refused."""
    question = "Thôn nào cũng có tổ\u200bxung\u200bkích phòng\u2060chống thiên tai à?"
    outcome = await assistant.handle(text("42", question))
    reply = outcome.replies[0]
    assert isinstance(reply, AnswerReply) and reply.answer.answered
    assert [p.chunk_id for p in reply.answer.passages][0] == "chi-thi-05-CT-TW.txt::2"
    glued = await assistant.handle(text("42", question.replace("\u200b", "").replace("\u2060", "")))
    assert isinstance(glued.replies[0], AnswerReply) and not glued.replies[0].answer.answered
    with db.session() as s:
        logged = [r.text for r in s.exec(select(QuestionLog).order_by(QuestionLog.id))]
    assert logged[0] == "Thôn nào cũng có tổ xung kích phòng chống thiên tai à?"


async def test_groups_answer_only_when_addressed(assistant: Dispatcher) -> None:
    assert (await assistant.handle(text("42", QUESTION, group=True, addressed=False))).replies == []
    outcome = await assistant.handle(text("42", f"/hoi {QUESTION}", group=True, addressed=True))
    assert isinstance(outcome.replies[0], AnswerReply) and outcome.replies[0].answer.answered


async def test_roles_units_and_invites_through_commands(assistant: Dispatcher, db: Database) -> None:
    # The admin builds a province with two districts and makes user 7 officer of one.
    created = only_text(await assistant.handle(text("1", "/taodonvi 0 tinh Tỉnh ủy Minh Sơn")))
    assert created  # parent 0 does not exist: a clean message, not a crash
    with db.session() as s:
        province = units.admin_create_unit(s, "Tỉnh ủy Minh Sơn", "province")
        east = units.admin_create_unit(s, "Huyện ủy Đông", "district", province.id)
        west = units.admin_create_unit(s, "Huyện ủy Tây", "district", province.id)
        officer_code = invites.admin_create_invite(s, east.id, "officer").code
        ids = (province.id, east.id, west.id)
    province_id, east_id, west_id = ids

    # A member without a unit cannot create units or invites.
    denied = only_text(await assistant.handle(text("9", f"/taodonvi {east_id} xa Xã A")))
    assert denied in (service_texts.NOT_OFFICER, service_texts.PERMISSION_DENIED)
    report_denied = only_text(await assistant.handle(text("9", "/baocao")))
    assert report_denied in (service_texts.NOT_OFFICER, service_texts.PERMISSION_DENIED)

    joined = only_text(await assistant.handle(text("7", f"/dangky {officer_code}")))
    assert "Huyện ủy Đông" in joined and "cán bộ" in joined
    made = only_text(await assistant.handle(text("7", f"/taodonvi {east_id} xa Xã Đông An")))
    assert "Xã Đông An" in made
    # A name with markup is refused, not stored as typed.
    tagged = only_text(await assistant.handle(text("7", f"/taodonvi {east_id} xa <b>Xã Bắc An</b>")))
    assert tagged == service_texts.UNIT_NAME_CHARACTERS
    with db.session() as s:
        assert not [u for u in s.exec(select(Unit)) if "Bắc An" in u.name]
    # ... but not in the neighbouring district.
    outside = only_text(await assistant.handle(text("7", f"/taodonvi {west_id} xa Xã Tây An")))
    assert outside == service_texts.OUTSIDE_SCOPE
    invite = only_text(await assistant.handle(text("7", f"/taoma {east_id} dangvien")))
    code = invite.split("/dangky ")[-1].strip()
    assert only_text(await assistant.handle(text("7", f"/taoma {west_id}"))) == \
        service_texts.OUTSIDE_SCOPE

    # A member joins with the officer's code; the officer's report covers the question asked.
    assert "đảng viên" in only_text(await assistant.handle(text("8", f"/dangky {code}")))
    await assistant.handle(text("8", "Cách nấu phở bò ngon tại nhà?"))
    report = only_text(await assistant.handle(text("7", "/baocao 7")))
    assert "phở bò" in report
    listing = only_text(await assistant.handle(text("7", "/donvi")))
    assert "Huyện ủy Đông" in listing and "Xã Đông An" in listing and "Huyện ủy Tây" not in listing
    with db.session() as s:
        roles = {(m.person_id, m.role) for m in s.exec(select(Membership)).all()}
    assert {role for _, role in roles} == {"officer", "member"}


async def test_a_republished_store_is_used_without_restart(
        assistant: Dispatcher, knowledge_dir: Path, tmp_path: Path,
        hashing_embedder: HashingEmbedder) -> None:
    question = "Quy định về sổ tay số ghi chép sinh hoạt chi bộ điện tử?"
    first = (await assistant.handle(text("42", question))).replies[0]
    assert isinstance(first, AnswerReply) and not first.answer.answered
    write_documents(knowledge_dir, {"quy-dinh-99.txt": (
        "ĐẢNG CỘNG SẢN VIỆT NAM\nSố 99-QĐ/TU\nQUY ĐỊNH\nvề sổ tay số của chi bộ\n"
        "1. Mỗi chi bộ dùng sổ tay số để ghi chép sinh hoạt chi bộ điện tử.\n")})
    build_store([knowledge_dir], tmp_path / "store", hashing_embedder)
    second = (await assistant.handle(text("42", question))).replies[0]
    assert isinstance(second, AnswerReply) and second.answer.answered
    assert second.answer.citations[0].doc_id == "quy-dinh-99.txt"


# --- the same core behind the real Telegram adapter ------------------------------------

async def test_telegram_end_to_end(assistant: Dispatcher) -> None:
    async with TelegramApiServer() as api:
        channel = TelegramChannel(api.token, assistant.handle, base_url=api.base_url,
                                  commands=MENU, poll_timeout=1.0)
        async with channel:
            commands = await api.wait_for("setMyCommands", timeout=WAIT)
            assert "hoi" in str(commands["commands"]) and "vanban" in str(commands["commands"])
            api.text_update(5, 5, QUESTION)
            sent = await api.wait_for("sendMessage", timeout=WAIT)
            assert sent["parse_mode"] == "HTML" and "Chỉ thị 05-CT/TW" in sent["text"]
            rows = sent["reply_markup"]["inline_keyboard"]
            view_data = rows[-1][0]["callback_data"]
            assert view_data.startswith("doc:")
            api.callback_update(5, 5, view_data)
            await api.wait_for("answerCallbackQuery", timeout=WAIT)
            view = await api.wait_for("sendMessage", timeout=WAIT)
            assert "05-CT/TW" in view["text"]
            api.text_update(5, 5, "/vanban chỉ thị 05")
            by_number = await api.wait_for("sendMessage", timeout=WAIT)
            assert "05-CT/TW" in by_number["text"]
            # One user's many messages do not block the others.
            for user in range(10, 20):
                api.text_update(user, user, QUESTION)
            answered = set()
            for _ in range(10):
                msg = await api.wait_for("sendMessage", timeout=WAIT)
                answered.add(msg["chat_id"])
            assert answered == set(range(10, 20))
