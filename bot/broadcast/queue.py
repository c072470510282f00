"""The broadcast engine behind the delivery queue port (bot.core.delivery): another
feature's bulletin becomes a Broadcast row marked with that feature's name (status
`sending`, no origin chat, so no progress messages and no report) and one Delivery row per
chat, written in the caller's transaction. The worker (bot.broadcast.worker) then sends it
like any broadcast: claimed with a lease, paced per platform, chat and group, retried,
unreachable chats marked, moved groups followed.

Bulletins are kept out of the officers' broadcast lists (`service.recent`) and cannot be
reminded or confirmed: they carry the feature's own actions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from bot.broadcast.models import Broadcast, BroadcastEvent, Delivery
from bot.core.delivery import Addressee, Bulletin
from bot.core.types import Action
from bot.storage.models import utcnow
from knowledge.text import shorten

logger = logging.getLogger(__name__)

MAX_BULLETIN_TEXT = 4000  # the column; the port splits what a platform cannot take at once


class OutboxQueue:
    """`DeliveryQueue` over the broadcast outbox. `wake` is looked up at each call: the
    broadcast feature sets its worker's wake when the worker starts."""

    def __init__(self, wake: Callable[[], None] = lambda: None) -> None:
        self._wake = wake

    def set_wake(self, wake: Callable[[], None]) -> None:
        self._wake = wake

    def wake(self) -> None:
        self._wake()

    def enqueue(self, session: Session, bulletin: Bulletin, to: Sequence[Addressee], *,
                due: datetime | None = None, created_by: int | None = None) -> int | None:
        chats = list({(a.platform, a.chat_id): a for a in to}.values())  # each chat once
        if not chats:
            return None
        now = utcnow()
        platform, file_id, name = bulletin.attachment or (None, None, None)
        row = Broadcast(
            feature=bulletin.feature[:32], text=shorten(bulletin.text, MAX_BULLETIN_TEXT, keep_lines=True),
            plain_text=shorten(bulletin.plain_text or bulletin.text, MAX_BULLETIN_TEXT, keep_lines=True),
            actions_json=json.dumps([[a.label, a.data] for a in bulletin.actions],
                                    ensure_ascii=False) if bulletin.actions else None,
            attachment_platform=platform, attachment_file_id=file_id, attachment_name=name,
            include_groups=False, status="sending", report_sent=True, confirmed_at=now,
            created_by_person_id=created_by,
            target_unit_ids=_unit_list(dict.fromkeys(a.unit_id for a in chats)),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        session.execute(insert(Delivery), [
            {"broadcast_id": row.id, "person_id": a.person_id, "unit_id": a.unit_id,
             "platform": a.platform, "chat_id": a.chat_id, "chat_kind": a.kind,
             "next_attempt_at": due or now} for a in chats])
        session.add(BroadcastEvent(broadcast_id=row.id, action="queued",
                                   detail=f"{bulletin.feature}: {len(chats)} chats"[:1000],
                                   person_id=created_by))
        logger.info("bulletin %s of %s queued for %d chats", row.id, bulletin.feature, len(chats))
        return row.id


def _unit_list(unit_ids: Sequence[int] | dict[int, None], limit: int = 2000) -> str:
    """The units' ids, comma-separated, cut at the column's length on a whole id: a bulletin
    to a thousand communes must not fail on PostgreSQL, which enforces the length (SQLite
    does not). The list is informational for a bulletin (its deliveries carry the units)."""
    text = ",".join(str(u) for u in unit_ids)
    return text if len(text) <= limit else text[:limit].rsplit(",", 1)[0]


def bulletin_actions(broadcast: Broadcast) -> tuple[Action, ...]:
    """The actions a queued bulletin carries (buttons on platforms that have them)."""
    if not broadcast.actions_json:
        return ()
    try:
        pairs = json.loads(broadcast.actions_json)
        return tuple(Action(str(label), str(data)) for label, data in pairs)
    except (ValueError, TypeError):
        logger.warning("bulletin %s: unreadable actions, sent without them", broadcast.id)
        return ()


__all__ = ["OutboxQueue", "bulletin_actions"]
