"""The Telegram Transport: python-telegram-bot's `Bot` pointed at TELEGRAM_API_BASE_URL, on an
aiohttp request backend (bot.broadcast.aiohttp_request: PTB's httpx pool was the bottleneck).

Errors are sorted by PTB's exception types:
- RetryAfter (429 flood control)                      → TransientError(retry_after)
- TimedOut, NetworkError (5xx answers, connection)    → TransientError
- Forbidden (bot blocked by the user, kicked from the group, user deactivated)
                                                      → PermanentError
- ChatMigrated (the group became a supergroup)        → sent again to the new id once
- BadRequest ("chat not found", and any other refusal: retrying the same request cannot
  help)                                               → PermanentError
- InvalidToken, other TelegramError                   → TransientError (an operator must act;
  the row waits with backoff instead of being lost)
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.broadcast.aiohttp_request import AiohttpRequest
from bot.broadcast.transport import (
    OutboundMessage,
    PermanentError,
    RateLimits,
    TransientError,
)
from bot.core.types import Action

logger = logging.getLogger(__name__)

TELEGRAM_LIMITS = RateLimits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)


class TelegramTransport:
    platform = "telegram"

    def __init__(self, token: str, *, base_url: str = "https://api.telegram.org/bot",
                 limits: RateLimits = TELEGRAM_LIMITS, connections: int = 32,
                 timeout: float = 10.0) -> None:
        self.limits = limits
        self._bot = Bot(token, base_url=base_url,
                        request=AiohttpRequest(connections=connections, timeout=timeout))

    async def __aenter__(self) -> TelegramTransport:
        await self._bot.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._bot.shutdown()

    async def send(self, message: OutboundMessage) -> str:
        chat_id: int | str = _chat_id(message.chat_id)
        try:
            sent = await self._send(chat_id, message)
        except ChatMigrated as exc:
            logger.info("telegram: chat %s migrated to %s", chat_id, exc.new_chat_id)
            sent = await self._guarded(self._send(exc.new_chat_id, message))
        except TelegramError as exc:
            raise _classify(exc) from exc
        return sent

    async def edit(self, chat_id: str, message_id: str, text: str,
                   actions: tuple[Action, ...] = ()) -> str:
        try:
            await self._bot.edit_message_text(
                html.escape(text, quote=False), chat_id=_chat_id(chat_id),
                message_id=int(message_id), parse_mode=ParseMode.HTML,
                reply_markup=_markup(actions),
                link_preview_options=LinkPreviewOptions(is_disabled=True))
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return message_id
            raise _classify(exc) from exc
        except TelegramError as exc:
            raise _classify(exc) from exc
        return message_id

    async def _send(self, chat_id: int | str, message: OutboundMessage) -> str:
        sent = await self._bot.send_message(
            chat_id, html.escape(message.text, quote=False), parse_mode=ParseMode.HTML,
            reply_markup=_markup(message.actions),
            link_preview_options=LinkPreviewOptions(is_disabled=True))
        if message.attachment is not None:
            # The text (with its buttons) is the delivery; the file follows it. A failure
            # here is logged, not retried: resending would duplicate the text.
            try:
                await self._bot.send_document(chat_id, message.attachment.file_id)
            except TelegramError as exc:
                logger.warning("telegram: attachment to %s failed: %s", chat_id, exc)
        return str(sent.message_id)

    async def _guarded(self, work: Any) -> str:
        try:
            return await work
        except TelegramError as exc:
            raise _classify(exc) from exc


def _classify(exc: TelegramError) -> Exception:
    if isinstance(exc, RetryAfter):
        return TransientError(f"429 {exc.message}", retry_after=_retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return PermanentError(f"403 {exc.message}")
    if isinstance(exc, BadRequest):
        return PermanentError(f"400 {exc.message}")
    if isinstance(exc, NetworkError):  # TimedOut is a NetworkError; so are 5xx answers
        return TransientError(f"{type(exc).__name__}: {exc.message}")
    return TransientError(f"{type(exc).__name__}: {exc.message}")


def _retry_seconds(exc: RetryAfter) -> float:
    value: Any = getattr(exc, "_retry_after", None)  # PTB 22: a timedelta (or int, older)
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _markup(actions: tuple[Action, ...]) -> InlineKeyboardMarkup | None:
    if not actions:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(a.label, callback_data=a.data)
                                  for a in actions]])


def _chat_id(chat_id: str) -> int | str:
    try:
        return int(chat_id)
    except ValueError:
        return chat_id  # "@channelusername"


__all__ = ["TELEGRAM_LIMITS", "TelegramTransport"]
