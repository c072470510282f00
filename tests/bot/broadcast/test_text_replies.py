"""Typed stand-ins for broadcast buttons: which replies confirm reading, and the commands
shown instead of the officer's buttons."""

from __future__ import annotations

import pytest

from bot.broadcast.text_replies import is_read_reply, typed_hint
from bot.core.types import Action


@pytest.mark.parametrize("text", ["đã đọc", "Đã đọc.", "DA DOC", "đã đọc ạ!", "  đọc rồi ",
                                  "Đã quán triệt", "đã xem", "xác nhận"])
def test_replies_that_confirm_reading(text: str) -> None:
    assert is_read_reply(text)


@pytest.mark.parametrize("text", ["đọc", "đã đọc nghị quyết 57 chưa?", "chưa đọc", "1",
                                  "Nghị quyết 57 nói gì?", ""])
def test_questions_and_other_replies_do_not(text: str) -> None:
    assert not is_read_reply(text)


def test_buttons_become_the_commands_to_type() -> None:
    actions = (Action("⛔ Dừng gửi", "bc:12:stop"), Action("Ai chưa đọc", "bc:12:list"),
               Action("🔔 Nhắc", "bc:12:remind"), Action("👍", "fb:3:1"))
    assert typed_hint(actions) == ("Gõ /dunggui 12 để dừng gửi · /chuadoc 12 để xem ai chưa đọc"
                                   " · /nhacdoc 12 để nhắc người chưa đọc")
    assert typed_hint((Action("👍", "fb:3:1"),)) == ""
