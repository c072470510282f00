"""What the passing of time does to open instances: reminders before and after the deadline
(bot.services.reminders schedules them), the escalation to the superior after N days
overdue, the summary to the requester when the deadline passes; and the results sent back to
the recipients who answered, when the requester chooses.

Each is claimed in the database before it is sent — `UPDATE … WHERE reminded_for < step
RETURNING …`, `WHERE escalated_at IS NULL`, `WHERE summary_sent_at IS NULL` — so two
trackers (two processes, or a restart in the middle) never send one twice, and a tracker
that was down sends only the latest reminder it missed, not every one.

Who is reminded: for a unit, the officers of exactly that unit; for a person, the person.
Escalation goes to the officers of the unit's parent (for a person: of the person's unit),
one message per superior unit listing everyone still missing under it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.delivery import Addressee, Bulletin, DeliveryQueue
from bot.core.types import Action
from bot.reports import messages as texts
from bot.reports import opinion_rollup, rollups
from bot.reports.config import FEATURE, ReportConfig
from bot.reports.instances import names, tell
from bot.reports.models import ReportAssignment, ReportInstance, ReportRequest
from bot.reports.periods import days_late, show_day
from bot.reports.tracker import counts
from bot.services.audience import officers_of, private_chats
from bot.services.reminders import ReminderPlan
from bot.services.rollup import path_ids
from bot.storage.models import Person, Unit

logger = logging.getLogger(__name__)

MAX_ESCALATION_LINES = 30


def _open_instances(session: Session) -> list[tuple[ReportInstance, ReportRequest]]:
    return list(session.exec(
        select(ReportInstance, ReportRequest)
        .join(ReportRequest, col(ReportRequest.id) == col(ReportInstance.request_id))
        .where(col(ReportInstance.status) == "open")).all())


def plan_of(request: ReportRequest, config: ReportConfig) -> ReminderPlan:
    try:
        days = ReminderPlan.parse_days(request.reminder_days)
    except ValueError:
        days = config.reminder_days
    return config.plan(days, request.overdue_every_days, request.escalate_after_days)


def chats_for(session: Session, rows: list[tuple[int, int | None]]) -> list[Addressee]:
    """Private chats of the recipients (unit id, person id or None for the unit's officers)."""
    units = [u for u, p in rows if p is None]
    officers = officers_of(session, units) if units else {}
    wanted = {p for ps in officers.values() for p in ps} | {p for _, p in rows if p is not None}
    reachable, _ = private_chats(session, wanted)
    chats = []
    for unit_id, person in rows:
        for who in ([person] if person is not None else officers.get(unit_id, [])):
            chats += [Addressee(who, unit_id, p, c) for p, c in reachable.get(who, [])]
    return chats


def remind_due(session: Session, now: datetime, config: ReportConfig, notices: DeliveryQueue) -> int:
    """Send each open instance's due reminder step to whoever has not submitted."""
    sent = 0
    for instance, request in _open_instances(session):
        plan = plan_of(request, config)
        step = plan.due(instance.deadline_at, None, now, opened=instance.opens_at)
        if step is None:
            continue
        claimed = session.exec(update(ReportAssignment).where(  # type: ignore[call-overload]
            col(ReportAssignment.instance_id) == instance.id,
            col(ReportAssignment.status) == "open",
            (col(ReportAssignment.reminded_for).is_(None))
            | (col(ReportAssignment.reminded_for) < step.moment))
            .values(reminded_for=step.moment, reminders=col(ReportAssignment.reminders) + 1)
            .returning(ReportAssignment.unit_id, ReportAssignment.person_id)).all()
        if not claimed:
            continue
        people = any(p is not None for _, p in claimed)
        who = texts.REMINDER_WHO_PERSON if people else texts.REMINDER_WHO_UNIT
        deadline = show_day(instance.deadline_at)
        if step.kind == "before":
            text = texts.REMINDER_BEFORE.format(title=request.title, period=instance.period_label,
                                                deadline=deadline, days=step.days, who=who)
        else:
            text = texts.REMINDER_OVERDUE.format(title=request.title, period=instance.period_label,
                                                 deadline=deadline, days=step.days, who=who)
        chats = chats_for(session, [(u, p) for u, p in claimed])
        notices.enqueue(session, Bulletin(
            FEATURE, text, (Action(texts.SUBMIT_BUTTON, f"rp:n:{instance.id}"),),
            f"{text}\n{texts.TYPED_SUBMIT}"), chats)
        sent += len(chats)
        logger.info("report instance %s: reminder (%s %d days) for %d recipients, %d chats",
                    instance.id, step.kind, step.days, len(claimed), len(chats))
    return sent


def escalate_due(session: Session, now: datetime, config: ReportConfig, notices: DeliveryQueue) -> int:
    """Tell the superiors of whoever is still missing N days after the deadline (once)."""
    sent = 0
    for instance, request in _open_instances(session):
        if not plan_of(request, config).escalation_due(instance.deadline_at, now):
            continue
        claimed = session.exec(update(ReportAssignment).where(  # type: ignore[call-overload]
            col(ReportAssignment.instance_id) == instance.id,
            col(ReportAssignment.status) == "open", col(ReportAssignment.escalated_at).is_(None))
            .values(escalated_at=now)
            .returning(ReportAssignment.unit_id, ReportAssignment.unit_name,
                       ReportAssignment.unit_path, ReportAssignment.person_id,
                       ReportAssignment.no_officer)).all()
        if not claimed:
            continue
        people_names = _people(session, [p for _, _, _, p, _ in claimed if p is not None])
        by_superior: dict[int, list[str]] = defaultdict(list)
        for unit_id, unit_name, path, person, no_officer in claimed:
            ids = path_ids(path)
            if person is not None:
                superior = unit_id
                label = f"{people_names.get(person, '?')} ({unit_name})"
            elif len(ids) > 1:
                superior = ids[-2]
                label = unit_name
            else:
                continue  # a root unit has nobody above it: the requester's summary names it
            note = texts.ESCALATION_NO_OFFICER if no_officer and person is None else ""
            by_superior[superior].append(texts.ESCALATION_LINE.format(name=label, note=note))
        superiors = officers_of(session, list(by_superior))
        for superior, lines in by_superior.items():
            unit = session.get(Unit, superior)
            if superior not in superiors or unit is None:
                continue  # nobody above to tell: the requester's summary names them
            shown = lines[:MAX_ESCALATION_LINES]
            if len(lines) > MAX_ESCALATION_LINES:
                shown.append(texts.MORE_LINES.format(count=len(lines) - MAX_ESCALATION_LINES))
            text = texts.ESCALATION.format(
                title=request.title, period=instance.period_label,
                deadline=show_day(instance.deadline_at), days=days_late(instance.deadline_at, now),
                count=len(lines), unit=unit.name,
                lines="\n".join(shown))
            chats = chats_for(session, [(superior, None)])
            notices.enqueue(session, Bulletin(FEATURE, text), chats)
            sent += len(chats)
        logger.info("report instance %s: escalated %d missing to %d superior units",
                    instance.id, len(claimed), len(by_superior))
    return sent


def _people(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Person.id, Person.display_name)
                             .where(col(Person.id).in_(ids))).all())


