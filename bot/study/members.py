"""A member's side of a campaign: their pending studies, one campaign as they see it, and
confirming self-study («đã học», typed or pressed)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.core.types import TextReply
from bot.services import exemptions
from bot.services.errors import InvalidInput
from bot.services.people import Actor
from bot.storage.models import utcnow
from bot.study import messages as texts
from bot.study import service, views
from bot.study.models import StudyCampaign, StudyParticipant
from knowledge.text import fold

logger = logging.getLogger(__name__)

_DONE_WORDS = frozenset(fold(word) for word in texts.DONE_WORDS)


def is_done_reply(text: str) -> bool:
    """A whole message that says «đã học» (with or without marks, a full stop, an emoji)."""
    return fold(text).strip(" .!✅👍") in _DONE_WORDS


def my_studies(session: Session, actor: Actor) -> TextReply:
    found = service.studies_of(session, actor.person_id)
    flagged = exemptions.exempt_people(session, [actor.person_id])
    return views.my_studies([(c, p, p.attendance == "exempt" or p.person_id in flagged)
                             for c, p in found])


def view(session: Session, actor: Actor, campaign_id: int) -> TextReply:
    campaign = service.find(session, campaign_id)
    row = service.participant(session, campaign_id, actor.person_id)
    if row is None:
        raise InvalidInput(texts.NOT_PARTICIPANT)
    return views.member_view(campaign, row, service.is_exempt(session, row),
                             len(service.questions(session, campaign_id)) if campaign.pass_mark
                             else 0)


def confirm_done(session: Session, actor: Actor, campaign_id: int | None,
                 now: datetime | None = None) -> str:
    """«Đã học» for one campaign (a button) or, typed, for the newest open campaign this
    person has not completed. Returns the message to show."""
    now = now or utcnow()
    if campaign_id is not None:
        campaign = service.find(session, campaign_id)
        row = service.participant(session, campaign_id, actor.person_id)
        if row is None:
            raise InvalidInput(texts.NOT_PARTICIPANT)
        return _done(session, campaign, row, now)
    found = service.studies_of(session, actor.person_id)
    pending = [(c, p) for c, p in found if not service.is_done(p)]
    if pending:
        return _done(session, *pending[0], now)
    if found:
        campaign, row = found[0]
        return (texts.DONE_PRESENT if row.attendance == "present" else texts.DONE_AGAIN).format(
            id=campaign.id)
    return texts.DONE_NOTHING


def _done(session: Session, campaign: StudyCampaign, row: StudyParticipant, now: datetime) -> str:
    if row.attendance == "present":
        return texts.DONE_PRESENT.format(id=campaign.id)
    if row.self_studied_at is not None or row.quiz_passed_at is not None:
        return texts.DONE_AGAIN.format(id=campaign.id)
    if campaign.status != "open":
        raise InvalidInput(texts.NOT_OPEN)
    row.self_studied_at = now
    session.add(row)
    logger.info("study campaign %s: person %s confirmed self-study", campaign.id, row.person_id)
    return texts.DONE_THANKS.format(id=campaign.id, title=campaign.title)


__all__ = ["confirm_done", "is_done_reply", "my_studies", "view"]
