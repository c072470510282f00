"""The numbered actions last offered per conversation (bot.core.offers), in the database: a
Zalo reply's "Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản" is remembered where every serving process
(and the next start) finds it, so a "1" received by another process than the one that sent
the answer is still read as 👍.

One row per (platform, chat, user), replaced by each offer; rows older than the time to live
(a day, as the memory's) are ignored and deleted. Both calls are best-effort: a database
that cannot be written or read costs the hint — the "1" is then read as a message — never
the answer. The row holds the chat and user ids and the actions' data (a question log id, a
broadcast or poll id): what the identity and question tables already hold.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.core.offers import Conversation
from bot.core.types import Action
from bot.inbox.durable import DB_ERRORS
from bot.inbox.models import ActionOffer
from bot.storage.database import Database
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

TTL = timedelta(hours=24)
PRUNE_INTERVAL = 600.0  # seconds between deletions of forgotten offers


class DurableOffers:
    def __init__(self, db: Database, platform: str, *, ttl: timedelta = TTL) -> None:
        self.db = db
        self.platform = platform
        self.ttl = ttl
        self._pruned_at = -PRUNE_INTERVAL

    async def offer(self, conversation: Conversation, actions: Sequence[Action]) -> None:
        if not actions:
            return  # keeps the previous offer (bot.core.offers)
        chat_id, user_id = (str(part)[:64] for part in conversation)
        data = json.dumps([[a.label, a.data] for a in actions], ensure_ascii=False)
        clock = time.monotonic()
        prune = clock - self._pruned_at >= PRUNE_INTERVAL
        if prune:
            self._pruned_at = clock
        try:
            await self.db.run_best_effort("numbered actions", _store, self.platform, chat_id,
                                          user_id, data, utcnow(), self.ttl if prune else None)
        except DB_ERRORS as exc:
            logger.warning("%s: numbered actions for chat %s not kept: %s", self.platform,
                           chat_id, exc)

    async def offered(self, conversation: Conversation) -> tuple[Action, ...]:
        chat_id, user_id = (str(part)[:64] for part in conversation)
        try:
            row = await self.db.read(_load, self.platform, chat_id, user_id)
        except DB_ERRORS as exc:
            logger.warning("%s: numbered actions for chat %s not read: %s", self.platform,
                           chat_id, exc)
            return ()
        if row is None or utcnow() - row[1] > self.ttl:
            return ()
        try:
            return tuple(Action(str(label), str(data)) for label, data in json.loads(row[0]))
        except (ValueError, TypeError):
            logger.warning("%s: numbered actions for chat %s unreadable; ignored", self.platform,
                           chat_id)
            return ()


def _store(session: Session, platform: str, chat_id: str, user_id: str, data: str,
           now: datetime, prune: timedelta | None) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.exec(insert(ActionOffer)  # type: ignore[call-overload]
                 .values(platform=platform, chat_id=chat_id, user_id=user_id, actions=data,
                         offered_at=now)
                 .on_conflict_do_update(index_elements=["platform", "chat_id", "user_id"],
                                        set_={"actions": data, "offered_at": now}))
    if prune is not None:
        session.exec(delete(ActionOffer).where(col(ActionOffer.offered_at) < now - prune))  # type: ignore[call-overload]


def _load(session: Session, platform: str, chat_id: str, user_id: str) -> tuple[str, datetime] | None:
    row = session.exec(select(ActionOffer.actions, ActionOffer.offered_at).where(
        col(ActionOffer.platform) == platform, col(ActionOffer.chat_id) == chat_id,
        col(ActionOffer.user_id) == user_id)).first()
    return (row[0], row[1]) if row is not None else None


__all__ = ["DurableOffers", "TTL"]
