"""The broadcast tables: a Broadcast (what an officer sends, to which units and roles), its
audience snapshot (BroadcastRecipient: one row per person targeted, with their reading
confirmation), the outbox (Delivery: one row per chat a message must reach), and the audit
trail (BroadcastEvent).

Registered on the same SQLModel metadata as bot.storage.models, so `Database.create_all`
creates them once this module is imported (the entry point imports it: tuyengiao/tables.py).

Delivery states:

    pending ──claim──▶ sending ──sent──▶ sent
       ▲                  │  └──permanent error / too many attempts──▶ failed_permanent
       └──transient error─┘  (next_attempt_at = now + backoff or retry_after)
    pending ──cancel──▶ cancelled

A `sending` row whose lease (`lease_until`) has passed belongs to a worker that died: it is
claimable again. That is the only way a message can be sent twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel

from bot.services.person_merge import collisions
from bot.storage.bases import Addressed, Composed, Numbered, moment_field, now_field

DeliveryStatus = Literal["pending", "sending", "sent", "failed_permanent", "cancelled"]
BroadcastStatus = Literal["draft", "scheduled", "sending", "done", "cancelled"]

DELIVERY_STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "failed_permanent", "cancelled")
BROADCAST_STATUSES: tuple[str, ...] = ("draft", "scheduled", "sending", "done", "cancelled")
OPEN_DELIVERY: tuple[str, ...] = ("pending", "sending")


_now, _moment = now_field, moment_field


class BroadcastBase(Addressed):
    """What an officer sends; its targets come with `Addressed` (bot/storage/bases.py)."""

    text: str = Field(default="", max_length=4000)
    # How recipients see the sender: "Nguyễn Văn An — Huyện ủy Đông Hà" (set when confirmed).
    sender_label: str = Field(default="", max_length=300)
    doc_number: str | None = Field(default=None, max_length=64)  # "05-CT/TW", shown with the text
    # A file to send with the text: the platform it was uploaded on and its file id there.
    attachment_platform: str | None = Field(default=None, max_length=16)
    attachment_file_id: str | None = Field(default=None, max_length=255)
    attachment_name: str | None = Field(default=None, max_length=255)
    require_confirmation: bool = False
    deadline_at: datetime | None = _moment()  # type: ignore[assignment]
    scheduled_at: datetime | None = _moment()  # type: ignore[assignment]


class Broadcast(Composed, BroadcastBase, Numbered, table=True):
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'done', 'cancelled')",
            name="ck_broadcast_status",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # `number` (Numbered): what officers see and type, given at confirmation; reminders and
    # drafts have none (a reminder shows its original's).
    status: str = Field(default="draft", max_length=16, index=True)
    # Who sent it and where (`Composed`): progress and the final report go to that chat.
    # A reminder is a broadcast of its own to the parent's unconfirmed readers.
    parent_id: int | None = Field(default=None, foreign_key="broadcast.id", index=True)
    progress_message_id: str | None = Field(default=None, max_length=64)
    progress_updated_at: datetime | None = _moment()  # type: ignore[assignment]
    report_sent: bool = False
    confirmed_at: datetime | None = _moment()  # type: ignore[assignment]
    finished_at: datetime | None = _moment()  # type: ignore[assignment]
    # A bulletin another feature queued through the delivery port (bot.core.delivery; e.g.
    # "study"): its text is sent as it is, with `actions_json` to chats with buttons and
    # `plain_text` to the others; it is not an officer's broadcast (no header, not listed).
    feature: str | None = Field(default=None, max_length=32, index=True)
    actions_json: str | None = Field(default=None, max_length=2000)
    plain_text: str | None = Field(default=None, max_length=4000)


def _merge_recipients(session: Session, source_id: int, target_id: int) -> None:
    """Account linking (bot.services.person_merge): one recipient row per broadcast and
    person — the staying person's, with the earlier reading confirmation of the two."""
    for row, other in collisions(session, BroadcastRecipient, lambda r: r.broadcast_id,
                                 source_id, target_id):
        if row.confirmed_at is not None and (other.confirmed_at is None
                                             or row.confirmed_at < other.confirmed_at):
            other.confirmed_at, other.confirmed_platform = row.confirmed_at, row.confirmed_platform
            session.add(other)
        session.delete(row)


class BroadcastRecipient(SQLModel, table=True):
    """A person the broadcast was meant for (the audience at confirmation time), counted in
    the unit they were targeted through. Reading confirmation lives here: a person confirms
    once, from whichever platform or chat."""

    __tablename__ = "broadcast_recipient"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("broadcast_id", "person_id", name="uq_recipient_broadcast_person"),
        {"info": {"person_merge": _merge_recipients}},
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    role: str = Field(max_length=16)
    confirmed_at: datetime | None = _moment()  # type: ignore[assignment]
    confirmed_platform: str | None = Field(default=None, max_length=16)


class Delivery(SQLModel, table=True):
    """The outbox: one message to one chat (a member's private chat on one platform, or a
    unit's group)."""

    __table_args__ = (
        UniqueConstraint("broadcast_id", "platform", "chat_id", name="uq_delivery_broadcast_chat"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed_permanent', 'cancelled')",
            name="ck_delivery_status",
        ),
        # The claim query: open rows by due time.
        Index("ix_delivery_claim", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # None: a group
    unit_id: int = Field(foreign_key="unit.id")
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    chat_kind: str = Field(max_length=8)  # "private" | "group"
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0  # claims so far (a claim that died mid-send counts)
    next_attempt_at: datetime = _now()  # type: ignore[assignment]
    last_error: str | None = Field(default=None, max_length=300)
    platform_message_id: str | None = Field(default=None, max_length=64)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = _moment()  # type: ignore[assignment]
    lease_until: datetime | None = _moment()  # type: ignore[assignment]
    sent_at: datetime | None = _moment()  # type: ignore[assignment]


class WorkerBeat(SQLModel, table=True):
    """A live worker, per platform: workers share a platform's overall rate limit equally
    among those whose beat is recent (bot.broadcast.peers)."""

    __tablename__ = "broadcast_worker_beat"  # type: ignore[assignment]

    worker_id: str = Field(primary_key=True, max_length=64)
    platform: str = Field(primary_key=True, max_length=16)
    beat_at: datetime = _now(index=True)  # type: ignore[assignment]


class BroadcastEvent(SQLModel, table=True):
    """The audit trail: who did what to which broadcast, when (created, confirmed, scheduled,
    cancelled, reminded, finished)."""

    __tablename__ = "broadcast_event"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # None: CLI / worker
    action: str = Field(max_length=32)
    detail: str = Field(default="", max_length=1000)
    created_at: datetime = _now(index=True)  # type: ignore[assignment]


__all__ = [
    "BROADCAST_STATUSES", "DELIVERY_STATUSES", "OPEN_DELIVERY", "Broadcast", "BroadcastBase",
    "BroadcastEvent", "BroadcastRecipient", "BroadcastStatus", "Delivery", "DeliveryStatus",
    "WorkerBeat",
]
