"""What members and groups receive, and queuing it on the delivery engine (the broadcast
outbox, through bot.core.delivery): the announcement with the document's overview, the
self-study message for absentees, the reminders before the deadline, the groups' notice.

Every message has a version with buttons ("📖 Xem văn bản", "✅ Đã học", "📝 Làm bài kiểm
tra") and one saying typed commands (/hoctap <mã>, «đã học»): the delivery worker may run
in another process, where a numbered hint could not be answered. Each function records what
it queued on the participants' rows in the same transaction, so a restart neither loses nor
repeats a message.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.delivery import Addressee, Bulletin, DeliveryQueue
from bot.core.types import Action, DocumentReply
from bot.services import exemptions
from bot.services.reminders import ReminderSchedule
from bot.study import messages as texts
from bot.study.dates import shown
from bot.study.models import StudyCampaign, StudyParticipant, StudySession
from bot.study.service import audience, questions
from knowledge.text import shorten

logger = logging.getLogger(__name__)

FEATURE = "study"
MAX_OVERVIEW = 1200  # characters of the document's opening in the announcement
MAX_OUTLINE = 8  # top-level headings listed


def overview_text(reply: DocumentReply) -> str:
    """The document as the announcement summarises it: issuer and date, the top-level
    headings, the opening (knowledge base overview: bot.core.knowledge_base.overview)."""
    doc = reply.doc
    lines = [f"{doc.label} — {doc.title}" if doc.title and doc.title not in doc.label
             else doc.label]
    issued = doc.issued.strftime(texts.DAY_FORMAT) if doc.issued else ""
    if doc.issuer or issued:
        lines.append(", ".join(part for part in (doc.issuer or "", issued) if part))
    tops = [entry for entry in reply.outline if " › " not in entry][:MAX_OUTLINE]
    if tops:
        lines.append(texts.ANNOUNCE_OUTLINE.format(outline="; ".join(tops)))
    opening = "\n".join(chunk.text for chunk in reply.chunks).strip()
    if opening:
        if len(opening) > MAX_OVERVIEW:
            opening = shorten(opening, MAX_OVERVIEW, keep_lines=True)
        lines += ["", opening]
    return "\n".join(lines)


def document_name(campaign: StudyCampaign) -> str:
    return campaign.doc_label or campaign.attachment_name or "—"


def _actions(campaign: StudyCampaign, *, done: bool, quiz: bool) -> tuple[Action, ...]:
    cid = campaign.id
    found = [Action(texts.VIEW_BUTTON, f"sh:doc:{cid}")]
    if done:
        found.append(Action(texts.DONE_BUTTON, f"sh:done:{cid}"))
    if quiz:
        found.append(Action(texts.QUIZ_BUTTON, f"sh:q:{cid}"))
    return tuple(found)


def _attachment(campaign: StudyCampaign) -> tuple[str, str, str] | None:
    if campaign.attachment_platform and campaign.attachment_file_id:
        return (campaign.attachment_platform, campaign.attachment_file_id,
                campaign.attachment_name or "")
    return None


def _session_line(session_at: datetime | None) -> str:
    return (texts.ANNOUNCE_SESSION.format(session=shown(session_at)) if session_at
            else texts.ANNOUNCE_SESSION_UNSET)


def announcement(campaign: StudyCampaign, session_at: datetime | None) -> Bulletin:
    lines = [texts.ANNOUNCE_HEADER.format(id=campaign.id, title=campaign.title)]
    if campaign.sender_label:
        lines.append(texts.ANNOUNCE_FROM.format(sender=campaign.sender_label))
    lines += [texts.ANNOUNCE_DOCUMENT.format(document=document_name(campaign)),
              texts.ANNOUNCE_DEADLINE.format(deadline=shown(campaign.deadline_at)),
              _session_line(session_at), texts.ANNOUNCE_CHECKIN]
    if campaign.overview:
        lines += ["", texts.ANNOUNCE_OVERVIEW, campaign.overview]
    elif campaign.attachment_name:
        lines += ["", texts.ANNOUNCE_FILE.format(name=campaign.attachment_name)]
    text = "\n".join(lines)
    return Bulletin(FEATURE, text, _actions(campaign, done=False, quiz=False),
                    f"{text}\n\n{texts.ANNOUNCE_TYPED.format(id=campaign.id)}",
                    _attachment(campaign))


def self_study(campaign: StudyCampaign, quiz_count: int, header: str, body: str) -> Bulletin:
    lines = [header, body]
    if quiz_count:
        lines.append(texts.SELF_STUDY_QUIZ.format(count=quiz_count, mark=campaign.pass_mark))
    text = "\n".join(lines)
    typed = texts.SELF_STUDY_TYPED.format(
        id=campaign.id, quiz=texts.SELF_STUDY_TYPED_QUIZ if quiz_count else "")
    return Bulletin(FEATURE, f"{text}\n{texts.SELF_STUDY_BUTTONS_HINT}",
                    _actions(campaign, done=True, quiz=bool(quiz_count)), f"{text}\n{typed}",
                    _attachment(campaign))


def group_notice(campaign: StudyCampaign) -> Bulletin:
    text = texts.ANNOUNCE_GROUP.format(
        id=campaign.id, title=campaign.title, document=document_name(campaign),
        deadline=shown(campaign.deadline_at), session=_session_line(campaign.session_at))
    return Bulletin(FEATURE, text)


def time_left(deadline: datetime, now: datetime) -> str:
    hours = max(int((deadline - now).total_seconds() // 3600), 0)
    return (texts.LEFT_DAYS.format(days=hours // 24) if hours >= 48
            else texts.LEFT_HOURS.format(hours=max(hours, 1)))


# --- queuing ------------------------------------------------------------------------------


def announce_pending(session: Session, campaign: StudyCampaign, queue: DeliveryQueue,
                     now: datetime) -> tuple[int, int]:
    """The announcement to every participant not yet told who has a private chat the bot
    can write to (people who never wrote to the bot are told once they do); the units'
    groups get their notice once. Returns the private chats and the groups queued."""
    assert campaign.id is not None
    found = audience(session, campaign)
    waiting = {p.person_id: p for p in session.exec(select(StudyParticipant).where(
        StudyParticipant.campaign_id == campaign.id,
        col(StudyParticipant.notified_at).is_(None))).all()}
    sessions = {s.unit_id: s.session_at for s in session.exec(select(StudySession).where(
        StudySession.campaign_id == campaign.id)).all()}
    by_session: dict[datetime | None, list[Addressee]] = {}
    told: set[int] = set()
    for person, unit, platform, chat_id in found.private_chats:
        row = waiting.get(person)
        if row is None:
            continue
        when = sessions.get(row.unit_id) or campaign.session_at
        by_session.setdefault(when, []).append(Addressee(person, row.unit_id, platform, chat_id))
        told.add(person)
    queued, groups_queued = 0, 0
    for when, chats in by_session.items():
        queue.enqueue(session, announcement(campaign, when), chats,
                      created_by=campaign.created_by_person_id)
        queued += len(chats)
    if told:
        session.exec(update(StudyParticipant).where(  # type: ignore[call-overload]
            col(StudyParticipant.campaign_id) == campaign.id,
            col(StudyParticipant.person_id).in_(list(told))).values(notified_at=now))
    if not campaign.groups_announced:
        groups = [Addressee(None, unit, platform, chat_id, "group")
                  for unit, platform, chat_id in found.groups]
        queue.enqueue(session, group_notice(campaign), groups,
                      created_by=campaign.created_by_person_id)
        groups_queued = len(groups)
        campaign.groups_announced = True
        session.add(campaign)
    return queued, groups_queued


def _open_absentees(session: Session, campaign: StudyCampaign) -> list[StudyParticipant]:
    """Absent from a session whose roll is closed, not exempt, not done yet."""
    rows = session.exec(
        select(StudyParticipant)
        .join(StudySession, (col(StudySession.campaign_id) == col(StudyParticipant.campaign_id))
              & (col(StudySession.unit_id) == col(StudyParticipant.unit_id)))
        .where(StudyParticipant.campaign_id == campaign.id, StudyParticipant.attendance == "absent",
               col(StudySession.roll_closed_at).is_not(None),
               col(StudyParticipant.self_studied_at).is_(None),
               col(StudyParticipant.quiz_passed_at).is_(None))
    ).all()
    exempt = exemptions.exempt_people(session, [r.person_id for r in rows])
    return [r for r in rows if r.person_id not in exempt]


def _chats(session: Session, campaign: StudyCampaign,
           rows: list[StudyParticipant]) -> list[Addressee]:
    wanted = {r.person_id: r.unit_id for r in rows}
    if not wanted:
        return []
    found = audience(session, campaign)
    return [Addressee(person, wanted[person], platform, chat_id)
            for person, _unit, platform, chat_id in found.private_chats if person in wanted]


def send_self_study(session: Session, campaign: StudyCampaign, queue: DeliveryQueue,
                    now: datetime) -> int:
    """The document and the quiz to absentees whose roll has closed (once each)."""
    rows = [r for r in _open_absentees(session, campaign) if r.self_study_sent_at is None]
    chats = _chats(session, campaign, rows)
    if chats:
        body = texts.SELF_STUDY_BODY.format(document=document_name(campaign),
                                            deadline=shown(campaign.deadline_at))
        header = texts.SELF_STUDY_HEADER.format(id=campaign.id, title=campaign.title)
        queue.enqueue(session, self_study(campaign, len(questions(session, campaign.id or 0)),
                                          header, body), chats,
                      created_by=campaign.created_by_person_id)
    reached = {a.person_id for a in chats}
    if reached:
        session.exec(update(StudyParticipant).where(  # type: ignore[call-overload]
            col(StudyParticipant.id).in_([r.id for r in rows if r.person_id in reached]))
            .values(self_study_sent_at=now))
        logger.info("study campaign %s: self-study sent to %d absentees", campaign.id,
                    len(reached))
    return len(chats)


def send_reminders(session: Session, campaign: StudyCampaign, queue: DeliveryQueue,
                   schedule: ReminderSchedule, now: datetime) -> int:
    """A reminder to absentees not done yet, when an offset before the deadline has come
    (bot.services.reminders: one per offset, none for offsets missed while down)."""
    owed = schedule.due(campaign.deadline_at, campaign.reminders_sent, now)
    if owed is None or campaign.deadline_at is None:
        return 0
    campaign.reminders_sent = owed
    session.add(campaign)
    chats = _chats(session, campaign, [r for r in _open_absentees(session, campaign)
                                       if r.self_study_sent_at is not None])
    if chats:
        header = texts.REMINDER_HEADER.format(id=campaign.id, title=campaign.title)
        body = texts.REMINDER_BODY.format(left=time_left(campaign.deadline_at, now),
                                          deadline=shown(campaign.deadline_at))
        queue.enqueue(session, self_study(campaign, len(questions(session, campaign.id or 0)),
                                          header, body), chats,
                      created_by=campaign.created_by_person_id)
        logger.info("study campaign %s: reminder %d to %d chats", campaign.id, owed, len(chats))
    return len(chats)


__all__ = ["FEATURE", "announce_pending", "announcement", "document_name", "group_notice",
           "overview_text", "self_study", "send_reminders", "send_self_study", "time_left"]
