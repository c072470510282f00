"""The inbox table: one row per platform update received.

States:

    processing ──finish──▶ done | failed   (payload and chat erased, key kept for dedupe)
        │  ▲
 release│  │claim (a later start, or another process once the lease has passed)
        ▼  │
      pending

A row is written as `processing`, claimed by the process that received it (it starts
handling it at once). Its `claimed_by` / `lease_until` work like the broadcast outbox's: a
process that dies leaves its rows `processing`; its next start (same worker id) claims them
at once, any other process once the lease has passed. `update_key` is unique per platform:
a redelivered update finds its row and is not handled twice, until the row is pruned
(`INBOX_RETENTION_HOURS` after it was answered).

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


class InboxUpdate(SQLModel, table=True):
    __tablename__ = "inbox_update"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("platform", "update_key", name="uq_inbox_platform_key"),
        CheckConstraint("status IN ('pending', 'processing', 'done', 'failed')",
                        name="ck_inbox_status"),
        # Claiming: open rows of a platform, oldest first. Pruning: answered rows by age.
        Index("ix_inbox_claim", "platform", "status", "id"),
        Index("ix_inbox_finished", "status", "finished_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    update_key: str = Field(max_length=128)
    # Updates of one chat are answered in arrival order (a work queue shared by several
    # processes claims by it). Erased when answered.
    chat_key: str | None = Field(default=None, max_length=128)
    payload: str | None = Field(default=None, sa_type=Text)  # the update's JSON; erased when answered
    status: str = Field(default="processing", max_length=12)
    attempts: int = 1  # claims so far: a row that keeps killing its process is given up
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


__all__ = ["FINISHED", "INBOX_STATUSES", "InboxUpdate"]
