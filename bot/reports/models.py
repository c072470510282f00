"""The reports tables.

    ReportTemplate   a reusable form: name, kind, fields (bot.services.form_fields JSON)
    ReportRequest    what an officer asks for: the form, who answers, the schedule, reminders
    ReportInstance   one period of a request ("tháng 5/2026"): opens, deadline, closes
    ReportAssignment one recipient of an instance — a unit (answered by its officers) or a
                     person — with its tracking state (submitted when, late, reminders,
                     escalation); `unit_path` and `unit_name` are copies, so a unit deleted
                     later still shows and rolls up, and so scope filters need no join
    ReportDraft      a form being filled in (kept when the person stops halfway)
    ReportSubmission a submitted version (resubmissions until the deadline add versions)
    ReportFile       a file or photo received for a form: the platform's id or link, and the
                     copy kept under REPORT_FILES_DIR
    OpinionCollaborator  the collaborator role, per unit ("cộng tác viên dư luận xã hội")
    OpinionTopic     topics officers keep for their subtree
    OpinionReport    one opinion report: topic, unit, mood, urgency, text, and whether the
                     reporter agreed to be named to upper levels

Unit references in assignments and opinion reports carry no foreign key on purpose: a unit
may be deleted while its instances are open; the tracker closes those and tells the
requester (bot.reports.instances.close_deleted_units).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from bot.reports import messages as texts
from bot.services.errors import MergeConflict
from bot.services.person_merge import collisions
from bot.storage.bases import Addressed, Composed, moment_field, now_field

REQUEST_STATUSES = ("draft", "active", "stopped", "done", "cancelled")
ANSWERED_BY = ("children", "units", "people", "collaborators")
SCHEDULES = ("once", "monthly", "quarterly")
ASSIGNMENT_STATUSES = ("open", "submitted", "closed")
# The mood observed, a fixed short scale (the usual wording of opinion reports).
MOODS = (1, 2, 3, 4)


class ReportTemplateBase(SQLModel):
    name: str = Field(max_length=200)
    kind: str = Field(default="unit", max_length=8)  # "unit" | "opinion"
    fields_json: str = Field(default="[]", max_length=8000)


class ReportTemplate(ReportTemplateBase, table=True):
    __tablename__ = "report_template"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = now_field()


class ReportRequestBase(Addressed):
    """`target_unit_ids` (Addressed): the units chosen; who answers depends on
    `answered_by`: "children" (each direct sub-unit, by its officers), "units" (each chosen
    unit, by its officers), "people" (each person with one of `roles` in the subtrees),
    "collaborators" (each opinion collaborator in the subtrees)."""

    title: str = Field(default="", max_length=200)
    kind: str = Field(default="unit", max_length=8)  # "unit" | "opinion"
    fields_json: str = Field(default="[]", max_length=8000)
    answered_by: str = Field(default="children", max_length=16)
    schedule: str = Field(default="once", max_length=12)
    due_day: int = 0  # monthly / quarterly: the day of the (last) month the deadline ends
    once_deadline_at: datetime | None = moment_field()
    once_label: str = Field(default="", max_length=80)
    reminder_days: str = Field(default="3,1", max_length=40)
    overdue_every_days: int = 1
    escalate_after_days: int = 3
    sender_label: str = Field(default="", max_length=300)


class ReportRequest(Composed, ReportRequestBase, table=True):
    __tablename__ = "report_request"  # type: ignore[assignment]
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'stopped', 'done', 'cancelled')",
                        name="ck_report_request_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="draft", max_length=12, index=True)
    template_id: int | None = Field(default=None, foreign_key="report_template.id")
    confirmed_at: datetime | None = moment_field()
    stopped_at: datetime | None = moment_field()
    # An opinion request's monthly summary: the last month sent ("2026-05"; bot.reports.digest).
    digest_month: str | None = Field(default=None, max_length=7)


class ReportInstance(SQLModel, table=True):
    __tablename__ = "report_instance"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("request_id", "period_key", name="uq_report_instance_period"),
        Index("ix_report_instance_open", "status", "deadline_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="report_request.id", index=True)
    period_key: str = Field(max_length=16)  # "2026-05", "2026-Q2", "once"
    period_label: str = Field(max_length=80)  # "tháng 5/2026"
    opens_at: datetime = now_field()
    deadline_at: datetime = now_field()
    closes_at: datetime = now_field()
    status: str = Field(default="open", max_length=8)  # "open" | "closed"
    summary_sent_at: datetime | None = moment_field()
    results_sent_at: datetime | None = moment_field()
    created_at: datetime = now_field()


def _merge_assignments(session: Session, source_id: int, target_id: int) -> None:
    """Account linking (bot.services.person_merge): one personal assignment per period and
    unit. When both accounts had one, the one with submissions stays (its drafts and
    submissions with it) and the other goes, its draft moved over unless the kept one has
    its own; both with submissions cannot become one person's (MergeConflict)."""
    for row, other in collisions(session, ReportAssignment,
                                 lambda r: (r.instance_id, r.unit_id), source_id, target_id):
        if row.versions and other.versions:
            instance = session.get(ReportInstance, row.instance_id)
            raise MergeConflict(texts.MERGE_BOTH_REPORTED.format(
                id=instance.request_id if instance else row.instance_id))
        keep, drop = (row, other) if row.versions else (other, row)
        has_draft = session.exec(select(ReportDraft.id).where(
            ReportDraft.assignment_id == keep.id)).first() is not None
        for draft in session.exec(select(ReportDraft).where(
                ReportDraft.assignment_id == drop.id)).all():
            if has_draft:
                session.delete(draft)
            else:
                draft.assignment_id, has_draft = keep.id, True
                session.add(draft)
        session.flush()  # the drafts no longer point at it
        session.delete(drop)
        session.flush()


