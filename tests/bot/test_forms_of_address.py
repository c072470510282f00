"""Every sentence the bot sends addresses members and officers as «đồng chí», the house form:
never «bạn» or «anh/chị» (issue 12's new-user trial found the two mixed); and the bot names
itself one way, «trợ lý» (the assistant, in the third person, as an office's assistant is
spoken of), never «tôi»: the two were mixed message by message."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Word lists of what members TYPE (greetings, fillers), not what the bot says.
TYPED_WORDS = {"SMALL_TALK_FILLERS", "GREETING_WORDS", "THANKS_WORDS", "ACK_WORDS",
               "BROADCAST_READ_WORDS"}
OTHER_FORMS = re.compile(r"\b(?:bạn|anh/chị|anh chị)\b", re.IGNORECASE)
SELF_AS_I = re.compile(r"\b(?:tôi|chúng tôi|em)\b", re.IGNORECASE)  # «mình» is reflexive: «đơn vị mình»


def _message_modules() -> list[str]:
    paths = sorted(REPO.glob("bot/**/messages*.py")) + [REPO / "knowledge" / "phrasing.py",
                                                        REPO / "knowledge" / "messages_validity.py"]
    return [".".join(p.relative_to(REPO).with_suffix("").parts) for p in paths]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _found(name: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    module = importlib.import_module(name)
    return [(attr, text) for attr, value in vars(module).items()
            if attr.isupper() and attr not in TYPED_WORDS
            for text in _strings(value) if pattern.search(text)]


def test_the_modules_are_found() -> None:
    assert {"bot.messages", "bot.ask.messages", "bot.polls.messages",
            "knowledge.phrasing"} <= set(_message_modules())


@pytest.mark.parametrize("name", _message_modules())
def test_messages_say_dong_chi(name: str) -> None:
    assert _found(name, OTHER_FORMS) == []


@pytest.mark.parametrize("name", _message_modules())
def test_the_bot_calls_itself_tro_ly(name: str) -> None:
    assert _found(name, SELF_AS_I) == []


def test_the_self_reference_check_can_fail() -> None:
    """The pattern catches the forms that were found, and not «mình» (the reader's own unit)."""
    assert SELF_AS_I.search("Tôi chưa tìm thấy nội dung này")
    assert SELF_AS_I.search("Không, chỉ đơn vị tôi")
    assert not SELF_AS_I.search("Trợ lý chưa tìm thấy nội dung này, cho đơn vị mình")
