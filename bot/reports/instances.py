"""Opening a request's periods: confirming a draft, opening each instance when its period
starts (the request goes out to every recipient through the notices port), closing instances
past their last day, and closing what belonged to a unit that was deleted.

Every step is safe to run from several processes at once: an instance is unique per
(request, period) — a second opener's insert fails inside a savepoint and it moves on — and
state changes are conditional UPDATEs (whoever changes the row acts).

Who receives an opened instance: a unit's officers (exactly that unit's) for "children" and
"units" requests, the person for "people" and "collaborators" ones, each in every private
chat the bot knows for them. A unit with no officer is marked (`no_officer`) and named to
the requester; so are recipients the bot cannot write to (they never wrote to it, or blocked
it): the request is never lost silently — the tracker shows them, and they can still open
the form with /nopbaocao once they write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.core.delivery import Addressee, Bulletin, DeliveryQueue
from bot.core.types import Action
from bot.reports import messages as texts
from bot.reports import periods
from bot.reports.config import FEATURE, ReportConfig
from bot.reports.models import ReportAssignment, ReportInstance, ReportRequest
from bot.reports.requests import Recipient, get, recipients, top_unit_name
from bot.services import form_fields
from bot.services.audience import check_targets, officers_of, private_chats
from bot.services.errors import InvalidInput
from bot.services.people import Actor
from bot.storage.models import Unit, to_local
from knowledge.text import shorten

logger = logging.getLogger(__name__)

MAX_NAMES = 15  # units named in one line to the requester


@dataclass
class Opened:
    instance: ReportInstance
    recipients: int = 0
    messages: int = 0
    no_officer: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)


@dataclass
class Confirmed:
    request: ReportRequest
    opened: Opened | None  # None: the first period opens later
    first: periods.Period
    passed: str | None = None  # why the first period is the next one (`passed_note`)


def first_period(request: ReportRequest, now: datetime) -> periods.Period:
    if request.schedule == "once":
        if request.once_deadline_at is None:
            raise InvalidInput(texts.ASK_ONCE_DATE.format(example=periods.show_day(now)))
        day = to_local(request.once_deadline_at - timedelta(microseconds=1)).date()
        return periods.once_period(day, request.once_label, now)
    return periods.current_period(request.schedule, request.due_day, now)


def passed_note(request: ReportRequest, first: periods.Period, now: datetime) -> str | None:
    """"Hạn kỳ tháng 5/2026 (hết ngày 02/05/2026) đã qua nên …": a recurring request made
    after this period's deadline starts with the next period, and the officer is told why
    (in the preview and the confirmation). None otherwise."""
    passed = periods.passed_period(request.schedule, request.due_day, now)
    if passed is None or passed.key == first.key:
        return None
    return texts.PASSED_PERIOD.format(passed=passed.label, deadline=periods.show_day(passed.deadline_at),
                                      first=first.label)


def confirm(session: Session, actor: Actor | None, request_id: int, now: datetime,
            config: ReportConfig, notices: DeliveryQueue) -> Confirmed:
    """Make a draft active; open its first period now if it has begun."""
    request = get(session, actor, request_id)
    if request.status != "draft":
        raise InvalidInput(texts.REQUEST_NOT_DRAFT)
    check_targets(session, actor, request.unit_ids)  # scope may have changed since
    if not recipients(session, request):
        raise InvalidInput(texts.NOBODY_TO_ANSWER)
    period = first_period(request, now)
    request.status, request.confirmed_at, request.compose_step = "active", now, None
    request.sender_label = shorten(top_unit_name(session, actor, texts.OPERATOR_SENDER), 300)
    session.add(request)
    session.flush()
    opened = open_instance(session, request, period, now, config, notices) \
        if period.opens_at <= now else None
    logger.info("report request %s confirmed (%s, first period %s)", request.id,
                request.schedule, period.key)
    return Confirmed(request, opened, period, passed_note(request, period, now))


def open_instance(session: Session, request: ReportRequest, period: periods.Period,
                  now: datetime, config: ReportConfig, notices: DeliveryQueue, *,
                  tell_requester: bool = False) -> Opened | None:
    """Open `period` for `request`: the instance, one assignment per recipient, the request
    to each. None when another process opened it first."""
    assert request.id is not None
    instance = ReportInstance(request_id=request.id, period_key=period.key,
                              period_label=period.label, opens_at=min(period.opens_at, now),
                              deadline_at=period.deadline_at,
                              closes_at=period.deadline_at + config.close_after, created_at=now)
    try:
        with session.begin_nested():
            session.add(instance)
            session.flush()
    except IntegrityError:
        logger.info("report request %s: period %s already open", request.id, period.key)
        return None
    assert instance.id is not None
    found = recipients(session, request)
    opened = Opened(instance, len(found))
    chats, marks = _chats(session, found)
    rows = []
    for r in found:
        no_officer = r.person_id is None and r.unit_id not in marks.officer_units
        if no_officer:
            opened.no_officer.append(r.unit_name)
        elif not marks.reached(r):
            opened.unreachable.append(r.unit_name)
        rows.append({"instance_id": instance.id, "unit_id": r.unit_id, "unit_name": r.unit_name,
                     "unit_path": r.unit_path, "person_id": r.person_id,
                     "person_ref": r.person_id or 0, "no_officer": no_officer})
    if rows:
        session.execute(insert(ReportAssignment), rows)
    opened.messages = len(chats)
    notices.enqueue(session, request_notice(request, instance), chats)
    if tell_requester:
        tell(session, request, notices, opened_lines(request, opened))
    logger.info("report request %s: period %s opened for %d recipients (%d chats, %d units "
                "without officer)", request.id, period.key, len(found), len(chats),
                len(opened.no_officer))
    return opened


@dataclass
class _Marks:
    officer_units: set[int] = field(default_factory=set)
    reached_units: set[int] = field(default_factory=set)
    reached_people: set[int] = field(default_factory=set)

    def reached(self, r: Recipient) -> bool:
        return (r.person_id in self.reached_people) if r.person_id is not None \
            else r.unit_id in self.reached_units


def _chats(session: Session, found: list[Recipient]) -> tuple[list[Addressee], _Marks]:
    """The private chats that receive an instance, and who was reached."""
    marks = _Marks()
    units = [r.unit_id for r in found if r.person_id is None]
    officers = officers_of(session, units) if units else {}
    marks.officer_units = set(officers)
    people = {r.person_id: r.unit_id for r in found if r.person_id is not None}
    wanted = {p for ps in officers.values() for p in ps} | set(people)
    reachable, _ = private_chats(session, wanted)
    chats: list[Addressee] = []
    for unit_id, persons in officers.items():
        for person in persons:
            for platform, chat_id in reachable.get(person, []):
                chats.append(Addressee(person, unit_id, platform, chat_id))
                marks.reached_units.add(unit_id)
    for person, unit_id in people.items():
        for platform, chat_id in reachable.get(person, []):
            chats.append(Addressee(person, unit_id, platform, chat_id))
            marks.reached_people.add(person)
    return chats, marks


def request_notice(request: ReportRequest, instance: ReportInstance) -> Bulletin:
    if request.kind == "opinion":
        fields = "\n".join(f"• {label}" for label in (
            texts.OPINION_FIELD_TOPIC, texts.OPINION_FIELD_MOOD, texts.OPINION_FIELD_TEXT))
    else:
        fields = "\n".join(f"• {spec.describe()}" for spec in form_fields.loads(request.fields_json))
    text = texts.REQUEST_NOTICE.format(
        title=request.title, period=instance.period_label,
        deadline=periods.show_day(instance.deadline_at), sender=request.sender_label,
        fields=fields)
    return Bulletin(FEATURE, text, (Action(texts.SUBMIT_BUTTON, f"rp:n:{instance.id}"),),
                    f"{text}\n\n{texts.TYPED_SUBMIT}")


def opened_lines(request: ReportRequest, opened: Opened) -> str:
    what = texts.WHAT_PEOPLE if request.answered_by in ("people", "collaborators") \
        else texts.WHAT_UNITS
    lines = [texts.OPENED_TO_REQUESTER.format(
        period=opened.instance.period_label, id=request.id, title=request.title,
        deadline=periods.show_day(opened.instance.deadline_at), units=opened.recipients,
        what=what)]
    lines += problem_lines(opened)
    return "\n".join(lines)


def problem_lines(opened: Opened) -> list[str]:
    lines = []
    if opened.no_officer:
        lines.append(texts.OPENED_NO_OFFICER.format(count=len(opened.no_officer),
                                                    units=names(opened.no_officer)))
    if opened.unreachable:
        lines.append(texts.OPENED_UNREACHABLE.format(count=len(opened.unreachable),
                                                     units=names(opened.unreachable)))
    return lines


def names(found: list[str]) -> str:
    shown = ", ".join(found[:MAX_NAMES])
    return shown + (f", … (+{len(found) - MAX_NAMES})" if len(found) > MAX_NAMES else "")


def requester_chats(session: Session, request: ReportRequest) -> list[Addressee]:
    """Where the requester hears about their request: the chat they made it in, else their
    private chats (nothing for the server operator's CLI)."""
    unit_id = next((u for u in request.unit_ids if session.get(Unit, u) is not None), None)
    if unit_id is None or request.created_by_person_id is None:
        return []
    person = request.created_by_person_id
    if request.origin_platform and request.origin_chat_id:
        return [Addressee(person, unit_id, request.origin_platform, request.origin_chat_id)]
    reachable, _ = private_chats(session, [person])
    return [Addressee(person, unit_id, p, c) for p, c in reachable.get(person, [])]


def tell(session: Session, request: ReportRequest, notices: DeliveryQueue, text: str,
         actions: tuple[Action, ...] = (), typed: str = "") -> None:
    chats = requester_chats(session, request)
    if chats:
        notices.enqueue(session, Bulletin(FEATURE, text, actions, typed or text), chats)


# --- the tracker's periodic steps ---------------------------------------------------------


def open_due(session: Session, now: datetime, config: ReportConfig, notices: DeliveryQueue) -> int:
    """Open the current period of every active recurring request whose period has begun."""
    opened = 0
    requests = session.exec(select(ReportRequest).where(
        col(ReportRequest.status) == "active", col(ReportRequest.schedule) != "once")).all()
    for request in requests:
        period = periods.current_period(request.schedule, request.due_day, now)
        if period.opens_at > now:
            continue
        exists = session.exec(select(ReportInstance.id).where(
            ReportInstance.request_id == request.id,
            ReportInstance.period_key == period.key)).first()
        if exists is None and open_instance(session, request, period, now, config, notices,
                                            tell_requester=True) is not None:
            opened += 1
    return opened


def close_due(session: Session, now: datetime) -> int:
    """Instances past their last day stop taking submissions; a "once" request whose
    instance closed is done."""
    result = session.exec(update(ReportInstance).where(  # type: ignore[call-overload]
        col(ReportInstance.status) == "open", col(ReportInstance.closes_at) <= now)
        .values(status="closed"))
    closed = int(result.rowcount or 0)
    if closed:
        done = select(ReportInstance.request_id).where(col(ReportInstance.status) == "closed")
        session.exec(update(ReportRequest).where(  # type: ignore[call-overload]
            col(ReportRequest.status) == "active", col(ReportRequest.schedule) == "once",
            col(ReportRequest.id).in_(done)).values(status="done"))
    return closed


def close_deleted_units(session: Session, now: datetime, notices: DeliveryQueue) -> int:
    """Open assignments of units that no longer exist: closed, and the requester told."""
    gone = session.exec(
        select(ReportAssignment, ReportInstance, ReportRequest)
        .join(ReportInstance, col(ReportInstance.id) == col(ReportAssignment.instance_id))
        .join(ReportRequest, col(ReportRequest.id) == col(ReportInstance.request_id))
        .where(col(ReportAssignment.status) == "open", col(ReportInstance.status) == "open",
               col(ReportAssignment.unit_id).not_in(select(Unit.id)))
    ).all()
    for assignment, instance, request in gone:
        result = session.exec(update(ReportAssignment).where(  # type: ignore[call-overload]
            col(ReportAssignment.id) == assignment.id, col(ReportAssignment.status) == "open")
            .values(status="closed", closed_reason="unit_deleted"))
        if not result.rowcount:
            continue
        logger.info("report assignment %s closed: unit %s deleted", assignment.id,
                    assignment.unit_id)
        tell(session, request, notices, texts.UNIT_DELETED.format(
            unit=assignment.unit_name, unit_id=assignment.unit_id, id=request.id,
            title=request.title, period=instance.period_label))
    return len(gone)


def confirmation(done: Confirmed) -> str:
    """What the officer reads once a request is confirmed (Vietnamese): the period opened now
    (deadline, recipients, chats, problems) or when the first one opens, and how to track it."""
    request = done.request
    lines = [texts.CONFIRMED.format(id=request.id, title=request.title)]
    what = texts.WHAT_PEOPLE if request.answered_by in ("people", "collaborators") \
        else texts.WHAT_UNITS
    if done.opened is not None:
        lines.append(texts.CONFIRMED_OPENED.format(
            period=done.opened.instance.period_label,
            deadline=periods.show_day(done.opened.instance.deadline_at),
            units=done.opened.recipients, what=what, messages=done.opened.messages))
        lines += problem_lines(done.opened)
    else:
        if done.passed:
            lines.append(done.passed)
        lines.append(texts.CONFIRMED_LATER.format(
            period=done.first.label, day=to_local(done.first.opens_at).strftime("%d/%m/%Y")))
    lines.append(texts.CONFIRMED_TRACK.format(id=request.id))
    return "\n".join(lines)


__all__ = ["Confirmed", "Opened", "close_deleted_units", "close_due", "confirm", "confirmation",
           "first_period", "names", "passed_note", "open_due", "open_instance", "opened_lines",
           "problem_lines", "request_notice", "requester_chats", "tell"]
