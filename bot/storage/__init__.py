"""Persistence for the bot: SQLModel tables and the `Database` that owns the engine."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.models import (
    LOCAL_TZ,
    ChatRecord,
    Feedback,
    Identity,
    InviteCode,
    Membership,
    Person,
    QuestionLog,
    Unit,
    to_local,
    utcnow,
)

__all__ = [
    "LOCAL_TZ", "ChatRecord", "Database", "Feedback", "Identity", "InviteCode", "Membership",
    "Person", "QuestionLog", "Unit", "to_local", "utcnow",
]
