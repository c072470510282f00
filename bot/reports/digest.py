"""The monthly summary to the requesting officer (issue 15, item 5): on the 1st of each month
at the reminder hour, the requester of every active opinion request gets the past month's
opinion roll-up over the request's units — by topic, unit and mood, with the texts — counting
periodic, extra and flash reports alike, so a flash report sent after that month's deadline
(which no deadline summary covers) still reaches the requester; with how many collaborators
answered that month's instance.

Unit reports need no such message: a monthly request's deadline summary is already monthly.

Claimed in the database before it is sent (`UPDATE … WHERE digest_month < key`), as the
deadline steps are, so two trackers never send one month twice; a tracker that was down over
several month starts sends only the latest month.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from bot.core.delivery import DeliveryQueue
from bot.reports import messages as texts
from bot.reports import opinion_rollup
from bot.reports.config import ReportConfig
from bot.reports.instances import tell
from bot.reports.models import ReportInstance, ReportRequest
from bot.reports.periods import month_key, month_span
from bot.reports.tracker import counts
from bot.storage.models import LOCAL_TZ, to_local

logger = logging.getLogger(__name__)


def month_due(now: datetime, hour: int) -> date:
    """The first day of the latest month whose summary moment (the 1st of the next month at
    `hour`, local time) is at or before `now`."""
    local = to_local(now)
    this_month = local.date().replace(day=1)
    if local < datetime.combine(this_month, time(hour), tzinfo=LOCAL_TZ):
        this_month = (this_month - timedelta(days=1)).replace(day=1)
    return (this_month - timedelta(days=1)).replace(day=1)


def send_due(session: Session, now: datetime, config: ReportConfig,
             notices: DeliveryQueue) -> int:
    """Send each due monthly summary; the number sent."""
    month = month_due(now, config.reminder_hour)
    key = f"{month.year:04d}-{month.month:02d}"
    requests = session.exec(select(ReportRequest).where(
        col(ReportRequest.kind) == "opinion", col(ReportRequest.status) == "active",
        or_(col(ReportRequest.digest_month).is_(None),
            col(ReportRequest.digest_month) < key))).all()
    sent = 0
    for request in requests:
        started = request.confirmed_at or request.created_at
        if month_key(started) > key:
            continue  # the request did not exist in that month
        claimed = session.exec(update(ReportRequest).where(  # type: ignore[call-overload]
            col(ReportRequest.id) == request.id,
            or_(col(ReportRequest.digest_month).is_(None), col(ReportRequest.digest_month) < key))
            .values(digest_month=key))
        if not claimed.rowcount:
            continue
        tell(session, request, notices, text(session, request, month))
        sent += 1
        logger.info("report request %s: monthly summary for %s sent", request.id, key)
    return sent


def text(session: Session, request: ReportRequest, month: date) -> str:
    span = month_span(month.year, month.month)
    lines = [texts.DIGEST_TITLE.format(period=span.label, id=request.id, title=request.title)]
    instance = session.exec(select(ReportInstance).where(
        ReportInstance.request_id == request.id,
        ReportInstance.period_key == span.months[0])).first()
    if instance is not None:
        c = counts(session, instance.id or 0)
        lines.append(texts.DIGEST_ANSWERED.format(submitted=c.submitted, total=c.total,
                                                  late=c.late))
    lines.append(opinion_rollup.text(opinion_rollup.for_request(session, request, span,
                                                                span.label)))
    lines.append(texts.DIGEST_TYPED.format(month=month.month, year=month.year))
    return "\n".join(lines)


__all__ = ["month_due", "send_due", "text"]
