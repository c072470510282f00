"""The study campaign tables: a campaign (a document every targeted unit studies by a
deadline), one session per unit (its date, check-in code and roll call), one participant
row per person (attendance, self-study, quiz), the quiz's questions, and each quiz attempt
with its answers.

Campaign states: draft → open → closed (at the deadline; the final report is sent once) or
cancelled. Attendance: None (not recorded) → present | absent (with a reason or not) |
exempt. A person counts once per campaign, in the innermost targeted unit they belong to
(bot.services.audience), and is "done" when present, self-studied («đã học») or passed the
quiz. Exempt people (the roll call's "exempt", or the membership flag of
bot.services.exemptions) are out of every denominator.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from bot.services.person_merge import collisions
from bot.storage.bases import Addressed, Composed, moment_field, now_field

CAMPAIGN_STATUSES: tuple[str, ...] = ("draft", "open", "closed", "cancelled")
ATTENDANCE: tuple[str, ...] = ("present", "absent", "exempt")
MIN_QUESTIONS, MAX_QUESTIONS = 3, 10
DEFAULT_ATTEMPTS = 2  # the first try and one retry


class StudyCampaignBase(Addressed):
    """What is studied, by whom (`Addressed`: units with subtrees, roles), by when."""

    title: str = Field(default="", max_length=300)
    # A document of the knowledge base (its doc_id and how it is named then), or a file an
    # officer attached (platform, file id, name: sent on that platform only).
    doc_id: str | None = Field(default=None, max_length=255)
    doc_label: str = Field(default="", max_length=300)
    doc_title: str = Field(default="", max_length=500)
    overview: str = Field(default="", max_length=2000)  # what members get, frozen at the start
    attachment_platform: str | None = Field(default=None, max_length=16)
    attachment_file_id: str | None = Field(default=None, max_length=255)
    attachment_name: str | None = Field(default=None, max_length=255)
    deadline_at: datetime | None = moment_field()
    session_at: datetime | None = moment_field()  # every unit's session unless it sets its own
    pass_mark: int = 0  # right answers needed to pass (0: no quiz)
    max_attempts: int = DEFAULT_ATTEMPTS


class StudyCampaign(Composed, StudyCampaignBase, table=True):
    __tablename__ = "study_campaign"  # type: ignore[assignment]
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed', 'cancelled')",
                        name="ck_study_campaign_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="draft", max_length=12, index=True)
    sender_label: str = Field(default="", max_length=300)
    opened_at: datetime | None = moment_field()
    closed_at: datetime | None = moment_field()
    groups_announced: bool = False
    reminders_sent: int = 0  # offsets of the reminder schedule behind us at the last reminder
    report_sent: bool = False  # the final report went to the author (false → true: who sends)
    # The document's validity as last checked (bot.study.validity): ok | replaced | deleted.
    doc_state: str = Field(default="ok", max_length=12)
    doc_note: str = Field(default="", max_length=500)


class StudySession(SQLModel, table=True):
    """A unit's study session: its date, the check-in code members type there (valid for
    this session only), and its roll call (who is taking it, in which chat, which member
    waits for an absence reason)."""

    __tablename__ = "study_session"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_study_session_unit"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="study_campaign.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    session_at: datetime | None = moment_field()  # None: the campaign's
    code: str = Field(max_length=16, unique=True)
    roll_closed_at: datetime | None = moment_field()
    roll_closed_by: int | None = Field(default=None, foreign_key="person.id")
    roll_platform: str | None = Field(default=None, max_length=16)
    roll_chat_id: str | None = Field(default=None, max_length=64)
    roll_officer_id: int | None = Field(default=None, foreign_key="person.id")
    awaiting_reason_for: int | None = Field(default=None, foreign_key="person.id")


_ATTENDANCE_RANK = {None: 0, "absent": 1, "exempt": 2, "present": 3}
_FIRST_MOMENTS = ("notified_at", "self_study_sent_at", "self_studied_at", "quiz_passed_at")


def _merge_participants(session: Session, source_id: int, target_id: int) -> None:
    """Account linking (bot.services.person_merge): one participant row per campaign and
    person — the staying person's row (its unit), with the better of the two records: the
    attendance that counts more (present > exempt > absent), the earliest of each moment
    (told, self-study sent, studied, passed), the best score."""
    for row, other in collisions(session, StudyParticipant, lambda r: r.campaign_id,
                                 source_id, target_id):
        if _ATTENDANCE_RANK[row.attendance] > _ATTENDANCE_RANK[other.attendance]:
            for name in ("attendance", "absence_reason", "attendance_via", "attendance_by",
                         "attendance_at"):
                setattr(other, name, getattr(row, name))
        for name in _FIRST_MOMENTS:
            moments = [m for m in (getattr(other, name), getattr(row, name)) if m is not None]
            setattr(other, name, min(moments) if moments else None)
        scores = [s for s in (other.best_score, row.best_score) if s is not None]
        other.best_score = max(scores) if scores else None
        other.late = other.late and row.late
        session.add(other)
        session.delete(row)


def _merge_attempts(session: Session, source_id: int, target_id: int) -> None:
    """Account linking: quiz attempts are numbered per campaign and person; the source's
    attempts follow the staying person's (its 1, 2 become 3, 4 after their 1, 2), so both
    count against the attempts allowed."""
    def attempts(person_id: int) -> list[QuizAttempt]:
        return list(session.exec(select(QuizAttempt).where(QuizAttempt.person_id == person_id)
                                 .order_by(QuizAttempt.number)).all())

    top: dict[int, int] = {}
    for attempt in attempts(target_id):
        top[attempt.campaign_id] = max(top.get(attempt.campaign_id, 0), attempt.number)
    moving = [a for a in attempts(source_id) if a.campaign_id in top]
    for attempt in moving:  # out of the way first: the new numbers may be taken by old ones
        attempt.number = -attempt.number
        session.add(attempt)
    session.flush()
    for attempt in sorted(moving, key=lambda a: -a.number):
        top[attempt.campaign_id] += 1
        attempt.number = top[attempt.campaign_id]
        session.add(attempt)


class StudyParticipant(SQLModel, table=True):
    """A person the campaign is for, counted in one unit."""

    __tablename__ = "study_participant"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id", name="uq_study_participant_person"),
        CheckConstraint("attendance IS NULL OR attendance IN ('present', 'absent', 'exempt')",
                        name="ck_study_participant_attendance"),
        Index("ix_study_participant_unit", "campaign_id", "unit_id"),
        {"info": {"person_merge": _merge_participants}},
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="study_campaign.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    joined_at: datetime = now_field()
    late: bool = False  # joined after the campaign opened
    notified_at: datetime | None = moment_field()  # the announcement was queued
    attendance: str | None = Field(default=None, max_length=8)
    absence_reason: str | None = Field(default=None, max_length=200)
    attendance_via: str | None = Field(default=None, max_length=8)  # roll | code
    attendance_by: int | None = Field(default=None, foreign_key="person.id")
    attendance_at: datetime | None = moment_field()
    self_study_sent_at: datetime | None = moment_field()
    self_studied_at: datetime | None = moment_field()
    quiz_passed_at: datetime | None = moment_field()
    best_score: int | None = None


class StudyQuestion(SQLModel, table=True):
    """A quiz question with its options, the right one, and the passage it rests on."""

    __tablename__ = "study_question"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("campaign_id", "position", name="uq_study_question_pos"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="study_campaign.id", index=True)
    position: int  # 1-based
    text: str = Field(max_length=300)
    options_json: str = Field(max_length=2000)  # ["…", "…"]
    correct: int  # 0-based index into the options
    passage: str = Field(max_length=1000)


class QuizAttempt(SQLModel, table=True):
    """One go at the quiz by one person, in one private chat. `next_position` is the
    question awaited; on platforms with native quizzes `poll_id` is its poll."""

    __tablename__ = "study_quiz_attempt"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id", "number", name="uq_study_attempt_number"),
        {"info": {"person_merge": _merge_attempts}},
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="study_campaign.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    number: int = 1
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    next_position: int = 1
    poll_id: str | None = Field(default=None, max_length=64, index=True)
    started_at: datetime = now_field()
    finished_at: datetime | None = moment_field()
    score: int = 0
    passed: bool = False


class QuizAnswer(SQLModel, table=True):
    __tablename__ = "study_quiz_answer"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("attempt_id", "position", name="uq_study_answer_pos"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="study_quiz_attempt.id", index=True)
    position: int
    choice: int  # 0-based
    correct: bool
    answered_at: datetime = now_field()


__all__ = ["ATTENDANCE", "CAMPAIGN_STATUSES", "DEFAULT_ATTEMPTS", "MAX_QUESTIONS",
           "MIN_QUESTIONS", "QuizAnswer", "QuizAttempt", "StudyCampaign", "StudyCampaignBase",
           "StudyParticipant", "StudyQuestion", "StudySession"]
