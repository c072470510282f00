"""The Zalo Transport: the project's Zalo Bot Platform client (bot.channels.zalo_api) on its
own aiohttp session, for the delivery worker. Its own session (like the Telegram transport's
request backend) on purpose: a bulk send fills its connection pool, and the chat's replies
must not queue behind it.

What Zalo lacks, and what this does instead:
- No buttons. Members confirm reading by replying «đã đọc» (the worker asks for that in the
  text: bot.broadcast.content, `buttons = False` here); the officer's buttons on progress
  and report messages become typed commands ("Gõ /chuadoc 5 ..."; bot.broadcast.text_replies).
- No editing. `can_edit = False`: the progress reporter then sends a new progress message
  only every `WorkerConfig.progress_interval_no_edit` seconds (short broadcasts get the final
  report only). `edit` still works as the protocol says: it sends a new message.
- No files by id. A Telegram file id means nothing here; the worker sends Zalo recipients
  the text only and the preview says so. A knowledge-base document travels as its number in
  the text ("Văn bản: 05-CT/TW").
- 2,000 characters per message. A longer text goes as several messages; only the first is
  the delivery (its failure is the row's outcome). The rest follow at once with the client's
  own safe retries; a part lost after that is logged, not retried by the outbox (that would
  send the first part twice).

Errors, sorted by the Zalo client's types (bot.channels.zalo_errors) the way the Telegram
transport sorts PTB's:
- ZaloRateLimited (429, with retry_after)              → TransientError(retry_after)
- ZaloServerError (5xx, 408, not JSON), ZaloNetworkError (timeouts, dropped connections;
  a send that may have arrived is retried too: the bound on duplicates is the same as a
  crash's)                                              → TransientError
- ZaloRecipientError (403 blocked / left the group, 404 chat not found)
                                                        → Unreachable (the chat is marked)
- ZaloBadRequest and unknown codes (the same request fails again) → PermanentError
- ZaloUnauthorized (401: the token)                     → TransientError: an operator must
  act; the row waits with backoff instead of being lost
The first part of a message is sent without the client's own retries: the outbox retries,
honouring retry_after, without holding a sending slot.
"""

from __future__ import annotations

import logging

import aiohttp

from bot.broadcast.text_replies import typed_hint
from bot.broadcast.transport import (
    OutboundMessage,
    PermanentError,
    RateLimits,
    TransientError,
    Unreachable,
)
from bot.channels.splitting import split_plain
from bot.channels.zalo_api import DEFAULT_BASE_URL, MAX_TEXT, ZaloBotApi
from bot.channels.zalo_errors import (
    ZaloError,
    ZaloPermanentError,
    ZaloRateLimited,
    ZaloRecipientError,
    ZaloUnauthorized,
)
from bot.core.types import Action

logger = logging.getLogger(__name__)

ZALO_LIMITS = RateLimits(global_per_second=10, per_chat_per_second=1, per_group_per_minute=20)


class ZaloTransport:
    platform = "zalo"
    can_edit = False  # bot.broadcast.progress sends progress as new messages, rarely
    buttons = False  # bot.broadcast.worker asks for a typed «đã đọc» instead of a button

    def __init__(self, token: str, *, base_url: str = DEFAULT_BASE_URL,
                 limits: RateLimits = ZALO_LIMITS, connections: int = 32,
                 timeout: float = 10.0) -> None:
        self.limits = limits
        self._token = token
        self._base_url = base_url
        self._connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._api: ZaloBotApi | None = None

    async def __aenter__(self) -> ZaloTransport:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._connections))
        self._api = ZaloBotApi(self._token, self._session, base_url=self._base_url,
                               request_timeout=self._timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = self._api = None

    async def send(self, message: OutboundMessage) -> str:
        api = self._ready()
        parts = split_plain(render(message.text, message.actions), MAX_TEXT)
        if not parts:
            raise PermanentError("400 empty text")  # Zalo refuses it; never retry
        try:
            sent = await api.call("sendMessage", {"chat_id": message.chat_id, "text": parts[0]},
                                  retries=0)
        except ZaloError as exc:
            raise _classify(exc) from exc
        for part in parts[1:]:
            try:
                await api.send_message(message.chat_id, part)
            except ZaloError as exc:
                logger.warning("zalo: part of a broadcast to %s lost: %s", message.chat_id, exc)
        return _message_id(sent)

    async def edit(self, chat_id: str, message_id: str, text: str,
                   actions: tuple[Action, ...] = ()) -> str:
        """Zalo cannot edit a message: send the new text as a new message."""
        return await self.send(OutboundMessage(chat_id, "private", text, actions))

    def _ready(self) -> ZaloBotApi:
        if self._api is None:
            raise RuntimeError("ZaloTransport is not open (use `async with`)")
        return self._api


def render(text: str, actions: tuple[Action, ...]) -> str:
    """The text, then the typed commands that stand in for its buttons."""
    hint = typed_hint(actions)
    return f"{text.strip()}\n\n{hint}" if hint else text.strip()


def _classify(exc: ZaloError) -> Exception:
    code = exc.error_code if exc.error_code is not None else exc.http_status
    reason = f"{code} {exc.description}" if code is not None else exc.description
    if isinstance(exc, ZaloRateLimited):
        return TransientError(reason, retry_after=exc.retry_after)
    if isinstance(exc, ZaloUnauthorized):
        return TransientError(reason)
    if isinstance(exc, ZaloRecipientError):  # 403 blocked / left the group, 404 no such chat
        return Unreachable(reason)
    if isinstance(exc, ZaloPermanentError):  # 400, unknown codes
        return PermanentError(reason)
    return TransientError(f"{type(exc).__name__}: {reason}",
                          retry_after=getattr(exc, "retry_after", None))


def _message_id(result: object) -> str:
    if isinstance(result, dict) and result.get("message_id") is not None:
        return str(result["message_id"])
    return ""


__all__ = ["ZALO_LIMITS", "ZaloTransport", "render"]
