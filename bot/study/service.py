"""Study campaigns as the services see them: drafts, opening, who takes part, who may see
and manage them.

Rules (bot.services.audience, the one "may manage" rule): members cannot start a campaign;
an officer targets only units in their subtree; a campaign is managed by its author,
admins, and officers whose scope covers every target unit. An officer whose scope covers
only part of a campaign (a cell's secretary under a district's campaign) sees the figures
of their own units and takes the roll there, nothing else. `actor=None` is the server
operator's CLI (trusted).

Participants: the targeted units' members and officers (the roles of `Addressed`), each
once, counted in the innermost targeted unit they belong to; `sync_participants` adds the
people who joined a unit since (they get the campaign too: bot.study.runner calls it every
tick). Sessions: one per unit that has participants of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot.services import exemptions, invites
from bot.services.audience import Audience, check_targets, may_manage, require_sender, resolve
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor
from bot.services.units import can_act_on, officer_units
from bot.storage.models import Unit, utcnow, valid_id
from bot.study import messages as texts
from bot.study.dates import shown
from bot.study.models import StudyCampaign, StudyParticipant, StudyQuestion, StudySession
from knowledge.text import normalize

logger = logging.getLogger(__name__)

MAX_TITLE = 300
SESSION_CODE_LENGTH = 6  # read aloud at the meeting; 31^6 ≈ 8.9·10^8 (see bot.services.code_guard)


@dataclass(frozen=True)
class Preview:
    people: int
    exempt: int
    reachable: int
    private_messages: int
    groups: int


# --- finding ------------------------------------------------------------------------------


def find(session: Session, campaign_id: int) -> StudyCampaign:
    campaign = session.get(StudyCampaign, campaign_id) if valid_id(campaign_id) else None
    if campaign is None:
        raise NotFound(texts.NOT_FOUND)
    return campaign


def get(session: Session, actor: Actor | None, campaign_id: int) -> StudyCampaign:
    """The campaign if the actor may manage it (PermissionDenied otherwise)."""
    campaign = find(session, campaign_id)
    if may_manage(session, actor, campaign.created_by_person_id, campaign.unit_ids):
        return campaign
    raise PermissionDenied()


def visible_units(session: Session, actor: Actor | None,
                  campaign: StudyCampaign) -> list[int] | None:
    """None when the actor may manage the campaign (every unit); else the units of the
    campaign's participants the actor may act on (their own subtree); PermissionDenied when
    there are none (members, officers elsewhere)."""
    if may_manage(session, actor, campaign.created_by_person_id, campaign.unit_ids):
        return None
    assert actor is not None
    mine = [unit_id for unit_id in participant_units(session, campaign.id or 0)
            if can_act_on(session, actor, unit_id)] if officer_units(session, actor) else []
    if not mine:
        raise PermissionDenied()
    return mine


def participant_units(session: Session, campaign_id: int) -> list[int]:
    return sorted(set(session.exec(select(StudyParticipant.unit_id).where(
        StudyParticipant.campaign_id == campaign_id)).all()))


def questions(session: Session, campaign_id: int) -> list[StudyQuestion]:
    return list(session.exec(select(StudyQuestion).where(StudyQuestion.campaign_id == campaign_id)
                             .order_by(col(StudyQuestion.position))).all())


# --- drafts -------------------------------------------------------------------------------


def clean_title(text: str) -> str:
    title = " ".join(normalize(text).split())
    if not title:
        raise InvalidInput(texts.TITLE_EMPTY)
    if len(title) > MAX_TITLE:
        raise InvalidInput(texts.TITLE_TOO_LONG.format(limit=MAX_TITLE))
    return title


def create_draft(session: Session, actor: Actor | None, *, origin: tuple[str, str] | None = None,
                 compose_step: str | None = "doc") -> StudyCampaign:
    require_sender(session, actor)
    campaign = StudyCampaign(created_by_person_id=actor.person_id if actor else None,
                             origin_platform=origin[0] if origin else None,
                             origin_chat_id=origin[1] if origin else None,
                             compose_step=compose_step, target_unit_ids="")
    session.add(campaign)
    session.flush()
    return campaign


def draft_in_chat(session: Session, actor: Actor, platform: str,
                  chat_id: str) -> StudyCampaign | None:
    return session.exec(
        select(StudyCampaign).where(
            StudyCampaign.status == "draft", StudyCampaign.created_by_person_id == actor.person_id,
            StudyCampaign.origin_platform == platform, StudyCampaign.origin_chat_id == chat_id,
            col(StudyCampaign.compose_step).is_not(None))
        .order_by(col(StudyCampaign.id).desc())
    ).first()


def own_draft(session: Session, actor: Actor | None, campaign_id: int) -> StudyCampaign:
    campaign = find(session, campaign_id)
    if actor is not None and campaign.created_by_person_id != actor.person_id:
        raise NotFound(texts.NOT_FOUND)
    if campaign.status != "draft":
        raise InvalidInput(texts.NOT_DRAFT)
    return campaign


def set_targets(session: Session, actor: Actor | None, campaign: StudyCampaign,
                unit_ids: Sequence[int]) -> None:
    check_targets(session, actor, unit_ids)
    campaign.target_unit_ids = ",".join(str(u) for u in dict.fromkeys(unit_ids))
    session.add(campaign)


def audience(session: Session, campaign: StudyCampaign) -> Audience:
    return resolve(session, campaign.unit_ids, campaign.role_list, campaign.include_groups)


def preview(session: Session, campaign: StudyCampaign) -> Preview:
    found = audience(session, campaign)
    exempt = exemptions.exempt_people(session, found.people)
    return Preview(len(found.people), len(exempt), found.reachable_people,
                   len(found.private_chats), len(found.groups))


def cancel(session: Session, actor: Actor | None, campaign_id: int) -> None:
    campaign = get(session, actor, campaign_id)
    if campaign.status in ("closed", "cancelled"):
        raise InvalidInput(texts.NOT_OPEN)
    campaign.status, campaign.compose_step = "cancelled", None
    campaign.report_sent = True
    session.add(campaign)


# --- opening ------------------------------------------------------------------------------


def check_ready(session: Session, actor: Actor | None, campaign: StudyCampaign,
                now: datetime) -> None:
    if not campaign.doc_id and not campaign.attachment_file_id:
        raise InvalidInput(texts.NO_DOCUMENT)
    if not campaign.unit_ids:
        raise InvalidInput(texts.NO_TARGETS)
    check_targets(session, actor, campaign.unit_ids)  # scope may have changed since the draft
    if campaign.deadline_at is None:
        raise InvalidInput(texts.NO_DEADLINE)
    if campaign.deadline_at <= now:
        raise InvalidInput(texts.DEADLINE_PAST)
    if campaign.session_at is not None and campaign.session_at >= campaign.deadline_at:
        raise InvalidInput(texts.SESSION_AFTER_DEADLINE.format(deadline=shown(campaign.deadline_at)))
    campaign.title = clean_title(campaign.title)


def mark_open(session: Session, actor: Actor | None, campaign: StudyCampaign, now: datetime,
              reminders_passed: int) -> list[StudyParticipant]:
    """Open a checked draft: sender label, participants, one session per unit. Returns the
    participants (none may be missing: NOBODY)."""
    campaign.status, campaign.compose_step = "open", None
    campaign.opened_at = now
    campaign.sender_label = sender_label(session, actor)
    campaign.reminders_sent = reminders_passed  # offsets already behind us: no burst of them
    session.add(campaign)
    session.flush()
    added = sync_participants(session, campaign, now=now, late=False)
    if not added:
        raise InvalidInput(texts.NOBODY)
    ensure_sessions(session, campaign)
    logger.info("study campaign %s opened by %s: %d participants", campaign.id,
                actor.person_id if actor else "the CLI", len(added))
    return added


def sender_label(session: Session, actor: Actor | None) -> str:
    """How members see who started it: "Trần Thị Bình — Huyện ủy Đông Hà"."""
    if actor is None:
        return ""
    name = actor.display_name
    tops = sorted(officer_units(session, actor), key=lambda u: (u.depth, u.id or 0))
    return f"{name} — {tops[0].name}" if tops and name else name or (tops[0].name if tops else "")


def sync_participants(session: Session, campaign: StudyCampaign, *, now: datetime | None = None,
                      late: bool = True, found: Audience | None = None) -> list[StudyParticipant]:
    """Add the targeted people who have no row yet (joined a unit since the start); returns
    the new rows. A person already in is never moved: they count where they started."""
    assert campaign.id is not None
    found = found or audience(session, campaign)
    have = set(session.exec(select(StudyParticipant.person_id).where(
        StudyParticipant.campaign_id == campaign.id)).all())
    new = [(person, unit) for person, (unit, _role) in found.people.items() if person not in have]
    if not new:
        return []
    moment = now or utcnow()
    session.execute(insert(StudyParticipant), [
        {"campaign_id": campaign.id, "person_id": person, "unit_id": unit, "late": late,
         "joined_at": moment} for person, unit in new])
    if late:
        ensure_sessions(session, campaign)
        logger.info("study campaign %s: %d people joined since the start", campaign.id, len(new))
    return list(session.exec(select(StudyParticipant).where(
        StudyParticipant.campaign_id == campaign.id,
        col(StudyParticipant.person_id).in_([p for p, _ in new]))).all())


def ensure_sessions(session: Session, campaign: StudyCampaign) -> list[StudySession]:
    """One session per unit with participants of its own (each with a fresh check-in
    code); existing sessions are kept."""
    assert campaign.id is not None
    have = {s.unit_id: s for s in session.exec(select(StudySession).where(
        StudySession.campaign_id == campaign.id)).all()}
    for unit_id in participant_units(session, campaign.id):
        if unit_id not in have:
            have[unit_id] = StudySession(campaign_id=campaign.id, unit_id=unit_id,
                                         code=new_session_code(session))
            session.add(have[unit_id])
            session.flush()
    return list(have.values())


def new_session_code(session: Session) -> str:
    import secrets

    while True:
        code = "".join(secrets.choice(invites.CODE_ALPHABET) for _ in range(SESSION_CODE_LENGTH))
        if session.exec(select(StudySession.id).where(StudySession.code == code)).first() is None:
            return code


# --- a person's studies -------------------------------------------------------------------


def participant(session: Session, campaign_id: int, person_id: int) -> StudyParticipant | None:
    return session.exec(select(StudyParticipant).where(
        StudyParticipant.campaign_id == campaign_id,
        StudyParticipant.person_id == person_id)).first()


def is_done(row: StudyParticipant) -> bool:
    return (row.attendance == "present" or row.self_studied_at is not None
            or row.quiz_passed_at is not None)


def is_exempt(session: Session, row: StudyParticipant) -> bool:
    return row.attendance == "exempt" or bool(exemptions.exempt_people(session, [row.person_id]))


def studies_of(session: Session, person_id: int) -> list[tuple[StudyCampaign, StudyParticipant]]:
    """The person's open campaigns, newest first."""
    rows = session.exec(
        select(StudyCampaign, StudyParticipant)
        .join(StudyParticipant, col(StudyParticipant.campaign_id) == col(StudyCampaign.id))
        .where(StudyParticipant.person_id == person_id, StudyCampaign.status == "open")
        .order_by(col(StudyCampaign.id).desc())
    ).all()
    return [(c, p) for c, p in rows]


def recent(session: Session, actor: Actor | None, limit: int = 15) -> list[StudyCampaign]:
    """Campaigns the actor may see (manage, or their own units' part), newest first."""
    found = session.exec(select(StudyCampaign).where(col(StudyCampaign.status) != "draft")
                         .order_by(col(StudyCampaign.id).desc()).limit(200)).all()
    seen: list[StudyCampaign] = []
    for campaign in found:
        try:
            visible_units(session, actor, campaign)
        except PermissionDenied:
            continue
        seen.append(campaign)
        if len(seen) >= limit:
            break
    return seen


def unit_names(session: Session, unit_ids: Sequence[int]) -> str:
    names = [u.name for u in session.exec(select(Unit).where(col(Unit.id).in_(list(unit_ids))))]
    return ", ".join(sorted(names)) or texts.NONE_CHOSEN


__all__ = ["Preview", "cancel", "check_ready", "clean_title", "create_draft", "draft_in_chat",
           "ensure_sessions", "find", "get", "is_done", "is_exempt", "mark_open",
           "new_session_code", "own_draft", "participant", "participant_units", "preview",
           "questions", "recent", "sender_label", "set_targets", "studies_of",
           "sync_participants", "unit_names", "visible_units"]
