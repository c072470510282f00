"""Attendance at a unit's study session, two ways: the roll call an officer of the unit
takes in chat (present / absent with a reason / exempt), and members checking in with the
session's short code, read out at the meeting.

A check-in code is valid for its own session only: the member must be counted in that
session's unit of that campaign ("another session's code" is refused and counted like a
wrong code: bot.services.code_guard slows guessing down and logs it), from
`EARLY` before the session's time until `checkin` after it, and never once the roll is
closed ("late", a clear message, not counted as a guess). Without a session time, a code
works until the roll closes.

Closing the roll (the officer's button, or the runner `auto_close` after the session: see
`AttendanceRules`) marks everyone not recorded absent; the runner then sends them the
document to study on their own (bot.study.announce.send_self_study).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.services import exemptions, invites
from bot.services.errors import CodeRefused, InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor
from bot.services.units import can_act_on, get_unit
from bot.storage.models import Person, utcnow, valid_id
from bot.study import messages as texts
from bot.study.dates import shown
from bot.study.models import StudyCampaign, StudyParticipant, StudySession
from bot.study.service import find, participant, sync_participants

logger = logging.getLogger(__name__)

MAX_REASON = 200
EARLY = timedelta(hours=2)  # a code works from this long before the session's time


@dataclass(frozen=True)
class AttendanceRules:
    checkin: timedelta = timedelta(hours=4)  # codes accepted this long after the start
    auto_close: timedelta = timedelta(hours=24)  # the roll closes itself this long after


class SessionCodeInvalid(CodeRefused):
    """A check-in code that is no session's ("unknown") or another session's
    ("other_session"): counted as a wrong code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, texts.CODE_UNKNOWN if reason == "unknown"
                         else texts.CODE_OTHER_SESSION)


def session_time(campaign: StudyCampaign, sess: StudySession) -> datetime | None:
    return sess.session_at or campaign.session_at


# --- check-in by code -----------------------------------------------------------------------


def check_in(session: Session, actor: Actor, code: str, *, rules: AttendanceRules,
             now: datetime | None = None) -> tuple[StudyCampaign, bool]:
    """Record the actor present at the session whose code this is. Returns the campaign
    and whether they were already recorded present. Raises SessionCodeInvalid (counted)
    or InvalidInput (late, early, campaign over: not counted)."""
    now = now or utcnow()
    sess = session.exec(select(StudySession).where(
        StudySession.code == invites.normalize_code(code))).first()
    if sess is None:
        raise SessionCodeInvalid("unknown")
    campaign = find(session, sess.campaign_id)
    row = participant(session, sess.campaign_id, actor.person_id)
    if row is None and campaign.status == "open":
        sync_participants(session, campaign, now=now)  # joined the unit since the start
        row = participant(session, sess.campaign_id, actor.person_id)
    if row is None or row.unit_id != sess.unit_id:
        raise SessionCodeInvalid("other_session")
    when = session_time(campaign, sess)
    closed = sess.roll_closed_at or (when + rules.checkin if when else None)
    if campaign.status != "open" or (closed is not None and now > closed):
        raise InvalidInput(texts.CODE_LATE.format(
            closed=shown(sess.roll_closed_at or closed or campaign.closed_at), id=campaign.id))
    if when is not None and now < when - EARLY:
        raise InvalidInput(texts.CODE_EARLY.format(session=shown(when), opens=shown(when - EARLY)))
    if row.attendance == "present":
        return campaign, True
    _record(row, "present", actor.person_id, "code", now)
    session.add(row)
    logger.info("study campaign %s: person %s checked in with the code of session %s",
                campaign.id, actor.person_id, sess.id)
    return campaign, False


def _record(row: StudyParticipant, status: str | None, by: int | None, via: str | None,
            now: datetime, reason: str | None = None) -> None:
    row.attendance, row.absence_reason = status, reason
    row.attendance_via, row.attendance_by = via, by
    row.attendance_at = now if status else None


# --- the roll call -----------------------------------------------------------------------------


def sessions_for(session: Session, actor: Actor | None, campaign_id: int) -> list[StudySession]:
    """The campaign's sessions in units the actor may act on."""
    find(session, campaign_id)
    found = session.exec(select(StudySession).where(StudySession.campaign_id == campaign_id)
                         .order_by(col(StudySession.unit_id))).all()
    mine = [s for s in found if actor is None or can_act_on(session, actor, s.unit_id)]
    if not mine:
        raise PermissionDenied(texts.NO_SESSION_HERE)
    return mine


