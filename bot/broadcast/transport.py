"""Where the delivery engine meets a platform: the `Transport` protocol.

A transport sends one outbound message to one chat and says how it went, in a few outcomes
only: a platform message id (sent), `TransientError` (try again later; `retry_after` when
the platform said how long to wait), `PermanentError` (this message cannot be delivered;
`Unreachable` when the chat itself is gone: the bot was blocked, removed from the group, the
chat does not exist), or `ChatMoved` (the group lives under a new id: send there). Everything
about a platform's wire format and error codes stays inside its transport; the worker knows
only these outcomes and the platform's `RateLimits`.

Adding a platform (Zalo) is one class with `platform`, `limits`, `send` and `edit`, mapping
its errors onto these two exceptions, registered in the worker's transports by platform
name. Zalo has no buttons: its transport renders `actions` as a text hint ("Trả lời 1 để
xác nhận đã đọc") and its channel turns that reply into the same action data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.types import Action


@dataclass(frozen=True)
class RateLimits:
    """Sending limits of one platform (per bot). 0 means no limit of that kind."""

    global_per_second: float
    per_chat_per_second: float = 0.0
    per_group_per_minute: float = 0.0


@dataclass(frozen=True)
class Attachment:
    file_id: str  # the platform's reusable file id
    name: str = ""


@dataclass(frozen=True)
class OutboundMessage:
    chat_id: str
    chat_kind: str  # "private" | "group"
    text: str  # plain text: the transport escapes it for its markup
    actions: tuple[Action, ...] = ()
    attachment: Attachment | None = None


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
    """This message cannot be delivered; do not try it again for this broadcast."""


class Unreachable(PermanentError):
    """The chat itself is gone for the bot: the person blocked it or deleted their account,
    the bot was removed from the group, the chat does not exist. Callers mark the identity
    or group unreachable (bot.services.reachability) so later audiences skip it."""


class ChatMoved(DeliveryError):
    """The chat lives under a new id now (a Telegram group upgraded to a supergroup): the
    caller re-points what it stored (the group registration, its outbox rows) and sends to
    `new_chat_id`. Nothing was delivered."""

    def __init__(self, reason: str, new_chat_id: str) -> None:
        super().__init__(reason)
        self.new_chat_id = new_chat_id


class Transport(Protocol):
    platform: str
    limits: RateLimits
    # Optional class attributes, read with getattr (default True): `can_edit = False` (the
    # progress reporter sends occasional new messages instead of edits) and `buttons = False`
    # (the worker asks for a typed «đã đọc» instead of a button). See zalo_transport.

    async def send(self, message: OutboundMessage) -> str:
        """Send; return the platform's message id. Raises TransientError / PermanentError."""
        ...

    async def edit(self, chat_id: str, message_id: str, text: str,
                   actions: tuple[Action, ...] = ()) -> str:
        """Replace a sent message's text (progress); return the message id that now shows
        it (platforms that cannot edit send a new message and return its id)."""
        ...


__all__ = ["Attachment", "ChatMoved", "DeliveryError", "OutboundMessage", "PermanentError",
           "RateLimits", "Transport", "TransientError", "Unreachable"]
