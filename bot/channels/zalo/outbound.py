"""The outbound port on Zalo (bot.core.outbound): the project's Zalo Bot Platform client
(bot.channels.zalo.api), replies rendered as plain text (bot.channels.plain_render), the
client's errors sorted into the port's outcomes in one place (`classify`).

What Zalo lacks, told to features through `ZALO_CAPABILITIES` (they choose what to say
instead, never this module):
- No buttons. A reply's actions become a numbered hint ("Gõ 1: 👍 · 2: 👎"); when the port has
  the channel's offers (bot.core.offers: the database's, so any serving process reads them)
  it offers them for the chat (and person, in groups), so a following "1" is read as that
  action. Workers say typed commands instead of offering actions.
- No editing: `edit` sends a new message. No files by id and no uploads (sendPhoto takes only
  a public URL): a photo goes as its caption, a short file as its text. No native polls: a
  poll is its numbered text.
- 2,000 characters per message: a longer reply goes as several messages, cut between blocks.

Two uses, one class: the channel's port (`bulk=False`) sends each part with the client's own
safe retries and, when a send timed out and may have arrived, sends it once more (seen twice
beats lost); the workers' port (`bulk=True`, its own aiohttp session so a bulk send does not
queue the chat's replies) sends the first part without retries — the outbox retries,
honouring retry_after, without holding a slot.

Errors, sorted by the client's types (bot.channels.zalo.errors):
- ZaloRateLimited (429, with retry_after)              → TransientError(retry_after)
- ZaloServerError (5xx, 408, not JSON), ZaloNetworkError (timeouts, dropped connections)
                                                        → TransientError
- ZaloRecipientError (403 blocked / left the group, 404 chat not found) → Unreachable
- ZaloBadRequest and unknown codes (the same request fails again) → PermanentError
- ZaloUnauthorized (401: the token)                     → TransientError: an operator must act
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiohttp

from bot.channels.plain_render import render_outcome
from bot.channels.zalo.api import DEFAULT_BASE_URL, MAX_TEXT, ZaloBotApi
from bot.channels.zalo.errors import (
    ZaloError,
    ZaloNetworkError,
    ZaloPermanentError,
    ZaloRateLimited,
    ZaloRecipientError,
    ZaloUnauthorized,
)
from bot.core.outbound import (
    DeliveryError,
    Destination,
    PermanentError,
    PollCounts,
    PollSpec,
    RateLimits,
    SentPoll,
    TransientError,
    Unreachable,
)
from bot.core.offers import ActionOffers
from bot.core.types import Action, Capabilities, Outcome, Reply, TextReply
from knowledge.text import shorten

logger = logging.getLogger(__name__)

ZALO_LIMITS = RateLimits(global_per_second=10, per_chat_per_second=1, per_group_per_minute=20)
ZALO_CAPABILITIES = Capabilities(buttons=False, edits=False, files=False, native_polls=False,
                                 forwards_polls=False, max_text=MAX_TEXT)


class ZaloOutbound:
    platform = "zalo"
    capabilities = ZALO_CAPABILITIES

    def __init__(self, api: ZaloBotApi | None, *, limits: RateLimits = ZALO_LIMITS,
                 memory: ActionOffers | None = None, bulk: bool = False,
                 max_text: int = MAX_TEXT) -> None:
        self.limits = limits
        self._max_text = max_text
        self._api = api
        self._memory = memory
        self._bulk = bulk
        self._session: aiohttp.ClientSession | None = None
        self._open: tuple[str, str, int, float] | None = None

    @classmethod
    def bulk_sender(cls, token: str, *, base_url: str = DEFAULT_BASE_URL,
                    limits: RateLimits = ZALO_LIMITS, connections: int = 32,
                    timeout: float = 10.0) -> ZaloOutbound:
        """A port of its own for the workers, on its own session (open it with `async with`)."""
        port = cls(None, limits=limits, bulk=True)
        port._open = (token, base_url, connections, timeout)
        return port

    async def __aenter__(self) -> ZaloOutbound:
        if self._open is not None:
            token, base_url, connections, timeout = self._open
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=connections))
            self._api = ZaloBotApi(token, self._session, base_url=base_url,
                                   request_timeout=timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
            self._api = None

    # --- the port ----------------------------------------------------------------------
    async def send(self, to: Destination, replies: Sequence[Reply]) -> str:
        rendered = render_outcome(Outcome(list(replies)), self._max_text)
        if self._memory is not None:
            await self._memory.offer((to.chat_id, to.user_id or to.chat_id), rendered.actions)
        if not rendered.texts:
            raise PermanentError("400 empty text")  # Zalo refuses it; never retry
        api = self._ready()
        try:
            if self._bulk:
                sent = await api.call("sendMessage", {"chat_id": to.chat_id,
                                                      "text": rendered.texts[0]}, retries=0)
            else:
                sent = await self._send_sure(api, to.chat_id, rendered.texts[0])
        except ZaloError as exc:
            raise classify(exc) from exc
        for part in rendered.texts[1:]:
            try:
                await (api.send_message(to.chat_id, part) if self._bulk
                       else self._send_sure(api, to.chat_id, part))
            except ZaloError as exc:
                logger.warning("zalo: part of a message to %s lost: %s", to.chat_id, exc)
        return _message_id(sent)

    async def send_text(self, to: Destination, text: str, actions: Sequence[Action] = ()) -> str:
        return await self.send(to, [TextReply(text, tuple(actions))])

    async def edit(self, to: Destination, message_id: str, reply: TextReply) -> str:
        """Zalo cannot edit a message: the new text goes as a new message."""
        return await self.send(to, [reply])

    async def send_poll(self, to: Destination, poll: PollSpec) -> SentPoll:
        return SentPoll(await self.send_text(to, shorten(poll.text, MAX_TEXT, keep_lines=True)))

    async def forward(self, to: Destination, from_chat_id: str, message_id: str) -> str:
        raise PermanentError("zalo has no native polls to forward")

    async def stop_poll(self, chat_id: str, message_id: str) -> PollCounts | None:
        return None  # votes are text replies: the close is ours alone

    # --- calls -------------------------------------------------------------------------
    @staticmethod
    async def _send_sure(api: ZaloBotApi, chat_id: str, text: str) -> object:
        try:
            return await api.send_message(chat_id, text)
        except ZaloNetworkError as exc:
            if not exc.maybe_delivered:
                raise
            # No answer: it may or may not have arrived. A reply seen twice beats a lost one.
            logger.warning("zalo: %s; sending once more", exc)
            return await api.send_message(chat_id, text)

    def _ready(self) -> ZaloBotApi:
        if self._api is None:
            raise TransientError("the Zalo port is not open")
        return self._api


def classify(exc: ZaloError) -> DeliveryError:
    """A Zalo client error as one of the port's outcomes (bot.core.outbound)."""
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


__all__ = ["ZALO_CAPABILITIES", "ZALO_LIMITS", "ZaloOutbound", "classify"]