def roll_session(session: Session, actor: Actor | None,
                 session_id: int) -> tuple[StudyCampaign, StudySession]:
    """A session whose roll the actor may take (an officer of its unit or above)."""
    sess = session.get(StudySession, session_id) if valid_id(session_id) else None
    if sess is None:
        raise NotFound(texts.NOT_FOUND)
    if actor is not None and not can_act_on(session, actor, sess.unit_id):
        raise PermissionDenied()
    return find(session, sess.campaign_id), sess


def roll_rows(session: Session, sess: StudySession) -> list[tuple[StudyParticipant, str, bool]]:
    """(participant, name, exempt by the membership flag) of the session's unit, by name."""
    rows = session.exec(
        select(StudyParticipant, Person.display_name)
        .join(Person, col(Person.id) == col(StudyParticipant.person_id))
        .where(StudyParticipant.campaign_id == sess.campaign_id,
               StudyParticipant.unit_id == sess.unit_id)
    ).all()
    flagged = exemptions.exempt_people(session, [p.person_id for p, _ in rows])
    return sorted(((p, name or f"#{p.person_id}", p.person_id in flagged) for p, name in rows),
                  key=lambda r: (r[1].casefold(), r[0].person_id))


def _open_roll(session: Session, actor: Actor | None,
               session_id: int) -> tuple[StudyCampaign, StudySession]:
    campaign, sess = roll_session(session, actor, session_id)
    if campaign.status != "open":
        raise InvalidInput(texts.NOT_OPEN)
    if sess.roll_closed_at is not None:
        raise InvalidInput(texts.ROLL_ALREADY_CLOSED)
    return campaign, sess


def _member(session: Session, sess: StudySession, person_id: int) -> StudyParticipant:
    row = participant(session, sess.campaign_id, person_id) if valid_id(person_id) else None
    if row is None or row.unit_id != sess.unit_id:
        raise InvalidInput(texts.ROLL_NOT_MEMBER)
    return row


def set_attendance(session: Session, actor: Actor | None, session_id: int, person_id: int,
                   status: str | None, *, reason: str | None = None,
                   now: datetime | None = None) -> StudyParticipant:
    """Record one member: "present", "absent" (reason later: `await_reason`), "exempt"
    (also the membership's flag: bot.services.exemptions) or None (cleared)."""
    now = now or utcnow()
    _campaign, sess = _open_roll(session, actor, session_id)
    row = _member(session, sess, person_id)
    if status not in (None, "present", "absent", "exempt"):
        raise InvalidInput(texts.USE_BUTTONS)
    if status == "exempt":
        exemptions.set_exempt(session, actor, person_id, sess.unit_id, now=now)
    elif row.attendance == "exempt":
        exemptions.clear_exempt(session, actor, person_id, sess.unit_id)
    _record(row, status, actor.person_id if actor else None, "roll" if status else None, now,
            reason)
    session.add(row)
    session.flush()
    return row


def await_reason(session: Session, actor: Actor, session_id: int, person_id: int,
                 platform: str, chat_id: str) -> None:
    """The next text from this officer in this chat is the member's absence reason."""
    _campaign, sess = _open_roll(session, actor, session_id)
    _member(session, sess, person_id)
    sess.roll_platform, sess.roll_chat_id = platform, chat_id
    sess.roll_officer_id, sess.awaiting_reason_for = actor.person_id, person_id
    session.add(sess)


def waiting_reason(session: Session, actor: Actor, platform: str,
                   chat_id: str) -> StudySession | None:
    return session.exec(select(StudySession).where(
        StudySession.roll_officer_id == actor.person_id, StudySession.roll_platform == platform,
        StudySession.roll_chat_id == chat_id, col(StudySession.awaiting_reason_for).is_not(None),
        col(StudySession.roll_closed_at).is_(None))).first()


def take_reason(session: Session, actor: Actor, sess: StudySession, text: str,
                now: datetime | None = None) -> StudyParticipant:
    """The typed reason for the member the roll call asked about."""
    reason = " ".join(text.split())
    if len(reason) > MAX_REASON:
        raise InvalidInput(texts.ROLL_REASON_TOO_LONG.format(limit=MAX_REASON))
    person_id = sess.awaiting_reason_for or 0
    sess.awaiting_reason_for = None
    session.add(sess)
    assert sess.id is not None
    return set_attendance(session, actor, sess.id, person_id, "absent",
                          reason=reason or None, now=now)


