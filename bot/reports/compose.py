"""Creating a report request in chat, step by step (the draft is a ReportRequest in status
"draft" whose `compose_step` says what is asked, so a restart loses nothing):

    /yeucaubaocao <tên>⏎<mục>⏎...   (or «mẫu <số>»)  → unit → who answers → schedule →
    deadline (typed) → preview: send / save as template / cancel
    /yeucaudlxh                                        → unit → schedule → deadline → preview

Buttons (numbered hints without buttons) carry `rp:c:<request id>:<op>[:<arg>]`; the unit can
also be typed by its id, the deadline is typed ("30/6/2026" once, "20" for a recurring day).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bot import messages as bot_texts
from bot.core.arguments import data_id, number_in, row_id
from bot.core.types import LABEL_CHARS, Action, TextReply
from bot.reports import messages as texts
from bot.reports import periods, requests
from bot.reports.config import ReportConfig
from bot.reports.instances import first_period, passed_note
from bot.reports.models import ReportRequest
from bot.services import form_fields, units
from bot.services.audience import check_targets, officers_of, require_sender
from bot.services.errors import InvalidInput
from bot.services.people import Actor
from bot.services.reminders import ReminderPlan
from bot.storage.models import Unit, to_local
from knowledge.text import fold, shorten

MAX_UNIT_BUTTONS = 12
TEXT_STEPS = frozenset({"unit", "date"})
_TEMPLATE_WORDS = ("mau", "template")


def start(session: Session, actor: Actor, platform: str, chat_id: str, args: str,
          config: ReportConfig) -> TextReply:
    """/yeucaubaocao: the title and field lines, or «mẫu <số>»."""
    lines = [line.strip() for line in args.splitlines() if line.strip()]
    first = fold(lines[0]).lower().split() if lines else []
    if len(first) == 2 and first[0] in _TEMPLATE_WORDS and (number := row_id(first[1])):
        template = requests.template(session, actor, number)
        request = requests.create(
            session, actor, title=template.name, kind=template.kind,
            fields=form_fields.loads(template.fields_json), config=config,
            origin=(platform, chat_id), compose_step="unit", template_id=template.id)
        return ask(session, actor, request)
    if len(lines) < 2:
        require_sender(session, actor)
        return TextReply(texts.CREATE_USAGE)
    request = requests.create(session, actor, title=lines[0],
                              fields=form_fields.parse_definition(lines[1:]), config=config,
                              origin=(platform, chat_id), compose_step="unit")
    return ask(session, actor, request)


def start_opinion(session: Session, actor: Actor, platform: str, chat_id: str,
                  config: ReportConfig) -> TextReply:
    request = requests.create(session, actor, title="", kind="opinion", schedule="monthly",
                              config=config, origin=(platform, chat_id), compose_step="unit")
    return ask(session, actor, request)


def step(session: Session, actor: Actor, request_id: int, op: str, arg: str,
         now: datetime) -> TextReply:
    """A button's step (`op` must be the step being asked)."""
    request = requests.own_draft(session, actor, request_id)
    if op == "x":
        request.status, request.compose_step = "cancelled", None
        session.add(request)
        return TextReply(texts.DROPPED)
    if op != request.compose_step:
        raise InvalidInput(texts.USE_BUTTONS)
    if op == "unit":
        _set_unit(session, actor, request, data_id(arg))
    elif op == "who":
        if arg not in ("children", "units", "people"):
            raise ValueError(arg)
        request.answered_by, request.compose_step = arg, "sched"
        if arg == "children":
            _require_children(session, request)
    elif op == "sched":
        if arg not in ("once", "monthly", "quarterly"):
            raise ValueError(arg)
        request.schedule, request.compose_step = arg, "date"
    session.add(request)
    session.flush()
    return ask(session, actor, request, now=now)


def typed(session: Session, actor: Actor, request: ReportRequest, text: str,
          now: datetime) -> TextReply:
    """A typed answer at a text step (the unit's id, the deadline)."""
    if request.compose_step == "unit":
        unit_id = row_id(text.strip())
        if unit_id is None:
            raise InvalidInput(texts.UNIT_ID_INVALID)
        _set_unit(session, actor, request, unit_id)
    elif request.compose_step == "date":
        if request.schedule == "once":
            day = form_fields.parse_date(text, to_local(now).date())
            if day < to_local(now).date():
                raise InvalidInput(texts.DATE_PAST)
            if day > to_local(now).date() + timedelta(days=366):
                raise InvalidInput(texts.DATE_TOO_FAR)
            request.once_deadline_at = periods.end_of_day(day)
        else:
            due_day = number_in(text.strip(), 1, 31)
            if due_day is None:
                raise InvalidInput(texts.DUE_DAY_INVALID)
            request.due_day = due_day
        request.compose_step = "go"
    else:
        raise InvalidInput(texts.USE_BUTTONS)
    session.add(request)
    session.flush()
    return ask(session, actor, request, now=now)


def save_template(session: Session, actor: Actor, request_id: int) -> TextReply:
    request = requests.own_draft(session, actor, request_id)
    template = requests.save_template(session, actor, request)
    return TextReply(texts.TEMPLATE_SAVED.format(id=template.id, name=template.name))


def _set_unit(session: Session, actor: Actor, request: ReportRequest, unit_id: int) -> None:
    check_targets(session, actor, [unit_id])
    request.target_unit_ids = str(unit_id)
    request.compose_step = "sched" if request.kind == "opinion" else "who"


