"""Which chats the bot can still reach, and where a group lives after it moved.

- **Unreachable.** A send answered "this chat is gone" (Telegram: 403 blocked by the user,
  kicked from the group, account deleted; 400 chat not found. Zalo: 403, 404) marks it, with
  when and why: the person's identity on that platform for a private chat (on Telegram and
  Zalo a private chat's id is the user's id), the chat row for a group. Telegram also says
  so itself (`my_chat_member`: the bot was blocked or removed; unblocked or added back).
  Audiences leave marked chats out and count them apart (bot.services.audience), so
  previews and reports say how many people and groups cannot be reached. The mark goes when
  the person or the group writes to the bot again (people.identify / people.record_chat) —
  except an anonymous poll vote, which touches no record of the voter (the write would date
  their vote).
- **Moved.** A Telegram group upgraded to a supergroup gets a new id. Telegram says so with
  the service messages `migrate_to_chat_id` (in the old group) and `migrate_from_chat_id` (in
  the new one), and answers any call to the old id with `migrate_to_chat_id`; whichever comes
  first, `move_chat` re-points the group's row (its unit registration goes with it). The
  features re-point their own rows (outbox deliveries, poll messages) beside it.

Private chat ids are never logged here (for an anonymous poll they are its voters): an
identity is named by its row id.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.storage.models import ChatRecord, Identity, utcnow

logger = logging.getLogger(__name__)

MAX_REASON = 300


def mark_unreachable(session: Session, platform: str, chat_id: str, kind: str, reason: str,
                     *, now: datetime | None = None) -> bool:
    """Mark a private chat's identity, or a group's row, unreachable. True when a row was
    marked now (an already-marked row keeps its first moment and reason)."""
    values = {"unreachable_at": now or utcnow(), "unreachable_reason": reason[:MAX_REASON]}
    if kind == "private":
        ids = session.exec(select(Identity.id).where(
            col(Identity.platform) == platform, col(Identity.platform_user_id) == str(chat_id),
            col(Identity.unreachable_at).is_(None))).all()
        if ids:
            session.execute(update(Identity).where(col(Identity.id).in_(ids)).values(**values))
            logger.info("identity %s (%s) marked unreachable: %s", ids[0], platform, reason)
        return bool(ids)
    marked = session.execute(update(ChatRecord).where(
        col(ChatRecord.platform) == platform, col(ChatRecord.chat_id) == str(chat_id),
        col(ChatRecord.kind) == "group", col(ChatRecord.unreachable_at).is_(None))
        .values(**values)).rowcount
    if marked:
        logger.info("group %s:%s marked unreachable: %s", platform, chat_id, reason)
    return bool(marked)


def mark_reachable(session: Session, platform: str, chat_id: str, kind: str) -> bool:
    """Clear the mark (the platform says the bot may write there again). True if one was
    cleared."""
    values = {"unreachable_at": None, "unreachable_reason": None}
    if kind == "private":
        table, where = Identity, [col(Identity.platform) == platform,
                                  col(Identity.platform_user_id) == str(chat_id)]
    else:
        table, where = ChatRecord, [col(ChatRecord.platform) == platform,  # type: ignore[assignment]
                                    col(ChatRecord.chat_id) == str(chat_id)]
    cleared = session.execute(update(table).where(
        *where, col(table.unreachable_at).is_not(None)).values(**values)).rowcount
    if cleared:
        logger.info("%s chat on %s reachable again", kind, platform)
    return bool(cleared)


def move_chat(session: Session, platform: str, old_chat_id: str, new_chat_id: str,
              *, now: datetime | None = None) -> ChatRecord | None:
    """The group `old_chat_id` is `new_chat_id` now: its row (unit, title) moves to the new
    id. When the new id already has a row (the supergroup wrote before the move was known),
    that row keeps its own unit if it has one, or takes the old one's; the old row is then
    detached from its unit and marked unreachable. Idempotent. Returns the group's row."""
    old_chat_id, new_chat_id = str(old_chat_id), str(new_chat_id)
    if old_chat_id == new_chat_id:
        return None
    rows = {row.chat_id: row for row in session.exec(select(ChatRecord).where(
        col(ChatRecord.platform) == platform,
        col(ChatRecord.chat_id).in_([old_chat_id, new_chat_id]))).all()}
    old, new = rows.get(old_chat_id), rows.get(new_chat_id)
    if old is None:
        return new
    if new is None:
        old.chat_id, old.kind = new_chat_id, "group"
        old.unreachable_at = old.unreachable_reason = None
        session.add(old)
        session.flush()
        logger.info("group %s:%s moved to %s (unit %s)", platform, old_chat_id, new_chat_id,
                    old.unit_id)
        return old
    if new.unit_id is None:
        new.unit_id = old.unit_id
    new.title = new.title or old.title
    old.unit_id = None
    old.unreachable_at = old.unreachable_at or now or utcnow()
    old.unreachable_reason = f"migrated to {new_chat_id}"[:MAX_REASON]
    session.add_all([old, new])
    session.flush()
    logger.info("group %s:%s merged into %s (unit %s)", platform, old_chat_id, new_chat_id,
                new.unit_id)
    return new


__all__ = ["mark_reachable", "mark_unreachable", "move_chat"]
