"""Opinion collaborators ("cộng tác viên dư luận xã hội"): the role, given per unit by the
unit's officers; the topics officers keep for their subtree; the opinion form's fields; and
saving a report, with a flash report's alert to the unit's and the parent unit's officers.

Who sees the reporter's name: the officers of the reporter's own unit (exactly that unit).
Upper levels — parent units' officers, admins, the CLI's exports — see counts and texts
without the name unless the reporter agreed (`share_name`), asked on every report.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot import messages as bot_texts
from bot.core.delivery import Addressee, Bulletin, DeliveryQueue
from bot.reports import messages as texts
from bot.reports.config import FEATURE
from bot.reports.models import OpinionCollaborator, OpinionReport, OpinionTopic
from bot.reports.periods import month_key
from bot.services.audience import officers_of, private_chats
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.form_fields import FieldSpec
from bot.services.people import Actor
from bot.services.units import can_act_on, get_unit, officer_units
from bot.storage.models import Membership, Person, Unit, valid_id
from knowledge.text import fold, normalize, shorten

logger = logging.getLogger(__name__)

MAX_TOPIC = 120
MOOD_OPTIONS = tuple(texts.MOOD_NAMES[m] for m in sorted(texts.MOOD_NAMES))


# --- the role -----------------------------------------------------------------------------


def collaborator_units(session: Session, person_id: int) -> list[Unit]:
    """The units a person reports opinion for (active roles), in tree order."""
    rows = session.exec(select(Unit).join(OpinionCollaborator,
                                          col(OpinionCollaborator.unit_id) == col(Unit.id))
                        .where(col(OpinionCollaborator.person_id) == person_id,
                               col(OpinionCollaborator.revoked_at).is_(None))).all()
    return sorted(rows, key=lambda u: u.path_ids)


def unit_people(session: Session, actor: Actor | None, unit_id: int
                ) -> tuple[Unit, list[tuple[int, str, bool]]]:
    """The unit's members and officers (person id, name, is a collaborator), for the officer
    who gives the role. PermissionDenied outside the actor's scope."""
    unit = _manageable(session, actor, unit_id)
    people = session.exec(select(Person.id, Person.display_name)
                          .join(Membership, col(Membership.person_id) == col(Person.id))
                          .where(col(Membership.unit_id) == unit_id)
                          .order_by(col(Person.id))).all()
    active = set(session.exec(select(OpinionCollaborator.person_id).where(
        col(OpinionCollaborator.unit_id) == unit_id,
        col(OpinionCollaborator.revoked_at).is_(None))).all())
    return unit, [(pid, name, pid in active) for pid, name in people if pid is not None]


def toggle(session: Session, actor: Actor | None, unit_id: int, person_id: int,
           now: datetime) -> tuple[bool, str, str]:
    """Give the role if the person lacks it, take it back otherwise: (now a collaborator,
    person's name, unit's name). The person must belong to the unit."""
    unit = _manageable(session, actor, unit_id)
    member = session.exec(select(Membership.id).where(
        Membership.unit_id == unit_id, Membership.person_id == person_id)).first()
    person = session.get(Person, person_id) if valid_id(person_id) else None
    if member is None or person is None:
        raise InvalidInput(texts.COLLAB_NOT_MEMBER.format(unit=unit.name))
    row = session.exec(select(OpinionCollaborator).where(
        OpinionCollaborator.unit_id == unit_id, OpinionCollaborator.person_id == person_id)).first()
    if row is None:
        row = OpinionCollaborator(person_id=person_id, unit_id=unit_id, created_at=now,
                                  granted_by_person_id=actor.person_id if actor else None)
        granted = True
    elif row.revoked_at is None:
        row.revoked_at, granted = now, False
    else:
        row.revoked_at, row.created_at, granted = None, now, True
        row.granted_by_person_id = actor.person_id if actor else None
    session.add(row)
    session.flush()
    logger.info("collaborator role of person %s in unit %s %s", person_id, unit_id,
                "given" if granted else "taken back")
    return granted, person.display_name, unit.name


