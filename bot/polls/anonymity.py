"""How an anonymous poll forgets who voted.

While the poll is open a Zalo vote is keyed by HMAC-SHA256(key, "platform:user id"), the key
being 32 random bytes in the poll's own PollKey row: the same member voting again finds (and
replaces) their vote, and the table holds no id in the clear. Anyone who can read the
database while the poll is open holds the key too, so they could recompute the hash of every
known Zalo id: the keyed hash protects against a later reader, not a present one.

At close, in one transaction (`forget_voters`), the key row is deleted and the votes are
counted per unit and platform into PollTally rows and deleted: no hash, no vote row, no row
order is left to link a choice to a voter. Once Telegram's polls are stopped the private
chats the poll was posted to are wiped from its PollMessage rows (`forget_private_chats`).
Then the deleted bytes are scrubbed from the database files (`POLL_TABLES`, see
bot.storage.database.Database.purge_deleted): SQLite runs with `secure_delete` and its WAL is
checkpointed and truncated; PostgreSQL's poll tables are vacuumed.

On Telegram an anonymous poll never names voters to the bot, and it is one native poll per
unit, forwarded to the unit's other chats (bot.polls.runner): the counts stored are a unit's.

Named polls key votes by "platform:user id" openly: officers see who chose what.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from bot.polls.models import Poll, PollKey, PollMessage, PollTally, PollVote

# The tables that held an anonymous poll's secrets (the key, the hashed votes, the private
# chats): their deleted rows are purged after a close. The update inbox too: it held each
# Zalo vote as the platform sent it (sender and number) until it was counted, and erased it
# then — on PostgreSQL the erased copy is a dead tuple until vacuumed (bot/inbox/models.py) —
# and the per-chat claims (a private chat's id, which is its member's, while a vote in it was
# being answered).
POLL_TABLES = ("poll_key", "poll_vote", "poll_message", "inbox_update", "inbox_chat")


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


def forget_voters(session: Session, poll: Poll) -> None:
    """At close: destroy the key, count the votes per unit and platform (PollTally), delete
    the votes. A retracted vote (no option) counts no voter."""
    assert poll.id is not None
    tallies: dict[tuple[int, str], tuple[list[int], int]] = {}
    width = len(poll.options)
    for unit_id, platform, option_ids in session.exec(
            select(PollVote.unit_id, PollVote.platform, PollVote.option_ids)
            .where(col(PollVote.poll_id) == poll.id)).all():
        options = [int(i) for i in option_ids.split(",") if i.strip().isdigit()]
        if unit_id is None or not options:
            continue
        counts, voters = tallies.setdefault((unit_id, platform), ([0] * width, 0))
        for i in options:
            if 0 <= i < width:
                counts[i] += 1
        tallies[(unit_id, platform)] = (counts, voters + 1)
    for (unit_id, platform), (counts, voters) in sorted(tallies.items()):
        session.add(PollTally(poll_id=poll.id, unit_id=unit_id, platform=platform,
                              counts_json=json.dumps(counts), voters=voters))
    session.execute(delete(PollKey).where(col(PollKey.poll_id) == poll.id))
    session.execute(delete(PollVote).where(col(PollVote.poll_id) == poll.id))
    session.flush()


def forget_private_chats(session: Session, poll_id: int) -> None:
    """After the polls were stopped: private chats (= voters' ids on both platforms) leave
    the poll's messages; their unit and counts stay."""
    rows = session.exec(select(PollMessage.id).where(
        col(PollMessage.poll_id) == poll_id, col(PollMessage.chat_kind) == "private",
        col(PollMessage.chat_id).not_like("wiped-%"))).all()
    for row_id in rows:
        session.execute(update(PollMessage).where(col(PollMessage.id) == row_id)
                        .values(chat_id=f"wiped-{row_id}", message_id=None, telegram_poll_id=None))


__all__ = ["POLL_TABLES", "create_key", "forget_private_chats", "forget_voters", "voter_key"]
