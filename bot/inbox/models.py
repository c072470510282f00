"""The inbox tables: one row per platform update received (`inbox_update`), one row per chat
some process is answering (`inbox_chat`: the per-chat claim), one row per live serving
process and platform (`inbox_peer`), and the numbered actions last offered per conversation
on a platform without buttons (`action_offer`).

An update's states:

      pending ──claim──▶ processing ──finish──▶ done | failed   (payload and chat erased,
        ▲                    │                                   key kept for dedupe)
        └──release (a stop)──┘
           or its lease passes (a crash): claimed again

A row is written as `pending`. Updates of one chat (`chat_key`) are answered in order and by
one process at a time: a process claims a chat's rows only while it holds that chat's
`inbox_chat` row, which it takes when nobody holds it (or the holder's lease has passed),
keeps while it has rows of that chat to answer, and deletes once it has none. So the process
that received an update answers it at once when its chat is free, and otherwise leaves it
`pending` for the holder, which takes it when it finishes the chat's previous update. Rows
without a chat are claimed one by one. `claimed_by` / `lease_until` work like the broadcast
outbox's: a process that dies leaves its rows `processing` and its chats held; its next
start (same worker id) takes them back at once, any other process once the lease has passed.
`update_key` is unique per platform: a redelivered update finds its row and is not handled
twice, until the row is pruned (`INBOX_RETENTION_HOURS` after it was answered).

What stays after the answer: the platform, the key (Telegram's update id, Zalo's message id or
a keyed hash, with the bot's id), the state, attempts and times. The update's content and its
chat are erased at once: an answered update says nothing about who wrote what.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.models import UTCDateTime, utcnow

INBOX_STATUSES: tuple[str, ...] = ("pending", "processing", "done", "failed")
FINISHED: tuple[str, ...] = ("done", "failed")
OPEN: tuple[str, ...] = ("pending", "processing")


class InboxUpdate(SQLModel, table=True):
    __tablename__ = "inbox_update"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("platform", "update_key", name="uq_inbox_platform_key"),
        CheckConstraint("status IN ('pending', 'processing', 'done', 'failed')",
                        name="ck_inbox_status"),
        # Claiming: open rows of a platform, oldest first. Pruning: answered rows by age.
        Index("ix_inbox_claim", "platform", "status", "id"),
        Index("ix_inbox_finished", "status", "finished_at"),
        # A chat's open rows, in order (the per-chat claim).
        Index("ix_inbox_chat_rows", "platform", "chat_key", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    update_key: str = Field(max_length=128)
    # Updates of one chat are answered in arrival order (a work queue shared by several
    # processes claims by it). Erased when answered.
    chat_key: str | None = Field(default=None, max_length=128)
    payload: str | None = Field(default=None, sa_type=Text)  # the update's JSON; erased when answered
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0  # claims so far: a row that keeps killing its process is given up
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)




class InboxChat(SQLModel, table=True):
    """A chat whose updates one process is answering: nobody else claims its rows until the
    holder deletes this row (it has none left) or its lease passes (it died). Deleted at
    once when released, so the table holds only the chats being answered right now."""

    __tablename__ = "inbox_chat"  # type: ignore[assignment]

    platform: str = Field(primary_key=True, max_length=16)
    chat_key: str = Field(primary_key=True, max_length=128)
    claimed_by: str = Field(max_length=128)
    lease_until: datetime = Field(sa_type=UTCDateTime)


class InboxPeer(SQLModel, table=True):
    """A serving process taking a platform's updates, with its last heartbeat (every few
    seconds while it runs; deleted at a clean stop). A process that stops leaves the
    platform's webhook registered while others still beat."""

    __tablename__ = "inbox_peer"  # type: ignore[assignment]

    platform: str = Field(primary_key=True, max_length=16)
    worker_id: str = Field(primary_key=True, max_length=128)
    beat_at: datetime = Field(sa_type=UTCDateTime)


class ActionOffer(SQLModel, table=True):
    """The numbered actions a channel without buttons (Zalo) last offered in a conversation —
    a private chat, or one person in a group — so that a "1" typed next is read as the first
    of them by whichever process receives it (bot.inbox.offers). Forgotten after a day."""

    __tablename__ = "action_offer"  # type: ignore[assignment]
    __table_args__ = (Index("ix_action_offer_age", "offered_at"),)

    platform: str = Field(primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(primary_key=True, max_length=64)
    actions: str = Field(sa_type=Text)  # JSON: [[label, data], ...]
    offered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


__all__ = ["FINISHED", "INBOX_STATUSES", "OPEN", "ActionOffer", "InboxChat", "InboxPeer",
           "InboxUpdate"]
