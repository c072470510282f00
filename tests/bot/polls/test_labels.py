"""Unit buttons name the unit as far as a whole word goes (knowledge.text.shorten), on the
real Telegram adapter against the loopback Bot API; the button's data stays within
Telegram's 64-byte callback_data limit whatever the label (bot.core.types.Action)."""

from __future__ import annotations

import pytest

from bot.core.types import Action
from bot.polls import messages as poll_texts
from bot.storage.models import Unit
from tests.bot.polls.conftest import WAIT, Polls, channels

LONG = "Chi bộ thôn Đông thuộc Đảng bộ xã Hòa Bình, huyện Đông Hà, tỉnh Minh Sơn, nhiệm kỳ 2025–2030"
OFFICER = 901


async def test_a_long_unit_name_is_cut_after_a_whole_word_on_its_button(polls: Polls) -> None:
    p = polls

    def rename(session) -> None:  # type: ignore[no-untyped-def]
        unit = session.get(Unit, p.world.cell)
        unit.name = LONG
        session.add(unit)

    p.db.call(rename)

    def buttons(params: dict) -> dict[str, str]:  # type: ignore[type-arg]
        return {b["text"]: b["callback_data"]
                for row in params.get("reply_markup", {}).get("inline_keyboard", []) for b in row}

    async def reply(starts: str) -> dict:  # type: ignore[type-arg]
        return await p.tg.wait_for("sendMessage", lambda m: m["chat_id"] == OFFICER
                                   and m["text"].startswith(starts), timeout=WAIT)

    async def press(data: str) -> None:
        p.tg.callback_update(OFFICER, OFFICER, data)
        await p.tg.wait_for("answerCallbackQuery", timeout=WAIT)

    async with channels(p):
        p.tg.text_update(OFFICER, OFFICER, "/khaosat Chi bộ họp vào buổi nào?\nSáng\nTối")
        await press(buttons(await reply(poll_texts.POLL_ASK_KIND))[poll_texts.POLL_SINGLE_BUTTON])
        await press(buttons(await reply(poll_texts.POLL_ASK_ANONYMOUS))[poll_texts.POLL_NAMED_BUTTON])
        await press(buttons(await reply(poll_texts.POLL_ASK_DURATION))["3 ngày"])
        units = buttons(await reply(poll_texts.POLL_ASK_UNITS[:20]))
    assert "Chi bộ thôn Đông thuộc Đảng bộ xã Hòa Bình, huyện Đông Hà…" in units, list(units)
    assert all(len(label) <= 60 for label in units)
    assert all(len(data.encode()) <= 64 for data in units.values())


def test_action_data_over_64_bytes_is_refused_however_short_the_label() -> None:
    assert Action("Xã Tân Lập", "đ" * 32).data  # 64 bytes of UTF-8: fits
    with pytest.raises(ValueError):
        Action("Xã Tân Lập", "đ" * 33)  # 33 characters, 66 bytes
