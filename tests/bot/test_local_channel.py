"""The terminal as a platform behind the outbound port: questions answered through the real
core, a reply's actions as a numbered hint that "1" answers, and whatever the core pushes to
the terminal's chat printed there (the port issue 16 builds the local platform on)."""

from __future__ import annotations

import io

from bot import messages
from bot.channels.local import LOCAL_CAPABILITIES, LOCAL_USER_ID, LocalChannel
from bot.core.dispatcher import Dispatcher
from bot.core.types import Action, TextReply


async def test_the_terminal_answers_and_takes_numbered_actions(assistant: Dispatcher) -> None:
    out = io.StringIO()
    local = LocalChannel(assistant.handle, reader=io.StringIO(""), writer=out)
    await local.handle_line("Mỗi thôn có tổ xung kích phòng, chống thiên tai không?")
    answer = out.getvalue()
    assert "Chỉ thị 05-CT/TW" in answer and "<b>" not in answer
    assert messages.ACTIONS_HINT.format(choices="1: 👍 · 2: 👎 · 3: Xem văn bản") in answer
    out.truncate(0)
    out.seek(0)
    await local.handle_line("1")  # the hint's first action: 👍, a toast shown as a line
    assert out.getvalue() == messages.FEEDBACK_THANKS + "\n\n"


async def test_a_push_to_the_terminal_is_printed(assistant: Dispatcher) -> None:
    out = io.StringIO()
    local = LocalChannel(assistant.handle, reader=io.StringIO(""), writer=out)
    assert local.outbound.capabilities == LOCAL_CAPABILITIES
    assert not LOCAL_CAPABILITIES.buttons and not LOCAL_CAPABILITIES.edits
    assistant.outbound.attach("local", local.outbound)
    pushed = await assistant.outbound.push("local", LOCAL_USER_ID, [
        TextReply("Có thông báo mới.", (Action("Đã đọc", "rd:1"),))])
    assert pushed
    assert out.getvalue() == ("Có thông báo mới.\n\n"
                              + messages.ACTIONS_HINT.format(choices="1: Đã đọc") + "\n\n")
