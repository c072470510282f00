"""Where polls meet a platform: posting a poll to a chat, stopping it, and sending the
officer their results. Errors are reported as the broadcast engine's two outcomes
(bot.broadcast.transport): `TransientError` (try again later) and `PermanentError` (this chat
cannot be reached: blocked, removed from the group, the poll message deleted).

- Telegram: a native poll (sendPoll: anonymous or not, one or several answers), stopPoll at
  the close (its answer has the final counts), sendPhoto for the chart. forwardMessage
  copies a poll message into another chat as the same poll (`forwards_polls`: every copy's
  votes count on the one poll; copyMessage would make a new poll), which is how an anonymous
  poll reaches a unit's members without per-person counts (bot.polls.runner). A group that
  became a supergroup answers `ChatMoved` (the runner re-points the row and posts again).
- Zalo: no native polls and no uploads: the poll is a numbered text, members answer with the
  number(s); nothing to stop; the chart's caption is sent as text (Zalo's sendPhoto takes
  only a public URL).
"""

from __future__ import annotations

import logging
from typing import Protocol

from telegram import Bot, InputFile
from telegram.error import TelegramError

from bot.broadcast.aiohttp_request import AiohttpRequest
from bot.broadcast.telegram_transport import classify
from bot.broadcast.transport import OutboundMessage, PermanentError, Transport
from bot.channels.telegram_errors import to_chat_id
from bot.channels.splitting import PARA, pack
from bot.polls.models import Poll
from bot.storage.models import to_local
from knowledge import messages as texts

logger = logging.getLogger(__name__)

MAX_CAPTION = 1024  # Telegram
ZALO_MAX_TEXT = 2000


class PollSender(Protocol):
    platform: str
    forwards_polls: bool  # forward() shares one native poll between chats

    async def post(self, chat_id: str, poll: Poll,
                   chat_kind: str = "private") -> tuple[str, str | None]:
        """Post the poll; (message id, the platform's poll id or None)."""
        ...

    async def forward(self, chat_id: str, from_chat_id: str, message_id: str) -> str:
        """Forward a posted poll message (the same poll) into `chat_id`; its message id."""
        ...

    async def stop(self, chat_id: str, message_id: str) -> tuple[list[int], int] | None:
        """Close the poll in that chat; its final (counts, voters) where the platform says."""
        ...

    async def send_text(self, chat_id: str, text: str) -> None: ...

    async def send_photo(self, chat_id: str, image: bytes, caption: str, filename: str) -> None: ...


def poll_text(poll: Poll, chat_kind: str = "private") -> str:
    """The numbered text of a poll, for platforms without native polls. In a group, an
    anonymous poll asks for the answer in private (a number typed in the group is seen by
    all)."""
    kind = texts.POLL_KIND_ANONYMOUS if poll.anonymous else texts.POLL_KIND_NAMED
    lines = [texts.POLL_TEXT_HEADER.format(id=poll.id, kind=kind), poll.question, ""]
    lines += [f"{i}. {option}" for i, option in enumerate(poll.options, 1)]
    lines += ["", texts.POLL_TEXT_MULTIPLE if poll.multiple else texts.POLL_TEXT_SINGLE]
    if poll.anonymous and chat_kind == "group":
        lines.append(texts.POLL_TEXT_ANSWER_IN_PRIVATE)
    if poll.closes_at is not None:
        lines.append(texts.POLL_TEXT_DEADLINE.format(
            at=to_local(poll.closes_at).strftime("%H:%M %d/%m/%Y")))
    return "\n".join(lines)


class TelegramPollSender:
    platform = "telegram"
    forwards_polls = True

    def __init__(self, token: str, *, base_url: str = "https://api.telegram.org/bot",
                 timeout: float = 10.0) -> None:
        self._bot = Bot(token, base_url=base_url,
                        request=AiohttpRequest(connections=8, timeout=timeout))

    async def __aenter__(self) -> TelegramPollSender:
        await self._bot.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._bot.shutdown()

    async def post(self, chat_id: str, poll: Poll,
                   chat_kind: str = "private") -> tuple[str, str | None]:
        try:
            sent = await self._bot.send_poll(
                to_chat_id(chat_id), poll.question, poll.options, is_anonymous=poll.anonymous,
                allows_multiple_answers=poll.multiple)
        except TelegramError as exc:
            raise classify(exc) from exc
        return str(sent.message_id), sent.poll.id if sent.poll else None

    async def forward(self, chat_id: str, from_chat_id: str, message_id: str) -> str:
        try:
            sent = await self._bot.forward_message(
                to_chat_id(chat_id), to_chat_id(from_chat_id), int(message_id))
        except TelegramError as exc:
            raise classify(exc) from exc
        return str(sent.message_id)

    async def stop(self, chat_id: str, message_id: str) -> tuple[list[int], int] | None:
        try:
            final = await self._bot.stop_poll(to_chat_id(chat_id), int(message_id))
        except TelegramError as exc:
            raise classify(exc) from exc
        return [o.voter_count for o in final.options], final.total_voter_count

    async def send_text(self, chat_id: str, text: str) -> None:
        try:
            for part in pack([(PARA, text)], 4000):
                await self._bot.send_message(to_chat_id(chat_id), part)
        except TelegramError as exc:
            raise classify(exc) from exc

    async def send_photo(self, chat_id: str, image: bytes, caption: str, filename: str) -> None:
        try:
            await self._bot.send_photo(to_chat_id(chat_id), InputFile(image, filename=filename),
                                       caption=caption[:MAX_CAPTION])
        except TelegramError as exc:
            raise classify(exc) from exc


class ZaloPollSender:
    """Polls on Zalo through the broadcast engine's ZaloTransport (its session, error
    classification and message splitting): the poll is a numbered text."""

    platform = "zalo"
    forwards_polls = False

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def post(self, chat_id: str, poll: Poll,
                   chat_kind: str = "private") -> tuple[str, str | None]:
        text = poll_text(poll, chat_kind)[:ZALO_MAX_TEXT]
        return await self._transport.send(OutboundMessage(chat_id, chat_kind, text)), None

    async def forward(self, chat_id: str, from_chat_id: str, message_id: str) -> str:
        raise PermanentError("zalo has no native polls to forward")

    async def stop(self, chat_id: str, message_id: str) -> tuple[list[int], int] | None:
        return None  # votes are text replies: the close is ours alone

    async def send_text(self, chat_id: str, text: str) -> None:
        await self._transport.send(OutboundMessage(chat_id, "private", text))

    async def send_photo(self, chat_id: str, image: bytes, caption: str, filename: str) -> None:
        await self.send_text(chat_id, caption)  # Zalo's sendPhoto takes only a public URL


__all__ = ["PollSender", "TelegramPollSender", "ZaloPollSender", "poll_text"]
