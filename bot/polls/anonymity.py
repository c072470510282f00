"""How an anonymous poll forgets who voted.

While the poll is open a vote is keyed by HMAC-SHA256(key, "platform:user id"), the key being
32 random bytes in the poll's own PollKey row: the same member voting again finds (and
replaces) their vote, and the table holds no id in the clear. At close the key row is deleted
and every hash set to NULL, so nothing in the database can link a choice back to a voter
(the hash cannot be recomputed without the key), and the private chats the poll was posted
to are wiped from its PollMessage rows once Telegram's polls are stopped.

Named polls key votes by "platform:user id" openly: officers see who chose what.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from bot.polls.models import PollKey, PollMessage, PollVote


def create_key(session: Session, poll_id: int) -> None:
    session.add(PollKey(poll_id=poll_id, key=secrets.token_bytes(32)))


def voter_key(session: Session, poll_id: int, anonymous: bool, platform: str,
              user_id: str) -> str | None:
    """The key a vote is stored under; None when an anonymous poll's key is gone (closed)."""
    if not anonymous:
        return f"{platform}:{user_id}"
    row = session.get(PollKey, poll_id)
    if row is None:
        return None
    return hmac.new(row.key, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()


def forget_voters(session: Session, poll_id: int) -> None:
    """At close: destroy the key and the hashes (votes keep only unit and options)."""
    session.execute(delete(PollKey).where(col(PollKey.poll_id) == poll_id))
    session.execute(update(PollVote).where(col(PollVote.poll_id) == poll_id)
                    .values(voter_key=None, person_id=None))


def forget_private_chats(session: Session, poll_id: int) -> None:
    """After the polls were stopped: private chats (= voters' ids on both platforms) leave
    the poll's messages; their unit and counts stay."""
    rows = session.exec(select(PollMessage.id).where(
        col(PollMessage.poll_id) == poll_id, col(PollMessage.chat_kind) == "private",
        col(PollMessage.chat_id).not_like("wiped-%"))).all()
    for row_id in rows:
        session.execute(update(PollMessage).where(col(PollMessage.id) == row_id)
                        .values(chat_id=f"wiped-{row_id}", message_id=None, telegram_poll_id=None))


__all__ = ["create_key", "forget_private_chats", "forget_voters", "voter_key"]