def _manageable(session: Session, actor: Actor | None, unit_id: int) -> Unit:
    unit = get_unit(session, unit_id)
    if actor is not None and not can_act_on(session, actor, unit_id):
        raise PermissionDenied(bot_texts.OUTSIDE_SCOPE)
    return unit


# --- topics -------------------------------------------------------------------------------


def topics_for(session: Session, unit: Unit) -> list[OpinionTopic]:
    """The topics a unit's collaborators choose from: those kept by the unit and by every
    unit above it, oldest first."""
    return list(session.exec(select(OpinionTopic).where(
        col(OpinionTopic.unit_id).in_(list(unit.path_ids)), col(OpinionTopic.archived).is_(False))
        .order_by(col(OpinionTopic.id))).all())


def officer_home(session: Session, actor: Actor) -> Unit:
    """The unit whose topics an officer keeps: their top unit (admins without one: the
    first root)."""
    units = officer_units(session, actor)
    if units:
        return min(units, key=lambda u: (u.depth, u.id or 0))
    if actor.is_admin:
        root = session.exec(select(Unit).where(col(Unit.parent_id).is_(None))
                            .order_by(col(Unit.id))).first()
        if root is not None:
            return root
    raise PermissionDenied(bot_texts.NOT_OFFICER)


def add_topic(session: Session, actor: Actor | None, unit: Unit, name: str) -> OpinionTopic:
    """A topic for `unit`'s subtree (`actor` None: the server operator)."""
    cleaned = " ".join(normalize(name).split())
    if not cleaned or len(cleaned) > MAX_TOPIC:
        raise InvalidInput(texts.TOPIC_INVALID.format(limit=MAX_TOPIC))
    for topic in topics_for(session, unit):
        if fold(topic.name).lower() == fold(cleaned).lower():
            raise InvalidInput(texts.TOPIC_EXISTS.format(name=topic.name))
    topic = OpinionTopic(unit_id=unit.id or 0, name=cleaned,
                         created_by_person_id=actor.person_id if actor else None)
    session.add(topic)
    session.flush()
    return topic


def remove_topic(session: Session, actor: Actor, unit: Unit, index: int) -> OpinionTopic:
    shown = topics_for(session, unit)
    if not 1 <= index <= len(shown):
        raise NotFound(texts.TOPIC_USAGE)
    topic = shown[index - 1]
    if not can_act_on(session, actor, topic.unit_id):
        raise PermissionDenied(texts.TOPIC_NOT_OWN)
    topic.archived = True
    session.add(topic)
    session.flush()
    return topic


# --- the form and saving ------------------------------------------------------------------


def fields(session: Session, unit: Unit) -> list[FieldSpec]:
    """The opinion form: topic, mood, text, an optional photo, and the naming question."""
    topic_names = tuple(t.name for t in topics_for(session, unit)) + (texts.OPINION_OTHER_TOPIC,)
    return [
        FieldSpec("topic", texts.OPINION_FIELD_TOPIC, "choice", True, topic_names),
        FieldSpec("mood", texts.OPINION_FIELD_MOOD, "choice", True, MOOD_OPTIONS),
        FieldSpec("text", texts.OPINION_FIELD_TEXT, "text", True),
        FieldSpec("photo", texts.OPINION_FIELD_PHOTO, "file", False),
        FieldSpec("share", texts.OPINION_FIELD_SHARE, "choice", True,
                  (texts.OPINION_SHARE_YES, texts.OPINION_SHARE_NO)),
    ]


