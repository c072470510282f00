"""Every sentence the bot sends addresses members and officers as «đồng chí», the house form:
never «bạn» or «anh/chị» (issue 12's new-user trial found the two mixed)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Word lists of what members TYPE (greetings, fillers), not what the bot says.
TYPED_WORDS = {"SMALL_TALK_FILLERS", "GREETING_WORDS", "THANKS_WORDS", "ACK_WORDS"}
OTHER_FORMS = re.compile(r"\b(?:bạn|anh/chị|anh chị)\b", re.IGNORECASE)


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


def test_the_modules_are_found() -> None:
    assert {"bot.messages", "bot.ask.messages", "bot.polls.messages",
            "knowledge.phrasing"} <= set(_message_modules())


@pytest.mark.parametrize("name", _message_modules())
def test_messages_say_dong_chi(name: str) -> None:
    module = importlib.import_module(name)
    found = [(attr, text) for attr, value in vars(module).items()
             if attr.isupper() and attr not in TYPED_WORDS
             for text in _strings(value) if OTHER_FORMS.search(text)]
    assert found == []
