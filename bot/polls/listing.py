"""What /dskhaosat says: for an officer or admin, the polls they manage (created, or
addressed only to units in their scope: bot.polls.service.recent); for everyone, the open
polls addressed to them as voters (bot.polls.service.open_to), each with its options, its
deadline and how to answer on the platform the command came from. Which polls a person
sees is decided in the service; this module only words it."""

from __future__ import annotations

from sqlmodel import Session

from bot.polls import messages as poll_texts
from bot.polls import service
from bot.polls.models import Poll
from bot.services.people import Actor
from bot.storage.bases import shown_number
from bot.storage.models import to_local
from knowledge.text import shorten

LIST_QUESTION_CHARS = 60  # a managed poll's question, cut after a whole word
OPEN_QUESTION_CHARS = 200  # an open poll's question: the voter reads it whole where it fits
OPTION_CHARS = 60  # one option in the open poll's options line


def poll_list(session: Session, actor: Actor, native_polls: bool) -> str:
    """The /dskhaosat text. `native_polls`: the asking chat's platform votes in native polls
    (Telegram) rather than by typed numbers (Zalo, the terminal)."""
    managed = service.recent(session, actor) if actor.is_admin or actor.is_officer else []
    shown = {p.id for p in managed}
    voting = [p for p in service.open_to(session, actor) if p.id not in shown]
    parts: list[str] = []
    if managed:
        parts.append("\n".join([poll_texts.POLL_LIST_TITLE] + [
            f"#{shown_number(p)} — {poll_texts.POLL_STATUS_NAMES.get(p.status, p.status)} — "
            f"{shorten(p.question, LIST_QUESTION_CHARS)}" for p in managed]))
    if voting:
        parts.append("\n\n".join([poll_texts.POLL_OPEN_TITLE]
                                 + [_open_poll(p, native_polls, len(voting) > 1)
                                    for p in voting]))
    if parts:
        return "\n\n".join(parts)
    return poll_texts.POLL_NONE_OPEN if not (actor.is_admin or actor.is_officer) \
        else poll_texts.POLL_NONE_YET


def _open_poll(poll: Poll, native_polls: bool, several: bool) -> str:
    lines = [poll_texts.POLL_OPEN_ITEM.format(id=shown_number(poll),
                                              question=shorten(poll.question, OPEN_QUESTION_CHARS)),
             " · ".join(f"{i}. {shorten(o, OPTION_CHARS)}" for i, o in enumerate(poll.options, 1))]
    if poll.closes_at is not None:
        lines.append(poll_texts.POLL_TEXT_DEADLINE.format(
            at=to_local(poll.closes_at).strftime("%H:%M %d/%m/%Y")))
    lines.append(_how(poll, native_polls, several))
    return "\n".join(lines)


def _how(poll: Poll, native_polls: bool, several: bool) -> str:
    """How to answer: in the native poll (Telegram), or by typing the number(s) — for an
    anonymous poll in private, where no one else sees the choice (bot.polls.posting says the
    same in a group's copy). With `several` polls listed, typed answers name the poll ("#12 1":
    a bare number answers only the newest poll of a chat)."""
    if native_polls:
        return poll_texts.POLL_HOW_NATIVE
    if several:
        typed = (poll_texts.POLL_HOW_CODED_MULTIPLE if poll.multiple
                 else poll_texts.POLL_HOW_CODED_SINGLE).format(id=shown_number(poll))
    else:
        typed = poll_texts.POLL_HOW_TYPED_MULTIPLE if poll.multiple \
            else poll_texts.POLL_HOW_TYPED_SINGLE
    where = poll_texts.POLL_HOW_WHERE_PRIVATE if poll.anonymous else poll_texts.POLL_HOW_WHERE_CHAT
    return typed + where


__all__ = ["poll_list"]
