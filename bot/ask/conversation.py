"""Where a person's conversation in a chat stands, so that a follow-up ("còn gì nữa?")
continues their previous question (bot/ask/followups.py).

Kept in the database (`Conversation`, one row per platform, chat and person), not in the
process's memory: with several serving processes (issue 17) any process may handle any
update, so the one that gets "còn gì nữa?" is often not the one that answered the question
before it. Per-chat order is kept by every channel (bot/channels/chat_turns.py, and the
inbox's per-chat claiming across processes), so a chat's follow-up is handled after its
previous question's row was written: that write is part of handling the question. The row is
written in the same transaction as the question log's (best-effort, like it: a database that
cannot be written loses the conversation, not the answer), and read only when a message is a
follow-up, so an ordinary question costs no extra read. Rows older than the window are
useless; each process deletes them every `PRUNE_EVERY` writes, which bounds the table by the
conversations of the last window.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.ask.models import Conversation
from bot.services import questions
from bot.services.people import Actor
from bot.storage.leases import aware
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

MAX_SHOWN = 60  # chunk ids remembered per question (twenty "còn gì nữa?" of three passages)
PRUNE_EVERY = 256  # writes between two deletions of stale rows, per process
_writes = itertools.count(1)


@dataclass(frozen=True)
class State:
    """What a follow-up continues: the question as understood, its log row, the passages
    shown for it (all, and the last reply's in order) and the last reply's document."""

    question: str
    question_id: int | None
    shown: tuple[str, ...]
    last: tuple[str, ...]
    doc_id: str | None


@dataclass(frozen=True)
class Logged:
    """A question to log and where the conversation then stands. `follows` is the log row
    of the question a follow-up continues (None: a question of its own); `state` None keeps
    the conversation as it was (a follow-up that showed nothing new)."""

    platform: str
    chat_id: str
    text: str
    latency_ms: int
    answered: bool
    top_doc_id: str | None = None
    top_section: str | None = None
    follows: int | None = None
    state: State | None = None


def recall(session: Session, actor: Actor, platform: str, chat_id: str, window: timedelta,
           now: datetime | None = None) -> State | None:
    """The conversation of `actor` in this chat, if its last question is within `window`."""
    row = session.exec(select(Conversation).where(
        Conversation.platform == platform, Conversation.chat_id == str(chat_id),
        Conversation.person_id == actor.person_id)).first()
    if row is None or aware(row.updated_at) < (now or utcnow()) - window:
        return None
    return State(row.question, row.question_id, tuple(_ids(row.shown)), tuple(_ids(row.last)),
                 row.doc_id)


def record(session: Session, actor: Actor | None, logged: Logged, window: timedelta,
           now: datetime | None = None) -> int:
    """Log the question (bot.services.questions.log_question) and remember where the
    conversation stands, in one transaction; the log row's id. Without a known person
    (`actor` None) only the log is written."""
    now = now or utcnow()
    question_id = questions.log_question(
        session, actor, logged.platform, logged.chat_id, logged.text,
        latency_ms=logged.latency_ms, answered=logged.answered, top_doc_id=logged.top_doc_id,
        top_section=logged.top_section, follows_id=logged.follows, now=now)
    if actor is not None and logged.state is not None:
        state = logged.state
        if logged.follows is None:  # a question of its own: its log row is the one to follow
            state = State(state.question, question_id, state.shown, state.last, state.doc_id)
        _remember(session, actor, logged.platform, logged.chat_id, state, now)
        if next(_writes) % PRUNE_EVERY == 0:
            prune(session, now - window)
    return question_id


def _remember(session: Session, actor: Actor, platform: str, chat_id: str, state: State,
              now: datetime) -> None:
    row = session.exec(select(Conversation).where(
        Conversation.platform == platform, Conversation.chat_id == str(chat_id),
        Conversation.person_id == actor.person_id)).first()
    if row is None:
        row = Conversation(platform=platform, chat_id=str(chat_id), person_id=actor.person_id,
                           question="")
    row.question = state.question[:1000]
    row.question_id = state.question_id
    row.shown = _dump(state.shown[-MAX_SHOWN:], 8000)
    row.last = _dump(state.last, 2000)
    row.doc_id = state.doc_id[:255] if state.doc_id else None
    row.updated_at = now
    session.add(row)


def prune(session: Session, before: datetime) -> int:
    """Delete conversations last touched before `before`; how many."""
    result = session.exec(delete(Conversation).where(  # type: ignore[call-overload]
        col(Conversation.updated_at) < before))
    removed = int(result.rowcount or 0)
    if removed:
        logger.info("conversations: %d older than %s forgotten", removed, before.isoformat())
    return removed


def _dump(ids: Sequence[str], limit: int) -> str:
    ids = list(ids)
    text = json.dumps(ids, ensure_ascii=False)
    while len(text) > limit and ids:  # the oldest go first
        ids.pop(0)
        text = json.dumps(ids, ensure_ascii=False)
    return text


def _ids(text: str) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


__all__ = ["Logged", "MAX_SHOWN", "State", "prune", "recall", "record"]
