"""Filling in a report in chat: drafts kept step by step, submitted as versions.

- Who may fill in an assignment: for a unit, the officers of exactly that unit; for a person,
  that person (on any of their linked platforms).
- A draft belongs to a person and an assignment (or, for an opinion report not asked for,
  to a unit): one per pair, so a person who stops halfway finds it again with /nopbaocao,
  in any chat. The draft being filled in a chat is `active` there: plain texts in that chat
  answer its current field, until the person pauses, submits, drops it, or leaves it for
  REPORT_FORM_IDLE_MINUTES (then texts are questions again; /nopbaocao resumes it).
- Submitting adds a version (ReportSubmission) and updates the assignment's tracking:
  first and last submission moments, late when the first came after the deadline. Before
  the deadline a unit may submit again as often as it likes (each a version; the latest
  counts); after it, a unit that never submitted may still submit (marked late) until the
  instance closes, but a submitted report can no longer be changed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.core.delivery import DeliveryQueue
from bot.reports import messages as texts
from bot.reports import opinions
from bot.reports.models import (
    ReportAssignment,
    ReportDraft,
    ReportInstance,
    ReportRequest,
    ReportSubmission,
)
from bot.reports.periods import days_late, show_day
from bot.services import form_fields
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.form_fields import FieldSpec
from bot.services.people import Actor
from bot.storage.models import Unit, valid_id

logger = logging.getLogger(__name__)

Assigned = tuple[ReportAssignment, ReportInstance, ReportRequest]


@dataclass
class FormState:
    """What the conversation shows for a draft."""

    draft: ReportDraft
    fields: list[FieldSpec]
    answers: dict[str, Any]
    title: str
    period: str
    unit: str
    deadline: datetime | None = None
    previous: dict[str, Any] = field(default_factory=dict)  # the latest version's answers
    version: int = 1  # the version a submission would be
    resumed: bool = False

    @property
    def at_summary(self) -> bool:
        return self.draft.step >= len(self.fields)

    @property
    def current(self) -> FieldSpec | None:
        return None if self.at_summary else self.fields[self.draft.step]


@dataclass(frozen=True)
class Receipt:
    kind: str  # "unit" | "opinion"
    version: int = 0
    late_days: int = 0
    report_id: int | None = None  # an opinion report
    urgent: bool = False
    title: str = ""
    period: str = ""
    unit: str = ""
    alerted: opinions.Alerted | None = None  # a flash report: who was told


# --- what is open for a person ------------------------------------------------------------


def open_for(session: Session, actor: Actor, now: datetime) -> list[Assigned]:
    """Assignments the actor may still fill in: their units' and their own, in open
    instances, not submitted — or submitted and still before the deadline."""
    officer_of = list(actor.officer_unit_ids)
    rows = session.exec(
        select(ReportAssignment, ReportInstance, ReportRequest)
        .join(ReportInstance, col(ReportInstance.id) == col(ReportAssignment.instance_id))
        .join(ReportRequest, col(ReportRequest.id) == col(ReportInstance.request_id))
        .where(col(ReportInstance.status) == "open", col(ReportInstance.opens_at) <= now,
               col(ReportAssignment.status) != "closed",
               ((col(ReportAssignment.person_id) == actor.person_id)
                | (col(ReportAssignment.person_id).is_(None)
                   & col(ReportAssignment.unit_id).in_(officer_of))))
        .order_by(col(ReportInstance.deadline_at), col(ReportAssignment.id))
    ).all()
    return [(a, i, r) for a, i, r in rows if a.status == "open" or now <= i.deadline_at]


def may_fill(actor: Actor, assignment: ReportAssignment) -> bool:
    if assignment.person_id is not None:
        return assignment.person_id == actor.person_id
    return assignment.unit_id in actor.officer_unit_ids


def _assigned(session: Session, actor: Actor, assignment_id: int) -> Assigned:
    assignment = session.get(ReportAssignment, assignment_id) if valid_id(assignment_id) else None
    if assignment is None:
        raise NotFound(texts.DRAFT_GONE)
    if not may_fill(actor, assignment):
        raise PermissionDenied(texts.NOT_YOUR_ASSIGNMENT)
    instance = session.get(ReportInstance, assignment.instance_id)
    request = session.get(ReportRequest, instance.request_id) if instance else None
    assert instance is not None and request is not None
    return assignment, instance, request


# --- starting and resuming ----------------------------------------------------------------


def start(session: Session, actor: Actor, assignment_id: int, platform: str, chat_id: str,
          now: datetime) -> FormState:
    """Start filling in an assignment, or resume its draft (moved to this chat)."""
    assignment, instance, request = _assigned(session, actor, assignment_id)
    _check_open(assignment, instance, now)
    draft = session.exec(select(ReportDraft).where(
        ReportDraft.person_id == actor.person_id,
        ReportDraft.assignment_id == assignment.id)).first()
    resumed = draft is not None
    if draft is None:
        draft = ReportDraft(person_id=actor.person_id, assignment_id=assignment.id,
                            kind=request.kind, unit_id=assignment.unit_id, platform=platform,
                            chat_id=chat_id, created_at=now)
    _activate(session, actor, draft, platform, chat_id, now)
    return state(session, draft, resumed=resumed)


def start_opinion(session: Session, actor: Actor, unit_id: int, urgent: bool, platform: str,
                  chat_id: str, now: datetime) -> FormState:
    """An opinion report nobody asked for (a flash report, or an extra one) for a unit the
    actor is a collaborator of."""
    if unit_id not in {u.id for u in opinions.collaborator_units(session, actor.person_id)}:
        raise PermissionDenied(texts.NOT_COLLABORATOR)
    draft = session.exec(select(ReportDraft).where(
        ReportDraft.person_id == actor.person_id, col(ReportDraft.assignment_id).is_(None),
        ReportDraft.unit_id == unit_id)).first()
    resumed = draft is not None
    if draft is None:
        draft = ReportDraft(person_id=actor.person_id, kind="opinion", unit_id=unit_id,
                            platform=platform, chat_id=chat_id, created_at=now)
    draft.urgent = urgent
    _activate(session, actor, draft, platform, chat_id, now)
    return state(session, draft, resumed=resumed)


def _activate(session: Session, actor: Actor, draft: ReportDraft, platform: str, chat_id: str,
              now: datetime) -> None:
    """This draft takes the chat's texts; the person's others in the chat wait."""
    for other in session.exec(select(ReportDraft).where(
            ReportDraft.person_id == actor.person_id, ReportDraft.platform == platform,
            ReportDraft.chat_id == chat_id, col(ReportDraft.active).is_(True))).all():
        if other.id != draft.id:
            other.active = False
            session.add(other)
    draft.platform, draft.chat_id, draft.active, draft.updated_at = platform, chat_id, True, now
    session.add(draft)
    session.flush()


def active_draft(session: Session, actor: Actor, platform: str, chat_id: str, now: datetime,
                 idle: Any) -> ReportDraft | None:
    """The draft taking this chat's texts (None when it was left longer than `idle`)."""
    draft = session.exec(select(ReportDraft).where(
        ReportDraft.person_id == actor.person_id, ReportDraft.platform == platform,
        ReportDraft.chat_id == chat_id, col(ReportDraft.active).is_(True))
        .order_by(col(ReportDraft.updated_at).desc())).first()
    if draft is None or now - draft.updated_at > idle:
        return None
    return draft