def rest_present(session: Session, actor: Actor | None, session_id: int,
                 now: datetime | None = None) -> int:
    """Everyone not recorded yet (and not flagged exempt) is present."""
    now = now or utcnow()
    _campaign, sess = _open_roll(session, actor, session_id)
    marked = 0
    for row, _name, flagged in roll_rows(session, sess):
        if row.attendance is None and not flagged:
            _record(row, "present", actor.person_id if actor else None, "roll", now)
            session.add(row)
            marked += 1
    return marked


def close_roll(session: Session, actor: Actor | None, session_id: int,
               now: datetime | None = None) -> dict[str, int]:
    """Close the roll: everyone not recorded is absent (flagged exempt people are
    exempt). Returns the counts by attendance."""
    now = now or utcnow()
    _campaign, sess = _open_roll(session, actor, session_id)
    return _close(session, sess, actor.person_id if actor else None, now)


def _close(session: Session, sess: StudySession, by: int | None, now: datetime) -> dict[str, int]:
    counts = {"present": 0, "absent": 0, "exempt": 0}
    for row, _name, flagged in roll_rows(session, sess):
        if row.attendance is None:
            _record(row, "exempt" if flagged else "absent", by, "roll", now)
            session.add(row)
        counts[row.attendance or "absent"] += 1
    sess.roll_closed_at, sess.roll_closed_by, sess.awaiting_reason_for = now, by, None
    session.add(sess)
    logger.info("study campaign %s: roll of unit %s closed (%s)", sess.campaign_id, sess.unit_id,
                counts)
    return counts


def auto_close(session: Session, rules: AttendanceRules, now: datetime | None = None) -> int:
    """Close the rolls whose session is `rules.auto_close` past, and every roll of a
    campaign past its deadline; late joiners of a closed session are absent too."""
    now = now or utcnow()
    closed = 0
    open_sessions = session.exec(
        select(StudySession, StudyCampaign)
        .join(StudyCampaign, col(StudyCampaign.id) == col(StudySession.campaign_id))
        .where(col(StudyCampaign.status).in_(["open", "closed"]))
    ).all()
    for sess, campaign in open_sessions:
        if sess.roll_closed_at is None:
            when = session_time(campaign, sess)
            over = campaign.status == "closed" or (
                campaign.deadline_at is not None and now >= campaign.deadline_at)
            if over or (when is not None and now >= when + rules.auto_close):
                _close(session, sess, None, now)
                closed += 1
        elif campaign.status == "open":  # people who joined after this roll closed
            session.exec(update(StudyParticipant).where(  # type: ignore[call-overload]
                col(StudyParticipant.campaign_id) == sess.campaign_id,
                col(StudyParticipant.unit_id) == sess.unit_id,
                col(StudyParticipant.attendance).is_(None))
                .values(attendance="absent", attendance_via="roll", attendance_at=now))
    return closed


# --- session dates -------------------------------------------------------------------------


def set_session_time(session: Session, actor: Actor | None, campaign_id: int, when: datetime,
                     unit_id: int | None = None, now: datetime | None = None) -> list[str]:
    """Set the session time of the actor's units in the campaign (or of `unit_id`).
    Returns the units' names. A session whose roll is closed keeps its time."""
    now = now or utcnow()
    campaign = find(session, campaign_id)
    if campaign.status != "open":
        raise InvalidInput(texts.NOT_OPEN)
    if when <= now:
        raise InvalidInput(texts.SESSION_PAST)
    if campaign.deadline_at is not None and when >= campaign.deadline_at:
        raise InvalidInput(texts.SESSION_AFTER_DEADLINE.format(deadline=shown(campaign.deadline_at)))
    chosen = sessions_for(session, actor, campaign_id)
    if unit_id is not None:
        chosen = [s for s in chosen if s.unit_id == unit_id]
        if not chosen:
            raise PermissionDenied(texts.NO_SESSION_HERE)
    names = []
    for sess in chosen:
        unit = get_unit(session, sess.unit_id)
        if sess.roll_closed_at is not None:
            raise InvalidInput(texts.SESSION_LOCKED.format(unit=unit.name))
        sess.session_at = when
        session.add(sess)
        names.append(unit.name)
    return names


__all__ = ["AttendanceRules", "SessionCodeInvalid", "auto_close", "await_reason", "check_in",
           "close_roll", "rest_present", "roll_rows", "roll_session",
           "sessions_for", "session_time", "set_attendance", "set_session_time", "take_reason",
           "waiting_reason"]
