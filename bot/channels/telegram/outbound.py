"""The outbound port on Telegram (bot.core.outbound): python-telegram-bot's `Bot`, replies
rendered as Telegram HTML (bot.channels.telegram.render), PTB's errors sorted into the port's
outcomes in one place (`classify`).

One class, two uses: the channel's port over its Application's bot answers updates and writes
first (`retrying=True`: a flood-control answer is waited out once and network errors retried
with backoff, since a reply must not be dropped); the workers' port over a bot on the aiohttp
request backend (bot.channels.telegram.request: PTB's httpx pool was the bulk sender's
bottleneck) sends without retrying — the outbox and the poll runner retry, honouring
retry_after, without holding a sending slot.

What PTB's exception types become (what they mean: bot.channels.telegram.errors):
- RetryAfter (429 flood control)                      → TransientError(retry_after)
- TimedOut, NetworkError (5xx answers, connection)    → TransientError
- ChatMigrated (the group became a supergroup)        → ChatMoved(new id)
- Forbidden (bot blocked by the user, kicked from the group, user deactivated), BadRequest
  "chat not found" and the like                       → Unreachable (callers mark the chat)
- other BadRequest (retrying the same request cannot help)   → PermanentError
- InvalidToken, other TelegramError                   → TransientError (an operator must act;
  a row waits with backoff instead of being lost)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError

from bot.channels.telegram.errors import retry_seconds, to_chat_id, unreachable_reason
from bot.channels.telegram.render import RenderedMessage, render
from bot.channels.telegram.request import AiohttpRequest
from bot.core.outbound import (
    ChatMoved,
    DeliveryError,
    Destination,
    FetchedFile,
    FileTooLarge,
    PermanentError,
    PollCounts,
    PollSpec,
    RateLimits,
    SentPoll,
    TransientError,
    Unreachable,
)
from bot.core.types import Action, Capabilities, FileReply, PhotoReply, Reply, TextReply
from knowledge.text import shorten

logger = logging.getLogger(__name__)

T = TypeVar("T")
TELEGRAM_LIMITS = RateLimits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
TELEGRAM_CAPABILITIES = Capabilities(buttons=True, edits=True, files=True, native_polls=True,
                                     forwards_polls=True, max_text=4096)
MAX_CAPTION = 1024


class TelegramOutbound:
    platform = "telegram"
    capabilities = TELEGRAM_CAPABILITIES

    def __init__(self, bot: Bot, *, limits: RateLimits = TELEGRAM_LIMITS, retrying: bool = False,
                 network_retries: int = 3, network_backoff: float = 0.5) -> None:
        self.bot = bot
        self.limits = limits
        self._retrying = retrying
        self._network_retries = network_retries
        self._network_backoff = network_backoff

    @classmethod
    def bulk(cls, token: str, *, base_url: str = "https://api.telegram.org/bot",
             limits: RateLimits = TELEGRAM_LIMITS, connections: int = 32,
             timeout: float = 10.0) -> TelegramOutbound:
        """A port of its own for the workers (open it with `async with`)."""
        return cls(Bot(token, base_url=base_url,
                       request=AiohttpRequest(connections=connections, timeout=timeout)),
                   limits=limits)

    async def __aenter__(self) -> TelegramOutbound:
        try:
            await self.bot.initialize()
        except BaseException:
            # A refused token (or a network error) fails getMe after PTB opened the request
            # sessions; `async with` calls no __aexit__ then, so close them here.
            await self.bot.shutdown()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.bot.shutdown()

    # --- the port ----------------------------------------------------------------------
    async def send(self, to: Destination, replies: Sequence[Reply]) -> str:
        first: str | None = None
        replied = False
        for reply in replies:
            if isinstance(reply, (PhotoReply, FileReply)):
                sends = [lambda r=reply: self._send_file(to, r)]
            else:
                sends = []
                for message in render(reply):
                    use_reply = not replied and to.reply_to is not None
                    replied = True
                    sends.append(lambda m=message, r=use_reply: self._send_message(to, m, r))
            for make in sends:
                if first is None:
                    first = str((await self._guarded(make)).message_id)
                    continue
                try:  # a later part: logged, not retried (that would repeat the first)
                    await self._guarded(make)
                except DeliveryError as exc:
                    logger.warning("telegram: part of a message to %s lost: %s", to.chat_id, exc)
        if first is None:
            raise PermanentError("400 empty message")
        return first

    async def send_text(self, to: Destination, text: str, actions: Sequence[Action] = ()) -> str:
        return await self.send(to, [TextReply(text, tuple(actions))])

    async def edit(self, to: Destination, message_id: str, reply: TextReply) -> str:
        [message, *_] = render(reply) or [RenderedMessage("")]
        try:
            await self._call(lambda: self.bot.edit_message_text(
                message.text, chat_id=to_chat_id(to.chat_id), message_id=int(message_id),
                parse_mode=ParseMode.HTML, reply_markup=_markup(message),
                link_preview_options=LinkPreviewOptions(is_disabled=True)))
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return message_id
            raise classify(exc) from exc
        except TelegramError as exc:
            raise classify(exc) from exc
        return message_id

    async def send_poll(self, to: Destination, poll: PollSpec) -> SentPoll:
        # Bot API 9.6 takes the right answers as a list (`correct_option_id` is deprecated).
        quiz = ({"type": "quiz", "correct_option_ids": [poll.correct_option],
                 "explanation": shorten(poll.explanation, 200, keep_lines=True) or None}
                if poll.correct_option is not None else {})
        sent = await self._guarded(lambda: self.bot.send_poll(
            to_chat_id(to.chat_id), poll.question, list(poll.options),
            is_anonymous=poll.anonymous, allows_multiple_answers=poll.multiple, **quiz))
        return SentPoll(str(sent.message_id), sent.poll.id if sent.poll else None)

    async def forward(self, to: Destination, from_chat_id: str, message_id: str) -> str:
        sent = await self._guarded(lambda: self.bot.forward_message(
            to_chat_id(to.chat_id), to_chat_id(from_chat_id), int(message_id)))
        return str(sent.message_id)

    async def stop_poll(self, chat_id: str, message_id: str) -> PollCounts | None:
        final = await self._guarded(lambda: self.bot.stop_poll(to_chat_id(chat_id),
                                                               int(message_id)))
        return PollCounts([o.voter_count for o in final.options], final.total_voter_count)

    async def fetch_file(self, file_id: str, max_bytes: int) -> FetchedFile:
        """A file a person sent (bot.core.outbound.FileSource): getFile, then the download,
        refused (FileTooLarge) before downloading when Telegram says it is larger than
        `max_bytes`, and checked again after."""
        found = await self._guarded(lambda: self.bot.get_file(file_id))
        if found.file_size is not None and found.file_size > max_bytes:
            raise FileTooLarge(f"{found.file_size} bytes", found.file_size)
        try:
            data = bytes(await found.download_as_bytearray())
        except TelegramError as exc:
            raise classify(exc) from exc
        if len(data) > max_bytes:
            raise FileTooLarge(f"{len(data)} bytes", len(data))
        name = (found.file_path or "").rsplit("/", 1)[-1]
        return FetchedFile(data, name)

    # --- calls -------------------------------------------------------------------------
    def _send_message(self, to: Destination, message: RenderedMessage,
                      reply: bool) -> Awaitable[Message]:
        reply_to = (ReplyParameters(int(to.reply_to), allow_sending_without_reply=True)
                    if reply and to.reply_to is not None else None)
        return self.bot.send_message(
            to_chat_id(to.chat_id), message.text, parse_mode=ParseMode.HTML,
            reply_markup=_markup(message), reply_parameters=reply_to,
            message_thread_id=_thread(to), link_preview_options=LinkPreviewOptions(is_disabled=True))

    def _send_file(self, to: Destination, reply: PhotoReply | FileReply) -> Awaitable[Message]:
        chat, thread = to_chat_id(to.chat_id), _thread(to)
        if isinstance(reply, PhotoReply):
            return self.bot.send_photo(chat, InputFile(reply.image, filename=reply.filename),
                                       caption=shorten(reply.caption, MAX_CAPTION, keep_lines=True) or None,
                                       message_thread_id=thread)
        document = reply.file_id or InputFile(reply.data, filename=reply.filename)
        return self.bot.send_document(chat, document, caption=shorten(reply.caption, MAX_CAPTION, keep_lines=True) or None,
                                      message_thread_id=thread)

    async def _guarded(self, make: Callable[[], Awaitable[T]]) -> T:
        try:
            return await self._call(make)
        except TelegramError as exc:
            raise classify(exc) from exc

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        if not self._retrying:
            return await make()
        return await call_with_retries(make, self._network_retries, self._network_backoff)


async def call_with_retries(make: Callable[[], Awaitable[T]], network_retries: int,
                            network_backoff: float) -> T:
    """One Bot API call: on flood control wait as told and retry once (a reply must not be
    dropped); on network errors retry with backoff. Other errors go to the caller."""
    flood_waited = False
    attempt = 0
    while True:
        try:
            return await make()
        except RetryAfter as exc:
            if flood_waited:
                raise
            flood_waited = True
            delay = retry_seconds(exc)
            logger.warning("telegram: flood control, retrying in %.1f s", delay)
            await asyncio.sleep(delay)
        except BadRequest:
            raise
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            if attempt >= network_retries:
                raise
            delay = network_backoff * 2**attempt
            attempt += 1
            logger.warning("telegram: %s; retry %d in %.2f s", exc, attempt, delay)
            await asyncio.sleep(delay)


def classify(exc: TelegramError) -> DeliveryError:
    """A PTB error as one of the port's outcomes (bot.core.outbound)."""
    if isinstance(exc, RetryAfter):
        return TransientError(f"429 {exc.message}", retry_after=retry_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return ChatMoved(f"400 {exc.message}", str(exc.new_chat_id))
    if (reason := unreachable_reason(exc)) is not None:
        return Unreachable(reason)
    if isinstance(exc, BadRequest):
        return PermanentError(f"400 {exc.message}")
    # TimedOut and 5xx answers are NetworkErrors; anything else (a rejected token) waits
    # for an operator rather than failing for good.
    return TransientError(f"{type(exc).__name__}: {exc.message}")


def _markup(message: RenderedMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(a.label, callback_data=a.data)
                                  for a in row] for row in message.buttons])


def _thread(to: Destination) -> int | None:
    return int(to.thread_id) if to.thread_id is not None else None


__all__ = ["TELEGRAM_CAPABILITIES", "TELEGRAM_LIMITS", "TelegramOutbound", "call_with_retries",
           "classify"]