def save(session: Session, person_id: int, unit: Unit, answers: dict, *, urgent: bool,
         now: datetime, assignment_id: int | None = None) -> OpinionReport:
    """An opinion report from a filled-in form (a periodic one replaces its assignment's
    earlier version)."""
    topic_name = str(answers.get("topic") or texts.OPINION_OTHER_TOPIC)
    topic = next((t for t in topics_for(session, unit) if t.name == topic_name), None)
    mood = MOOD_OPTIONS.index(answers["mood"]) + 1 if answers.get("mood") in MOOD_OPTIONS else 2
    photo = answers.get("photo")
    report = None
    if assignment_id is not None:
        report = session.exec(select(OpinionReport).where(
            OpinionReport.assignment_id == assignment_id)).first()
    if report is None:
        report = OpinionReport(person_id=person_id, unit_id=unit.id or 0, unit_name=unit.name,
                               unit_path=unit.path, period_key=month_key(now), created_at=now,
                               assignment_id=assignment_id)
    report.topic_id = topic.id if topic else None
    report.topic_name = shorten(topic_name, 120)
    report.mood, report.urgent = mood, urgent
    report.text = shorten(str(answers.get("text") or ""), 4000, keep_lines=True)
    report.share_name = answers.get("share") == texts.OPINION_SHARE_YES
    report.file_ids = str(photo["file"]) if isinstance(photo, dict) and "file" in photo else ""
    report.updated_at = now
    session.add(report)
    session.flush()
    return report


def reporter_name(session: Session, report: OpinionReport, viewer_units: Sequence[int] | None
                  ) -> str | None:
    """The reporter's name for a viewer who is an officer of `viewer_units` (None: an upper
    level with no unit of its own, e.g. the CLI), or None when it must stay hidden."""
    if report.share_name or (viewer_units is not None and report.unit_id in viewer_units):
        person = session.get(Person, report.person_id)
        return person.display_name if person else None
    return None


@dataclass(frozen=True)
class Alerted:
    """Who a flash report's alert reached: the names of the reporter's unit and of its parent
    ("" at the top), and whether each has an officer to tell."""

    unit: str
    parent: str = ""
    unit_told: bool = False
    parent_told: bool = False


def alert(session: Session, report: OpinionReport, notices: DeliveryQueue) -> Alerted:
    """A flash report: at once to the unit's officers (with the reporter's name) and the
    parent unit's officers (named only if the reporter agreed). When the reporter's own unit
    has no officer, the parent's alert says so — no "see the name at the unit" that nobody
    there can do — and the reporter is told who was alerted (issue 15, item 6)."""
    unit = session.get(Unit, report.unit_id)
    parent = session.get(Unit, unit.parent_id) if unit is not None and unit.parent_id else None
    officers = officers_of(session, [report.unit_id] + ([parent.id] if parent and parent.id else []))
    found = Alerted(report.unit_name, parent.name if parent else "",
                    bool(officers.get(report.unit_id)),
                    bool(parent and officers.get(parent.id or 0)))
    person = session.get(Person, report.person_id)
    hidden = (texts.REPORTER_HIDDEN if found.unit_told else texts.REPORTER_HIDDEN_NO_OFFICER
              ).format(unit=report.unit_name)
    for unit_id, named in ((report.unit_id, True), (parent.id if parent else None, report.share_name)):
        if unit_id is None or not officers.get(unit_id):
            continue
        reporter = person.display_name if (named and person) else hidden
        text = texts.FLASH_NOTICE.format(
            id=report.id, unit=report.unit_name, topic=report.topic_name,
            mood=texts.MOOD_NAMES.get(report.mood, ""), reporter=reporter, text=report.text)
        if unit_id != report.unit_id and not found.unit_told:
            text += "\n" + texts.FLASH_UNIT_NO_OFFICER.format(unit=report.unit_name)
        reachable, _ = private_chats(session, officers[unit_id])
        chats = [Addressee(person_id, unit_id, p, c)
                 for person_id in officers[unit_id] for p, c in reachable.get(person_id, [])]
        if chats:
            notices.enqueue(session, Bulletin(FEATURE, text), chats)
    if not (found.unit_told or found.parent_told):
        logger.warning("flash report %s: neither unit %s nor its parent has an officer",
                       report.id, report.unit_id)
    return found


__all__ = ["MOOD_OPTIONS", "Alerted", "add_topic", "alert", "collaborator_units", "fields",
           "officer_home", "remove_topic", "reporter_name", "save", "toggle", "topics_for",
           "unit_people"]
