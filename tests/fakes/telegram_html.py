"""Telegram's HTML parse mode, strictly enough to catch our mistakes, and the Bot API's error
answer (split out of tests.fakes.telegram_api to keep each file small)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "code", "pre", "blockquote", "tg-emoji"}
)
_BAD_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_BAD_LT = re.compile(r"<(?![a-zA-Z/])")


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None,
                 *, migrate_to_chat_id: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:  # ResponseParameters.migrate_to_chat_id
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


class _TelegramHtml(HTMLParser):
    """Telegram's HTML parse mode, strictly enough to catch our mistakes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS or (tag == "span" and ("class", "tg-spoiler") not in attrs):
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Unmatched end tag "{tag}"'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> str:
    """The plain text Telegram would show; raises ApiError(400) where Telegram would."""
    for pattern, what in ((_BAD_AMPERSAND, "Character '&' is reserved"), (_BAD_LT, "Unexpected '<'")):
        if m := pattern.search(text):
            raise ApiError(400, f"Bad Request: can't parse entities: {what} at byte offset {m.start()}")
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.stack and not parser.error:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    if parser.error:
        raise ApiError(400, f"Bad Request: can't parse entities: {parser.error}")
    return "".join(parser.text)
