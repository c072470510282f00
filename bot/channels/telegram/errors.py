"""What python-telegram-bot's errors mean, for the one place that sorts them
(bot.channels.telegram.outbound.classify) and the update receiver.

PTB already sorts the Bot API's answers into exception types (telegram.error):
    RetryAfter     429 flood control: wait `retry_after`, then the same call may succeed
    ChatMigrated   the group became a supergroup: `new_chat_id` is where it lives now
    Forbidden      403: blocked by the user, removed from the group, the account deleted
    BadRequest     400: our request is wrong, or the chat does not exist (any more)
    TimedOut, NetworkError (5xx answers too)   try again later
This module adds what callers need beyond the types: how long to wait, whether the chat
itself is gone (`unreachable_reason`). A migration is the port's ChatMoved: the channel
follows it for replies, the workers re-point their rows.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

logger = logging.getLogger(__name__)


# 400 answers that say the chat is gone rather than that our request was wrong (the Bot
# API's descriptions, lowercased; "PEER_ID_INVALID" is what an id that never existed gets).
_GONE = ("chat not found", "user not found", "peer_id_invalid", "chat was deactivated",
         "chat was deleted", "user is deactivated")


def retry_seconds(exc: RetryAfter) -> float:
    """The flood-control wait in seconds. PTB 22 keeps a timedelta (older versions an int);
    its public property warns about that migration, so the private value is read first."""
    value: Any = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def to_chat_id(chat_id: str | int) -> int | str:
    """Our stored chat id (text) as the Bot API takes it: a number, or "@channelusername"."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


def unreachable_reason(exc: TelegramError) -> str | None:
    """Why this chat cannot be reached at all (the platform's words, for the mark), or None
    when the error is about the request, not the chat. 403 always means the chat: the user
    blocked the bot or deleted the account, the bot was removed from the group or may not
    write there."""
    if isinstance(exc, Forbidden):
        return f"403 {exc.message}"
    if isinstance(exc, BadRequest) and any(m in exc.message.lower() for m in _GONE):
        return f"400 {exc.message}"
    return None


__all__ = ["retry_seconds", "to_chat_id", "unreachable_reason"]
