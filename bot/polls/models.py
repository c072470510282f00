"""The poll tables: a Poll (question, options, kind, deadline, targets), one PollMessage per
chat the poll was posted to (a native Telegram poll or a numbered Zalo text), the votes
(PollVote, one current vote per voter), the named polls' answer history (PollAnswerEvent)
and, for an anonymous poll while it is open, its HMAC key (PollKey, deleted at close).

Anonymity (see bot.polls.anonymity): an anonymous poll's Zalo votes carry no person and no
platform id, only `voter_key` = HMAC-SHA256(PollKey.key, "platform:user id") while the poll
is open (to refuse a second vote and let a member change theirs); at close the key row and
the votes are deleted, leaving their counts per unit (PollTally), and the private chats' ids
on its PollMessages are wiped. On Telegram an anonymous poll is one native poll per unit,
forwarded to the unit's other chats (every copy counts on the one poll): only per-unit
counts ever exist.

Registered on the same SQLModel metadata as bot.storage.models (the entry point imports this module: tuyengiao/tables.py), so `Database.create_all`
and the schema upgrade create them.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from bot.polls import messages as texts
from bot.services.errors import MergeConflict
from bot.storage.bases import Addressed, Composed, Numbered, moment_field, now_field, shown_number

POLL_STATUSES = ("draft", "open", "closed", "cancelled")
MIN_OPTIONS, MAX_OPTIONS = 2, 10


_now, _moment = now_field, moment_field


class PollBase(Addressed):
    """The question and its options; its targets come with `Addressed` (bot/storage/bases.py)."""

    question: str = Field(default="", max_length=300)  # Telegram's limit for a poll question
    options_json: str = Field(default="[]", max_length=2000)  # ["Có", "Không"]
    multiple: bool = False  # several options may be chosen
    anonymous: bool = True
    closes_at: datetime | None = _moment()  # type: ignore[assignment]

    @property
    def options(self) -> list[str]:
        return list(json.loads(self.options_json or "[]"))


class Poll(Composed, PollBase, Numbered, table=True):
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed', 'cancelled')",
                        name="ck_poll_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # `number` (Numbered): what officers and members see and type ("khảo sát #2",
    # /ketqua 2), given when it is opened; a draft has none.
    status: str = Field(default="draft", max_length=16, index=True)
    # Who created it and where (`Composed`): the final results go to that chat.
    results_sent: bool = False
    opened_at: datetime | None = _moment()  # type: ignore[assignment]
    closed_at: datetime | None = _moment()  # type: ignore[assignment]


class PollCreate(PollBase):
    """What creating a poll takes (the CLI and the services)."""


class PollMessage(SQLModel, table=True):
    """The poll posted in one chat. Telegram: a native poll (`telegram_poll_id` is what
    `poll` and `poll_answer` updates name); for anonymous polls `counts_json` holds the
    latest counts Telegram reported for this message. Zalo: a numbered text."""

    __tablename__ = "poll_message"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("poll_id", "platform", "chat_id", name="uq_poll_message_chat"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)  # wiped ("") for private chats of a closed anonymous poll
    chat_kind: str = Field(max_length=8)
    # pending|sent|failed|unreachable (the chat is gone)|stopped|stop_failed
    status: str = Field(default="pending", max_length=16)
    message_id: str | None = Field(default=None, max_length=64)
    telegram_poll_id: str | None = Field(default=None, max_length=64, index=True)
    counts_json: str | None = Field(default=None, max_length=400)  # [3, 1, 0]
    voters: int = 0  # Telegram's total_voter_count for this message
    error: str | None = Field(default=None, max_length=300)
    # Anonymous Telegram polls: the unit's original poll message this one is a forward of
    # (a forward shares the original's poll and counts: it has none of its own).
    forwarded_from: int | None = Field(default=None, foreign_key="poll_message.id")


def _refuse_double_votes(session: Session, source_id: int, target_id: int) -> None:
    """Account linking (bot.services.person_merge): two accounts that both voted in the same
    named poll cannot become one person (one person, two votes). Anonymous polls' votes
    carry no person: nothing here reads them."""
    def voted(person_id: int) -> object:
        return select(PollVote.poll_id).where(PollVote.person_id == person_id,
                                              PollVote.option_ids != "")

    both = session.exec(voted(source_id).where(  # type: ignore[attr-defined]
        col(PollVote.poll_id).in_(voted(target_id)))).first()
    if both is not None:
        poll = session.get(Poll, both)
        raise MergeConflict(texts.MERGE_BOTH_VOTED.format(number=shown_number(poll)))


class PollVote(SQLModel, table=True):
    """A voter's current choice. Named: `person_id` / `voter_key` = "platform:user id".
    Anonymous: `voter_key` = the HMAC while the poll is open, no person; deleted at close
    (counted into PollTally)."""

    __tablename__ = "poll_vote"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("poll_id", "voter_key", name="uq_poll_vote_voter"),
                      {"info": {"person_merge": _refuse_double_votes}})

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    platform: str = Field(max_length=16)
    voter_key: str | None = Field(default=None, max_length=80)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # named polls only
    option_ids: str = Field(default="", max_length=40)  # "0,2"; "" = retracted


class PollAnswerEvent(SQLModel, table=True):
    """Every answer to a NAMED poll, in order (changed and retracted ones included)."""

    __tablename__ = "poll_answer_event"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    voter_key: str = Field(max_length=80)
    option_ids: str = Field(default="", max_length=40)
    at: datetime = _now()  # type: ignore[assignment]


class PollTally(SQLModel, table=True):
    """A closed anonymous poll's votes from one platform in one unit, counted: the votes
    themselves are deleted at close (their rows' order would outlive their hashes)."""

    __tablename__ = "poll_tally"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("poll_id", "unit_id", "platform", name="uq_poll_tally_unit"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    platform: str = Field(max_length=16)
    counts_json: str = Field(default="[]", max_length=400)  # [3, 1, 0]
    voters: int = 0


class PollKey(SQLModel, table=True):
    """An open anonymous poll's HMAC key; deleted at close."""

    __tablename__ = "poll_key"  # type: ignore[assignment]

    poll_id: int = Field(primary_key=True, foreign_key="poll.id")
    key: bytes


__all__ = ["MAX_OPTIONS", "MIN_OPTIONS", "POLL_STATUSES", "Poll", "PollAnswerEvent", "PollBase",
           "PollCreate", "PollKey", "PollMessage", "PollTally", "PollVote"]
