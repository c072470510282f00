"""The outbound port: every message the bot sends, on every platform, goes through one
interface — replies to an update, broadcasts and reminders, polls, progress and reports,
codes pushed to a private chat.

Each platform implements `OutboundPort` once, in its own folder (bot/channels/telegram/,
bot/channels/zalo/, bot/channels/local.py), over that platform's client; features and the
core only ever see this module's types. A port says what its chats can do
(`Capabilities`: buttons, edits, files, native polls, the text limit) and how fast it may
send (`RateLimits`), and reports a failed send as one of four outcomes:

    TransientError(retry_after)  try again later: flood control (with the wait the platform
                                 gave), 5xx, timeouts, network; nothing was delivered
    PermanentError(reason)       this message cannot be delivered; retrying cannot help
    Unreachable(reason)          (a PermanentError) the chat itself is gone for the bot:
                                 blocked, removed from the group, deleted. Callers mark it
                                 (bot.services.reachability) so audiences leave it out
    ChatMoved(new_chat_id)       the chat lives under a new id (a Telegram group upgraded to
                                 a supergroup): re-point what you stored and send there

A message may go out as several platform messages (a long answer, a text and its file):
the first one is the delivery — its failure raises; a later part that fails is logged and
not retried, since sending again would repeat the first.

`Outbound` is the process's registry of ports by platform name: the entry point attaches
each channel's port once the channel runs, and the core writes first through `push` (a code
sent privately, a link to confirm), which answers False instead of raising.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.core.types import Action, Capabilities, ChatKind, Reply, TextReply

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimits:
    """Sending limits of one platform (per bot). 0 means no limit of that kind."""

    global_per_second: float
    per_chat_per_second: float = 0.0
    per_group_per_minute: float = 0.0


@dataclass(frozen=True)
class Destination:
    """Where a message goes. `reply_to` (a platform message id) and `thread_id` (a forum
    topic) are for answers in groups; `user_id` is the person a text platform's numbered
    hints are remembered for in a group (their "1" then answers it)."""

    chat_id: str
    kind: ChatKind = "private"
    reply_to: str | None = None
    thread_id: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class PollSpec:
    """A poll to post. Platforms with native polls post `question` and `options` (a quiz
    when `correct_option` is set); the others send `text` (the feature's numbered rendering,
    answered by typing the numbers)."""

    question: str
    options: tuple[str, ...]
    anonymous: bool = True
    multiple: bool = False
    text: str = ""
    # A quiz: the index of the right option (the platform shows it once answered, with
    # `explanation`: Telegram takes 0-200 characters); None for an ordinary poll.
    correct_option: int | None = None
    explanation: str = ""


@dataclass(frozen=True)
class SentPoll:
    message_id: str
    poll_id: str | None = None  # the platform's id of a native poll (its updates name it)


@dataclass(frozen=True)
class PollCounts:
    """A native poll's final counts, as the platform reports them when it is stopped."""

    counts: list[int] = field(default_factory=list)
    voters: int = 0


# --- the one error taxonomy ----------------------------------------------------------------


class DeliveryError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:300]


class TransientError(DeliveryError):
    """Try again later: flood control (with `retry_after` seconds), 5xx, timeouts, network."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """This message cannot be delivered; do not try it again."""


class Unreachable(PermanentError):
    """The chat itself is gone for the bot: the person blocked it or deleted their account,
    the bot was removed from the group, the chat does not exist. Callers mark the identity
    or group unreachable (bot.services.reachability) so later audiences skip it."""


class ChatMoved(DeliveryError):
    """The chat lives under a new id now (a Telegram group upgraded to a supergroup): the
    caller re-points what it stored and sends to `new_chat_id`. Nothing was delivered."""

    def __init__(self, reason: str, new_chat_id: str) -> None:
        super().__init__(reason)
        self.new_chat_id = new_chat_id


class OutboundPort(Protocol):
    """One platform's way out. Every method raises only the DeliveryError kinds above."""

    platform: str
    capabilities: Capabilities
    limits: RateLimits

    async def send(self, to: Destination, replies: Sequence[Reply]) -> str:
        """Send replies (text with actions, answers, document views, photos, files) rendered
        the platform's way; the platform's id of the first message sent."""
        ...

    async def send_text(self, to: Destination, text: str, actions: Sequence[Action] = ()) -> str:
        """Plain text (escaped for the platform's markup) with its actions."""
        ...

    async def edit(self, to: Destination, message_id: str, reply: TextReply) -> str:
        """Replace a sent message's text and actions; the id of the message that shows it now
        (a platform that cannot edit sends a new message: `capabilities.edits` is False)."""
        ...

    async def send_poll(self, to: Destination, poll: PollSpec) -> SentPoll:
        """Post a poll: native where the platform has polls, `poll.text` elsewhere."""
        ...

    async def forward(self, to: Destination, from_chat_id: str, message_id: str) -> str:
        """Forward a sent message (a native poll stays the same poll); PermanentError where
        the platform cannot (`capabilities.forwards_polls` is False)."""
        ...

    async def stop_poll(self, chat_id: str, message_id: str) -> PollCounts | None:
        """Close a native poll; its final counts, or None where polls are text."""
        ...


@dataclass(frozen=True)
class FetchedFile:
    data: bytes
    name: str = ""  # the platform's name for it (its path's last part), maybe empty


class FileTooLarge(PermanentError):
    """The file is larger than the caller's limit (`size` bytes, as far as known)."""

    def __init__(self, reason: str, size: int) -> None:
        super().__init__(reason)
        self.size = size


@runtime_checkable
class FileSource(Protocol):
    """A port that can also fetch a file a person sent by its platform id (Telegram's
    getFile); platforms that hand out links instead (Zalo's images) do not implement it."""

    async def fetch_file(self, file_id: str, max_bytes: int) -> FetchedFile:
        """The file's bytes, at most `max_bytes` (FileTooLarge beyond); DeliveryError kinds
        otherwise."""
        ...


class Outbound:
    """The ports of the platforms this process runs, by platform name."""

    def __init__(self) -> None:
        self._ports: dict[str, OutboundPort] = {}

    def attach(self, platform: str, port: OutboundPort) -> None:
        self._ports[platform] = port

    def detach(self, platform: str) -> None:
        self._ports.pop(platform, None)

    def reaches(self, platform: str) -> bool:
        return platform in self._ports

    def port(self, platform: str) -> OutboundPort | None:
        return self._ports.get(platform)

    @property
    def ports(self) -> dict[str, OutboundPort]:
        return dict(self._ports)

    async def push(self, platform: str, chat_id: str, replies: Sequence[Reply]) -> bool:
        """Deliver to a private chat; True when it went, False (logged) when it did not."""
        port = self._ports.get(platform)
        if port is None:
            logger.info("outbound: no %s channel to write to chat %s", platform, chat_id)
            return False
        try:
            await port.send(Destination(chat_id), replies)
        except DeliveryError as exc:
            logger.warning("outbound: %s chat %s not reached: %s", platform, chat_id, exc)
            return False
        return True


__all__ = ["ChatMoved", "DeliveryError", "Destination", "FetchedFile", "FileSource",
           "FileTooLarge", "Outbound", "OutboundPort",
           "PermanentError", "PollCounts", "PollSpec", "RateLimits", "SentPoll",
           "TransientError", "Unreachable"]