def own_draft(session: Session, actor: Actor, draft_id: int) -> ReportDraft:
    draft = session.get(ReportDraft, draft_id) if valid_id(draft_id) else None
    if draft is None or draft.person_id != actor.person_id:
        raise NotFound(texts.DRAFT_GONE)
    return draft


def state(session: Session, draft: ReportDraft, *, resumed: bool = False) -> FormState:
    answers = json.loads(draft.answers_json or "{}")
    if draft.assignment_id is None:
        unit = session.get(Unit, draft.unit_id or 0)
        if unit is None:
            raise NotFound(texts.DRAFT_GONE)
        title = texts.FLASH_HEADER.format(unit=unit.name) if draft.urgent \
            else texts.OPINION_HEADER.format(unit=unit.name)
        return FormState(draft, opinions.fields(session, unit), answers, title, "", unit.name,
                         resumed=resumed)
    assignment = session.get(ReportAssignment, draft.assignment_id)
    instance = session.get(ReportInstance, assignment.instance_id) if assignment else None
    request = session.get(ReportRequest, instance.request_id) if instance else None
    if assignment is None or instance is None or request is None:
        raise NotFound(texts.DRAFT_GONE)
    if request.kind == "opinion":
        unit = session.get(Unit, assignment.unit_id)
        if unit is None:
            raise NotFound(texts.DRAFT_GONE)
        specs = opinions.fields(session, unit)
    else:
        specs = form_fields.loads(request.fields_json)
    previous: dict[str, Any] = {}
    if assignment.versions:
        latest = session.exec(select(ReportSubmission.answers_json).where(
            ReportSubmission.assignment_id == assignment.id)
            .order_by(col(ReportSubmission.version).desc())).first()
        previous = json.loads(latest or "{}")
    return FormState(draft, specs, answers, request.title, instance.period_label,
                     assignment.unit_name, instance.deadline_at, previous,
                     assignment.versions + 1, resumed)


# --- answering ----------------------------------------------------------------------------


def put(session: Session, actor: Actor, draft_id: int, step: int, value: Any,
        now: datetime) -> FormState:
    """Store `value` (already checked) for field `step`, move to the next field not yet
    filled in (or to the summary). `step` must be the one being asked: a button pressed on an
    older question is refused."""
    draft = own_draft(session, actor, draft_id)
    found = state(session, draft)
    if step != draft.step or found.at_summary:
        raise InvalidInput(texts.PICK_FROM_LIST)
    spec = found.fields[step]
    if value is None:
        found.answers.pop(spec.key, None)
    else:
        found.answers[spec.key] = value
    draft.answers_json = json.dumps(found.answers, ensure_ascii=False)
    draft.step = step + 1
    draft.updated_at = now
    draft.active = True
    session.add(draft)
    session.flush()
    return state(session, draft)


