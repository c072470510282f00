"""A campaign's life after its draft: opening (participants, sessions and the first
announcements in one transaction), closing at the deadline, the final report's turn, and
the document's validity as the knowledge base sees it now.

The database decides who acts, so several runners never repeat a step: closing is
`UPDATE … SET status='closed' WHERE status='open'`, and the final report is sent by the
runner whose `report_sent false → true` matched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.delivery import DeliveryQueue
from bot.core.types import DocumentReply
from bot.services.people import Actor
from bot.services.reminders import ReminderSchedule
from bot.storage.models import utcnow
from bot.study import messages as texts
from bot.study import service
from bot.study.announce import announce_pending
from bot.study.models import StudyCampaign
from knowledge.text import shorten

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    campaign_id: int
    people: int
    private_messages: int
    groups: int


def open_campaign(session: Session, actor: Actor | None, campaign_id: int, queue: DeliveryQueue,
                  schedule: ReminderSchedule, overview: str,
                  now: datetime | None = None) -> Opened:
    """Start a draft: checks (document, units in the actor's subtree, a future deadline),
    the document's overview frozen for everyone, participants and sessions, the
    announcements queued — all or nothing."""
    now = now or utcnow()
    campaign = service.own_draft(session, actor, campaign_id)
    service.check_ready(session, actor, campaign, now)
    campaign.overview = shorten(overview, 2000, keep_lines=True)
    assert campaign.deadline_at is not None
    people = service.mark_open(session, actor, campaign, now,
                               schedule.passed(campaign.deadline_at, now))
    private, groups = announce_pending(session, campaign, queue, now)
    return Opened(campaign_id, len(people), private, groups)


def close_due(session: Session, now: datetime | None = None) -> list[int]:
    """Close the open campaigns whose deadline has passed; the ids this call closed."""
    now = now or utcnow()
    due = session.exec(select(StudyCampaign.id).where(
        StudyCampaign.status == "open", col(StudyCampaign.deadline_at) <= now)).all()
    closed = []
    for campaign_id in due:
        result = session.exec(update(StudyCampaign).where(  # type: ignore[call-overload]
            col(StudyCampaign.id) == campaign_id, col(StudyCampaign.status) == "open")
            .values(status="closed", closed_at=now))
        if result.rowcount:
            closed.append(campaign_id)
            logger.info("study campaign %s closed at its deadline", campaign_id)
    return [c for c in closed if c is not None]


def unreported(session: Session) -> list[int]:
    return [c for c in session.exec(select(StudyCampaign.id).where(
        StudyCampaign.status == "closed", col(StudyCampaign.report_sent).is_(False))).all()
        if c is not None]


def take_report_turn(session: Session, campaign_id: int) -> bool:
    """True for the one caller that gets to send the final report."""
    result = session.exec(update(StudyCampaign).where(  # type: ignore[call-overload]
        col(StudyCampaign.id) == campaign_id, col(StudyCampaign.status) == "closed",
        col(StudyCampaign.report_sent).is_(False)).values(report_sent=True))
    return bool(result.rowcount)


def open_campaigns(session: Session) -> list[StudyCampaign]:
    return list(session.exec(select(StudyCampaign).where(StudyCampaign.status == "open")
                             .order_by(col(StudyCampaign.id))).all())


# --- the document's validity ----------------------------------------------------------------


def doc_state(reply: DocumentReply | None) -> tuple[str, str]:
    """("ok" | "replaced" | "deleted", the note) from the document as the knowledge base
    holds it now: gone from the store, or no longer in force (replaced, repealed, expired:
    knowledge.relations) with what took its place."""
    if reply is None:
        return "deleted", ""
    validity = reply.doc.validity
    if validity.in_force:
        return "ok", ""
    note = texts.DOC_STATUS_NAMES.get(validity.status, validity.status)
    successors = [link.label for link in validity.successors if link.label]
    if successors:
        note += ", " + texts.REPLACED_BY.format(labels=", ".join(successors))
    return "replaced", shorten(note, 500)


def record_doc_state(session: Session, campaign_id: int, state: str, note: str) -> bool:
    """Store the document's state; True when it changed (the author is told once)."""
    campaign = session.get(StudyCampaign, campaign_id)
    if campaign is None or (campaign.doc_state, campaign.doc_note) == (state, note):
        return False
    campaign.doc_state, campaign.doc_note = state, note
    session.add(campaign)
    logger.info("study campaign %s: its document %s is now %s %s", campaign_id,
                campaign.doc_id, state, note)
    return state != "ok"


__all__ = ["Opened", "close_due", "doc_state", "open_campaign", "open_campaigns",
           "record_doc_state", "take_report_turn", "unreported"]
