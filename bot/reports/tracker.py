"""Where an instance stands: each recipient on time, late, missing (not submitted yet), or
closed (its unit was deleted) — counted in the database and listed a page at a time, the
missing first, so a request to 1,000 units answers in one short query.

A recipient is late when its *first* submission came after the deadline; resubmissions
before the deadline keep it on time. Before the deadline "missing" means "not yet".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from bot.core.types import Action, TextReply
from bot.reports import messages as texts
from bot.reports import periods
from bot.reports.models import ReportAssignment, ReportInstance, ReportRequest
from bot.reports.periods import days_late, show_day
from bot.services.errors import NotFound
from bot.storage.models import to_local

PAGE = 30  # recipients per tracker page


@dataclass
class Counts:
    on_time: int = 0
    late: int = 0
    missing: int = 0
    closed: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.missing + self.closed

    @property
    def submitted(self) -> int:
        return self.on_time + self.late


@dataclass
class Page:
    request: ReportRequest
    instance: ReportInstance
    counts: Counts
    rows: list[ReportAssignment] = field(default_factory=list)
    page: int = 1
    pages: int = 1


def status_of(assignment: ReportAssignment) -> str:
    """"on_time" | "late" | "missing" | "closed"."""
    if assignment.status == "closed":
        return "closed"
    if assignment.status == "submitted":
        return "late" if assignment.late else "on_time"
    return "missing"


def counts(session: Session, instance_id: int) -> Counts:
    rows = session.exec(select(ReportAssignment.status, ReportAssignment.late, func.count())
                        .where(col(ReportAssignment.instance_id) == instance_id)
                        .group_by(col(ReportAssignment.status), col(ReportAssignment.late))).all()
    found = Counts()
    for status, late, n in rows:
        if status == "closed":
            found.closed += n
        elif status == "submitted":
            if late:
                found.late += n
            else:
                found.on_time += n
        else:
            found.missing += n
    return found


def instance_for(session: Session, request: ReportRequest, span: periods.Span | None
                 ) -> ReportInstance:
    """The request's instance whose deadline falls in `span` (None: the latest opened)."""
    query = select(ReportInstance).where(ReportInstance.request_id == request.id)
    if span is not None:
        query = query.where(col(ReportInstance.deadline_at) > span.start,
                            col(ReportInstance.deadline_at) <= span.end)
    found = session.exec(query.order_by(col(ReportInstance.deadline_at).desc())).first()
    if found is None:
        raise NotFound(texts.NO_INSTANCE.format(id=request.id, period=span.label) if span
                       else texts.NO_INSTANCE_OPENED.format(id=request.id))
    return found


def previous_instance(session: Session, instance: ReportInstance) -> ReportInstance | None:
    return session.exec(select(ReportInstance).where(
        ReportInstance.request_id == instance.request_id,
        col(ReportInstance.deadline_at) < instance.deadline_at)
        .order_by(col(ReportInstance.deadline_at).desc())).first()


def page(session: Session, request: ReportRequest, instance: ReportInstance,
         number: int = 1, per_page: int = PAGE) -> Page:
    found = counts(session, instance.id or 0)
    pages = max((found.total + per_page - 1) // per_page, 1)
    number = min(max(number, 1), pages)
    rank = case((col(ReportAssignment.status) == "open", 0),
                (col(ReportAssignment.late).is_(True), 1),
                (col(ReportAssignment.status) == "submitted", 2), else_=3)
    rows = session.exec(select(ReportAssignment)
                        .where(col(ReportAssignment.instance_id) == instance.id)
                        .order_by(rank, col(ReportAssignment.unit_path), col(ReportAssignment.id))
                        .offset((number - 1) * per_page).limit(per_page)).all()
    return Page(request, instance, found, list(rows), number, pages)


def deadline_line(instance: ReportInstance, now: datetime) -> str:
    deadline = show_day(instance.deadline_at)
    today = to_local(now).date()
    due_day = to_local(instance.deadline_at - timedelta(microseconds=1)).date()
    if now > instance.deadline_at:
        return texts.TRACK_DEADLINE_PASSED.format(deadline=deadline,
                                                  days=days_late(instance.deadline_at, now))
    if today == due_day:
        return texts.TRACK_DEADLINE_TODAY.format(deadline=deadline)
    return texts.TRACK_DEADLINE_OPEN.format(deadline=deadline, days=(due_day - today).days)


def line(assignment: ReportAssignment, deadline: datetime,
         people: dict[int, str] | None = None) -> str:
    name = assignment.unit_name
    if assignment.person_id is not None and people:
        name = f"{people.get(assignment.person_id, '?')} ({assignment.unit_name})"
    status = status_of(assignment)
    versions = texts.TRACK_VERSIONS.format(count=assignment.versions) \
        if assignment.versions > 1 else ""
    if status == "on_time":
        at = to_local(assignment.first_submitted_at).strftime("%H:%M %d/%m")  # type: ignore[arg-type]
        return texts.TRACK_ON_TIME.format(name=name, at=at, versions=versions)
    if status == "late":
        assert assignment.first_submitted_at is not None
        return texts.TRACK_LATE.format(name=name, at=to_local(assignment.first_submitted_at)
                                       .strftime("%H:%M %d/%m"), versions=versions,
                                       days=days_late(deadline, assignment.first_submitted_at))
    if status == "closed":
        return texts.TRACK_CLOSED_LINE.format(
            name=name, reason=texts.CLOSED_REASONS.get(assignment.closed_reason or "", ""))
    notes = ""
    if assignment.no_officer:
        notes += texts.TRACK_NO_OFFICER
    if assignment.reminders:
        notes += texts.TRACK_REMINDED.format(count=assignment.reminders)
    if assignment.escalated_at is not None:
        notes += texts.TRACK_ESCALATED
    return texts.TRACK_MISSING.format(name=name, notes=notes)


def render(found: Page, now: datetime, people: dict[int, str]) -> TextReply:
    request, instance, c = found.request, found.instance, found.counts
    lines = [texts.TRACK_HEADER.format(id=request.id, title=request.title,
                                       period=instance.period_label),
             deadline_line(instance, now),
             texts.TRACK_COUNTS.format(on_time=c.on_time, late=c.late, missing=c.missing,
                                       closed=c.closed, total=c.total)]
    if instance.status == "closed":
        lines.append(texts.TRACK_CLOSED.format(day=show_day(instance.closes_at)))
    lines.append("")
    lines += [line(assignment, instance.deadline_at, people) for assignment in found.rows]
    if found.pages > 1:
        lines.append(texts.TRACK_PAGE.format(page=found.page, pages=found.pages))
    iid = instance.id
    actions = [Action(texts.ROLLUP_BUTTON, f"rp:r:{iid}"), Action(texts.CSV_BUTTON, f"rp:v:{iid}")]
    if found.page < found.pages:
        actions.insert(0, Action(texts.NEXT_PAGE_BUTTON, f"rp:t:{iid}:{found.page + 1}"))
    if c.submitted and instance.results_sent_at is None:
        actions.append(Action(texts.SEND_RESULTS_BUTTON, f"rp:b:{iid}"))
    actions.append(Action(texts.PREVIOUS_BUTTON, f"rp:t:{iid}:prev"))
    if request.status == "active" and request.schedule != "once":
        actions.append(Action(texts.STOP_BUTTON, f"rp:stop:{request.id}"))
    return TextReply("\n".join(lines), tuple(actions))


__all__ = ["Counts", "PAGE", "Page", "counts", "deadline_line", "instance_for", "line", "page",
           "previous_instance", "render", "status_of"]
