"""Composing a broadcast in a chat, one step at a time (Telegram shows the choices as
buttons; Zalo's channel can offer the same actions as numbered replies):

    text → document number (or skip) → target units → roles → the units' groups or not →
    ask for reading confirmation? → deadline → preview with the recipient count →
    send now / schedule for a time / cancel

The draft lives in the database (Broadcast.status "draft", `compose_step` says what the next
text message answers), so a restart in the middle of composing loses nothing. Every step goes
through bot.broadcast.service, which checks who may target what.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.broadcast import service
from bot.broadcast.models import Broadcast
from bot.broadcast.report import excerpt
from bot.core.arguments import data_id, data_number
from bot.core.types import Action, TextReply
from bot.services import units
from bot.services.errors import InvalidInput
from bot.services.people import Actor
from bot.storage.bases import shown_number
from bot.storage.models import LOCAL_TZ, to_local, utcnow
from bot import messages as texts

from bot import messages
from bot.broadcast import messages as broadcast_texts
MAX_UNIT_BUTTONS = 24
DEADLINE_HOURS = (24, 72, 168)
_TIME = re.compile(r"(?P<h>\d{1,2})\s*(?:[:hg]\s*(?P<m>\d{2})?)")
_DATE = re.compile(r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<mo>\d{1,2})(?:\s*[/.-]\s*(?P<y>\d{2,4}))?")


def _a(label: str, broadcast_id: int, op: str) -> Action:
    return Action(label, f"bc:{broadcast_id}:{op}")


def cancel_action(broadcast_id: int) -> Action:
    return _a(messages.COMPOSE_CANCEL_BUTTON, broadcast_id, "drop")


# --- steps --------------------------------------------------------------------------------


def start(session: Session, actor: Actor, platform: str, chat_id: str, text: str) -> TextReply:
    """/thongbao [nội dung]: a new draft (an older unfinished one in this chat is dropped)."""
    service.require_sender(session, actor)
    old = service.draft_in_chat(session, actor, platform, chat_id)
    if old is not None and old.id is not None:
        service.cancel(session, actor, old.id)
    draft = service.create(session, actor, origin=(platform, chat_id), compose_step="text")
    if text.strip():
        return take_text(session, actor, draft, text)
    assert draft.id is not None
    return TextReply(broadcast_texts.COMPOSE_ASK_TEXT, (cancel_action(draft.id),))


def take_text(session: Session, actor: Actor, draft: Broadcast, text: str,
              doc_label: str | None = None) -> TextReply:
    """A text message while a draft waits for one: the content, the number or the time."""
    assert draft.id is not None
    if draft.compose_step == "text":
        draft.text = service.clean_text(text)
        return _goto(session, draft, "doc")
    if draft.compose_step == "doc":
        number = " ".join(text.split())[:64]
        if not number:
            raise InvalidInput(broadcast_texts.COMPOSE_ASK_DOC)
        draft.doc_number = doc_label or number
        return _goto(session, draft, "targets", actor)
    if draft.compose_step == "schedule":
        at = parse_time(text)
        service.confirm(session, actor, draft.id, at=at)
        return TextReply(broadcast_texts.COMPOSE_SCHEDULED.format(
            id=shown_number(draft), time=to_local(at).strftime("%H:%M %d/%m/%Y")),
            (Action(broadcast_texts.BROADCAST_STOP_BUTTON, f"bc:{shown_number(draft)}:stop"),))
    return TextReply(broadcast_texts.COMPOSE_USE_BUTTONS, (cancel_action(draft.id),))


def take_file(session: Session, actor: Actor, draft: Broadcast, platform: str, file_id: str,
              name: str) -> TextReply:
    """A document at the document step: sent after the text, to recipients on `platform`
    (a file id is only valid on the platform it was uploaded to)."""
    draft.attachment_platform, draft.attachment_file_id = platform, file_id[:255]
    draft.attachment_name = (name or "")[:255] or None
    reply = _goto(session, draft, "targets", actor)
    note = broadcast_texts.COMPOSE_FILE_ATTACHED.format(name=name or "—")
    return TextReply(note + "\n" + reply.text, reply.actions)


def press(session: Session, actor: Actor, broadcast_id: int, op: str,
          arg: str) -> tuple[TextReply | None, str | None]:
    """A button of the conversation: (the next prompt or None, a short notice or None)."""
    draft = service.own_draft(session, actor, broadcast_id)
    if op == "skipdoc":
        draft.doc_number = None
        return _goto(session, draft, "targets", actor), None
    if op == "unit":
        unit_id = data_id(arg)
        service.check_targets(session, actor, [unit_id])
        chosen = draft.unit_ids
        if unit_id in chosen:
            chosen.remove(unit_id)
            notice = broadcast_texts.COMPOSE_UNIT_REMOVED
        else:
            chosen.append(unit_id)
            notice = broadcast_texts.COMPOSE_UNIT_ADDED
        draft.target_unit_ids = ",".join(map(str, chosen))
        session.add(draft)
        name = units.get_unit(session, unit_id).name
        return None, notice.format(unit=name, count=len(chosen))
    if op == "units":
        if not draft.unit_ids:
            return None, broadcast_texts.BROADCAST_NO_TARGETS
        return _goto(session, draft, "roles"), None
    if op == "roles":
        roles = {"all": "member,officer", "member": "member", "officer": "officer"}[arg]
        draft.roles = roles
        return _goto(session, draft, "groups"), None
    if op == "groups":
        draft.include_groups = arg == "1"
        return _goto(session, draft, "confirm"), None
    if op == "confirm":
        draft.require_confirmation = arg == "1"
        return _goto(session, draft, "deadline" if arg == "1" else "preview"), None
    if op == "deadline":
        hours = data_number(arg, 0, max(DEADLINE_HOURS))
        if hours and hours not in DEADLINE_HOURS:
            raise ValueError(arg)  # only the offered choices: a forged button gets nothing else
        draft.deadline_at = utcnow() + timedelta(hours=hours) if hours else None
        return _goto(session, draft, "preview"), None
    if op == "schedule":
        return _goto(session, draft, "schedule"), None
    raise ValueError(op)


def _goto(session: Session, draft: Broadcast, step: str, actor: Actor | None = None) -> TextReply:
    draft.compose_step = step
    session.add(draft)
    session.flush()
    assert draft.id is not None
    bid = draft.id
    cancel = cancel_action(bid)
    if step == "doc":
        return TextReply(broadcast_texts.COMPOSE_ASK_DOC, (_a(broadcast_texts.COMPOSE_SKIP_BUTTON, bid, "skipdoc"), cancel))
    if step == "targets":
        assert actor is not None
        scope = units.list_units(session, actor)
        allowed = [u for u in scope if units.can_act_on(session, actor, u.id or 0)]
        top = min((u.depth for u in allowed), default=0)
        buttons = tuple(_a(f"{'› ' * (u.depth - top)}{u.name}", bid, f"unit:{u.id}")
                        for u in allowed[:MAX_UNIT_BUTTONS])
        hint = broadcast_texts.COMPOSE_ASK_UNITS
        if len(allowed) > MAX_UNIT_BUTTONS:
            hint += "\n" + broadcast_texts.COMPOSE_TOO_MANY_UNITS.format(count=MAX_UNIT_BUTTONS)
        return TextReply(hint, buttons + (_a(broadcast_texts.COMPOSE_DONE_BUTTON, bid, "units"), cancel))
    if step == "roles":
        return TextReply(broadcast_texts.COMPOSE_ASK_ROLES, (
            _a(broadcast_texts.COMPOSE_ROLES_ALL, bid, "roles:all"),
            _a(broadcast_texts.COMPOSE_ROLES_MEMBER, bid, "roles:member"),
            _a(broadcast_texts.COMPOSE_ROLES_OFFICER, bid, "roles:officer"), cancel))
    if step == "groups":
        return TextReply(broadcast_texts.COMPOSE_ASK_GROUPS, (
            _a(broadcast_texts.COMPOSE_YES, bid, "groups:1"), _a(broadcast_texts.COMPOSE_NO, bid, "groups:0"), cancel))
    if step == "confirm":
        return TextReply(broadcast_texts.COMPOSE_ASK_CONFIRM, (
            _a(broadcast_texts.COMPOSE_YES, bid, "confirm:1"), _a(broadcast_texts.COMPOSE_NO, bid, "confirm:0"), cancel))
    if step == "deadline":
        options = tuple(_a(broadcast_texts.COMPOSE_DEADLINE_HOURS.get(
            h, broadcast_texts.COMPOSE_DEADLINE_OTHER.format(hours=h)), bid, f"deadline:{h}")
                        for h in DEADLINE_HOURS)
        return TextReply(broadcast_texts.COMPOSE_ASK_DEADLINE,
                         options + (_a(broadcast_texts.COMPOSE_NO_DEADLINE, bid, "deadline:0"), cancel))
    if step == "preview":
        return preview(session, draft)
    if step == "schedule":
        return TextReply(broadcast_texts.COMPOSE_ASK_TIME, (cancel,))
    raise ValueError(step)


def reprompt(session: Session, actor: Actor, draft: Broadcast) -> TextReply:
    """The current step's question and choices again, after text that chose nothing (on
    platforms where choices are typed)."""
    assert draft.compose_step is not None
    reply = _goto(session, draft, draft.compose_step, actor)
    return TextReply(broadcast_texts.COMPOSE_NOT_UNDERSTOOD + "\n\n" + reply.text, reply.actions)


def preview(session: Session, draft: Broadcast) -> TextReply:
    assert draft.id is not None
    counts = service.preview(session, draft)
    unit_names = [units.get_unit(session, u).name for u in draft.unit_ids]
    roles = ", ".join(texts.ROLE_NAMES[r] for r in draft.role_list)
    lines = [broadcast_texts.COMPOSE_PREVIEW_TITLE, "", draft.text, ""]
    if draft.doc_number:
        lines.append(broadcast_texts.BROADCAST_DOC_LINE.format(number=draft.doc_number))
    if draft.attachment_file_id:
        lines.append(broadcast_texts.COMPOSE_PREVIEW_FILE.format(name=draft.attachment_name or "—"))
        # A file id is valid on its own platform only: Zalo members get the text alone.
        per_platform = service.messages_by_platform(session, draft)
        elsewhere = sum(n for p, n in per_platform.items() if p != draft.attachment_platform)
        if elsewhere:
            platform = draft.attachment_platform or ""
            lines.append(broadcast_texts.COMPOSE_PREVIEW_FILE_ELSEWHERE.format(
                platform=texts.PLATFORM_NAMES.get(platform, platform), count=elsewhere))
    lines.append(broadcast_texts.COMPOSE_PREVIEW_TARGETS.format(units="; ".join(unit_names), roles=roles))
    lines.append(broadcast_texts.COMPOSE_PREVIEW_COUNTS.format(
        people=counts.people, reachable=counts.reachable_people,
        messages=counts.private_messages, groups=counts.groups))
    if counts.never_wrote:
        lines.append(broadcast_texts.COMPOSE_PREVIEW_UNREACHABLE.format(count=counts.never_wrote))
    lines += messages.unreachable_lines(counts.blocked_people, counts.unreachable_groups)
    if draft.require_confirmation:
        deadline = (to_local(draft.deadline_at).strftime("%H:%M %d/%m/%Y")
                    if draft.deadline_at else broadcast_texts.COMPOSE_NO_DEADLINE)
        lines.append(broadcast_texts.COMPOSE_PREVIEW_CONFIRM.format(deadline=deadline))
    return TextReply("\n".join(lines), (
        _a(broadcast_texts.COMPOSE_SEND_BUTTON, draft.id, "send"),
        _a(broadcast_texts.COMPOSE_SCHEDULE_BUTTON, draft.id, "schedule"), cancel_action(draft.id)))


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """"20:00 25/11", "25/11/2026 7h30", "7:30 25-11-26" (Vietnam time) → aware UTC."""
    now = to_local(now or utcnow())
    date_m = _DATE.search(text)
    rest = text[:date_m.start()] + " " + text[date_m.end():] if date_m else text
    time_m = _TIME.search(rest)
    if time_m is None:
        raise InvalidInput(broadcast_texts.BROADCAST_TIME_INVALID)
    hour, minute = int(time_m["h"]), int(time_m["m"] or 0)
    try:
        if date_m:
            year = int(date_m["y"]) if date_m["y"] else now.year
            year += 2000 if year < 100 else 0
            moment = datetime(year, int(date_m["mo"]), int(date_m["d"]), hour, minute,
                              tzinfo=LOCAL_TZ)
            if not date_m["y"] and moment < now:
                moment = moment.replace(year=year + 1)
        else:
            moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if moment <= now:
                moment += timedelta(days=1)
    except ValueError:
        raise InvalidInput(broadcast_texts.BROADCAST_TIME_INVALID) from None
    return moment.astimezone(utcnow().tzinfo)


def describe(broadcast: Broadcast) -> str:
    """One line for lists: number (a draft dropped before it was sent: none), status, when,
    excerpt."""
    status = broadcast_texts.BROADCAST_STATUS_NAMES.get(broadcast.status, broadcast.status)
    when = broadcast.scheduled_at or broadcast.confirmed_at or broadcast.created_at
    label = (f"#{shown_number(broadcast)}" if broadcast.confirmed_at is not None
             else f"({broadcast_texts.AUDIT_DRAFT})")
    return f"{label} [{status}] {to_local(when).strftime('%H:%M %d/%m')} «{excerpt(broadcast.text, 50)}»"


__all__ = ["cancel_action", "describe", "parse_time", "press", "preview", "reprompt", "start",
           "take_file", "take_text"]
