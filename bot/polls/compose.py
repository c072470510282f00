"""Creating a poll in chat, step by step: the officer sends the question and the options in
one message (`/khaosat` then one line each), then chooses with buttons (numbered hints on
Zalo and in the terminal): one or several options → anonymous or named → how long it stays
open → the target unit (with its subtree) → preview with the number of chats → send.

The draft is a Poll row in status "draft" with `compose_step` saying which choice is awaited,
so a restart loses nothing. Buttons carry `pl:<poll id>:<op>[:<arg>]`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.core.arguments import data_id, number_in
from bot.core.types import LABEL_CHARS, Action, TextReply
from bot.polls import service
from bot.polls.models import Poll
from bot.services import units
from bot.services.errors import InvalidInput, PermissionDenied
from bot.services.people import Actor
from bot.storage.models import to_local, utcnow
from bot import messages
from bot.polls import messages as poll_texts
from knowledge.text import shorten

MAX_UNIT_BUTTONS = 12


def start(session: Session, actor: Actor, platform: str, chat_id: str, args: str) -> TextReply:
    lines = [line.strip() for line in args.splitlines() if line.strip()]
    if len(lines) < 3:
        service.require_sender(session, actor)
        return TextReply(poll_texts.POLL_CREATE_USAGE)
    poll = service.create(session, actor, question=lines[0], options=lines[1:],
                          origin=(platform, chat_id), compose_step="kind")
    return _ask(session, actor, poll)


def step(session: Session, actor: Actor, poll_id: int, op: str, arg: str) -> TextReply:
    poll = own_draft(session, actor, poll_id)
    if op == "x":
        poll.status, poll.compose_step = "cancelled", None
        session.add(poll)
        return TextReply(poll_texts.POLL_DROPPED)
    if op != poll.compose_step:
        raise InvalidInput(poll_texts.POLL_USE_BUTTONS)
    if op == "kind":
        poll.multiple, poll.compose_step = arg == "n", "anon"
    elif op == "anon":
        poll.anonymous, poll.compose_step = arg == "1", "dur"
    elif op == "dur":
        hours = number_in(arg, 1, 10_000) or 0
        if hours not in {int(h) for h, _ in poll_texts.POLL_DURATIONS}:
            raise InvalidInput(poll_texts.POLL_USE_BUTTONS)
        poll.closes_at, poll.compose_step = utcnow() + timedelta(hours=hours), "unit"
    elif op == "unit":
        unit_id = data_id(arg)
        service.check_targets(session, actor, [unit_id])
        poll.target_unit_ids, poll.compose_step = str(unit_id), "go"
    session.add(poll)
    session.flush()
    return _ask(session, actor, poll)


def own_draft(session: Session, actor: Actor, poll_id: int) -> Poll:
    poll = service.get(session, actor, poll_id)
    if poll.created_by_person_id != actor.person_id:
        raise PermissionDenied()
    if poll.status != "draft":
        raise InvalidInput(poll_texts.POLL_NOT_DRAFT)
    return poll


def _ask(session: Session, actor: Actor, poll: Poll) -> TextReply:
    pid = poll.id
    cancel = Action(messages.COMPOSE_CANCEL_BUTTON, f"pl:{pid}:x")
    if poll.compose_step == "kind":
        return TextReply(poll_texts.POLL_ASK_KIND, (
            Action(poll_texts.POLL_SINGLE_BUTTON, f"pl:{pid}:kind:1"),
            Action(poll_texts.POLL_MULTIPLE_BUTTON, f"pl:{pid}:kind:n"), cancel))
    if poll.compose_step == "anon":
        return TextReply(poll_texts.POLL_ASK_ANONYMOUS, (
            Action(poll_texts.POLL_ANONYMOUS_BUTTON, f"pl:{pid}:anon:1"),
            Action(poll_texts.POLL_NAMED_BUTTON, f"pl:{pid}:anon:0"), cancel))
    if poll.compose_step == "dur":
        return TextReply(poll_texts.POLL_ASK_DURATION, tuple(
            Action(label, f"pl:{pid}:dur:{hours}") for hours, label in poll_texts.POLL_DURATIONS
        ) + (cancel,))
    if poll.compose_step == "unit":
        found = units.list_units(session, actor)[:MAX_UNIT_BUTTONS]
        return TextReply(poll_texts.POLL_ASK_UNITS, tuple(
            Action(shorten(u.name, LABEL_CHARS), f"pl:{pid}:unit:{u.id}") for u in found) + (cancel,))
    return _preview(session, poll)


def _preview(session: Session, poll: Poll) -> TextReply:
    found = service.audience(session, poll)
    unit_ids = poll.unit_ids
    unit = units.get_unit(session, unit_ids[0]).name if unit_ids else "—"
    options = "\n".join(f"{i}. {o}" for i, o in enumerate(poll.options, 1))
    at = to_local(poll.closes_at).strftime("%H:%M %d/%m/%Y") if poll.closes_at else "—"
    text = poll_texts.POLL_PREVIEW.format(
        question=poll.question, options=options,
        kind=poll_texts.POLL_MULTIPLE_BUTTON if poll.multiple else poll_texts.POLL_SINGLE_BUTTON,
        anonymity=poll_texts.POLL_ANONYMOUS_BUTTON if poll.anonymous else poll_texts.POLL_NAMED_BUTTON,
        at=at, unit=unit, messages=found.messages, groups=len(found.groups))
    text = "\n".join([text, *messages.unreachable_lines(found.blocked_people,
                                                      len(found.unreachable_groups))])
    return TextReply(text, (Action(poll_texts.POLL_SEND_BUTTON, f"pl:{poll.id}:go"),
                            Action(messages.COMPOSE_CANCEL_BUTTON, f"pl:{poll.id}:x")))


__all__ = ["own_draft", "start", "step"]