def summarize_due(session: Session, now: datetime, notices: DeliveryQueue) -> int:
    """When an instance's deadline passes: its counts and roll-up to the requester (once)."""
    due = session.exec(select(ReportInstance.id).where(
        col(ReportInstance.deadline_at) <= now, col(ReportInstance.summary_sent_at).is_(None))).all()
    done = 0
    for instance_id in due:
        claimed = session.exec(update(ReportInstance).where(  # type: ignore[call-overload]
            col(ReportInstance.id) == instance_id, col(ReportInstance.summary_sent_at).is_(None))
            .values(summary_sent_at=now))
        if not claimed.rowcount:
            continue
        instance = session.get(ReportInstance, instance_id)
        request = session.get(ReportRequest, instance.request_id) if instance else None
        if instance is None or request is None:
            continue
        summary = summary_text(session, request, instance)
        tell(session, request, notices, summary,
             (Action(texts.CSV_BUTTON, f"rp:v:{instance_id}"),
              Action(texts.SEND_RESULTS_BUTTON, f"rp:b:{instance_id}")),
             typed=f"{summary}\n{texts.TRACK_TYPED.format(id=request.id)}")
        done += 1
    return done


def summary_text(session: Session, request: ReportRequest, instance: ReportInstance) -> str:
    c = counts(session, instance.id or 0)
    lines = [texts.SUMMARY_TITLE.format(period=instance.period_label, id=request.id,
                                        title=request.title),
             texts.TRACK_COUNTS.format(on_time=c.on_time, late=c.late, missing=c.missing,
                                       closed=c.closed, total=c.total)]
    missing = session.exec(select(ReportAssignment.unit_name).where(
        col(ReportAssignment.instance_id) == instance.id, col(ReportAssignment.status) == "open")
        .order_by(col(ReportAssignment.unit_path))).all()
    if missing:  # by name: the requester follows them up without opening the tracker
        lines.append(texts.SUMMARY_MISSING.format(units=names(list(missing))))
    if request.kind == "opinion":
        lines.append(opinion_rollup.text(opinion_rollup.for_instance(session, request, instance)))
    else:
        lines.append(rollups.text(rollups.compute(session, request, instance)))
    return "\n".join(lines)


def send_results(session: Session, request: ReportRequest, instance: ReportInstance,
                 now: datetime, notices: DeliveryQueue) -> int:
    """The roll-up to everyone who submitted (the units' officers, or the people); the number
    of units or people it went to (0: nobody has submitted)."""
    answered = session.exec(select(ReportAssignment.unit_id, ReportAssignment.person_id).where(
        col(ReportAssignment.instance_id) == instance.id,
        col(ReportAssignment.status) == "submitted")).all()
    if not answered:
        return 0
    title = texts.RESULTS_NOTICE_TITLE.format(title=request.title, period=instance.period_label,
                                              sender=request.sender_label)
    if request.kind == "opinion":
        body = opinion_rollup.text(opinion_rollup.for_instance(session, request, instance))
    else:
        body = rollups.text(rollups.compute(session, request, instance))
    chats = chats_for(session, [(u, p) for u, p in answered])
    notices.enqueue(session, Bulletin(FEATURE, f"{title}\n{body}"), chats)
    instance.results_sent_at = now
    session.add(instance)
    session.flush()
    return len(answered)


__all__ = ["chats_for", "escalate_due", "plan_of", "remind_due", "send_results",
           "summarize_due", "summary_text"]