def _require_children(session: Session, request: ReportRequest) -> None:
    unit = units.get_unit(session, request.unit_ids[0])
    if not _child_count(session, unit):
        request.compose_step = "who"
        raise InvalidInput(texts.NO_CHILDREN.format(unit=unit.name))


def _child_count(session: Session, unit: Unit) -> int:
    return int(session.exec(select(func.count()).select_from(Unit)
                            .where(col(Unit.parent_id) == unit.id)).one())


def ask(session: Session, actor: Actor, request: ReportRequest, *,
        now: datetime | None = None) -> TextReply:
    rid = request.id
    cancel = Action(bot_texts.COMPOSE_CANCEL_BUTTON, f"rp:c:{rid}:x")
    step_ = request.compose_step
    if step_ == "unit":
        found = [u for u in units.list_units(session, actor)
                 if units.can_act_on(session, actor, u.id or 0)][:MAX_UNIT_BUTTONS]
        return TextReply(texts.ASK_UNIT, tuple(
            Action(shorten(u.name, LABEL_CHARS), f"rp:c:{rid}:unit:{u.id}") for u in found) + (cancel,))
    unit = units.get_unit(session, request.unit_ids[0])
    if step_ == "who":
        options = []
        if children := _child_count(session, unit):
            options.append(Action(shorten(texts.WHO_CHILDREN.format(count=children), LABEL_CHARS),
                                  f"rp:c:{rid}:who:children"))
        options += [Action(texts.WHO_UNITS, f"rp:c:{rid}:who:units"),
                    Action(texts.WHO_PEOPLE, f"rp:c:{rid}:who:people")]
        return TextReply(texts.ASK_WHO, (*options, cancel))
    if step_ == "sched":
        return TextReply(texts.ASK_SCHEDULE, (
            Action(texts.SCHEDULE_ONCE, f"rp:c:{rid}:sched:once"),
            Action(texts.SCHEDULE_MONTHLY, f"rp:c:{rid}:sched:monthly"),
            Action(texts.SCHEDULE_QUARTERLY, f"rp:c:{rid}:sched:quarterly"), cancel))
    now = now or request.created_at
    if step_ == "date":
        if request.schedule == "once":
            example = (to_local(now) + timedelta(days=7)).strftime("%d/%m/%Y")
            return TextReply(texts.ASK_ONCE_DATE.format(example=example), (cancel,))
        what = texts.DUE_DAY_MONTH if request.schedule == "monthly" else texts.DUE_DAY_QUARTER
        return TextReply(texts.ASK_DUE_DAY.format(what=what), (cancel,))
    return preview(session, request, unit, now)


def preview(session: Session, request: ReportRequest, unit: Unit, now: datetime) -> TextReply:
    rid = request.id
    if request.kind == "opinion":
        field_lines = "\n".join(f"• {label}" for label in (
            texts.OPINION_FIELD_TOPIC, texts.OPINION_FIELD_MOOD, texts.OPINION_FIELD_TEXT,
            texts.OPINION_FIELD_PHOTO))
    else:
        field_lines = "\n".join(f"{i}. {spec.describe()}" for i, spec in
                                enumerate(form_fields.loads(request.fields_json), 1))
    period = first_period(request, now)
    opens = texts.PREVIEW_OPENS.format(day=to_local(period.opens_at).strftime("%d/%m/%Y")) \
        if period.opens_at > now else ""
    found = requests.recipients(session, request)
    people = request.answered_by in ("people", "collaborators")
    lines = [texts.PREVIEW.format(
        title=request.title, fields=field_lines,
        who=texts.WHO_NAMES[request.answered_by].format(unit=unit.name),
        schedule=texts.SCHEDULE_NAMES[request.schedule].format(day=request.due_day),
        period=period.label, deadline=periods.show_day(period.deadline_at), opens=opens,
        reminders=reminders_line(request)),
        texts.PREVIEW_RECIPIENTS.format(count=len(found), what=texts.WHAT_PEOPLE if people
                                        else texts.WHAT_UNITS)]
    if (note := passed_note(request, period, now)) is not None:
        lines.insert(1, note)
    if not people:
        staffed = officers_of(session, [r.unit_id for r in found])
        missing = [r.unit_name for r in found if r.unit_id not in staffed]
        if missing:
            lines.append(texts.PREVIEW_NO_OFFICER.format(units=", ".join(missing[:15])))
    actions = [Action(texts.SEND_BUTTON, f"rp:c:{rid}:go")]
    if request.kind != "opinion":
        actions.append(Action(texts.SAVE_TEMPLATE_BUTTON, f"rp:c:{rid}:tpl"))
    actions.append(Action(bot_texts.COMPOSE_CANCEL_BUTTON, f"rp:c:{rid}:x"))
    return TextReply("\n".join(lines), tuple(actions))


def reminders_line(request: ReportRequest) -> str:
    days = ReminderPlan.parse_days(request.reminder_days)
    before = texts.REMINDERS_BEFORE.format(days=texts.AND.join(map(str, days))) if days \
        else texts.REMINDERS_NONE
    every = request.overdue_every_days
    overdue = (texts.OVERDUE_NEVER if every <= 0 else texts.OVERDUE_DAILY if every == 1
               else texts.OVERDUE_EVERY.format(days=every))
    return texts.REMINDERS_LINE.format(before=before, overdue=overdue,
                                       escalate=request.escalate_after_days)


__all__ = ["TEXT_STEPS", "ask", "preview", "reminders_line", "save_template", "start",
           "start_opinion", "step", "typed"]