def typed(session: Session, actor: Actor, draft_id: int, text: str, now: datetime) -> FormState:
    """A typed answer for the current field (checked: InvalidInput shows an example)."""
    draft = own_draft(session, actor, draft_id)
    found = state(session, draft)
    spec = found.current
    if spec is None:
        raise InvalidInput(texts.PICK_FROM_LIST)
    value = form_fields.parse_answer(spec, text, now.date())
    return put(session, actor, draft_id, draft.step, value, now)


def skip(session: Session, actor: Actor, draft_id: int, step: int, now: datetime) -> FormState:
    found = state(session, own_draft(session, actor, draft_id))
    if found.current is None or found.current.required:
        raise InvalidInput(texts.PICK_FROM_LIST)
    return put(session, actor, draft_id, step, None, now)


def keep(session: Session, actor: Actor, draft_id: int, step: int, now: datetime) -> FormState:
    """Keep the value of the latest submitted version for this field."""
    found = state(session, own_draft(session, actor, draft_id))
    spec = found.current
    if spec is None or spec.key not in found.previous:
        raise InvalidInput(texts.PICK_FROM_LIST)
    return put(session, actor, draft_id, step, found.previous[spec.key], now)


def redo(session: Session, actor: Actor, draft_id: int, now: datetime) -> FormState:
    """Back to the first field; answers stay (each can be kept or changed)."""
    draft = own_draft(session, actor, draft_id)
    draft.step, draft.updated_at, draft.active = 0, now, True
    session.add(draft)
    session.flush()
    found = state(session, draft)
    found.previous = {**found.previous, **found.answers}  # "keep" offers what was typed
    return found


def pause(session: Session, actor: Actor, draft_id: int) -> None:
    draft = own_draft(session, actor, draft_id)
    draft.active = False
    session.add(draft)


def drop(session: Session, actor: Actor, draft_id: int) -> None:
    session.delete(own_draft(session, actor, draft_id))


# --- submitting ---------------------------------------------------------------------------


def _check_open(assignment: ReportAssignment, instance: ReportInstance, now: datetime) -> None:
    if instance.status != "open" or assignment.status == "closed":
        raise InvalidInput(texts.INSTANCE_CLOSED)
    if assignment.versions and now > instance.deadline_at:
        raise InvalidInput(texts.RESUBMIT_CLOSED.format(deadline=show_day(instance.deadline_at)))


def submit(session: Session, actor: Actor, draft_id: int, now: datetime,
           notices: DeliveryQueue) -> Receipt:
    draft = own_draft(session, actor, draft_id)
    found = state(session, draft)
    missing = [s.label for s in found.fields if s.required and found.answers.get(s.key) in (None, "")]
    if missing:
        raise InvalidInput(texts.REQUIRED_MISSING.format(labels="; ".join(missing)))
    if draft.assignment_id is None:
        unit = session.get(Unit, draft.unit_id or 0)
        if unit is None:
            raise NotFound(texts.DRAFT_GONE)
        report = opinions.save(session, actor.person_id, unit, found.answers, urgent=draft.urgent,
                               now=now)
        alerted = opinions.alert(session, report, notices) if draft.urgent else None
        session.delete(draft)
        logger.info("opinion report %s saved (urgent: %s)", report.id, draft.urgent)
        return Receipt("opinion", report_id=report.id, urgent=draft.urgent, unit=unit.name,
                       title=report.topic_name, period=texts.MOOD_NAMES.get(report.mood, ""),
                       alerted=alerted)
    assignment, instance, request = _assigned(session, actor, draft.assignment_id)
    _check_open(assignment, instance, now)
    late = now > instance.deadline_at
    version = assignment.versions + 1
    session.add(ReportSubmission(assignment_id=assignment.id or 0, version=version,
                                 person_id=actor.person_id, submitted_at=now, late=late,
                                 answers_json=json.dumps(found.answers, ensure_ascii=False)))
    assignment.versions = version
    assignment.status = "submitted"
    assignment.last_submitted_at = now
    if assignment.first_submitted_at is None:
        assignment.first_submitted_at, assignment.late = now, late
    session.add(assignment)
    report_id = None
    if request.kind == "opinion":
        unit = session.get(Unit, assignment.unit_id)
        if unit is not None:
            report_id = opinions.save(session, actor.person_id, unit, found.answers, urgent=False,
                                      now=now, assignment_id=assignment.id).id
    session.delete(draft)
    session.flush()
    logger.info("report assignment %s: version %s submitted by person %s (%s)", assignment.id,
                version, actor.person_id, "late" if late else "on time")
    return Receipt("unit", version, days_late(instance.deadline_at, now) if late else 0,
                   report_id, title=request.title, period=instance.period_label,
                   unit=assignment.unit_name)


__all__ = ["Assigned", "FormState", "Receipt", "active_draft", "drop", "keep", "may_fill",
           "open_for", "own_draft", "pause", "put", "redo", "skip", "start", "start_opinion",
           "state", "submit", "typed"]
