"""The Telegram Transport: python-telegram-bot's `Bot` pointed at TELEGRAM_API_BASE_URL, on an
aiohttp request backend (bot.broadcast.aiohttp_request: PTB's httpx pool was the bottleneck).

Errors are sorted by PTB's exception types (`classify`, shared with the poll sender; what the
types mean is in bot.channels.telegram_errors):
- RetryAfter (429 flood control)                      → TransientError(retry_after)
- TimedOut, NetworkError (5xx answers, connection)    → TransientError
- ChatMigrated (the group became a supergroup)        → ChatMoved(new id): the worker
  re-points the group and its outbox rows and the row goes out again, to the new id
- Forbidden (bot blocked by the user, kicked from the group, user deactivated), BadRequest
  "chat not found" and the like                       → Unreachable (the chat is marked)
- other BadRequest (retrying the same request cannot help)   → PermanentError
- InvalidToken, other TelegramError                   → TransientError (an operator must act;
  the row waits with backoff instead of being lost)
"""

from __future__ import annotations

import html
import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, RetryAfter, TelegramError

from bot.broadcast.aiohttp_request import AiohttpRequest
from bot.broadcast.transport import (
    ChatMoved,
    DeliveryError,
    OutboundMessage,
    PermanentError,
    RateLimits,
    TransientError,
    Unreachable,
)
from bot.channels.telegram_errors import retry_seconds, to_chat_id, unreachable_reason
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
        try:
            return await self._send(to_chat_id(message.chat_id), message)
        except TelegramError as exc:
            raise classify(exc) from exc

    async def edit(self, chat_id: str, message_id: str, text: str,
                   actions: tuple[Action, ...] = ()) -> str:
        try:
            await self._bot.edit_message_text(
                html.escape(text, quote=False), chat_id=to_chat_id(chat_id),
                message_id=int(message_id), parse_mode=ParseMode.HTML,
                reply_markup=_markup(actions),
                link_preview_options=LinkPreviewOptions(is_disabled=True))
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return message_id
            raise classify(exc) from exc
        except TelegramError as exc:
            raise classify(exc) from exc
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


def classify(exc: TelegramError) -> DeliveryError:
    """A PTB error as one of the delivery outcomes (bot.broadcast.transport)."""
    if isinstance(exc, RetryAfter):
        return TransientError(f"429 {exc.message}", retry_after=retry_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return ChatMoved(f"400 {exc.message}", str(exc.new_chat_id))
    if (reason := unreachable_reason(exc)) is not None:
        return Unreachable(reason)
    if isinstance(exc, BadRequest):
        return PermanentError(f"400 {exc.message}")
    # TimedOut and 5xx answers are NetworkErrors; anything else (a rejected token) waits
    # for an operator rather than failing the row.
    return TransientError(f"{type(exc).__name__}: {exc.message}")


def _markup(actions: tuple[Action, ...]) -> InlineKeyboardMarkup | None:
    if not actions:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(a.label, callback_data=a.data)
                                  for a in actions]])


__all__ = ["TELEGRAM_LIMITS", "TelegramTransport", "classify"]
