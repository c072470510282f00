"""What /baocaodonvi shows when the month asked about has no deadline behind it yet: the
next deadline ahead in the officer's scope, and the last period whose deadline has passed
(whose punctuality bot.reports.punctuality then shows).

The next deadline is the earliest of: an open instance's deadline still ahead, with
recipients in scope; and, for an active recurring request whose current period has not
been opened yet (a request created after this month's deadline starts with the next period;
bot.reports.periods), that period's deadline. Scope as for punctuality: the officer's
subtree; admins and the CLI (actor None) see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from bot.reports import periods
from bot.reports.models import ReportAssignment, ReportInstance, ReportRequest
from bot.services.people import Actor
from bot.services.units import scope_paths
from bot.storage.models import Unit, to_local


@dataclass(frozen=True)
class Deadline:
    title: str
    period: str  # "tháng 6/2026"
    deadline_at: datetime


def next_deadline(session: Session, actor: Actor | None, now: datetime) -> Deadline | None:
    """The earliest deadline after `now` of a report asked of someone in scope, or None."""
    roots = None if actor is None else scope_paths(session, actor)
    if roots == []:
        return None
    found: list[Deadline] = []
    query = (select(ReportRequest.title, ReportInstance.period_label, ReportInstance.deadline_at)
             .join(ReportInstance, col(ReportInstance.request_id) == col(ReportRequest.id))
             .join(ReportAssignment, col(ReportAssignment.instance_id) == col(ReportInstance.id))
             .where(col(ReportInstance.status) == "open", col(ReportInstance.deadline_at) > now,
                    col(ReportAssignment.status) != "closed"))
    if roots is not None:
        query = query.where(or_(*(col(ReportAssignment.unit_path).like(f"{p}%") for p in roots)))
    row = session.exec(query.order_by(col(ReportInstance.deadline_at)).limit(1)).first()
    if row is not None:
        found.append(Deadline(*row))
    recurring = session.exec(select(ReportRequest).where(
        col(ReportRequest.status) == "active", col(ReportRequest.schedule) != "once")).all()
    for request in recurring:
        if not _in_scope(session, actor, roots, request):
            continue
        period = periods.current_period(request.schedule, request.due_day, now)
        opened = session.exec(select(ReportInstance.id).where(
            ReportInstance.request_id == request.id,
            ReportInstance.period_key == period.key)).first()
        if opened is None:
            found.append(Deadline(request.title, period.label, period.deadline_at))
    return min(found, key=lambda d: d.deadline_at, default=None)


def last_closed_span(session: Session, actor: Actor | None, now: datetime) -> periods.Span | None:
    """The month of the latest deadline at or before `now` with recipients in scope (what
    /baocaodonvi of that month shows), or None when no deadline has passed yet."""
    roots = None if actor is None else scope_paths(session, actor)
    if roots == []:
        return None
    query = (select(ReportInstance.deadline_at)
             .join(ReportAssignment, col(ReportAssignment.instance_id) == col(ReportInstance.id))
             .where(col(ReportInstance.deadline_at) <= now, col(ReportAssignment.status) != "closed"))
    if roots is not None:
        query = query.where(or_(*(col(ReportAssignment.unit_path).like(f"{p}%") for p in roots)))
    latest = session.exec(query.order_by(col(ReportInstance.deadline_at).desc()).limit(1)).first()
    if latest is None:
        return None
    # The deadline is the end of its last day (00:00 of the next): that day's month.
    day = to_local(latest - periods.ONE_TICK)
    return periods.month_span(day.year, day.month)


def _in_scope(session: Session, actor: Actor | None, roots: list[str] | None,
              request: ReportRequest) -> bool:
    if roots is None or (actor is not None and request.created_by_person_id == actor.person_id):
        return True
    paths = session.exec(select(Unit.path).where(col(Unit.id).in_(request.unit_ids))).all()
    return any(path.startswith(root) for path in paths for root in roots)


__all__ = ["Deadline", "last_closed_span", "next_deadline"]
