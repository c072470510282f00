"""Polls as the services see them: create, open (post to the targets), vote, close, and who
may do which.

Rules (enforced here, never in adapters), the same as broadcasts (and checked by the same
functions, bot.services.audience.require_sender / check_targets): members cannot create
polls; an officer targets only units in their subtree; admins anywhere. A poll and its
results are seen by its author, admins, and officers whose scope covers all its target
units. `actor=None` is the server operator's CLI (trusted).

Targets are resolved exactly as for broadcasts (bot.services.audience.resolve): each
target unit with its subtree, members by role in their private chats on every platform, and
the units' registered groups. Each chat gets one PollMessage.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from bot.services.audience import Audience, check_targets, may_manage, require_sender, resolve
from bot.polls import anonymity
from bot.polls.models import MAX_OPTIONS, MIN_OPTIONS, Poll, PollMessage
from bot.services import reachability
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor
from bot.services.units import scope_paths
from bot.storage.bases import by_number, give_number
from bot.storage.models import ROLES, Membership, Unit, utcnow, valid_id
from bot import messages as texts
from bot.polls import messages as poll_texts
from knowledge.text import normalize

logger = logging.getLogger(__name__)

MAX_QUESTION = 300  # Telegram's poll question limit
MAX_OPTION = 100  # Telegram's poll option limit
ROLE_ORDER = ("member", "officer")


def clean_question(text: str) -> str:
    question = normalize(text).strip()
    if not question:
        raise InvalidInput(poll_texts.POLL_QUESTION_EMPTY)
    if len(question) > MAX_QUESTION:
        raise InvalidInput(poll_texts.POLL_QUESTION_TOO_LONG.format(limit=MAX_QUESTION))
    return question


def clean_options(options: Sequence[str]) -> list[str]:
    cleaned = [normalize(o).strip() for o in options if o and o.strip()]
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        raise InvalidInput(poll_texts.POLL_OPTIONS_COUNT.format(low=MIN_OPTIONS, high=MAX_OPTIONS))
    if any(len(o) > MAX_OPTION for o in cleaned):
        raise InvalidInput(poll_texts.POLL_OPTION_TOO_LONG.format(limit=MAX_OPTION))
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise InvalidInput(poll_texts.POLL_OPTIONS_REPEATED)
    return cleaned


def create(
    session: Session, actor: Actor | None, *, question: str, options: Sequence[str],
    multiple: bool = False, anonymous: bool = True, closes_at: datetime | None = None,
    unit_ids: Sequence[int] = (), roles: Sequence[str] = ROLE_ORDER, include_groups: bool = True,
    origin: tuple[str, str] | None = None, compose_step: str | None = None,
) -> Poll:
    """A draft poll (opened by `open_poll`)."""
    require_sender(session, actor)
    check_targets(session, actor, unit_ids)
    if any(r not in ROLES for r in roles):
        raise InvalidInput(texts.ROLE_INVALID)
    if closes_at is not None and closes_at <= utcnow():
        raise InvalidInput(poll_texts.POLL_CLOSES_IN_PAST)
    poll = Poll(
        question=clean_question(question), options_json=json.dumps(clean_options(options),
                                                                    ensure_ascii=False),
        multiple=multiple, anonymous=anonymous, closes_at=closes_at,
        target_unit_ids=",".join(map(str, dict.fromkeys(unit_ids))),
        roles=",".join(r for r in ROLE_ORDER if r in roles), include_groups=include_groups,
        created_by_person_id=actor.person_id if actor else None,
        origin_platform=origin[0] if origin else None,
        origin_chat_id=origin[1] if origin else None, compose_step=compose_step,
    )
    session.add(poll)
    session.flush()
    logger.info("poll %s created by person %s", poll.id, actor.person_id if actor else "cli")
    return poll


def audience(session: Session, poll: Poll) -> Audience:
    return resolve(session, poll.unit_ids, poll.role_list,
                   poll.include_groups)


OPENED = col(Poll.opened_at).is_not(None)  # opened: open, closed, or cancelled since


def get(session: Session, actor: Actor | None, poll_id: int) -> Poll:
    """The poll (by its row id: a draft's buttons carry it) if the actor may see and manage
    it (results included)."""
    poll = session.get(Poll, poll_id) if valid_id(poll_id) else None
    return _managed(session, actor, poll)


def numbered(session: Session, actor: Actor | None, number: int) -> Poll:
    """The poll people call #`number` (what they see and type: /ketqua 2), if the actor may
    see and manage it. A draft has no number: a number never finds one."""
    poll = by_number(session, Poll, number, OPENED) if valid_id(number) else None
    return _managed(session, actor, poll)


def _managed(session: Session, actor: Actor | None, poll: Poll | None) -> Poll:
    if poll is None:
        raise NotFound(poll_texts.POLL_NOT_FOUND)
    if may_manage(session, actor, poll.created_by_person_id, poll.unit_ids):
        return poll
    if actor is not None and not actor.is_officer:
        # A member, of the poll's own units or not: results and closing are the officers'
        # (docs/officers.md: "cán bộ xem kết quả"); not the other-unit text meant for officers.
        raise PermissionDenied(poll_texts.POLL_MEMBER_NOT_OFFICER)
    raise PermissionDenied(poll_texts.POLL_OTHER_UNIT)


def open_poll(session: Session, actor: Actor | None, poll_id: int) -> int:
    """Post it: a pending PollMessage per chat of its audience. Returns the number of chats."""
    poll = get(session, actor, poll_id)
    if poll.status != "draft":
        raise InvalidInput(poll_texts.POLL_NOT_DRAFT)
    if not poll.unit_ids:
        raise InvalidInput(poll_texts.POLL_NO_TARGETS)
    if poll.closes_at is not None and poll.closes_at <= utcnow():
        raise InvalidInput(poll_texts.POLL_CLOSES_IN_PAST)
    found = audience(session, poll)
    for _person, unit_id, platform, chat_id in found.private_chats:
        session.add(PollMessage(poll_id=poll_id, unit_id=unit_id, platform=platform,
                                chat_id=chat_id, chat_kind="private"))
    for unit_id, platform, chat_id in found.groups:
        session.add(PollMessage(poll_id=poll_id, unit_id=unit_id, platform=platform,
                                chat_id=chat_id, chat_kind="group"))
    if poll.anonymous:
        anonymity.create_key(session, poll_id)
    poll.status, poll.opened_at, poll.compose_step = "open", utcnow(), None
    number = give_number(session, poll, OPENED)  # the first number it takes: a draft takes none
    logger.info("poll %s opened as #%d: %d chats", poll_id, number, found.messages)
    return found.messages


def close(session: Session, actor: Actor | None, poll_id: int) -> bool:
    """Close now (an officer, the CLI, or the deadline). False when it was not open. The
    runner then stops the Telegram polls and sends the final results."""
    poll = get(session, actor, poll_id)
    return close_unchecked(session, poll)


def close_unchecked(session: Session, poll: Poll) -> bool:
    assert poll.id is not None
    closed = session.execute(
        update(Poll).where(col(Poll.id) == poll.id, col(Poll.status) == "open")
        .values(status="closed", closed_at=utcnow())).rowcount
    if not closed:
        return False
    if poll.anonymous:
        anonymity.forget_voters(session, poll)
    # A numbered text (no native poll: Zalo) has nothing to stop; unsent messages will never
    # be sent.
    session.execute(update(PollMessage).where(
        col(PollMessage.poll_id) == poll.id, col(PollMessage.status) == "pending")
        .values(status="failed", error="closed before sending"))
    session.execute(update(PollMessage).where(
        col(PollMessage.poll_id) == poll.id, col(PollMessage.telegram_poll_id).is_(None),
        col(PollMessage.forwarded_from).is_(None),
        col(PollMessage.status) == "sent").values(status="stopped"))
    logger.info("poll %s closed", poll.id)
    return True


def move_chat(session: Session, platform: str, old_chat_id: str, new_chat_id: str) -> int:
    """A group moved (Telegram: upgraded to a supergroup): the stored group follows
    (bot.services.reachability.move_chat, idempotent), and so do the poll messages naming it
    and polls composed there (a poll that already has a message for the new id keeps that
    one). Returns the messages re-pointed."""
    reachability.move_chat(session, platform, old_chat_id, new_chat_id)
    where = (col(PollMessage.platform) == platform, col(PollMessage.chat_id) == old_chat_id)
    taken = select(PollMessage.poll_id).where(
        col(PollMessage.platform) == platform, col(PollMessage.chat_id) == new_chat_id)
    session.execute(update(PollMessage).where(
        *where, col(PollMessage.poll_id).in_(taken), col(PollMessage.status) == "pending")
        .values(status="failed", error=f"chat moved to {new_chat_id}, already a recipient"))
    moved = session.execute(update(PollMessage).where(
        *where, col(PollMessage.poll_id).not_in(taken)).values(chat_id=new_chat_id)).rowcount
    session.execute(update(Poll).where(
        col(Poll.origin_platform) == platform, col(Poll.origin_chat_id) == old_chat_id)
        .values(origin_chat_id=new_chat_id))
    return int(moved or 0)


def due(session: Session, now: datetime | None = None) -> list[Poll]:
    return list(session.exec(select(Poll).where(
        col(Poll.status) == "open", col(Poll.closes_at).is_not(None),
        col(Poll.closes_at) <= (now or utcnow()))).all())


def recent(session: Session, actor: Actor | None, limit: int = 15) -> list[Poll]:
    """The polls /dskhaosat lists for managing, newest first, at most `limit`: everything for
    an admin or the CLI; for an officer, the polls they created and those whose every target
    unit lies in their scope (the polls `may_manage` lets them see, close and read: the same
    rule as /ketqua); none for a member (see `open_to`). Drafts are no polls yet."""
    query = select(Poll).where(OPENED).order_by(col(Poll.id).desc())
    if actor is None or actor.is_admin:
        return list(session.exec(query.limit(limit)).all())
    tops = scope_paths(session, actor) or []
    if not tops:
        return list(session.exec(query.where(
            col(Poll.created_by_person_id) == actor.person_id).limit(limit)).all())
    found: list[Poll] = []
    for batch in _batches(session, query):
        paths = _unit_paths(session, batch)
        found += [p for p in batch if p.created_by_person_id == actor.person_id or (
            p.unit_ids and all(u in paths and paths[u].startswith(tuple(tops))
                               for u in p.unit_ids))]
        if len(found) >= limit:
            break
    return found[:limit]


def open_to(session: Session, actor: Actor, limit: int = 15) -> list[Poll]:
    """The open polls addressed to the actor as a voter, newest first, at most `limit`: a
    target unit is one of their units or a parent of one, and their role in that unit is
    among the poll's roles (the rule bot.services.audience.resolve posts by)."""
    memberships = session.exec(
        select(Unit.path, Membership.role).join(Membership, col(Membership.unit_id) == col(Unit.id))
        .where(col(Membership.person_id) == actor.person_id)).all()
    if not memberships:
        return []
    query = select(Poll).where(col(Poll.status) == "open").order_by(col(Poll.id).desc())
    found: list[Poll] = []
    for batch in _batches(session, query):
        paths = _unit_paths(session, batch)
        found += [p for p in batch if any(
            role in p.role_list and any(u in paths and path.startswith(paths[u]) for u in p.unit_ids)
            for path, role in memberships)]
        if len(found) >= limit:
            break
    return found[:limit]


_BATCH = 200


def _batches(session: Session, query: Select) -> Iterator[list[Poll]]:  # type: ignore[type-arg]
    """The query's rows, `_BATCH` at a time (a scan that stops once enough were kept)."""
    offset = 0
    while batch := list(session.exec(query.offset(offset).limit(_BATCH)).all()):
        yield batch
        offset += _BATCH


def _unit_paths(session: Session, polls: Sequence[Poll]) -> dict[int, str]:
    """Unit id → tree path for every target unit of the polls (a deleted unit: absent)."""
    ids = sorted({u for p in polls for u in p.unit_ids})
    rows = session.exec(select(Unit.id, Unit.path).where(col(Unit.id).in_(ids))).all() if ids else []
    return {uid: path for uid, path in rows if uid is not None}


__all__ = ["OPENED", "audience", "clean_options", "clean_question", "close", "close_unchecked",
           "create", "due", "get", "move_chat", "numbered", "open_poll", "open_to", "recent"]