def _merge_collaborators(session: Session, source_id: int, target_id: int) -> None:
    """Account linking: one collaborator row per person and unit — an active one if either
    was active."""
    for row, other in collisions(session, OpinionCollaborator, lambda r: r.unit_id,
                                 source_id, target_id):
        active_only_here = other.revoked_at is not None and row.revoked_at is None
        session.delete(other if active_only_here else row)
        session.flush()


class ReportAssignment(SQLModel, table=True):
    __tablename__ = "report_assignment"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("instance_id", "unit_id", "person_ref", name="uq_report_assignment"),
        CheckConstraint("status IN ('open', 'submitted', 'closed')",
                        name="ck_report_assignment_status"),
        Index("ix_report_assignment_track", "instance_id", "status"),
        {"info": {"person_merge": _merge_assignments}},
    )

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="report_instance.id")
    unit_id: int = Field(index=True)
    unit_name: str = Field(max_length=120)
    unit_path: str = Field(max_length=512, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # person_id or 0 (unique constraints treat NULLs as distinct); re-pointed with it when
    # two people are merged (bot.services.person_merge reads this column's info).
    person_ref: int = Field(default=0, sa_column_kwargs={"info": {"person_ref": True}})
    status: str = Field(default="open", max_length=12)
    closed_reason: str | None = Field(default=None, max_length=32)  # "unit_deleted", ...
    first_submitted_at: datetime | None = moment_field()
    last_submitted_at: datetime | None = moment_field()
    late: bool = False  # the first submission came after the deadline
    versions: int = 0
    no_officer: bool = False  # nobody could receive it when it opened (the requester knows)
    reminded_for: datetime | None = moment_field()  # the last reminder step acted on
    reminders: int = 0
    escalated_at: datetime | None = moment_field()


class ReportDraft(SQLModel, table=True):
    """A form being filled in. `assignment_id` None: an opinion report not asked for by a
    request (a flash report, or an extra one). `active`: texts in `chat` go to this form."""

    __tablename__ = "report_draft"  # type: ignore[assignment]
    __table_args__ = (Index("ix_report_draft_chat", "person_id", "platform", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    assignment_id: int | None = Field(default=None, foreign_key="report_assignment.id",
                                      index=True)
    kind: str = Field(default="unit", max_length=8)  # "unit" | "opinion"
    urgent: bool = False
    unit_id: int | None = None  # an opinion report's unit (the collaborator's)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    step: int = 0  # the field being asked; len(fields): the summary
    answers_json: str = Field(default="{}", max_length=20000)
    active: bool = True
    updated_at: datetime = now_field()
    created_at: datetime = now_field()


class ReportSubmission(SQLModel, table=True):
    __tablename__ = "report_submission"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("assignment_id", "version", name="uq_report_submission_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="report_assignment.id", index=True)
    version: int = 1
    person_id: int | None = Field(default=None, foreign_key="person.id")
    submitted_at: datetime = now_field()
    late: bool = False
    answers_json: str = Field(default="{}", max_length=20000)


class ReportFile(SQLModel, table=True):
    __tablename__ = "report_file"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str = Field(max_length=16)
    file_id: str | None = Field(default=None, max_length=255)
    source_url: str | None = Field(default=None, max_length=2048)
    name: str = Field(default="", max_length=255)
    mime_type: str = Field(default="", max_length=100)
    size: int = 0
    sha256: str = Field(default="", max_length=64)
    stored_path: str | None = Field(default=None, max_length=512)  # under REPORT_FILES_DIR
    created_at: datetime = now_field()


class OpinionCollaborator(SQLModel, table=True):
    __tablename__ = "opinion_collaborator"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("person_id", "unit_id", name="uq_opinion_collaborator"),
                      {"info": {"person_merge": _merge_collaborators}})

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    granted_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = now_field()
    revoked_at: datetime | None = moment_field()


class OpinionTopic(SQLModel, table=True):
    """A topic officers keep for their unit's subtree (collaborators below choose it)."""

    __tablename__ = "opinion_topic"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = Field(max_length=120)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    archived: bool = False
    created_at: datetime = now_field()


class OpinionReport(SQLModel, table=True):
    __tablename__ = "opinion_report"  # type: ignore[assignment]
    __table_args__ = (
        CheckConstraint("mood IN (1, 2, 3, 4)", name="ck_opinion_report_mood"),
        Index("ix_opinion_report_period", "period_key", "unit_path"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(index=True)
    unit_name: str = Field(max_length=120)
    unit_path: str = Field(max_length=512)
    topic_id: int | None = Field(default=None, foreign_key="opinion_topic.id")
    topic_name: str = Field(default="", max_length=120)
    mood: int = 2
    urgent: bool = False
    text: str = Field(default="", max_length=4000)
    share_name: bool = False  # the reporter agreed to be named to upper levels
    period_key: str = Field(max_length=8)  # the month it belongs to: "2026-05"
    assignment_id: int | None = Field(default=None, foreign_key="report_assignment.id")
    file_ids: str = Field(default="", max_length=200)  # ReportFile ids, "3,4"
    created_at: datetime = now_field()
    updated_at: datetime = now_field()


__all__ = [
    "ANSWERED_BY", "ASSIGNMENT_STATUSES", "MOODS", "REQUEST_STATUSES", "SCHEDULES",
    "OpinionCollaborator", "OpinionReport", "OpinionTopic", "ReportAssignment", "ReportDraft",
    "ReportFile", "ReportInstance", "ReportRequest", "ReportRequestBase", "ReportSubmission",
    "ReportTemplate", "ReportTemplateBase",
]
