"""Control characters and bidirectional overrides typed by a member never reach storage:
not the question log (which `/baocao` echoes to officers and exports), not a display name.

An ANSI escape (ESC [ ... m) would recolour an officer's terminal when the report is shown
there; a right-to-left override (U+202E) makes a text display in another order than it is
stored ("Trojan Source", CVE-2021-42574)."""

from __future__ import annotations

from sqlmodel import select

from bot.core.types import Chat, IncomingText, Sender
from bot.services.people import clean_name
from bot.storage import QuestionLog
from knowledge.text import strip_unsafe
from tests.dispatchers import dispatcher

HOSTILE = "Chi bộ \x1b[31msinh hoạt\x1b[0m mấy lần\u202e?\u2066 một năm\r\n\tthế nào"


def test_strip_unsafe_keeps_the_text_and_its_layout() -> None:
    assert strip_unsafe(HOSTILE) == "Chi bộ [31msinh hoạt[0m mấy lần? một năm\n\tthế nào"
    assert strip_unsafe("Đảng viên  ĐTN\nhọc tập") == "Đảng viên  ĐTN\nhọc tập"  # spacing kept


def test_display_names_lose_controls_and_overrides() -> None:
    assert clean_name("An\u202e nahN\x1b[1m\tHà") == "An nahN[1m Hà"


async def test_a_typed_question_is_logged_without_controls(db, knowledge) -> None:  # type: ignore[no-untyped-def]
    core = dispatcher(db, knowledge)
    chat = Chat("telegram", "501", "private")
    await core.handle(IncomingText("u1", Sender("telegram", "501", "An"), chat, HOSTILE, True))
    with db.session() as session:
        logged = [row.text for row in session.exec(select(QuestionLog))]
    assert len(logged) == 1 and "Chi bộ [31msinh hoạt[0m mấy lần? một năm" in logged[0]
    assert all(not any(ch in text for ch in "\x1b\u202e\u2066\r") for text in logged)
