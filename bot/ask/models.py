"""The Q&A feature's tables: where a conversation stands (for follow-ups), officers' official
answers to questions the documents could not answer, and the outbox of notices telling the
members who asked.

Registered on SQLModel's metadata when imported (tuyengiao/tables.py does), so the schema
upgrade creates them on an existing database.

Notice states (the broadcast outbox's, bot/broadcast/models.py, on a smaller table):

    pending ──claim──▶ sending ──sent──▶ sent
       ▲                  │  └──refused for good / too many attempts──▶ failed
       └──transient error─┘  (next_attempt_at = now + backoff or retry_after)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel

from bot.services.person_merge import collisions
from bot.storage.bases import moment_field, now_field

NOTICE_STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "failed")


def _merge_conversations(session: Session, source_id: int, target_id: int) -> None:
    """Account linking (bot.services.person_merge): one conversation per chat and person —
    the more recent of the two."""
    for row, other in collisions(session, Conversation, lambda r: (r.platform, r.chat_id),
                                 source_id, target_id):
        session.delete(other if row.updated_at > other.updated_at else row)


def _merge_notices(session: Session, source_id: int, target_id: int) -> None:
    """Account linking: one notice per answer, chat and person — the staying person's,
    marked sent when either was (the chat is not told twice)."""
    for row, other in collisions(session, AnswerNotice,
                                 lambda r: (r.answer_id, r.platform, r.chat_id), source_id, target_id):
        if row.status == "sent" and other.status != "sent":
            other.status, other.sent_at = "sent", row.sent_at
            session.add(other)
        session.delete(row)


class Conversation(SQLModel, table=True):
    """Where one person's conversation in one chat stands: the question being followed and
    what was shown for it. One row per (platform, chat, person), replaced by each new
    question; rows older than the follow-up window are useless and pruned."""

    __tablename__ = "ask_conversation"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "person_id", name="uq_conversation_chat_person"),
        {"info": {"person_merge": _merge_conversations}},
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    person_id: int = Field(foreign_key="person.id")
    question: str = Field(max_length=1000)  # as understood (a follow-up's rewritten form)
    question_id: int | None = Field(default=None)  # its question-log row (for the buttons)
    # Chunk ids ("<doc_id>::<ordinal>", JSON lists): every passage shown on this question,
    # and the last reply's, in order.
    shown: str = Field(default="[]", max_length=8000)
    last: str = Field(default="[]", max_length=2000)
    doc_id: str | None = Field(default=None, max_length=255)  # the last reply's document
    updated_at: datetime = now_field(index=True)


class OfficialAnswerBase(SQLModel):
    """An officer's answer to a question the documents did not answer."""

    question: str = Field(max_length=1000)  # the question as members asked it (one example)
    question_id: int = Field(foreign_key="question_log.id")  # the report's question it answers
    text: str = Field(default="", max_length=3000)
    # The document it rests on, as the officer named it ("Quy định 45-QĐ/TU, Điều 3"), and the
    # stored document it resolved to (None: not in the store).
    based_on: str = Field(default="", max_length=300)
    based_on_doc_id: str | None = Field(default=None, max_length=255)
    unit_id: int = Field(foreign_key="unit.id")  # the officer's unit: the answer is its own
    unit_name: str = Field(default="", max_length=200)  # as cited, at the time of writing


class OfficialAnswer(OfficialAnswerBase, table=True):
    __tablename__ = "official_answer"  # type: ignore[assignment]
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'cancelled')",
                        name="ck_official_answer_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_person_id: int = Field(foreign_key="person.id", index=True)
    origin_platform: str = Field(max_length=16)
    origin_chat_id: str = Field(max_length=64)
    # draft: being written (`step` says what is asked next); published: confirmed.
    status: str = Field(default="draft", max_length=16, index=True)
    step: str | None = Field(default="text", max_length=16)  # text | source | confirm
    created_at: datetime = now_field()
    published_at: datetime | None = moment_field()
    # Joined the store: the version it was first published in (None: not yet; the feature's
    # worker retries while another index run holds the store).
    store_version: str | None = Field(default=None, max_length=64)
    store_attempted_at: datetime | None = moment_field()
    store_error: str | None = Field(default=None, max_length=300)


class AnswerNotice(SQLModel, table=True):
    """The outbox of official answers: one message to one member who asked a similar
    question, in the chat where they asked it."""

    __tablename__ = "answer_notice"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("answer_id", "platform", "chat_id", "person_id",
                         name="uq_notice_answer_chat_person"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')",
                        name="ck_notice_status"),
        Index("ix_notice_claim", "status", "next_attempt_at"),
        {"info": {"person_merge": _merge_notices}},
    )

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="official_answer.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    question_id: int = Field(foreign_key="question_log.id")  # the question they asked
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    chat_kind: str = Field(default="private", max_length=8)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = now_field()
    last_error: str | None = Field(default=None, max_length=300)
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = moment_field()
    sent_at: datetime | None = moment_field()


__all__ = ["AnswerNotice", "Conversation", "NOTICE_STATUSES", "OfficialAnswer",
           "OfficialAnswerBase"]
